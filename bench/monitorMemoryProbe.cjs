// A probe for `npm run bench:monitor`: where the monitor's resident memory goes, per thread.
//   BENCH_NODE_FLAGS="-r ./bench/monitorMemoryProbe.cjs" npm run bench:monitor
// Preloaded with -r, it runs in the main thread and again in the monitor's worker. Every 10 s
// each thread prints to stderr its process.memoryUsage() (rss is the process's), V8's heap
// spaces (size / used, MiB) and, from the main thread, /proc/self/smaps_rollup (anonymous
// against file-backed pages) and the thread count. The timer is unref'd: it never keeps a
// thread alive. (docs/performance.md, "Monitoring": "The monitor's process outside the store".)
'use strict';
const v8 = require('node:v8');
const fs = require('node:fs');
const { isMainThread, threadId } = require('node:worker_threads');

const mib = (bytes) => (bytes / 1048576).toFixed(1);
const start = Date.now();

function kib(text, field) {
  const m = new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) * 1024 : NaN;
}

function report() {
  const m = process.memoryUsage();
  const spaces = v8
    .getHeapSpaceStatistics()
    .filter((s) => s.space_size > 0)
    .map((s) => `${s.space_name.replace(/_space$/, '')}=${mib(s.space_size)}/${mib(s.space_used_size)}`)
    .join(' ');
  let line = `[probe thread ${threadId} ${Math.round((Date.now() - start) / 1000)}s] rss=${mib(m.rss)} heapTotal=${mib(m.heapTotal)} heapUsed=${mib(m.heapUsed)} external=${mib(m.external)} arrayBuffers=${mib(m.arrayBuffers)} | ${spaces}`;
  if (isMainThread) {
    try {
      const rollup = fs.readFileSync('/proc/self/smaps_rollup', 'utf8');
      const status = fs.readFileSync('/proc/self/status', 'utf8');
      const rss = kib(rollup, 'Rss');
      const anon = kib(rollup, 'Anonymous');
      line += ` | anonymous=${mib(anon)} file=${mib(rss - anon)} threads=${/^Threads:\s+(\d+)/m.exec(status)?.[1]}`;
    } catch {
      // not Linux: the heap figures only
    }
  }
  process.stderr.write(line + '\n');
}

setInterval(report, 10_000).unref();
