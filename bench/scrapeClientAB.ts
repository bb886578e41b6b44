/**
 * The scrape client A/B: what one scrape's HTTP costs the monitor, Node's client (httpGetBytes
 * with a keep-alive agent of one socket, as the scrape collector used it) against our own
 * (KeepAliveHttpClient, keepAliveGet.ts).
 *
 * Method: a child process serves four /metrics endpoints the way the demo's components do
 * (prom-client's default metrics and a request histogram, one registry each; about 7 KB per
 * answer), so only the client's work is counted here. One round asks the four at once and
 * waits for the four answers, as the monitor's scrape second does. CPU time of this process
 * (`process.cpuUsage()`, user + system) over ROUNDS rounds of one client, the two clients
 * interleaved, REPEATS times; µs of CPU per GET, and the young-generation collections
 * (scavenges) per 1,000 GETs, a measure of the garbage made (run with
 * `--max-semi-space-size=1 --min-semi-space-size=1` to fix the nursery's size: about 1 MiB
 * allocated per scavenge). With `OLD_ENGINE=/path/to/old/engine` (the
 * engine/ folder of another checkout, e.g. main's) it also times the whole scrape, the old and
 * this engine's `ScrapeCollector.collect` (HTTP, parse, conversion) the same way.
 * Run: `node --import tsx bench/scrapeClientAB.ts` (ROUNDS=2000 REPEATS=3 OLD_ENGINE=…).
 */
import http from 'node:http';
import { PerformanceObserver, constants as perfConstants } from 'node:perf_hooks';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { httpGetBytes } from '../engine/collect/httpGet';
import { KeepAliveHttpClient } from '../engine/collect/keepAliveGet';
import { ScrapeCollector } from '../engine/collect/scrapeCollector';

const ROUNDS = Number(process.env.ROUNDS ?? 2000);
const REPEATS = Number(process.env.REPEATS ?? 3);
const ACCEPT = 'text/plain;version=0.0.4;q=1,*/*;q=0.1';

const SERVER = `
const http = require('node:http');
const client = require('prom-client');
const ports = [];
let pending = 4;
for (let i = 0; i < 4; i++) {
  const registry = new client.Registry();
  registry.setDefaultLabels({ component: 'c' + i });
  client.collectDefaultMetrics({ register: registry });
  const h = new client.Histogram({ name: 'alluse_http_request_duration_seconds', help: 'HTTP request handling time', labelNames: ['route'], buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.035, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry] });
  const s = http.createServer(async (req, res) => {
    h.observe({ route: '/tick' }, Math.random() / 10);
    res.setHeader('content-type', registry.contentType);
    res.end(await registry.metrics());
  });
  s.listen(0, '127.0.0.1', () => {
    ports[i] = s.address().port;
    if (--pending === 0) process.send(ports);
  });
}
`;

async function main(): Promise<void> {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ports = await new Promise<number[]>((r) => child.once('message', (m) => r(m as number[])));
  try {
    const urls = ports.map((p) => `http://127.0.0.1:${p}/metrics`);
    const agents = urls.map(() => new http.Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 }));
    const ours = urls.map((u) => new KeepAliveHttpClient(u, { headers: { accept: ACCEPT } }));
    let bytes = 0;
    const node = async () => {
      const rs = await Promise.all(urls.map((u, i) => httpGetBytes(u, { timeoutMs: 2000, maxBytes: 10 << 20, headers: { accept: ACCEPT }, agent: agents[i] })));
      for (const r of rs) if (!r.ok) throw new Error(r.message);
      bytes = rs.reduce((a, r) => a + (r.ok ? r.bytes : 0), 0) / 4;
    };
    const own = async () => {
      const rs = await Promise.all(ours.map((c) => c.get(2000, 10 << 20)));
      for (const r of rs) if (!r.ok) throw new Error(r.message);
    };
    const ways: Array<[string, () => Promise<void>]> = [
      ["Node's http.get (keep-alive agent)", node],
      ['KeepAliveHttpClient', own],
    ];
    const closers: Array<() => void> = [];
    if (process.env.OLD_ENGINE) {
      const old = (await import(`${process.env.OLD_ENGINE}/collect/scrapeCollector.ts`)) as typeof import('../engine/collect/scrapeCollector');
      const collectors = (Ctor: typeof ScrapeCollector) => {
        const cs = urls.map((u, i) => new Ctor(`c${i}`, u));
        closers.push(() => cs.forEach((c) => c.dispose()));
        let t = 0;
        return async () => {
          t += 1000;
          const rs = await Promise.all(cs.map((c) => c.collect(t)));
          for (const r of rs) if (r.problems.length) throw new Error(r.problems[0].message);
        };
      };
      ways.push([`ScrapeCollector.collect, ${process.env.OLD_ENGINE}`, collectors(old.ScrapeCollector)], ['ScrapeCollector.collect, this engine', collectors(ScrapeCollector)]);
    }
    const results: Record<string, Array<{ user: number; system: number; scavenges: number }>> = Object.fromEntries(ways.map(([n]) => [n, []]));
    let scavenges = 0;
    const gc = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (((e as unknown as { detail?: { kind?: number } }).detail)?.kind === perfConstants.NODE_PERFORMANCE_GC_MINOR) scavenges++;
    });
    gc.observe({ entryTypes: ['gc'] });
    // Warm-up: both paths compiled and connected.
    for (let i = 0; i < 200; i++) for (const [, f] of ways) await f();
    for (let rep = 0; rep < REPEATS; rep++) {
      for (const [name, f] of ways) {
        await new Promise((r) => setImmediate(r)); // the last measure's GC entries delivered
        const s0 = scavenges;
        const c0 = process.cpuUsage();
        for (let i = 0; i < ROUNDS; i++) await f();
        const c = process.cpuUsage(c0);
        await new Promise((r) => setImmediate(r));
        results[name].push({ user: c.user / (ROUNDS * 4), system: c.system / (ROUNDS * 4), scavenges: ((scavenges - s0) * 1000) / (ROUNDS * 4) });
      }
    }
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    console.log(`Scrape client A/B: 4 prom-client endpoints in a child process (${Math.round(bytes)} bytes per answer), ${ROUNDS} rounds of 4 GETs at once per measure, ${REPEATS} repeats interleaved; Node ${process.version}; load average ${load}`);
    gc.disconnect();
    console.log('| client | µs of CPU per GET, user + system (per repeat) | scavenges per 1,000 GETs |');
    console.log('|---|---|---|');
    for (const [name, us] of Object.entries(results)) console.log(`| ${name} | ${us.map((u) => `${(u.user + u.system).toFixed(1)} (${u.user.toFixed(1)} + ${u.system.toFixed(1)})`).join(', ')} | ${us.map((u) => u.scavenges.toFixed(1)).join(', ')} |`);
    for (const a of agents) a.destroy();
    for (const c of ours) c.close();
    for (const c of closers) c();
  } finally {
    child.kill();
  }
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
