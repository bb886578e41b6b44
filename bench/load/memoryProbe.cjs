/**
 * Preloaded into the server (`BENCH_NODE_FLAGS="-r ./bench/load/memoryProbe.cjs"`) to see
 * where its resident memory goes: every 10 s one JSON line to $ALLUSE_MEMORY_PROBE (default
 * /tmp/alluse-memory-probe-<pid>.jsonl) with the V8 heap spaces (committed and used), the
 * memory outside the heap that V8 knows (array buffers, external), and the process's RSS split
 * by /proc/self/smaps_rollup (anonymous, file-backed). With ALLUSE_HEAP_SAMPLE_AT=60,170 it
 * also runs V8's sampling heap profiler (main thread) and writes what is alive at those
 * seconds, by allocation site, to <probe file>.<s>s.heapprofile (read it with
 * bench/load/heapProfileTop.mjs; cheap, unlike a heap snapshot of a 1 GB process).
 */
'use strict';
const { appendFileSync, readFileSync } = require('node:fs');
const v8 = require('node:v8');

const out = process.env.ALLUSE_MEMORY_PROBE || `/tmp/alluse-memory-probe-${process.pid}.jsonl`;
const MiB = (n) => Math.round((n / 1048576) * 10) / 10;
const t0 = Date.now();

function smaps() {
  try {
    const text = readFileSync('/proc/self/smaps_rollup', 'utf8');
    const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN) * 1024;
    return { rss: MiB(kb('Rss')), anon: MiB(kb('Anonymous')), file: MiB(kb('Rss') - kb('Anonymous')) };
  } catch {
    return undefined;
  }
}

const timer = setInterval(() => {
  const m = process.memoryUsage();
  const spaces = {};
  for (const s of v8.getHeapSpaceStatistics()) spaces[s.space_name.replace('_space', '')] = [MiB(s.space_size), MiB(s.space_used_size)];
  const h = v8.getHeapStatistics();
  const line = {
    s: Math.round((Date.now() - t0) / 1000),
    rss: MiB(m.rss),
    heapTotal: MiB(m.heapTotal),
    heapUsed: MiB(m.heapUsed),
    external: MiB(m.external),
    arrayBuffers: MiB(m.arrayBuffers),
    malloced: MiB(h.malloced_memory),
    spaces,
    smaps: smaps(),
  };
  try { appendFileSync(out, JSON.stringify(line) + '\n'); } catch { /* the probe must never disturb the server */ }
}, 10_000);
timer.unref();

const sampleAt = (process.env.ALLUSE_HEAP_SAMPLE_AT || '').split(',').filter(Boolean).map(Number);
if (sampleAt.length && require('node:worker_threads').isMainThread) {
  const { Session } = require('node:inspector');
  const { writeFileSync } = require('node:fs');
  const session = new Session();
  session.connect();
  session.post('HeapProfiler.startSampling', { samplingInterval: 32768 });
  for (const at of sampleAt) {
    setTimeout(() => {
      session.post('HeapProfiler.getSamplingProfile', (err, r) => {
        if (!err) try { writeFileSync(`${out}.${at}s.heapprofile`, JSON.stringify(r.profile)); } catch { /* never disturb the server */ }
      });
    }, at * 1000).unref();
  }
}
