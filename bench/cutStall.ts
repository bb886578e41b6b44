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
 *
 * `BENCH_LIVE=1`: the cut under the load benchmark's appends. The store's clock follows the
 * wall clock, and 50 "endpoints" of SERIES/50 series each append a round every 100 ms (each
 * on its own timer, the next round 100 ms after the last one started, as the monitor's
 * collectors; an append of 200 samples every 2 ms) from 1 s before the cut until 0.5 s after
 * it is written. Reports what the server's `monitorEventLoopDelay` reports (10 ms resolution,
 * the delay beyond the timer): the largest and the p99 in the second before the cut and from
 * the cut on, the largest
 * delay of a collection round's timer, and the cut's wall time. No scrape, parse, alerting
 * or scoring: the server's other work at this load (about 45% of a core) is not here.
 */
import { mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
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
const LIVE = process.env.BENCH_LIVE === '1';
const ENDPOINTS = 50;
const ROUND_MS = 100;

interface LiveResult { beforeMaxMs: number; beforeP99Ms: number; loopMaxMs: number; loopP99Ms: number; roundLateMaxMs: number; cutWallMs: number; rounds: number }

async function run(opts: Partial<StoreOptions>): Promise<{ startMs: number; maxTurnMs: number; mainMs: number; processMs: number; live?: LiveResult }> {
  const dir = mkdtempSync(join(tmpdir(), 'alluse-cut-stall-'));
  let now = T0;
  const clock = { at: (): number => now };
  const store = await TimeSeriesStore.open({ dir, now: () => clock.at(), manualFlush: true, cutIntervalMs: 60_000, ...opts });
  const keys: SeriesKey[] = Array.from({ length: SERIES }, (_, i) => ({ name: 'load_gauge', labels: { component: `c${i % 50}`, i: String(i) } }));
  let base = T0;
  for (let c = 0; ; c++) {
    // Live: the last cut's head 10 samples short, so that the live appends reach the head's limit (2 million samples, what starts the cuts under load) about 1 s in.
    const perSeries = LIVE && c === CUTS - 1 ? PER_SERIES - 10 : PER_SERIES;
    for (let j = 0; j < perSeries; j++) {
      now = base + j * 100;
      store.append(keys.map((series, k) => ({ series, t: now, v: Math.round(Math.sin(k + j / 9) * 1000 + ((k * 31 + j * 17) % 13)) })));
    }
    now = base + 61_000; // past the boundary: the next append starts the cut
    if (c === CUTS - 1) break;
    store.append([{ series: keys[0], t: now, v: 1 }]);
    await store.flush();
    base = now + 100;
  }
  if (LIVE) {
    const r = await live(store, keys, now, clock);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    return r;
  }
  let maxTurn = 0;
  let last = mainCpuMs();
  let running = true;
  // A timer every millisecond, not a setImmediate chain: that would spin the CPU while a paced cut waits, and count as the cut's.
  const tick = () => { const c = mainCpuMs(); maxTurn = Math.max(maxTurn, c - last); last = c; if (running) setTimeout(tick, 1); };
  const p0 = processCpuMs();
  const c0 = mainCpuMs();
  store.append([{ series: keys[0], t: now, v: 1 }]);
  const startMs = mainCpuMs() - c0;
  last = mainCpuMs();
  setTimeout(tick, 1);
  await store.flush();
  running = false;
  const mainMs = mainCpuMs() - c0;
  const processMs = processCpuMs() - p0;
  if (store.problems.length) console.log(`  problems: ${store.problems.map((p) => p.message).join('; ')}`);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return { startMs, maxTurnMs: Math.max(maxTurn, startMs), mainMs, processMs };
}

/** The cut under live appends (BENCH_LIVE=1): `cutAt` is the store time at which the next append starts the cut. */
async function live(store: TimeSeriesStore, keys: SeriesKey[], cutAt: number, clock: { at: () => number }): Promise<{ startMs: number; maxTurnMs: number; mainMs: number; processMs: number; live: LiveResult }> {
  const w0 = performance.now();
  // The clock 5 s before the next cut boundary: the head's limit starts the cut, about 1 s in.
  const clockAt = Math.min(cutAt, (store as unknown as { nextCutAt: number }).nextCutAt) - 5000;
  clock.at = () => clockAt + (performance.now() - w0);
  const per = Math.ceil(keys.length / ENDPOINTS);
  let stop = false;
  let rounds = 0;
  let roundLateMax = 0;
  let j = 0;
  const timers: ReturnType<typeof setTimeout>[] = [];
  const done: Promise<void>[] = [];
  const h = monitorEventLoopDelay({ resolution: 10 });
  for (let e = 0; e < ENDPOINTS; e++) {
    const mine = keys.slice(e * per, (e + 1) * per);
    done.push(new Promise<void>((resolve) => {
      let due = performance.now() + (e * ROUND_MS) / ENDPOINTS;
      const round = () => {
        if (stop) { resolve(); return; }
        const at = performance.now();
        roundLateMax = Math.max(roundLateMax, at - due);
        const t = Math.round(clockAt + (at - w0));
        const k0 = j++;
        store.append(mine.map((series, k) => ({ series, t, v: Math.round(Math.sin(k + k0 / 9) * 1000 + ((k * 31 + k0 * 17) % 13)) })));
        rounds++;
        due = at + ROUND_MS; // the next round 100 ms after this one started (a collector never queues rounds)
        timers[e] = setTimeout(round, Math.max(0, due - performance.now()));
      };
      timers[e] = setTimeout(round, Math.max(0, due - performance.now()));
    }));
  }
  // What blocks (BENCH_TASKS=1): every append and every slice of the pacer over 20 ms of the main thread's CPU, and every GC pause over 20 ms, in time order.
  const tasks: { at: number; ms: number; what: string }[] = [];
  const traced = process.env.BENCH_TASKS === '1';
  let gcObs: PerformanceObserver | undefined;
  if (traced) {
    const append = store.append.bind(store);
    // Durations in CPU time of the main thread (schedstat): a process descheduled on a loaded machine does not look busy.
    store.append = (samples) => { const a = performance.now(); const c = mainCpuMs(); append(samples); const ms = mainCpuMs() - c; if (ms > 20) tasks.push({ at: a - w0, ms, what: `append of ${samples.length} (CPU)` }); };
    const pacer = (store as unknown as { pacer?: { run: (f: (d: number) => unknown, u?: boolean) => Promise<unknown> } }).pacer;
    if (pacer) {
      const run = pacer.run.bind(pacer);
      pacer.run = (f, u) => run((d) => { const a = performance.now(); const c = mainCpuMs(); const r = f(d); const ms = mainCpuMs() - c; if (ms > 20) tasks.push({ at: a - w0, ms, what: `slice (CPU; asked ${(d - a).toFixed(1)} ms, took ${(performance.now() - a).toFixed(1)} ms of wall time)` }); return r; }, u);
    }
    gcObs = new PerformanceObserver((list) => { for (const e of list.getEntries()) if (e.duration > 20) tasks.push({ at: e.startTime - w0, ms: e.duration, what: `gc kind ${(e as unknown as { detail?: { kind?: number } }).detail?.kind}` }); });
    gcObs.observe({ entryTypes: ['gc'] });
  }
  h.enable();
  const p0 = processCpuMs();
  const c0 = mainCpuMs();
  const sealing = () => (store as unknown as { sealing?: Promise<unknown> }).sealing;
  // Wait for the cut to start (the first append past cutAt), then for it to be written.
  while (!sealing()) await new Promise((r) => setTimeout(r, 5));
  const cutStart = performance.now();
  // The second of appends before the cut, for comparison (the appends' own delays on this machine now).
  const before = { max: h.max, p99: h.percentile(99) };
  h.reset();
  while (sealing()) await new Promise((r) => setTimeout(r, 5));
  await (store as unknown as { cutChain: Promise<void> }).cutChain;
  const cutWallMs = performance.now() - cutStart;
  await new Promise((r) => setTimeout(r, 500));
  stop = true;
  for (const t of timers) clearTimeout(t);
  h.disable();
  gcObs?.disconnect();
  if (traced) for (const t of tasks.sort((a, b) => a.at - b.at)) console.log(`    ${t.at.toFixed(0).padStart(6)} ms: ${t.ms.toFixed(1).padStart(6)} ms ${t.what}`);
  const mainMs = mainCpuMs() - c0;
  const processMs = processCpuMs() - p0;
  const beyond = (ns: number) => Math.max(0, ns / 1e6 - 10);
  return { startMs: NaN, maxTurnMs: NaN, mainMs, processMs, live: { beforeMaxMs: beyond(before.max), beforeP99Ms: beyond(before.p99), loopMaxMs: beyond(h.max), loopP99Ms: beyond(h.percentile(99)), roundLateMaxMs: roundLateMax, cutWallMs, rounds } };
}

async function main(): Promise<void> {
  console.log(`cut ${CUTS > 1 ? `${CUTS} (the last of ${CUTS} a minute apart) ` : ''}of ${SERIES} series x ${PER_SERIES} samples (CPU ms; Node ${process.version}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')})`);
  // BENCH_SHARE=1: the cut's share of the thread (StoreOptions.cutShare; 1 = as fast as the loop turns).
  const share = process.env.BENCH_SHARE ? { cutShare: Number(process.env.BENCH_SHARE) } : {};
  const modes: [string, Partial<StoreOptions>][] = [
    ['one step', { sealSliceMs: Infinity, encodeWorker: 'never' }],
    ['sliced (8 ms)', { encodeWorker: 'never', ...share }],
    ['worker', { encodeWorker: 'always', ...share }],
  ];
  // BENCH_MODES=worker (comma-separated names) runs only those, e.g. under --cpu-prof.
  const only = process.env.BENCH_MODES?.split(',');
  for (let round = 0; round < Number(process.env.BENCH_ROUNDS ?? 2); round++) {
    for (const [name, opts] of modes.filter(([n]) => !only || only.some((o) => n.startsWith(o)))) {
      const r = await run(opts);
      if (r.live) {
        const l = r.live;
        console.log(`${name.padEnd(14)} live: loop delay in the second before the cut max ${l.beforeMaxMs.toFixed(0).padStart(4)} ms, p99 ${l.beforeP99Ms.toFixed(0).padStart(3)} ms; from the cut on max ${l.loopMaxMs.toFixed(0).padStart(4)} ms, p99 ${l.loopP99Ms.toFixed(0).padStart(3)} ms; a round's timer late by up to ${l.roundLateMaxMs.toFixed(0).padStart(4)} ms; cut ${l.cutWallMs.toFixed(0).padStart(5)} ms wall; main thread ${r.mainMs.toFixed(0).padStart(5)} ms, all threads ${r.processMs.toFixed(0).padStart(5)} ms (${l.rounds} rounds)`);
        continue;
      }
      console.log(`${name.padEnd(14)} append that starts the cut ${r.startMs.toFixed(0).padStart(5)} ms; longest turn of the loop ${r.maxTurnMs.toFixed(0).padStart(5)} ms; main thread ${r.mainMs.toFixed(0).padStart(5)} ms; all threads ${r.processMs.toFixed(0).padStart(5)} ms`);
    }
  }
  console.log(`load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
}

void main();
