/**
 * Allocation sampling of the monitor, for `npm run bench:monitor`:
 *
 *   BENCH_NODE_FLAGS="-r $PWD/bench/monitorAllocProbe.cjs" npm run bench:monitor
 *
 * Preloaded with `-r`, it runs in every thread (the monitor's worker too) and samples what
 * each thread allocates from ALLOC_START_S (40) to ALLOC_STOP_S (100) seconds after it
 * started, the objects already collected included (V8's sampling heap profiler with
 * includeObjectsCollectedByMinorGC/MajorGC: what was allocated, not what is still alive), one
 * sample per 1 KiB on average. It writes `<ALLOC_OUT>.<thread>.heapprofile` (ALLOC_OUT
 * defaults to ./alloc), which Chrome DevTools opens; bench/allocSummary.ts sums it by part of
 * the monitor.
 */
const inspector = require('node:inspector');
const fs = require('node:fs');
const { isMainThread, threadId } = require('node:worker_threads');

const START = Number(process.env.ALLOC_START_S ?? 40);
const STOP = Number(process.env.ALLOC_STOP_S ?? 100);
const OUT = process.env.ALLOC_OUT ?? 'alloc';
const session = new inspector.Session();
session.connect();
const post = (method, params) => new Promise((resolve, reject) => session.post(method, params ?? {}, (e, r) => (e ? reject(e) : resolve(r))));

setTimeout(async () => {
  await post('HeapProfiler.enable');
  await post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  setTimeout(async () => {
    const { profile } = await post('HeapProfiler.stopSampling');
    fs.writeFileSync(`${OUT}.${isMainThread ? 'main' : `worker${threadId}`}.heapprofile`, JSON.stringify(profile));
  }, (STOP - START) * 1000).unref();
}, START * 1000).unref();
