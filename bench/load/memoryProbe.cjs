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

/**
 * The anonymous RSS split by what the mapping looks like (a heuristic, but a good one on
 * glibc/x86-64): `brk` the main malloc arena ([heap]); `arenas` the other threads' malloc
 * arenas (64 MiB-aligned heaps of at most 64 MiB, rw part followed by their PROT_NONE tail);
 * `v8` mappings 256 KiB-aligned and a multiple of 256 KiB (V8's pages; its large objects too);
 * `otherAnon` the rest (malloc's mmapped chunks above the mmap threshold, thread stacks).
 * Also the count and RSS of each thread arena, to see which grow.
 */
function smapsByKind() {
  try {
    const text = readFileSync('/proc/self/smaps', 'utf8');
    const maps = [];
    let cur;
    for (const line of text.split('\n')) {
      const h = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ (\d+)\s*(.*)$/.exec(line);
      if (h) {
        cur = { lo: BigInt('0x' + h[1]), hi: BigInt('0x' + h[2]), perm: h[3], inode: h[4], name: h[5], rss: 0, anon: 0 };
        maps.push(cur);
      } else if (cur) {
        const m = /^(Rss|Anonymous):\s+(\d+)/.exec(line);
        if (m) cur[m[1] === 'Rss' ? 'rss' : 'anon'] = Number(m[2]) * 1024;
      }
    }
    const ARENA = 64n << 20n;
    const PAGE = 256n << 10n;
    const out = { brk: 0, arenas: 0, v8: 0, otherAnon: 0, file: 0, arenaCount: 0, arenaRss: [] };
    for (let i = 0; i < maps.length; i++) {
      const m = maps[i];
      const size = m.hi - m.lo;
      if (m.name === '[heap]') { out.brk += m.anon; continue; }
      if (m.inode !== '0' || (m.name && !m.name.startsWith('['))) { out.file += m.rss; continue; }
      if (!m.anon) continue;
      const next = maps[i + 1];
      const arenaLike = m.lo % ARENA === 0n && size <= ARENA && (size === ARENA || (next && next.lo === m.hi && next.perm.startsWith('---') && next.hi - m.lo === ARENA));
      if (arenaLike) { out.arenas += m.anon; out.arenaCount++; out.arenaRss.push(MiB(m.anon)); }
      else if (m.lo % PAGE === 0n && size % PAGE === 0n) out.v8 += m.anon;
      else out.otherAnon += m.anon;
    }
    for (const k of ['brk', 'arenas', 'v8', 'otherAnon', 'file']) out[k] = MiB(out[k]);
    out.arenaRss.sort((a, b) => b - a);
    return out;
  } catch {
    return undefined;
  }
}

function smaps() {
  try {
    const text = readFileSync('/proc/self/smaps_rollup', 'utf8');
    const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN) * 1024;
    return { rss: MiB(kb('Rss')), anon: MiB(kb('Anonymous')), file: MiB(kb('Rss') - kb('Anonymous')) };
  } catch {
    return undefined;
  }
}

// Main-thread pauses of garbage collection, summed by kind since the start (ms, count): what
// heap flags cost (concurrent marking on V8's helper threads is not in them).
const gc = {};
try {
  const { PerformanceObserver, constants } = require('node:perf_hooks');
  const kinds = { [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor', [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major', [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental', [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak' };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const k = kinds[e.detail?.kind] ?? 'other';
      const g = (gc[k] ??= [0, 0]);
      g[0] = Math.round((g[0] + e.duration) * 10) / 10;
      g[1]++;
    }
  }).observe({ entryTypes: ['gc'] });
} catch { /* no gc entries: the lines go without them */ }

const timer = setInterval(() => {
  const m = process.memoryUsage();
  const spaces = {};
  for (const s of v8.getHeapSpaceStatistics()) spaces[s.space_name.replace('_space', '')] = [MiB(s.space_size), MiB(s.space_used_size)];
  const h = v8.getHeapStatistics();
  const line = {
    s: Math.round((Date.now() - t0) / 1000),
    thread: require('node:worker_threads').threadId,
    rss: MiB(m.rss),
    heapTotal: MiB(m.heapTotal),
    heapUsed: MiB(m.heapUsed),
    external: MiB(m.external),
    arrayBuffers: MiB(m.arrayBuffers),
    malloced: MiB(h.malloced_memory),
    spaces,
    smaps: smaps(),
    kinds: smapsByKind(),
    totalCommitted: MiB(h.total_physical_size),
    gc,
  };
  try { appendFileSync(out, JSON.stringify(line) + '\n'); } catch { /* the probe must never disturb the server */ }
}, Number(process.env.ALLUSE_MEMORY_PROBE_MS || 10_000));
timer.unref();

// ALLUSE_HEAP_SNAPSHOT_AT=60,170: full heap snapshots (main thread) at those seconds, to
// <probe file>.<s>s.heapsnapshot. Expensive (seconds of pause, memory doubled while written):
// for small runs (--components 10), to see which objects hold the array buffers.
const snapshotAt = (process.env.ALLUSE_HEAP_SNAPSHOT_AT || '').split(',').filter(Boolean).map(Number);
if (snapshotAt.length && require('node:worker_threads').isMainThread) {
  for (const at of snapshotAt) setTimeout(() => { try { v8.writeHeapSnapshot(`${out}.${at}s.heapsnapshot`); } catch { /* never disturb the server */ } }, at * 1000).unref();
}

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
