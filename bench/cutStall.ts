/**
 * The longest synchronous step of the store's cut at the load benchmark's scale (10,000
 * series, a raw head of 2,000,000 samples, 1 s rollups, 1 min and 1 h sketches): in one step
 * (`sealSliceMs: Infinity`), in 8 ms slices in this thread, and with the raw head and 1 s
 * buckets encoded on the worker thread (`encodeWorker: 'always'`). Measured in CPU time of the
 * main thread (Linux: /proc/self/task/<pid>/schedstat, nanoseconds), since the machine is
 * shared and the worker's CPU is not the event loop's: the append that starts the cut, the
 * longest gap between two turns of the event loop until the cut is written, the main
 * thread's CPU for the whole cut, and the whole process's (every thread).
 * `node --import tsx bench/cutStall.ts [series]` (`BENCH_MODES=worker` for one mode only;
 * `BENCH_CUTS=6` measures the 6th cut of a run, with 50,000 finished minutes waiting in the checkpoint)
 */
import { mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SeriesKey } from '../engine/metrics/series';
import { TimeSeriesStore } from '../engine/store/index';
import type { StoreOptions } from '../engine/store/types';

const SERIES = Number(process.argv[2] ?? 10_000);
const PER_SERIES = 200; // 20 s at 100 ms
const T0 = Date.UTC(2026, 10, 1, 10, 20);
const processCpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

/** CPU time of the main thread in ms, from its schedstat (ns); falls back to the process's. */
const mainCpuMs = (() => {
  let fd: number | undefined;
  try { fd = openSync(`/proc/self/task/${process.pid}/schedstat`, 'r'); } catch { return processCpuMs; }
  const buf = Buffer.alloc(128);
  return () => {
    const n = readSync(fd!, buf, 0, buf.length, 0);
    return Number(buf.toString('latin1', 0, n).split(' ')[0]) / 1e6;
  };
})();

/** BENCH_CUTS=n: n cuts in a row, a minute apart, the last one measured (each leaves its finished minutes waiting for the hourly write: 10,000 per cut). */
const CUTS = Number(process.env.BENCH_CUTS ?? 1);

async function run(opts: Partial<StoreOptions>): Promise<{ startMs: number; maxTurnMs: number; mainMs: number; processMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'alluse-cut-stall-'));
  let now = T0;
  const store = await TimeSeriesStore.open({ dir, now: () => now, manualFlush: true, cutIntervalMs: 60_000, ...opts });
  const keys: SeriesKey[] = Array.from({ length: SERIES }, (_, i) => ({ name: 'load_gauge', labels: { component: `c${i % 50}`, i: String(i) } }));
  let base = T0;
  for (let c = 0; ; c++) {
    for (let j = 0; j < PER_SERIES; j++) {
      now = base + j * 100;
      store.append(keys.map((series, k) => ({ series, t: now, v: Math.round(Math.sin(k + j / 9) * 1000 + ((k * 31 + j * 17) % 13)) })));
    }
    now = base + 61_000; // past the boundary: the next append starts the cut
    if (c === CUTS - 1) break;
    store.append([{ series: keys[0], t: now, v: 1 }]);
    await store.flush();
    base = now + 100;
  }
  let maxTurn = 0;
  let last = mainCpuMs();
  let running = true;
  const tick = () => { const c = mainCpuMs(); maxTurn = Math.max(maxTurn, c - last); last = c; if (running) setImmediate(tick); };
  const p0 = processCpuMs();
  const c0 = mainCpuMs();
  store.append([{ series: keys[0], t: now, v: 1 }]);
  const startMs = mainCpuMs() - c0;
  last = mainCpuMs();
  setImmediate(tick);
  await store.flush();
  running = false;
  const mainMs = mainCpuMs() - c0;
  const processMs = processCpuMs() - p0;
  if (store.problems.length) console.log(`  problems: ${store.problems.map((p) => p.message).join('; ')}`);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return { startMs, maxTurnMs: Math.max(maxTurn, startMs), mainMs, processMs };
}

async function main(): Promise<void> {
  console.log(`cut ${CUTS > 1 ? `${CUTS} (the last of ${CUTS} a minute apart) ` : ''}of ${SERIES} series x ${PER_SERIES} samples (CPU ms; Node ${process.version}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')})`);
  const modes: [string, Partial<StoreOptions>][] = [
    ['one step', { sealSliceMs: Infinity, encodeWorker: 'never' }],
    ['sliced (8 ms)', { encodeWorker: 'never' }],
    ['worker', { encodeWorker: 'always' }],
  ];
  // BENCH_MODES=worker (comma-separated names) runs only those, e.g. under --cpu-prof.
  const only = process.env.BENCH_MODES?.split(',');
  for (let round = 0; round < 2; round++) {
    for (const [name, opts] of modes.filter(([n]) => !only || only.some((o) => n.startsWith(o)))) {
      const r = await run(opts);
      console.log(`${name.padEnd(14)} append that starts the cut ${r.startMs.toFixed(0).padStart(5)} ms; longest turn of the loop ${r.maxTurnMs.toFixed(0).padStart(5)} ms; main thread ${r.mainMs.toFixed(0).padStart(5)} ms; all threads ${r.processMs.toFixed(0).padStart(5)} ms`);
    }
  }
  console.log(`load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
}

void main();
