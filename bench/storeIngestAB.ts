/**
 * In-process A/B of the store's per-sample work: this tree's engine against another one
 * (`git archive <commit> engine | tar -x -C /tmp/old-sketch`), the same samples, interleaved,
 * CPU time of the process (`process.cpuUsage()`, user + system) around each run. Each engine
 * is bundled with esbuild first, as scripts/build.mjs bundles what ships.
 *
 * - ingest: `SeriesState.ingest` alone (head, 1 s / 1 min / 1 h buckets and their sketches),
 *   450 monitor-like series at 10 Hz for 30 simulated minutes, with the cut's bucket closing
 *   and taking of finished buckets every 5 minutes (no encoding);
 * - append: the whole `TimeSeriesStore.append` in a temporary folder (WAL, cuts, checkpoint,
 *   chunk files; flushed every simulated second), the same samples.
 *
 * The series are shaped after what the monitor stores (engine/collect/promConvert.ts): rates
 * of counters (floats, many zero), histogram quantiles (refreshed each second), byte gauges
 * (large integers), constants, and CPU ratios (a fresh float every sample).
 *
 * Usage: node --import tsx bench/storeIngestAB.ts [oldEngineDir ...]   (default /tmp/old-sketch/engine);
 * each further directory is one more variant, timed in the same rounds, with this tree's last.
 * BENCH_ROUNDS (3), BENCH_SERIES (450), BENCH_MINUTES (30); BENCH_TSX=1 loads the engines through tsx instead.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleEngine } from './bundleEngine';

const OLDS = (process.argv.length > 2 ? process.argv.slice(2) : ['/tmp/old-sketch/engine']).map((d) => resolve(d));
const NEW = resolve(__dirname, '../engine');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SERIES = Number(process.env.BENCH_SERIES ?? 450);
const MINUTES = Number(process.env.BENCH_MINUTES ?? 30);
const HZ = 10;
const STEPS = MINUTES * 60 * HZ;
const T0 = Date.UTC(2026, 10, 2, 10, 0, 0);

let seed = 4242;
const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;

/** values[step * SERIES + s]: precomputed, so both engines get the same numbers and the generator is not timed. */
function makeValues(): Float64Array {
  const vals = new Float64Array(STEPS * SERIES);
  const kinds = Array.from({ length: SERIES }, (_, s) => s % 20);
  const state = new Float64Array(SERIES);
  for (let s = 0; s < SERIES; s++) state[s] = kinds[s] < 6 ? 100 + rnd() * 400 : 50_000_000 + Math.floor(rnd() * 1e8);
  for (let i = 0; i < STEPS; i++) {
    for (let s = 0; s < SERIES; s++) {
      const k = kinds[s];
      let v: number;
      if (k < 6) v = Math.round(state[s] / HZ + (rnd() - 0.5) * 8) * HZ * (1 + (rnd() - 0.5) * 0.004); // a rate over a jittered interval
      else if (k < 9) v = 0; // a rate of a counter that does not move (errors)
      else if (k < 12) v = i % HZ === 0 ? (state[s] = 0.001 + rnd() * 0.01) : state[s]; // a histogram quantile, refreshed each second
      else if (k < 15) v = rnd() < 0.1 ? (state[s] += Math.round((rnd() - 0.45) * 64) * 4096) : state[s]; // memory bytes
      else if (k < 17) v = 4 + (s % 3); // constants
      else v = Math.round(rnd() * 40_000) / 1e6 / 0.1; // a CPU ratio, fresh every sample
      vals[i * SERIES + s] = v;
    }
  }
  return vals;
}

interface Engine {
  name: string;
  SeriesState: new (id: string, key: { name: string; labels: Record<string, string> }) => {
    ingest(t: number, v: number): void;
    closeBuckets(now: number): void;
    headT?: number[];
    headV?: number[];
    head?: { clear(): void };
    pending: { length: number; clear(): void }[];
  };
  TimeSeriesStore: { open(o: Record<string, unknown>): Promise<{ append(s: unknown[]): void; flush(): Promise<void>; close(): Promise<void> }> };
}

/**
 * Each engine is bundled as the extension and the CLI are (scripts/build.mjs: esbuild, one
 * scope): run through tsx instead, every use of an imported constant (`TIERS`) is a getter
 * call, which is not what ships.
 */
async function load(dir: string, name: string, out: string): Promise<Engine> {
  if (process.env.BENCH_TSX) {
    // As the tests and `npm run bench:store` run it (tsx, module by module), for comparison.
    const mod = async (f: string) => { const m = await import(pathToFileURL(join(dir, f)).href); return m.default ?? m; };
    const [ss, st] = [await mod('store/seriesState.ts'), await mod('store/store.ts')];
    return { name, SeriesState: ss.SeriesState, TimeSeriesStore: st.TimeSeriesStore };
  }
  const m = await bundleEngine(dir, name, out, { 'store/seriesState': ['SeriesState'], 'store/store': ['TimeSeriesStore'] });
  return { name, SeriesState: m.SeriesState, TimeSeriesStore: m.TimeSeriesStore };
}

const keys = Array.from({ length: SERIES }, (_, s) => ({ name: `m${s % 40}`, labels: { component: `c${Math.floor(s / 40)}` } }));

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function runIngest(e: Engine, vals: Float64Array): number {
  const states = keys.map((k, s) => new e.SeriesState(`s${s}`, k));
  const c0 = cpuMs();
  for (let i = 0; i < STEPS; i++) {
    const t = T0 + i * 100 + (i % 3);
    const base = i * SERIES;
    for (let s = 0; s < SERIES; s++) states[s].ingest(t, vals[base + s]);
    if (i % (300 * HZ) === 300 * HZ - 1) {
      // what a cut does to the series, without the encoding
      for (const st of states) {
        st.closeBuckets(t);
        if (st.head) st.head.clear(); // a RawHead (engine/store/rawHead.ts)
        else { st.headT = []; st.headV = []; }
        st.pending[0].clear();
      }
    }
  }
  return cpuMs() - c0;
}

async function runAppend(e: Engine, vals: Float64Array): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'alluse-ingest-ab-'));
  let now = T0;
  const store = await e.TimeSeriesStore.open({ dir, now: () => now, manualFlush: true });
  const batch = keys.map((series) => ({ series, t: 0, v: 0 }));
  const c0 = cpuMs();
  for (let i = 0; i < STEPS; i++) {
    now = T0 + i * 100 + (i % 3);
    const base = i * SERIES;
    for (let s = 0; s < SERIES; s++) { batch[s].t = now; batch[s].v = vals[base + s]; }
    store.append(batch);
    if (i % HZ === HZ - 1) await store.flush();
  }
  await store.close();
  const ms = cpuMs() - c0;
  rmSync(dir, { recursive: true, force: true });
  return ms;
}

async function main(): Promise<void> {
  const vals = makeValues();
  const engines: Engine[] = [];
  const out = mkdtempSync(join(tmpdir(), 'alluse-ingest-ab-bundles-'));
  for (const [i, d] of OLDS.entries()) engines.push(await load(d, i === 0 ? 'old' : `v${i}`, out));
  engines.push(await load(NEW, 'new', out));
  const samples = STEPS * SERIES;
  console.log(`A/B of the store's per-sample work: ${SERIES} series × ${STEPS} samples (${MINUTES} min at ${HZ} Hz) = ${(samples / 1e6).toFixed(2)} M samples per run`);
  for (const [i, d] of OLDS.entries()) console.log(`${engines[i].name}: ${d}`);
  console.log(`new: ${NEW}\nCPU time of the process (user + system), interleaved (the order reversed every other round), ${ROUNDS} rounds; ns per sample\n`);
  const res: Record<string, Record<string, number[]>> = { ingest: {}, append: {} };
  for (const w of Object.keys(res)) for (const e of engines) res[w][e.name] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? engines : [...engines].reverse();
    const la = loadavg()[0].toFixed(1);
    for (const e of order) res.ingest[e.name].push((runIngest(e, vals) * 1e6) / samples);
    for (const e of order) res.append[e.name].push(((await runAppend(e, vals)) * 1e6) / samples);
    const line = (w: string) => engines.map((e) => `${e.name} ${res[w][e.name][r].toFixed(0)}`).join(' / ');
    console.log(`round ${r + 1} (load average ${la} → ${loadavg()[0].toFixed(1)}): ingest ${line('ingest')} ns; append ${line('append')} ns`);
  }
  for (const w of Object.keys(res)) {
    const base = res[w][engines[0].name];
    const parts = engines.map((e) => {
      const xs = res[w][e.name];
      const ratio = e === engines[0] ? '' : ` (×${xs.map((x, i) => (x / base[i]).toFixed(2)).join(', ')} of ${engines[0].name} per round)`;
      return `${e.name} ${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}${ratio}`;
    });
    console.log(`${w} ns/sample: ${parts.join('; ')}`);
  }
}

void main();
