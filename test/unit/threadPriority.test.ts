/**
 * The server's helper threads get a lower priority than its main thread (engine/util/threadPriority.ts):
 * real threads of this process (V8's platform threads, libuv's pool, worker threads), their nice
 * values read back from /proc.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { helperThreadNice, lowerHelperThreads, threadIds } from '../../engine/util/threadPriority';

const linux = process.platform === 'linux';
/** The priority this test runs at (a CI may run it under `nice`); the tests lower threads relative to it. */
const BASE = linux ? Number(readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ')[16]) : 0;
const skip = !linux ? 'per-thread nice values are Linux only' : BASE > 10 ? `this process already runs at nice ${BASE}` : false;

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

it('lowers every thread but the main one, once, and a thread started later on the next call', { skip }, async () => {
  const mainBefore = niceByThread().get(process.pid);
  const first = await startWorker();
  let second: Worker | undefined;
  try {
    const r = lowerHelperThreads(BASE + 3);
    assert.ok(r, 'a result on Linux');
    const after = niceByThread();
    assert.equal(after.get(process.pid), mainBefore, 'the main thread keeps its priority');
    const helpers = [...after].filter(([tid]) => tid !== process.pid);
    assert.ok(helpers.length >= 2, `helper threads found: ${helpers.length}`);
    assert.equal(r.helpers, helpers.length);
    for (const [tid, nice] of helpers) assert.ok(nice >= BASE + 3, `thread ${tid} at nice ${nice}`);
    assert.deepEqual(lowerHelperThreads(BASE + 3), { helpers: helpers.length, lowered: 0 }, 'a second call changes nothing');

    second = await startWorker();
    const fresh = [...niceByThread()].filter(([tid, nice]) => tid !== process.pid && nice < BASE + 3);
    assert.ok(fresh.length >= 1, 'the new worker starts at the default priority');
    const again = lowerHelperThreads(BASE + 3);
    assert.ok(again && again.lowered >= fresh.length, `lowered ${again?.lowered} of the ${fresh.length} new threads`);
    for (const [tid, nice] of niceByThread()) if (tid !== process.pid) assert.ok(nice >= BASE + 3, `thread ${tid} at nice ${nice} after the second call`);
  } finally {
    await first.terminate();
    await second?.terminate();
  }
});

it('never raises a thread that is already lower', { skip }, async () => {
  const w = await startWorker();
  try {
    lowerHelperThreads(BASE + 8);
    assert.deepEqual(lowerHelperThreads(BASE + 2)?.lowered, 0, 'threads already lower are left as they are');
    for (const [tid, nice] of niceByThread()) if (tid !== process.pid) assert.ok(nice >= BASE + 8, `thread ${tid} at nice ${nice}`);
  } finally {
    await w.terminate();
  }
});

it('leaves the threads it is told to keep (the platform threads that exist at start-up)', { skip }, async () => {
  const before = threadIds();
  assert.ok(before.has(process.pid) && before.size >= 2, `threads now: ${[...before].join(' ')}`);
  const keepNice = new Map([...niceByThread()].filter(([tid]) => before.has(tid)));
  const w = await startWorker();
  try {
    const r = lowerHelperThreads(BASE + 9, before);
    assert.ok(r && r.lowered >= 1, `lowered ${r?.lowered}`);
    for (const [tid, nice] of niceByThread()) {
      if (before.has(tid)) assert.equal(nice, keepNice.get(tid), `kept thread ${tid}`);
      else assert.ok(nice >= BASE + 9, `new thread ${tid} at nice ${nice}`);
    }
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
