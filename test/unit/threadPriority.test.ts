/**
 * The server's helper threads get a lower priority than its main thread (engine/util/threadPriority.ts):
 * real threads of this process (V8's platform threads, libuv's pool, worker threads), their nice
 * values read back from /proc.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { helperThreadNice, lowerHelperThreads } from '../../engine/util/threadPriority';

const linux = process.platform === 'linux';

/** Each thread's nice value, from /proc/self/task/TID/stat (field 19; the name in parentheses may hold spaces). */
function niceByThread(): Map<number, number> {
  const out = new Map<number, number>();
  for (const t of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${t}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(t), Number(fields[16]));
    } catch { /* the thread ended */ }
  }
  return out;
}

/** A worker thread that stays until terminated, once it runs. */
async function startWorker(): Promise<Worker> {
  const w = new Worker("require('node:worker_threads').parentPort.postMessage('up'); setInterval(() => {}, 1000);", { eval: true });
  await new Promise<void>((resolve, reject) => { w.once('message', () => resolve()); w.once('error', reject); });
  return w;
}

it('lowers every thread but the main one, once, and a thread started later on the next call', { skip: !linux && 'per-thread nice values are Linux only' }, async () => {
  const mainBefore = niceByThread().get(process.pid);
  const first = await startWorker();
  let second: Worker | undefined;
  try {
    const r = lowerHelperThreads(7);
    assert.ok(r, 'a result on Linux');
    const after = niceByThread();
    assert.equal(after.get(process.pid), mainBefore, 'the main thread keeps its priority');
    const helpers = [...after].filter(([tid]) => tid !== process.pid);
    assert.ok(helpers.length >= 2, `helper threads found: ${helpers.length}`);
    assert.equal(r.helpers, helpers.length);
    for (const [tid, nice] of helpers) assert.ok(nice >= 7, `thread ${tid} at nice ${nice}`);
    assert.deepEqual(lowerHelperThreads(7), { helpers: helpers.length, lowered: 0 }, 'a second call changes nothing');

    second = await startWorker();
    const fresh = [...niceByThread()].filter(([tid, nice]) => tid !== process.pid && nice < 7);
    assert.ok(fresh.length >= 1, 'the new worker starts at the default priority');
    const again = lowerHelperThreads(7);
    assert.ok(again && again.lowered >= fresh.length, `lowered ${again?.lowered} of the ${fresh.length} new threads`);
    for (const [tid, nice] of niceByThread()) if (tid !== process.pid) assert.ok(nice >= 7, `thread ${tid} at nice ${nice} after the second call`);
  } finally {
    await first.terminate();
    await second?.terminate();
  }
});

it('never raises a thread that is already lower', { skip: !linux && 'per-thread nice values are Linux only' }, async () => {
  const w = await startWorker();
  try {
    lowerHelperThreads(12);
    assert.deepEqual(lowerHelperThreads(5)?.lowered, 0, 'nice 12 threads are left at 12');
    for (const [tid, nice] of niceByThread()) if (tid !== process.pid) assert.ok(nice >= 12, `thread ${tid} at nice ${nice}`);
  } finally {
    await w.terminate();
  }
});

it('reads the nice value from ALLUSE_HELPER_THREAD_NICE, 0 turning it off', () => {
  assert.equal(helperThreadNice({}, 10), 10);
  assert.equal(helperThreadNice({ ALLUSE_HELPER_THREAD_NICE: '0' }, 10), 0);
  assert.equal(helperThreadNice({ ALLUSE_HELPER_THREAD_NICE: '15' }, 10), 15);
  for (const bad of ['', ' ', 'x', '-3', '20', '2.5']) assert.equal(helperThreadNice({ ALLUSE_HELPER_THREAD_NICE: bad }, 10), 10, JSON.stringify(bad));
  assert.equal(lowerHelperThreads(0), undefined, 'nice 0 is not a lowering');
  assert.equal(lowerHelperThreads(20), undefined, 'out of range');
});
