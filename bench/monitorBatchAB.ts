/**
 * In-process A/B of the monitor's ingest per round against batched: the same seeded rounds
 * (the demo's shape, as bench/monitorIngestAB.ts: every 100 ms one local round of 70 series,
 * every second four scrape rounds of 100 series), this tree's engine bundled with esbuild as
 * the CLI ships, run three ways, interleaved:
 *   - per round: `Monitor.ingest` for each round as it comes (main's way);
 *   - batch N (5, 10): the rounds of N local intervals (N × 100 ms) concatenated in the order
 *     they came and handed to `ingest` at once (local rounds together; each scrape round's
 *     derived error ratio computed on its own round first, as the monitor does).
 * CPU time of the process (`process.cpuUsage()`) around the ingest calls and the flushes'
 * synchronous part; the store flushed once a simulated second in every mode (its WAL). The
 * stores, alert events and findings of every run are compared: any difference fails.
 *
 * Usage: node --import tsx bench/monitorBatchAB.ts    BENCH_ROUNDS (3), BENCH_SECONDS (600),
 * BENCH_DISTURB_MB (16: memory touched between rounds, untimed, to make the caches cold as in
 * the monitor; 0 leaves them warm).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bundleEngine } from './bundleEngine';

const ENGINE = resolve(__dirname, '../engine');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 600);
const T0 = Date.UTC(2026, 10, 27, 10, 0, 0);
const COMPONENTS = ['engine', 'gateway', 'store', 'worker'];
const MODES = [1, 5, 10];

interface Key { name: string; labels: Record<string, string> }
interface Sample { series: Key; t: number; v: number }
interface Store { append(s: readonly Sample[]): void; flush(): Promise<void>; close(): Promise<void>; query(q: Record<string, unknown>): { id: string; points: { t: number; v: number }[] }[]; listSeries(m?: Record<string, unknown>): Key[] }
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Mod = any;

function makeRounds(): { t: number; local: boolean; samples: Sample[] }[] {
  let seed = 7;
  const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const localKeys: Key[] = [];
  for (let i = 0; i < 30; i++) localKeys.push({ name: `system_m${i % 10}`, labels: { cpu: String(i) } });
  for (const c of COMPONENTS) for (const n of ['process_cpu_ratio', 'process_resident_memory_bytes', 'process_open_fds', 'process_threads', 'process_io_read_bytes_per_second', 'process_io_write_bytes_per_second', 'process_up', 'process_voluntary_ctx_switches_per_second', 'process_minor_faults_per_second', 'process_heap']) localKeys.push({ name: n, labels: { component: c } });
  const scrapeKeys = COMPONENTS.map((c) => {
    const ks: Key[] = [{ name: 'ticks_total_rate', labels: { component: c, outcome: 'ok' } }, { name: 'ticks_total_rate', labels: { component: c, outcome: 'failed' } }, { name: 'errors_total_rate', labels: { component: c, kind: 'a' } }];
    for (let i = 0; i < 97; i++) ks.push({ name: `app_metric_${i % 25}`, labels: { component: c, route: `/r${i % 4}` } });
    return ks;
  });
  const level = new Map<Key, number>();
  const value = (k: Key, i: number) => {
    let l = level.get(k) ?? (i % 3 === 0 ? 1e8 : i % 3 === 1 ? 0.3 : 50);
    if (rnd() < 0.0005) l *= 1.5;
    level.set(k, l);
    return i % 7 === 0 ? 4 : l * (1 + 0.05 * (rnd() - 0.5)) * (rnd() < 0.0005 ? 10 : 1);
  };
  const rounds: { t: number; local: boolean; samples: Sample[] }[] = [];
  for (let step = 0; step < SECONDS * 10; step++) {
    const t = T0 + step * 100;
    rounds.push({ t, local: true, samples: localKeys.map((k, i) => ({ series: k, t, v: value(k, i) })) });
    if (step % 10 === 5) for (const ks of scrapeKeys) rounds.push({ t: t + 3, local: false, samples: ks.map((k, i) => ({ series: k, t: t + 3, v: value(k, i) })) });
  }
  return rounds;
}

/**
 * Between rounds (not timed), touches BENCH_DISTURB_MB (default 16) of memory: in the monitor
 * each round runs after 100 ms of other processes' work, its caches cold; in a tight loop
 * everything stays hot and the parts cost 5-10 times less (docs/performance.md, s7-moncpu).
 */
const DISTURB = new Float64Array((Number(process.env.BENCH_DISTURB_MB ?? 16) * 1024 * 1024) / 8);
let sink = 0;
function disturb(): void {
  for (let i = 0; i < DISTURB.length; i += 8) sink += DISTURB[i] += 1;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function run(m: Mod, rounds: ReturnType<typeof makeRounds>, batch: number): Promise<{ ms: number; calls: number; result: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'alluse-batch-ab-'));
  let now = T0;
  const store: Store = await m.TimeSeriesStore.open({ dir, now: () => now, manualFlush: true, encodeWorker: 'never' });
  const rules = COMPONENTS.flatMap((c) => [
    { name: `cpu-${c}`, component: c, metric: 'process_cpu_ratio', op: '>', threshold: 5e7, forMs: 2000, clearForMs: 2000, hysteresis: 0.05, severity: 'warning' },
    { name: `rss-${c}`, component: c, metric: 'process_resident_memory_bytes', op: '>', threshold: 2e8, forMs: 0, clearForMs: 1000, hysteresis: 0.05, severity: 'critical' },
    { name: `err-${c}`, component: c, metric: 'slo_error_ratio', op: '>', threshold: 0.2, forMs: 0, clearForMs: 1000, hysteresis: 0.05, severity: 'warning' },
    { name: `app-${c}`, component: c, metric: 'app_metric_3', op: '>', threshold: 200, forMs: 1000, clearForMs: 1000, hysteresis: 0.05, severity: 'info' },
  ]);
  const components = COMPONENTS.map((name) => ({ name, metrics: { throughput: 'ticks_total', errors: 'errors_total' }, slos: { errorRate: 0.05 } }));
  const anomalies = new m.AnomalyTracker(m.createDefaultDetector);
  const events: unknown[] = [];
  const monitor = new m.Monitor({ collectors: [], store, storePath: dir, rules, components, anomalies, onAlert: (e: unknown) => events.push(e) });
  let ms = 0;
  let calls = 0;
  let lastFlush = T0;
  let pending: Sample[] = [];
  let localRounds = 0;
  for (const r of rounds) {
    now = r.t;
    disturb();
    const c0 = cpuMs();
    if (batch === 1) {
      monitor.ingest(r.samples, !r.local);
      calls++;
    } else {
      // The scrape rounds' derived ratio on their own round (derive is per round), then buffered.
      for (const s of r.samples) pending.push(s);
      if (!r.local) {
        const derived: Sample[] = [];
        monitor.derive(r.samples, derived);
        for (const s of derived) pending.push(s);
      }
      if (r.local && ++localRounds % batch === 0) {
        monitor.ingest(pending, false, true);
        calls++;
        pending = [];
      }
    }
    if (now - lastFlush >= 1000) {
      lastFlush = now;
      const f = store.flush();
      ms += cpuMs() - c0;
      await f;
    } else ms += cpuMs() - c0;
  }
  if (pending.length) monitor.ingest(pending, false, true);
  await store.flush();
  const ids = store.listSeries();
  const stored = ids.map((k) => {
    const raw = store.query({ name: k.name, labels: k.labels, from: T0, to: now, resolution: 'raw' });
    const sec = store.query({ name: k.name, labels: k.labels, from: T0, to: now, stepMs: 1000, agg: 'mean' });
    return [raw.map((x) => [x.id, x.points.length, x.points.reduce((a, p) => a + p.v, 0)]), sec.map((x) => x.points.map((p) => [p.t, p.v]))];
  });
  const result = JSON.stringify({ stored, events, findings: anomalies.findings().map((f: { at: number; series: string; score: number }) => [f.at, f.series, f.score]) });
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return { ms, calls, result };
}

async function main(): Promise<void> {
  const rounds = makeRounds();
  const n = rounds.reduce((a, r) => a + r.samples.length, 0);
  const out = mkdtempSync(join(tmpdir(), 'alluse-batch-ab-bundles-'));
  const m = await bundleEngine(ENGINE, 'engine', out, { 'monitor/monitor': ['Monitor'], 'monitor/anomalies': ['AnomalyTracker'], 'anomaly/index': ['createDefaultDetector'], 'store/store': ['TimeSeriesStore'] });
  console.log(`A/B of Monitor.ingest per round vs batched: ${rounds.length} rounds, ${n} samples, ${SECONDS} s simulated per run; CPU time (user + system) around ingest and the flushes' synchronous part, interleaved, ${ROUNDS} rounds; µs per simulated second`);
  const res = new Map<number, number[]>(MODES.map((b) => [b, []]));
  let reference: string | undefined;
  for (let r = 0; r < ROUNDS; r++) {
    const la = loadavg()[0].toFixed(1);
    const order = r % 2 ? [...MODES].reverse() : MODES;
    const line: string[] = [];
    for (const b of order) {
      const { ms, calls, result } = await run(m, rounds, b);
      res.get(b)!.push((ms * 1000) / SECONDS);
      if (reference === undefined) reference = result;
      else if (result !== reference) throw new Error(`batch ${b}: the stored samples, rollups, alert events or findings differ from the first run's`);
      line.push(`${b === 1 ? 'per round' : `batch ${b}`} ${((ms * 1000) / SECONDS).toFixed(0)} (${(calls / SECONDS).toFixed(1)} ingests/s)`);
    }
    console.log(`round ${r + 1} (load average ${la}): ${line.join(' / ')}`);
  }
  const ref = JSON.parse(reference!);
  for (const b of MODES) { const v = res.get(b)!.sort((x, y) => x - y); console.log(`${b === 1 ? 'per round' : `batch ${b}`}: median ${v[v.length >> 1].toFixed(0)} µs per simulated second (${(v[v.length >> 1] / 1e4).toFixed(3)}% of a core)`); }
  console.log(`identical stored samples and 1 s means (${ref.stored.length} series), alert events (${ref.events.length}) and findings (${ref.findings.length}) in all ${MODES.length * ROUNDS} runs`);
}

void main();
