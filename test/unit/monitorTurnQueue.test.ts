/**
 * The monitor's rounds' processing with a budget per turn of the event loop (turnQueue.ts,
 * monitor.ts `loop`): tasks run at once until a turn's work reaches the budget, the rest on
 * later turns, each turn at most a budget's worth (and at least one task), in arrival order;
 * and the monitor's rounds go through it: many scrape rounds answering in one turn are not
 * all processed in that turn. A fake clock (each task "costs" its time) and a fake loop
 * (deferred functions run when the test says the turn ends): behaviour, not timing.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Collector } from '../../engine/collect/types';
import type { SeriesSample } from '../../engine/metrics/series';
import { Monitor } from '../../engine/monitor/monitor';
import { TurnQueue } from '../../engine/monitor/turnQueue';

/** A fake event loop: `defer`red functions run at the next `turn()` (those deferred meanwhile, at the one after). */
function fakeLoop() {
  let clock = 0;
  let next: (() => void)[] = [];
  return {
    now: () => clock,
    advance: (ms: number) => (clock += ms),
    defer: (f: () => void) => void next.push(f),
    /** The check phase of a turn: what was deferred before it. */
    turn() {
      const fs = next;
      next = [];
      for (const f of fs) f();
    },
    get pending() {
      return next.length;
    },
  };
}

it('runs tasks at once until the turn has used its budget, then one budget per later turn, in order', () => {
  const loop = fakeLoop();
  const q = new TurnQueue({ budgetMs: 10, now: loop.now, defer: loop.defer });
  const ran: number[] = [];
  const task = (k: number, ms: number) => () => {
    ran.push(k);
    loop.advance(ms);
  };
  // Ten rounds of 4 ms each arrive in one poll phase.
  for (let k = 0; k < 10; k++) q.run(task(k, 4));
  assert.deepEqual(ran, [0, 1, 2], 'the first turn stops once 10 ms were used (3 tasks: 12 ms)');
  assert.equal(q.length, 7);
  assert.equal(q.deferred, 7);
  loop.turn(); // its check phase: the turn ends, and the queue's first drain runs
  assert.deepEqual(ran, [0, 1, 2, 3, 4, 5]);
  loop.turn();
  assert.deepEqual(ran, [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  // A task arriving while others wait goes behind them, even in a fresh turn.
  q.run(task(10, 1));
  assert.deepEqual(ran, [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  loop.turn();
  assert.deepEqual(ran, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.equal(q.length, 0);
  loop.turn();
  assert.equal(loop.pending, 0, 'an empty queue schedules nothing more');
  // A fresh turn with nothing waiting runs at once again.
  q.run(task(11, 1));
  assert.deepEqual(ran.at(-1), 11);
});

it('runs a task longer than the budget alone in its turn, and flush runs all that wait', () => {
  const loop = fakeLoop();
  const q = new TurnQueue({ budgetMs: 10, now: loop.now, defer: loop.defer });
  const ran: number[] = [];
  for (let k = 0; k < 4; k++) q.run(() => { ran.push(k); loop.advance(30); });
  assert.deepEqual(ran, [0]);
  loop.turn();
  assert.deepEqual(ran, [0, 1]);
  q.flush();
  assert.deepEqual(ran, [0, 1, 2, 3]);
  // The drain planned before the flush finds nothing to do (a monitor stopping: it crashed the server once).
  assert.doesNotThrow(() => loop.turn());
  assert.equal(loop.pending, 0);
  q.run(() => ran.push(4));
  assert.deepEqual(ran, [0, 1, 2, 3, 4], 'after the flush, a fresh turn runs a task at once');
});

it('a task that throws does not stop the queue: the next turn runs the others', () => {
  const loop = fakeLoop();
  const q = new TurnQueue({ budgetMs: 10, now: loop.now, defer: loop.defer });
  const ran: number[] = [];
  q.run(() => { ran.push(0); loop.advance(20); });
  q.run(() => { throw new Error('boom'); });
  q.run(() => ran.push(2));
  assert.throws(() => loop.turn(), /boom/);
  loop.turn();
  assert.deepEqual(ran, [0, 2]);
});

it("the monitor processes scrape rounds that answer together over several turns, each round whole, and stores every one", async () => {
  const loop = fakeLoop();
  const appended: number[] = [];
  const store = {
    append: (s: readonly SeriesSample[]) => {
      appended.push(s.length);
      loop.advance(4); // each round's processing "costs" 4 ms of the fake clock
    },
    flush: async () => undefined, readOnly: false, memoryOnly: false, problems: [], diskUsage: () => ({ rawBytes: 0, rollupBytes: 0, walBytes: 0, bytesPerSample: 0 }),
  };
  // Ten endpoints whose first answers all come in one turn (released together by the test).
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const scrape = (k: number): Collector => ({
    id: `scrape:c${k}`,
    defaultIntervalMs: 60_000,
    collect: async (now) => {
      await gate;
      return { samples: Array.from({ length: 5 }, (_, j) => ({ series: { name: `m${j}`, labels: { component: `c${k}` } }, t: now, v: j })), problems: [] };
    },
  });
  const m = new Monitor({
    // Intervals that differ: each loop's first round at once (loops of one interval start spread over it).
    collectors: Array.from({ length: 10 }, (_, k) => ({ collector: scrape(k), intervalMs: 60_000 + k })),
    store: store as never,
    storePath: '',
    rules: [],
    components: [],
    statusIntervalMs: 60_000,
    predictIntervalMs: 60_000,
    onStatus: () => undefined,
    turnQueue: new TurnQueue({ budgetMs: 10, now: loop.now, defer: loop.defer }),
  });
  m.start();
  // The loops' first rounds start on a timer (delay 0), then wait on the gate.
  await new Promise((r) => setTimeout(r, 20));
  release();
  await new Promise((r) => setImmediate(r)); // the answers' continuations (microtasks) have run
  assert.deepEqual(appended, [5, 5, 5], 'three rounds (12 ms) in the turn they answered in, the others wait');
  loop.turn();
  assert.equal(appended.length, 6);
  await m.stop(); // the rounds that still wait are stored before the store's flush
  assert.deepEqual(appended, Array(10).fill(5), 'every round stored once, whole');
});
