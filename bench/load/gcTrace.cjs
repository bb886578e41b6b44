/**
 * Preloaded into the server (`BENCH_NODE_FLAGS="-r ./bench/load/gcTrace.cjs"`, with
 * ALLUSE_GC_TRACE=FILE) to line the server's garbage collections up with its event-loop
 * stalls under `bench:load`. FILE gets one JSON line per event, flushed every 5 s:
 * - `{stall, end}`: a gap over ALLUSE_GC_TRACE_GAP_MS (default 50) between ticks of a 10 ms
 *   timer of the main thread, and the wall time (epoch ms) it ended;
 * - `{gc, ms, start}`: a main-thread GC pause over 5 ms as node's `gc` performance entries
 *   report it (kind: minor = scavenge, major = mark-compact's atomic pause, incremental,
 *   weak), with its start (epoch ms).
 * The first line holds `timeOrigin` (epoch ms of the process's start), to place V8's own
 * trace (`BENCH_GC_TRACE` in bench/load.bench.ts: ms since the isolate started) on the same
 * clock. Works with the server on stdio (nothing is written to stdout).
 */
'use strict';
const { appendFileSync } = require('node:fs');
const { isMainThread } = require('node:worker_threads');
const { PerformanceObserver, constants, performance } = require('node:perf_hooks');

const file = process.env.ALLUSE_GC_TRACE;
if (file && isMainThread) {
  const lines = [JSON.stringify({ timeOrigin: performance.timeOrigin, pid: process.pid })];
  const flush = () => {
    if (lines.length) try { appendFileSync(file, lines.join('\n') + '\n'); } catch { /* never disturb the server */ }
    lines.length = 0;
  };
  const gapMs = Number(process.env.ALLUSE_GC_TRACE_GAP_MS || 50);
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    if (now - last > gapMs) lines.push(JSON.stringify({ stall: Math.round(now - last), end: Math.round(performance.timeOrigin + now) }));
    last = now;
  }, 10).unref();
  const kinds = { [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor', [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major', [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental', [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak' };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.duration > 5) lines.push(JSON.stringify({ gc: kinds[e.detail?.kind] ?? 'other', ms: Math.round(e.duration * 10) / 10, start: Math.round(performance.timeOrigin + e.startTime) }));
    }
  }).observe({ entryTypes: ['gc'] });
  setInterval(flush, 5000).unref();
  process.on('exit', flush);
}
