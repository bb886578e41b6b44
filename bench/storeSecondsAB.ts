/**
 * The same store history through another engine (`git archive <commit> engine | tar -x -C
 * /tmp/old`) and this tree's: every file the two write (chunk files, checkpoint, WAL) must be
 * byte for byte the same, every query answer the same, and a copy of the folder taken
 * mid-run (as a kill -9 leaves it) must reopen to the same answers in both. Written for the
 * 1 s buckets rolled up from the raw head (engine/store/secondBuckets.ts), which must change
 * what the store holds in memory and nothing else.
 *
 * The history: SERIES series (a third at 10 Hz, the rest at 1 Hz), NaN now and then, gaps,
 * samples late behind the clock (into seconds a cut's grace closed), a series that stops;
 * cuts every 20 s in one step (sealSliceMs Infinity, so both engines cut at the same samples),
 * flushed every simulated second, queries every 7 s (raw, 1 s steps of every aggregation,
 * 1 min steps, quantiles).
 *
 * Usage: node --import tsx bench/storeSecondsAB.ts [oldEngineDir]   (default /tmp/monmem-old/engine);
 * BENCH_SERIES (90), BENCH_MINUTES (20). Exits 1 on any difference.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { bundleEngine } from './bundleEngine';

const OLD = resolve(process.argv[2] ?? '/tmp/monmem-old/engine');
const NEW = resolve(__dirname, '../engine');
const SERIES = Number(process.env.BENCH_SERIES ?? 90);
const MINUTES = Number(process.env.BENCH_MINUTES ?? 20);
const T0 = Date.UTC(2026, 10, 27, 20, 58, 30);

type Store = {
  append(s: { series: { name: string; labels: Record<string, string> }; t: number; v: number }[]): void;
  flush(): Promise<void>;
  close(): Promise<void>;
  query(q: Record<string, unknown>): unknown[];
};
type StoreClass = { open(o: Record<string, unknown>): Promise<Store> };

function files(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n !== 'LOCK') out.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

let seed = 99;
const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;

async function main(): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), 'alluse-seconds-ab-'));
  const engines = [
    { name: 'old', S: (await bundleEngine(OLD, 'old', out, { 'store/store': ['TimeSeriesStore'] })).TimeSeriesStore as StoreClass },
    { name: 'new', S: (await bundleEngine(NEW, 'new', out, { 'store/store': ['TimeSeriesStore'] })).TimeSeriesStore as StoreClass },
  ];
  let now = T0;
  const stores: Store[] = [];
  const dirs: string[] = [];
  for (const e of engines) {
    const dir = join(out, e.name);
    dirs.push(dir);
    stores.push(await e.S.open({ dir, now: () => now, manualFlush: true, cutIntervalMs: 20_000, sealSliceMs: Infinity, encodeWorker: 'never' }));
  }
  const keys = Array.from({ length: SERIES }, (_, s) => ({ name: `m${s % 7}`, labels: { c: `c${s}` } }));
  const last = new Float64Array(SERIES).fill(-Infinity);
  const value = new Float64Array(SERIES);
  let differences = 0;
  let queries = 0;
  const compare = (what: string, a: unknown, b: unknown) => {
    const x = JSON.stringify(a);
    const y = JSON.stringify(b);
    if (x !== y) {
      differences++;
      if (differences <= 5) console.log(`DIFFERENT ${what}:\n old ${x.slice(0, 400)}\n new ${y.slice(0, 400)}`);
    }
  };
  const steps = MINUTES * 600;
  let crashCopies = 0;
  for (let i = 0; i < steps; i++) {
    now = T0 + i * 100 + (i % 3);
    const batch: { series: (typeof keys)[number]; t: number; v: number }[] = [];
    for (let s = 0; s < SERIES; s++) {
      if (s % 3 !== 0 && i % 10 !== s % 10) continue; // 1 Hz series
      if (s === 5 && i > steps / 3 && i < steps / 2) continue; // a series that stops for a while
      const late = rnd() < 0.003 ? 1000 + Math.floor(rnd() * 8000) : 0; // behind the clock
      const t = Math.max(last[s] + 1, now - late);
      if (rnd() < 0.2) value[s] = rnd() < 0.5 ? Math.round(rnd() * 100) : rnd() * 1e6;
      batch.push({ series: keys[s], t, v: rnd() < 0.03 ? NaN : value[s] });
      last[s] = t;
    }
    for (const st of stores) st.append(batch);
    if (i % 10 === 9) for (const st of stores) await st.flush();
    if (i % 70 === 69) {
      const s = Math.floor(rnd() * SERIES);
      const to = now;
      const from = now - Math.floor(rnd() * 400_000);
      for (const q of [
        { series: [`m${s % 7}{c="c${s}"}`], from, to },
        ...['mean', 'min', 'max', 'count', 'sum', 'last'].map((agg) => ({ name: `m${s % 7}`, from, to, stepMs: 1000 * (1 + Math.floor(rnd() * 3)), agg })),
        { name: `m${s % 7}`, from: from - 3_600_000, to, stepMs: 60_000, agg: 'mean' },
        { name: `m${s % 7}`, from: from - 3_600_000, to, stepMs: 60_000, agg: 'p90' },
      ]) {
        queries++;
        compare(`query ${JSON.stringify(q)} at ${now - T0} ms`, stores[0].query(q), stores[1].query(q));
      }
    }
    if (i % 2_777 === 2_000) {
      // A kill -9 now: each folder copied as it is, reopened by both engines.
      crashCopies++;
      const answers: unknown[][] = [];
      for (const [k, e] of engines.entries()) {
        const copy = join(out, `crash-${i}-${e.name}`);
        cpSync(dirs[0], copy, { recursive: true });
        rmSync(join(copy, 'LOCK'), { force: true });
        const s = await e.S.open({ dir: copy, now: () => now, manualFlush: true, cutIntervalMs: 20_000, sealSliceMs: Infinity, encodeWorker: 'never' });
        answers[k] = [];
        for (const agg of ['mean', 'count', 'last']) answers[k].push(s.query({ name: 'm1', from: now - 600_000, to: now, stepMs: 1000, agg }));
        answers[k].push(s.query({ name: 'm2', from: now - 600_000, to: now }));
        await s.close();
      }
      compare(`reopened after a crash at ${now - T0} ms`, answers[0], answers[1]);
    }
  }
  for (const st of stores) await st.close();
  const [a, b] = dirs.map(files);
  compare('file names', [...a.keys()].sort(), [...b.keys()].sort());
  let bytes = 0;
  for (const [name, buf] of a) {
    const other = b.get(name);
    bytes += buf.length;
    if (!other || !buf.equals(other)) compare(`file ${name}`, buf.length, other?.length);
  }
  console.log(`${SERIES} series, ${MINUTES} simulated minutes, cuts every 20 s: ${queries} queries, ${crashCopies} crash copies reopened, ${a.size} files (${(bytes / 1048576).toFixed(2)} MiB) compared; ${differences} differences`);
  rmSync(out, { recursive: true, force: true });
  process.exit(differences ? 1 : 0);
}

void main();
