/**
 * The scraper against a real local HTTP server that misbehaves in every way the issue lists:
 * each failure is reported with the right kind and contained (bounded time and memory), and
 * a good target scraped at the same time goes on working.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ScrapeCollector, type CollectResult } from '../../engine/collect/index';
import { seriesId } from '../../engine/metrics/series';
import { startBadServer, type FixtureServer } from '../fixtures/collect/badServer';

const upOf = (r: CollectResult) => r.samples.find((s) => s.series.name === 'up')?.v;

describe('scrape collector against a misbehaving endpoint (real HTTP)', () => {
  let server: FixtureServer;
  before(async () => {
    server = await startBadServer();
  });
  after(async () => server.close());

  it('scrapes a good endpoint: up, app series with the component label, rates from the second scrape', async () => {
    const c = new ScrapeCollector('good', server.url('/good'));
    const a = await c.collect(1000);
    assert.deepEqual(a.problems, []);
    assert.equal(upOf(a), 1);
    assert.ok(a.samples.some((s) => seriesId(s.series) === 'fx_queue_depth{component="good",queue="q1"}'));
    assert.ok(!a.samples.some((s) => s.series.name.endsWith('_rate')));
    const b = await c.collect(1100);
    const names = new Set(b.samples.map((s) => s.series.name));
    for (const n of ['fx_requests_total_rate', 'fx_latency_seconds_rate', 'fx_latency_seconds_p50', 'fx_latency_seconds_p99', 'scrape_duration_seconds', 'scrape_samples_scraped']) assert.ok(names.has(n), n);
    assert.ok(b.samples.every((s) => s.series.labels.component === 'good' && s.t === 1100));
    assert.ok(b.samples.filter((s) => s.series.name.endsWith('_rate')).every((s) => s.v > 0 && Number.isFinite(s.v)));
    c.dispose();
  });

  const cases: Array<[path: string, kind: string, message: RegExp, opts?: { timeoutMs?: number; maxBytes?: number }]> = [
    ['/slow-loris', 'timeout', /did not answer completely within 700 ms/, { timeoutMs: 700 }],
    ['/hang', 'timeout', /within 300 ms/, { timeoutMs: 300 }],
    ['/huge', 'too-large', /announced \d+ bytes, more than the limit of 10485760/],
    ['/huge-chunked', 'too-large', /sent more than the limit of 1000000 bytes/, { maxBytes: 1_000_000 }],
    ['/garbage', 'bad-response', /did not answer in the Prometheus text format \(line 1/],
    ['/redirect', 'bad-response', /redirected \(HTTP 302\) to http:\/\/example\.invalid\/metrics; redirects are not followed/],
    ['/close-mid-body', 'bad-response', /closed the connection after 98 bytes/],
    ['/status-500', 'bad-response', /answered HTTP 500: internal error/],
  ];
  for (const [path, kind, message, opts] of cases) {
    it(`${path}: reported as ${kind}, up = 0, and contained`, async () => {
      const c = new ScrapeCollector('bad', server.url(path), { timeoutMs: 5000, ...opts });
      const r = await c.collect(0);
      assert.deepEqual(r.problems.map((p) => p.kind), [kind], JSON.stringify(r.problems));
      assert.match(r.problems[0].message, message);
      assert.equal(r.problems[0].component, 'bad');
      assert.equal(upOf(r), 0);
      // the same failure again is not re-reported at once (it lasts), but up stays 0
      const again = await c.collect(100);
      assert.deepEqual(again.problems, []);
      assert.equal(upOf(again), 0);
      c.dispose();
    });
  }

  it('a scrape with more samples than its limit is dropped as a whole and reported once; at the limit it is kept', async () => {
    // /good?n=30000: 32,852 sample lines, over the default limit of 20,000.
    const big = new ScrapeCollector('many', server.url('/good?n=30000'));
    const r = await big.collect(0);
    assert.deepEqual(r.problems.map((p) => p.kind), ['too-many-samples'], JSON.stringify(r.problems));
    assert.match(r.problems[0].message, /holds more than 20000 samples.*raise `metrics\.sampleLimit` of many in alluse-perf\.yaml/);
    assert.equal(upOf(r), 0);
    assert.ok(!r.samples.some((s) => s.series.name.startsWith('fx_')), 'no part of a dropped scrape is kept');
    const again = await big.collect(100);
    assert.deepEqual(again.problems, []);
    assert.equal(upOf(again), 0);
    big.dispose();
    // /good (n=30): 29 sample lines. A limit of 29 keeps it, 28 drops it.
    const at = new ScrapeCollector('at', server.url('/good'), { sampleLimit: 29 });
    const kept = await at.collect(0);
    assert.deepEqual(kept.problems, []);
    assert.equal(upOf(kept), 1);
    assert.equal(kept.samples.find((s) => s.series.name === 'scrape_samples_scraped')?.v, 29);
    at.dispose();
    const under = new ScrapeCollector('under', server.url('/good'), { sampleLimit: 28 });
    const dropped = await under.collect(0);
    assert.deepEqual(dropped.problems.map((p) => p.kind), ['too-many-samples']);
    assert.equal(upOf(dropped), 0);
    under.dispose();
  });

  it('lines that are not Prometheus text are reported and skipped; the rest is used', async () => {
    const c = new ScrapeCollector('partial', server.url('/partial'));
    const r = await c.collect(0);
    assert.deepEqual(r.problems.map((p) => p.kind), ['parse-error']);
    assert.match(r.problems[0].message, /1 line\(s\).*line 2/);
    assert.equal(upOf(r), 1);
    assert.deepEqual(r.samples.filter((s) => s.series.name.startsWith('fx_')).map((s) => seriesId(s.series)), ['fx_ok{component="partial"}', 'fx_also_ok{a="b",component="partial"}']);
    c.dispose();
  });

  it('a refused connection is "unavailable"; no redirect target is ever contacted', async () => {
    const c = new ScrapeCollector('down', 'http://127.0.0.1:1/metrics');
    const r = await c.collect(0);
    assert.deepEqual(r.problems.map((p) => p.kind), ['unavailable']);
    assert.match(r.problems[0].message, /refused the connection/);
    c.dispose();
  });

  it('one scrape in flight per target: a second call while one runs is skipped as busy', async () => {
    const c = new ScrapeCollector('slow', server.url('/slow-loris'), { timeoutMs: 600 });
    const before = server.hits.get('/slow-loris') ?? 0;
    const first = c.collect(0);
    const second = await c.collect(100);
    assert.deepEqual(second.problems.map((p) => p.kind), ['busy']);
    assert.equal(second.samples.length, 0);
    assert.equal((await first).problems[0].kind, 'timeout');
    assert.equal(server.hits.get('/slow-loris'), before + 1);
    c.dispose();
  });

  it('a bad target does not hold up a good one scraped at the same time', async () => {
    const bad = new ScrapeCollector('bad', server.url('/hang'), { timeoutMs: 2000 });
    const good = new ScrapeCollector('good', server.url('/good'));
    const hanging = bad.collect(0);
    let goodRounds = 0;
    while (goodRounds < 5) {
      const r = await good.collect(goodRounds);
      assert.equal(upOf(r), 1);
      goodRounds++;
    }
    assert.equal((await hanging).problems[0].kind, 'timeout');
    bad.dispose();
    good.dispose();
  });
});
