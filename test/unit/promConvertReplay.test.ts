/**
 * The converter's replay (promConvert.ts, `resultsRepeat`): while RepeatedScrape hands back
 * the same families with new values, the conversion replays the last full one's steps. It
 * must give exactly what a full conversion gives, scrape after scrape, through shape changes,
 * counter resets, non-finite values and histograms whose buckets move.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PrometheusConverter } from '../../engine/collect/promConvert';
import type { SeriesTextCache } from '../../engine/collect/promParse';
import { RepeatedScrape } from '../../engine/collect/promRepeat';
import { seriesId, type SeriesSample } from '../../engine/metrics/series';
import { Rng } from '../../engine/util/rng';

/**
 * One scrape of an endpoint like prom-client's: a counter with a `_created` line, a gauge, a
 * summary, a histogram of two routes. `shape` 0 is the usual body; 1 adds a label set of the
 * gauge and a route to the histogram (as prom-client's `type` labels come and go); 2 drops the
 * counter. Values drift upwards and now and then go back (a reset), are NaN or +Inf.
 */
function body(shape: number, r: () => number, k: number): string {
  const pick = (base: number) => {
    const x = r();
    if (x < 0.03) return 'NaN';
    if (x < 0.05) return '+Inf';
    if (x < 0.1) return String(Math.floor(base * r())); // a counter reset
    return String(base + Math.floor(r() * 10));
  };
  const lines: string[] = [];
  if (shape !== 2) {
    lines.push('# HELP requests_total Requests.', '# TYPE requests_total counter', `requests_total{code="200"} ${pick(100 * k)}`, `requests_total{code="500"} ${pick(3 * k)}`, `requests_created{code="200"} 1700000000`);
  }
  lines.push('# TYPE heap_bytes gauge', `heap_bytes{space="new"} ${pick(1000)}`, `heap_bytes{space="old"} ${(r() * 1e6).toFixed(3)}`);
  if (shape === 1) lines.push(`heap_bytes{space="code"} ${pick(50)}`);
  lines.push('# TYPE lag_seconds summary', `lag_seconds{quantile="0.5"} ${(r() / 100).toFixed(6)}`, `lag_seconds{quantile="0.99"} ${(r() / 10).toFixed(6)}`, `lag_seconds_sum ${pick(10 * k)}`, `lag_seconds_count ${pick(50 * k)}`);
  lines.push('# TYPE latency_seconds histogram');
  for (const route of shape === 1 ? ['a', 'b', 'c'] : ['a', 'b']) {
    let c = 0;
    for (const le of ['0.005', '0.1', '1', '+Inf']) {
      c += Math.floor(r() * 5 * k);
      lines.push(`latency_seconds_bucket{route="${route}",le="${le}"} ${r() < 0.04 ? 0 : c}`);
    }
    lines.push(`latency_seconds_sum{route="${route}"} ${(c * 0.01).toFixed(2)}`, `latency_seconds_count{route="${route}"} ${c}`);
  }
  return lines.join('\n') + '\n';
}

const view = (l: readonly SeriesSample[]) => l.map((s) => [seriesId(s.series), s.t, s.v]);

describe('PrometheusConverter replay of repeated scrapes', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`gives the full conversion's samples and state on every scrape (seed ${seed})`, () => {
      // Seeded (mulberry32): the same scrapes on every run.
      const rand = new Rng(seed);
      const r = () => rand.next();
      const cache: SeriesTextCache = new Map();
      const repeated = new RepeatedScrape(cache);
      const full = new PrometheusConverter('engine', { labelsRepeat: true });
      const replaying = new PrometheusConverter('engine', { labelsRepeat: true, resultsRepeat: true });
      let shape = 0;
      for (let k = 1; k <= 120; k++) {
        if (r() < 0.08) shape = Math.floor(r() * 3);
        const parsed = repeated.parse(Buffer.from(body(shape, r, k)));
        // Scrapes a little irregular on the monotonic clock, as they are.
        const mono = k * 1000 + Math.floor(r() * 50);
        const a = full.convert(parsed.families, k * 1000, mono);
        const b = replaying.convert(parsed.families, k * 1000, mono);
        assert.equal(b.length, a.length, `scrape ${k}: as many samples`);
        assert.deepEqual(view(b), view(a), `scrape ${k}`);
        assert.equal(replaying.stateSize, full.stateSize, `scrape ${k}: as much state`);
      }
      // Most scrapes repeated the shape, and those were replayed.
      assert.ok(repeated.repeats > 60, `repeats ${repeated.repeats}`);
      assert.equal(replaying.replays, repeated.repeats);
      assert.equal(full.replays, 0);
    });
  }

  it('replays with the same key objects, and starts over after reset()', () => {
    const cache: SeriesTextCache = new Map();
    const repeated = new RepeatedScrape(cache);
    const conv = new PrometheusConverter('engine', { labelsRepeat: true, resultsRepeat: true });
    const text = (n: number) => `# TYPE g gauge\ng{x="1"} ${n}\n# TYPE c_total counter\nc_total ${n * 10}\n`;
    const first = conv.convert(repeated.parse(Buffer.from(text(1))).families, 1000, 1000);
    const second = conv.convert(repeated.parse(Buffer.from(text(2))).families, 2000, 2000);
    assert.equal(conv.replays, 1);
    assert.deepEqual(view(second), [
      ['g{component="engine",x="1"}', 2000, 2],
      ['c_total_rate{component="engine"}', 2000, 10],
    ]);
    assert.equal(second[0].series, first[0].series);
    conv.reset();
    // After a reset (a restarted component) the rates start again: no rate from the first scrape after it.
    const third = conv.convert(repeated.parse(Buffer.from(text(3))).families, 3000, 3000);
    assert.equal(conv.replays, 1);
    assert.deepEqual(view(third), [['g{component="engine",x="1"}', 3000, 3]]);
  });
});
