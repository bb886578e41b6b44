/**
 * Metrics endpoints that misbehave on the connection level, against real loopback servers:
 * - a server that accepts connections and never answers: however many requests are made,
 *   the process never holds more than the per-endpoint limit of sockets to it, every
 *   request ends by its deadline, and no socket is left open afterwards;
 * - a slow but working server: the requests beyond the limit wait their turn and succeed;
 * - the scrape collector (one keep-alive socket per target) and the Prometheus API source
 *   keep to the limit too;
 * - a redirect to another host is not followed: that host sees no request.
 * (Slow-loris bodies, huge bodies, garbage, early close and HTTP errors are in
 * test/integration/collectScrape.test.ts.)
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { httpGet, MAX_PER_ENDPOINT, openRequests } from '../../engine/collect/httpGet';
import { PrometheusApiSource } from '../../engine/collect/promApi';
import { ScrapeCollector } from '../../engine/collect/scrapeCollector';
import { until } from '../helpers/until';

/**
 * A TCP server that counts the sockets open to it now and at most, and never answers. The
 * maximum is taken 25 ms after each connection: a socket the client closed just before it
 * opened the new one is then seen closed here too (loopback), so only sockets the client
 * really held at the same time count.
 */
async function silentServer(): Promise<{ url: string; open(): number; max(): number; accepted(): number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let max = 0;
  let accepted = 0;
  const server = net.createServer((s) => {
    accepted++;
    sockets.add(s);
    setTimeout(() => {
      if (!s.destroyed) max = Math.max(max, sockets.size);
    }, 25);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    s.resume(); // read the request, answer nothing
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    open: () => sockets.size,
    max: () => max,
    accepted: () => accepted,
    close: async () => {
      await new Promise((r) => setTimeout(r, 30)); // the last delayed count
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/** An HTTP server that answers every request after `delayMs`, counting concurrent requests. */
async function slowServer(delayMs: number, body = 'up 1\n'): Promise<{ url: string; max(): number; hits(): number; close(): Promise<void> }> {
  let now = 0;
  let max = 0;
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits++;
    now++;
    max = Math.max(max, now);
    setTimeout(() => {
      now--;
      res.end(body);
    }, delayMs);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, max: () => max, hits: () => hits, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}


describe('metrics endpoints on the connection level', () => {
  const closers: Array<() => Promise<void>> = [];
  after(async () => {
    for (const c of closers) await c();
  });

  it(`a server that accepts and never answers gets at most ${MAX_PER_ENDPOINT} sockets, and every request ends by its deadline`, async () => {
    const s = await silentServer();
    closers.push(s.close);
    const t0 = Date.now();
    const outcomes = await Promise.all(Array.from({ length: 25 }, (_, i) => httpGet(`${s.url}/metrics?i=${i}`, { timeoutMs: 700, maxBytes: 1e6 })));
    const took = Date.now() - t0;
    await new Promise((r) => setTimeout(r, 30)); // the last delayed count
    assert.ok(s.max() <= MAX_PER_ENDPOINT, `${s.max()} sockets were open at once`);
    assert.equal(s.max(), MAX_PER_ENDPOINT, 'the limit was reached (the test exercised it)');
    assert.ok(outcomes.every((o) => !o.ok && o.kind === 'timeout'), JSON.stringify(outcomes.filter((o) => o.ok || o.kind !== 'timeout')));
    // The first ones waited for an answer; others never got a slot, and say why; only
    // the ones that got a slot connected (a slot freed at their own deadline is not used).
    const waited = outcomes.filter((o) => !o.ok && /already open \(the limit per endpoint\)/.test(o.message));
    // (How many: the timers of requests made together fire within a few ms of each other, so it varies.)
    assert.ok(waited.length > 0, 'some requests had to wait for a slot');
    assert.equal(s.accepted(), 25 - waited.length, 'one connection per request that got a slot, none for the others');
    assert.ok(took < 5000, `took ${took} ms`);
    await until('every socket to be closed', () => s.open() === 0);
    assert.equal(openRequests(s.url), 0);
  });

  it('the requests beyond the limit wait their turn and succeed when the server is slow but working', async () => {
    const s = await slowServer(60);
    closers.push(s.close);
    const outcomes = await Promise.all(Array.from({ length: 12 }, () => httpGet(`${s.url}/metrics`, { timeoutMs: 10_000, maxBytes: 1e6 })));
    assert.ok(outcomes.every((o) => o.ok && o.body === 'up 1\n'), JSON.stringify(outcomes.find((o) => !o.ok)));
    assert.equal(s.hits(), 12);
    assert.ok(s.max() <= MAX_PER_ENDPOINT, `${s.max()} requests at once`);
  });

  it('the limit is per endpoint: a hanging endpoint does not hold up another one', async () => {
    const bad = await silentServer();
    const good = await slowServer(5);
    closers.push(bad.close, good.close);
    let hangingEnded = 0;
    const hanging = Array.from({ length: 8 }, () => httpGet(`${bad.url}/metrics`, { timeoutMs: 1500, maxBytes: 1e6 }).then(() => hangingEnded++));
    const ok = await httpGet(`${good.url}/metrics`, { timeoutMs: 1500, maxBytes: 1e6 });
    assert.ok(ok.ok, JSON.stringify(ok));
    assert.equal(hangingEnded, 0, 'the good endpoint answered while the hanging ones were still waiting');
    await Promise.all(hanging);
  });

  it('the scrape collector holds one socket per target, however often it is asked', async () => {
    const s = await silentServer();
    closers.push(s.close);
    const c = new ScrapeCollector('hang', `${s.url}/metrics`, { timeoutMs: 150 });
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => c.collect(i)));
    for (let i = 0; i < 4; i++) await c.collect(100 + i);
    await new Promise((r) => setTimeout(r, 30)); // the last delayed count
    assert.equal(s.max(), 1, `${s.max()} sockets at once`);
    assert.ok(results.some((r) => r.problems.some((p) => p.kind === 'timeout')));
    assert.ok(results.some((r) => r.problems.some((p) => p.kind === 'busy')), 'overlapping rounds are skipped, not stacked');
    c.dispose();
    await until('the socket to be closed', () => s.open() === 0);
  });

  it('the Prometheus API source keeps to the limit when many series are read at once', async () => {
    const s = await silentServer();
    closers.push(s.close);
    const api = new PrometheusApiSource({ baseUrl: s.url, timeoutMs: 400 });
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => api.queryRange(`up{i="${i}"}`, { startMs: 0, endMs: 60_000, stepMs: 15_000 })));
    await new Promise((r) => setTimeout(r, 30)); // the last delayed count
    assert.ok(s.max() <= MAX_PER_ENDPOINT, `${s.max()} sockets at once`);
    assert.ok(answers.every((a) => a.samples.length === 0 && a.problems.some((p) => p.kind === 'timeout')), JSON.stringify(answers[0]));
    await until('every socket to be closed', () => s.open() === 0);
  });

  it('a redirect to another host is reported and not followed: the other host sees nothing', async () => {
    const other = await slowServer(0);
    const redirecting = http.createServer((_req, res) => {
      res.writeHead(302, { location: `${other.url}/metrics` });
      res.end();
    });
    await new Promise<void>((r) => redirecting.listen(0, '127.0.0.1', r));
    closers.push(other.close, () => new Promise((r) => { redirecting.closeAllConnections(); redirecting.close(() => r()); }));
    const r = await httpGet(`http://127.0.0.1:${(redirecting.address() as AddressInfo).port}/metrics`, { timeoutMs: 2000, maxBytes: 1e6 });
    assert.ok(!r.ok && r.kind === 'bad-response' && r.status === 302, JSON.stringify(r));
    assert.match(r.message, /redirects are not followed/);
    assert.equal(other.hits(), 0);
  });
});
