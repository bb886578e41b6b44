/**
 * In-process A/B of the monitor's anomaly scoring (AnomalyTracker with the default detector,
 * as `alluse-perf monitor` runs it): this tree's engine against another one (`git archive
 * <commit> engine | tar -x -C /tmp/old`), bundled with esbuild as the CLI ships, the same
 * seeded samples, interleaved, CPU time of the process (`process.cpuUsage()`) around each run.
 * Both engines' outputs are compared: every finding (id, time, score, severity, explanation)
 * and each series' band and learned snapshot at the end must be identical, or it fails (the
 * bands' bounds compared as float32s: the tracker keeps them so since 28 Nov, for the dashboard).
 *
 * The samples are shaped after what the monitor scores (anomalyFeed.ts): 100 series at 10 Hz
 * (process CPU and memory, system CPU: a fresh float every sample) and 300 at 1 Hz (rates,
 * quantiles, gauges, some constant), with a level shift and spikes now and then.
 *
 * Usage: node --import tsx bench/anomalyTrackerAB.ts [oldEngineDir]   (default /tmp/old/engine);
 * BENCH_ROUNDS (3), BENCH_SECONDS (600: simulated seconds per run). A difference names the
 * parts that differ (opened findings, findings, bands, snapshots); BENCH_SNAPSHOTS_MAY_DIFFER=1
 * for a change of the learned state's numbers alone (the findings and bands must still be identical).
 */
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { unpackWords } from '../engine/anomaly/contextNovelty';
import { bundleEngine } from './bundleEngine';

const OLD = resolve(process.argv[2] ?? '/tmp/old/engine');
const NEW = resolve(__dirname, '../engine');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 600);
const SNAPSHOTS_MAY_DIFFER = process.env.BENCH_SNAPSHOTS_MAY_DIFFER === '1';
let snapshotDiffered = false;
const FAST = 100;
const SLOW = 300;
const T0 = Date.UTC(2026, 10, 27, 10, 0, 0);

interface Sample { series: { name: string; labels: Record<string, string> }; t: number; v: number }
interface Tracker {
  observe(s: readonly Sample[]): { id: string; at: number; score: number; severity: string; explanation?: unknown; series: string }[];
  findings(): unknown[];
  band(id: string): unknown[];
  snapshot(): Record<string, unknown>;
}
interface Engine {
  name: string;
  make(): Tracker;
  seriesId(k: Sample['series']): string;
  /** A novelty detector with a small dictionary, so its table grows and forgets often. */
  novelty(): { update(t: number, v: number): unknown; snapshot(): unknown };
}

/** Scores and final state of small-dictionary novelty detectors on the first 20 series. */
/**
 * The novelty tables anywhere in a snapshot as [word, count] lists in word order, whatever their
 * snapshot's version: version 1 lists `words` in its table's slot order (which depends on the
 * table's length), version 2 packs them (`packed`, unpacked with this checkout's unpackWords).
 */
function sortWords(x: unknown): void {
  if (Array.isArray(x)) for (const v of x) sortWords(v);
  else if (x && typeof x === 'object') {
    const o = x as Record<string, unknown>;
    if (typeof o.packed === 'string' && (o.v === 1 || o.v === 2)) {
      o.words = unpackWords(o.packed);
      delete o.packed;
      o.v = 'any';
    } else if (Array.isArray(o.words) && (o.v === 1 || o.v === 2)) {
      (o.words as [number, number][]).sort((a, b) => a[0] - b[0]);
      o.v = 'any';
    } else for (const v of Object.values(o)) sortWords(v);
  }
}

function noveltyRun(e: Engine, batches: Sample[][]): string {
  const ds = new Map<object, ReturnType<Engine['novelty']>>();
  const scores: unknown[] = [];
  for (const b of batches) for (const s of b.slice(0, 20)) {
    let d = ds.get(s.series);
    if (!d) ds.set(s.series, (d = e.novelty()));
    scores.push(d.update(s.t, s.v));
  }
  // With BENCH_SNAPSHOTS_MAY_DIFFER the context's baseline (its seasonal profiles) is left out of the states: the tables must still be identical.
  const states = [...ds.values()].map((d) => d.snapshot() as { context?: { baseline?: unknown } });
  if (SNAPSHOTS_MAY_DIFFER) for (const st of states) if (st.context) st.context.baseline = undefined;
  for (const st of states) sortWords(st);
  return JSON.stringify({ scores, states });
}

async function load(dir: string, name: string, out: string): Promise<Engine> {
  const m = await bundleEngine(dir, name, out, {
    'monitor/anomalies': ['AnomalyTracker'],
    'anomaly/index': ['createDefaultDetector', 'ContextNoveltyDetector', 'StandaloneDetector'],
    'metrics/series': ['seriesId'],
  });
  return { name, make: () => new m.AnomalyTracker(m.createDefaultDetector), seriesId: m.seriesId, novelty: () => new m.StandaloneDetector(new m.ContextNoveltyDetector({ maxWords: 64, learn: 50 })) };
}

/** Batches as the monitor hands them over: every 100 ms the fast series, every second also the slow ones. */
function makeBatches(): Sample[][] {
  let seed = 99;
  const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const keys = Array.from({ length: FAST + SLOW }, (_, i) => ({ name: i < FAST ? `fast_${i % 3}` : `slow_${i % 7}`, labels: { component: `c${i % 4}`, i: String(i) } }));
  const level = keys.map((_, i) => (i % 5 === 0 ? 1e8 : i % 5 === 1 ? 0.2 : 100));
  const out: Sample[][] = [];
  for (let step = 0; step < SECONDS * 10; step++) {
    const t = T0 + step * 100;
    const batch: Sample[] = [];
    for (let i = 0; i < keys.length; i++) {
      if (i >= FAST && step % 10 !== 0) continue;
      if (i >= FAST && i % 6 === 0) { batch.push({ series: keys[i], t, v: 42 }); continue; } // a constant
      if (rnd() < 0.0005) level[i] *= 1.5 + rnd(); // a level shift
      const spike = rnd() < 0.001 ? 10 : 1;
      batch.push({ series: keys[i], t, v: level[i] * (1 + 0.05 * (rnd() - 0.5)) * spike });
    }
    out.push(batch);
  }
  return out;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function run(e: Engine, batches: Sample[][]): { ms: number; result: string } {
  const tr = e.make();
  const opened: unknown[] = [];
  const c0 = cpuMs();
  for (const b of batches) for (const f of tr.observe(b)) opened.push(f);
  const ms = cpuMs() - c0;
  const ids = batches[0].map((s) => e.seriesId(s.series));
  const bands = ids.map((id) => (tr.band(id) as { t: number; lower: number; upper: number }[]).map((p) => ({ t: p.t, lower: Math.fround(p.lower), upper: Math.fround(p.upper) })));
  const snapshot = tr.snapshot();
  sortWords(snapshot);
  const result = JSON.stringify({ opened, findings: tr.findings(), bands, snapshot });
  return { ms, result };
}

async function main(): Promise<void> {
  const batches = makeBatches();
  const n = batches.reduce((a, b) => a + b.length, 0);
  const out = mkdtempSync(join(tmpdir(), 'alluse-anomaly-ab-'));
  const engines = [await load(OLD, 'old', out), await load(NEW, 'new', out)];
  console.log(`A/B of anomaly scoring (AnomalyTracker, default detector): ${FAST} series at 10 Hz + ${SLOW} at 1 Hz, ${SECONDS} s simulated = ${n} updates per run\nold: ${OLD}\nnew: ${NEW}\nCPU time of the process (user + system), interleaved, ${ROUNDS} rounds; µs per update`);
  const res: Record<string, number[]> = { old: [], new: [] };
  let reference: string | undefined;
  for (let r = 0; r < ROUNDS; r++) {
    const la = loadavg()[0].toFixed(1);
    for (const e of r % 2 ? [...engines].reverse() : engines) {
      const { ms, result } = run(e, batches);
      res[e.name].push((ms * 1000) / n);
      if (reference === undefined) reference = result;
      else if (result !== reference) {
        const a = JSON.parse(reference) as Record<string, unknown>;
        const b = JSON.parse(result) as Record<string, unknown>;
        const parts = Object.keys(a).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
        if (!(SNAPSHOTS_MAY_DIFFER && parts.length === 1 && parts[0] === 'snapshot')) throw new Error(`${e.name}: ${parts.join(', ')} differ from the first run's`);
        snapshotDiffered = true;
      }
    }
    console.log(`round ${r + 1} (load average ${la}): old ${res.old[r].toFixed(2)} / new ${res.new[r].toFixed(2)} µs (×${(res.new[r] / res.old[r]).toFixed(2)})`);
  }
  const nov = engines.map((e) => noveltyRun(e, batches));
  if (nov[0] !== nov[1]) throw new Error('the small-dictionary novelty detectors differ');
  console.log(`identical findings, bands${snapshotDiffered ? ' (the snapshots differ: BENCH_SNAPSHOTS_MAY_DIFFER)' : ' and snapshots'} in all ${2 * ROUNDS} runs (${JSON.parse(reference!).findings.length} findings); identical scores and tables of novelty detectors with a 64-word dictionary (growing and forgetting)`);
}

void main();
