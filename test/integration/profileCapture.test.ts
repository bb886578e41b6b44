// Capturing a real Node process through its inspector (no demo system needed): a child
// started with --inspect=127.0.0.1:0 runs a busy loop in its main thread and another in a
// worker thread; the capture must return both threads, labelled, with the busy functions
// in each, the GC pauses observed with perf_hooks, and a sampling heap profile. Also: the
// client refuses inspector addresses that are not loopback.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { captureProfile } from '../../engine/profile/capture';
import { isLoopbackHost, listTargets } from '../../engine/profile/inspectorClient';
import { analyzeProfile } from '../../engine/profile/analyze';

const PROGRAM = `
const { Worker, isMainThread } = require('node:worker_threads');
function mainSpin() { let s = 0; for (let i = 0; i < 2e5; i++) s += Math.sqrt(i); return s; }
function workerSpin() { let s = 0; for (let i = 0; i < 2e5; i++) s += Math.log(i + 1); return s; }
function allocate() { const a = []; for (let i = 0; i < 2000; i++) a.push({ i, s: 'x' + i }); return a; }
if (isMainThread) {
  new Worker(__filename);
  const keep = [];
  setInterval(() => { mainSpin(); keep.push(allocate()); if (keep.length > 100) keep.shift(); }, 5);
} else {
  setInterval(() => workerSpin(), 2);
}
`;

describe('capturing a Node process and its worker thread through the inspector', () => {
  let child: ChildProcess;
  let port: number;

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alluse-capture-'));
    writeFileSync(join(dir, 'busy.js'), PROGRAM);
    child = spawn(process.execPath, ['--inspect=127.0.0.1:0', join(dir, 'busy.js')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    port = await new Promise<number>((resolve, reject) => {
      child.stderr!.on('data', (d) => {
        err += d;
        const m = /Debugger listening on ws:\/\/127\.0\.0\.1:(\d+)\//.exec(err);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (c) => reject(new Error(`child exited ${c}: ${err}`)));
    });
  });
  after(() => { child?.kill('SIGKILL'); });

  it('profiles the main thread and the worker, labelled, with their busy functions', { timeout: 30_000 }, async () => {
    const cap = await captureProfile({ component: 'busy', port, durationMs: 1500, heap: true });
    assert.deepEqual(cap.threads.map((t) => t.kind).sort(), ['main', 'worker']);
    assert.match(cap.threads.find((t) => t.kind === 'worker')!.label, /^worker 1 \(busy\.js\)$/);
    assert.equal(cap.pid, child.pid);
    assert.ok(cap.gc && cap.gc.source === 'perf_hooks' && cap.gc.count > 0, `GC pauses: ${JSON.stringify(cap.gc)}`);
    assert.ok(cap.heap && cap.heap.head.children.length > 0);
    const r = analyzeProfile(cap, { id: 'busy' });
    const f = (name: string) => r.functions.find((x) => x.name === name);
    assert.deepEqual(f('mainSpin')?.threads, ['main']);
    assert.deepEqual(f('workerSpin')?.threads, ['worker 1 (busy.js)']);
    assert.ok(f('workerSpin')!.selfMs > 50, `workerSpin ${f('workerSpin')!.selfMs} ms`);
    assert.ok(r.heapTop!.some((h) => h.name === 'allocate'), JSON.stringify(r.heapTop!.slice(0, 5)));
    // The target is left as it was: our GC observer is gone.
    const again = await captureProfile({ component: 'busy', port, durationMs: 200, gc: false, workers: false });
    assert.equal(again.threads.length, 1);
  });

  it('connects only to loopback inspectors', async () => {
    assert.ok(isLoopbackHost('127.0.0.1') && isLoopbackHost('localhost') && isLoopbackHost('[::1]'));
    assert.ok(!isLoopbackHost('10.0.0.1') && !isLoopbackHost('example.com') && !isLoopbackHost('0.0.0.0'));
    await assert.rejects(listTargets(port, '10.1.2.3'), /only loopback addresses are allowed/);
  });
});
