/**
 * In-process A/B of the monitor's per-round work after collection (Monitor.ingest: the store's
 * append with its WAL, alert evaluation, the anomaly feed and detectors, the derived error
 * ratio): this tree's engine against another one (`git archive <commit> engine | tar -x -C
 * /tmp/old`), each bundled with esbuild as the CLI ships, the same seeded rounds, interleaved,
 * CPU time of the process (`process.cpuUsage()`) around each run. The rounds are shaped after
 * the demo's: every 100 ms one local round (70 series: system and four processes), every
 * second four scrape rounds (100 series each: rates, quantiles, gauges, some constant), with
 * the store in a temporary folder flushed every second (the cut every 5 minutes), four alert
 * rules per component and the default detector. Both engines' stores are compared after each
 * run (every series' raw samples and 1 s rollup means), and their findings: any difference fails.
 *
 * Usage: node --import tsx bench/monitorIngestAB.ts [oldEngineDir]   (default /tmp/old/engine);
 * BENCH_ROUNDS (3), BENCH_SECONDS (600 simulated seconds per run).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bundleEngine } from './bundleEngine';

const OLD = resolve(process.argv[2] ?? '/tmp/old/engine');
const NEW = resolve(__dirname, '../engine');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 600);
const T0 = Date.UTC(2026, 10, 27, 10, 0, 0);
const COMPONENTS = ['engine', 'gateway', 'store', 'worker'];

interface Key { name: string; labels: Record<string, string> }
interface Sample { series: Key; t: number; v: number }
interface Store { append(s: readonly Sample[]): void; flush(): Promise<void>; close(): Promise<void>; query(q: Record<string, unknown>): { id: string; points: { t: number; v: number }[] }[]; listSeries(m?: Record<string, unknown>): Key[] }
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Mod = any;

async function load(dir: string, name: string, out: string): Promise<Mod> {
  return {
    name,
    ...(await bundleEngine(dir, name, out, {
      'monitor/monitor': ['Monitor'],
      'monitor/anomalies': ['AnomalyTracker'],
      'anomaly/index': ['createDefaultDetector'],
      'store/store': ['TimeSeriesStore'],
    })),
  };
}

/** The rounds: [time, samples][] in order; sample objects are made per round, as collectors make them. */
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

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function run(m: Mod, rounds: ReturnType<typeof makeRounds>): Promise<{ ms: number; result: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'alluse-ingest-ab-'));
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
  let lastFlush = T0;
  for (const r of rounds) {
    now = r.t;
    const c0 = cpuMs();
    monitor.ingest(r.samples, !r.local);
    if (now - lastFlush >= 1000) {
      lastFlush = now;
      const f = store.flush();
      ms += cpuMs() - c0;
      await f;
    } else ms += cpuMs() - c0;
  }
  await store.flush();
  const ids = store.listSeries().map((k) => k).slice(0, 1000);
  const stored = ids.map((k) => {
    const raw = store.query({ name: k.name, labels: k.labels, from: T0, to: now, resolution: 'raw' });
    const sec = store.query({ name: k.name, labels: k.labels, from: T0, to: now, stepMs: 1000, agg: 'mean' });
    return [raw.map((x) => [x.id, x.points.length, x.points.reduce((a, p) => a + p.v, 0)]), sec.map((x) => x.points.map((p) => [p.t, p.v]))];
  });
  const result = JSON.stringify({ stored, events: events.length, findings: anomalies.findings().map((f: { at: number; series: string; score: number }) => [f.at, f.series, f.score]) });
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return { ms, result };
}

async function main(): Promise<void> {
  const rounds = makeRounds();
  const n = rounds.reduce((a, r) => a + r.samples.length, 0);
  const out = mkdtempSync(join(tmpdir(), 'alluse-ingest-ab-bundles-'));
  const engines = [await load(OLD, 'old', out), await load(NEW, 'new', out)];
  console.log(`A/B of Monitor.ingest (store + WAL, alerts, anomaly feed and detectors, derived ratio): ${rounds.length} rounds, ${n} samples, ${SECONDS} s simulated per run\nold: ${OLD}\nnew: ${NEW}\nCPU time of the process (user + system) around the rounds and the flushes' synchronous part, interleaved, ${ROUNDS} rounds; µs per simulated second`);
  const res: Record<string, number[]> = { old: [], new: [] };
  let reference: string | undefined;
  for (let r = 0; r < ROUNDS; r++) {
    const la = loadavg()[0].toFixed(1);
    for (const e of r % 2 ? [...engines].reverse() : engines) {
      const { ms, result } = await run(e, rounds);
      res[e.name].push((ms * 1000) / SECONDS);
      if (reference === undefined) reference = result;
      else if (result !== reference) throw new Error(`${e.name}: the stored samples, rollups, alerts or findings differ from the first run's`);
    }
    console.log(`round ${r + 1} (load average ${la}): old ${res.old[r].toFixed(0)} / new ${res.new[r].toFixed(0)} µs per simulated second (×${(res.new[r] / res.old[r]).toFixed(2)})`);
  }
  const ref = JSON.parse(reference!);
  console.log(`e.g. ${JSON.stringify(ref.stored[40]).slice(0, 160)}`);
  console.log(`identical stored samples and 1 s means (${ref.stored.length} series), alert events (${ref.events}) and findings (${ref.findings.length}) in all ${2 * ROUNDS} runs`);
}

void main();
