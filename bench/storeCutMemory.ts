/**
 * The memory of the store alone through a 5-minute head and its cut, at the monitor's scale
 * (bench:monitor: some 650 series, ~1,700 samples/s), for one engine per process (this tree's,
 * or another build's `engine/` folder: run it twice and compare).
 *
 * Method: a writing store in a temp folder with an injected clock (`manualFlush`, default
 * pacing of the cut's slices, the cut encoded in this thread as the monitor's is); 120 series at
 * 10 Hz and 530 at 1 Hz (gauges with noise and counters) fill a 5-minute head, a few seconds of
 * samples at a time with a turn of the event loop between; then the cut runs while samples keep
 * coming, and `process.memoryUsage()` is sampled every 5 ms (rss, V8 heap used, array buffers).
 * Printed: each figure just before the cut, its highest during the cut, and after it (after a
 * full collection). RSS is the process's: node's own memory is in it, the same in both runs.
 *
 * Usage: node --expose-gc --import tsx bench/storeCutMemory.ts [engineDir]   (default this tree's engine/)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Session } from 'node:inspector';
import { bundleEngine } from './bundleEngine';

const ENGINE = resolve(process.argv[2] ?? join(__dirname, '..', 'engine'));
const T0 = Date.UTC(2026, 10, 28, 0, 0, 0);
const MiB = 1024 * 1024;

type Store = {
  append(s: { series: { name: string; labels: Record<string, string> }; t: number; v: number }[]): void;
  flush(): Promise<void>;
  close(): Promise<void>;
};

async function main(): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), 'alluse-cut-memory-'));
  const { TimeSeriesStore } = await bundleEngine(ENGINE, 'engine', out, { 'store/store': ['TimeSeriesStore'] });
  const dir = join(out, 'store');
  let now = T0;
  const store = (await TimeSeriesStore.open({ dir, now: () => now, manualFlush: true, cutIntervalMs: 300_000, encodeWorker: 'never' })) as Store;
  const fast = Array.from({ length: 120 }, (_, i) => ({ name: i % 2 ? 'process_cpu_ratio' : 'system_bytes', labels: { i: String(i) } }));
  const slow = Array.from({ length: 530 }, (_, i) => ({ name: i % 3 ? 'http_requests_total' : 'queue_depth', labels: { i: String(i) } }));
  let seed = 1;
  const rnd = () => ((seed = (Math.imul(seed, 48271) >>> 0) % 0x7fffffff) / 0x7fffffff);
  const counters = new Float64Array(slow.length);
  /** Appends the samples of [now, now + ms) in 100 ms steps. */
  const fill = (ms: number) => {
    for (const end = now + ms; now < end; now += 100) {
      store.append(fast.map((series, i) => ({ series, t: now + i, v: i % 2 ? Math.round(rnd() * 1000) / 1000 : 1e9 + Math.round(rnd() * 1e6) })));
      if (now % 1000 === 0) store.append(slow.map((series, i) => ({ series, t: now + i, v: i % 3 ? (counters[i] += Math.round(rnd() * 50)) : Math.round(rnd() * 20) })));
    }
  };
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  const mem = () => process.memoryUsage();
  // The first cut (at T0 + 5 min) and its head, then the second head: measured from there (the arrays a cut keeps exist).
  for (let s = 0; s < 305; s += 5) { fill(5000); await store.flush(); await new Promise((r) => setImmediate(r)); }
  for (let s = 305; s < 598; s += 5) { fill(5000); await new Promise((r) => setImmediate(r)); }
  gc();
  await new Promise((r) => setTimeout(r, 100));
  const before = mem();
  const peak = { rss: before.rss, heapUsed: before.heapUsed, arrayBuffers: before.arrayBuffers };
  const sampler = setInterval(() => {
    const m = mem();
    peak.rss = Math.max(peak.rss, m.rss);
    peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
    peak.arrayBuffers = Math.max(peak.arrayBuffers, m.arrayBuffers);
  }, 5);
  // BENCH_HEAP_PROF=1: V8's sampling heap profiler over the cut, its top allocation sites printed.
  const prof = process.env.BENCH_HEAP_PROF ? new Session() : undefined;
  const post = (m: string, p?: object) => new Promise<any>((res, rej) => prof!.post(m, p ?? {}, (e, r) => (e ? rej(e) : res(r)))); // eslint-disable-line @typescript-eslint/no-explicit-any
  if (prof) { prof.connect(); await post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true }); }
  fill(2000); // the cut at T0 + 10 min starts in an append
  const done = store.flush();
  // Samples keep coming while the cut's slices run.
  let finished = false;
  void done.then(() => { finished = true; });
  while (!finished) { fill(100); await new Promise((r) => setTimeout(r, 10)); }
  clearInterval(sampler);
  if (prof) {
    const { profile } = await post('HeapProfiler.stopSampling');
    const sites = new Map<string, number>();
    const walk = (n: any, stack: string[]) => { // eslint-disable-line @typescript-eslint/no-explicit-any
      const f = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber + 1}`;
      const st = [...stack, f];
      if (n.selfSize) { const k = st.slice(-3).join(' < '); sites.set(k, (sites.get(k) ?? 0) + n.selfSize); }
      for (const c of n.children) walk(c, st);
    };
    walk(profile.head, []);
    for (const [k, v] of [...sites].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${(v / MiB).toFixed(2)} MiB  ${k}`);
  }
  gc();
  await new Promise((r) => setTimeout(r, 100));
  const after = mem();
  await store.close();
  if (process.env.BENCH_HEAP_PROF) console.log(`bundle kept in ${out}`);
  else rmSync(out, { recursive: true, force: true });
  const f = (x: number) => (x / MiB).toFixed(1);
  console.log(`Store cut memory (${ENGINE}): 650 series (120 at 10 Hz, 530 at 1 Hz), a 5-minute head and its cut`);
  console.log('| MiB | before the cut | highest during the cut | after (full GC) |');
  console.log('|---|---|---|---|');
  console.log(`| rss | ${f(before.rss)} | ${f(peak.rss)} (+${f(peak.rss - before.rss)}) | ${f(after.rss)} |`);
  console.log(`| V8 heap used | ${f(before.heapUsed)} | ${f(peak.heapUsed)} (+${f(peak.heapUsed - before.heapUsed)}) | ${f(after.heapUsed)} |`);
  console.log(`| array buffers | ${f(before.arrayBuffers)} | ${f(peak.arrayBuffers)} (+${f(peak.arrayBuffers - before.arrayBuffers)}) | ${f(after.arrayBuffers)} |`);
}

void main();
