/**
 * The monitor's one timer (sharedTimer.ts): clients planned for the same moment run in one
 * wake-up, in plan order, not (much) before their plan; stop cancels everything. And the
 * monitor's loops at the demo's scale (a local loop of 100 ms, four scrape loops of 1 s) start
 * on the local rounds' moments (`spreadStarts` with a base) and are planned on them, so they
 * share its wake-ups, while the load benchmark's many loops of one interval keep their even
 * spread. Assertions are on plans and firing order, not on times (a loaded machine stalls).
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Collector } from '../../engine/collect/types';
import { Monitor, spreadStarts } from '../../engine/monitor/monitor';
import { SharedTimer, TOLERANCE_MS } from '../../engine/monitor/sharedTimer';
import { testMonitorOptions } from '../helpers/monitorOptions';

it('starts the loops of a multiple of the base interval on base moments, spread, when there are no more than those moments', () => {
  // The demo: the local loop (100 ms), four scrape loops (1 s), the slow system loop (10 s).
  assert.deepEqual(spreadStarts([100, 1000, 1000, 1000, 1000, 10_000], 100), [0, 0, 200, 500, 700, 0]);
  // Ten loops of 1 s: one base moment each.
  assert.deepEqual(spreadStarts(Array(10).fill(1000), 100), [0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
  // More loops than base moments (the load benchmark: 50 endpoints every 100 ms): the even spread, as without a base.
  assert.deepEqual(spreadStarts(Array(50).fill(100), 100), spreadStarts(Array(50).fill(100)));
  assert.deepEqual(spreadStarts(Array(11).fill(1000), 100), spreadStarts(Array(11).fill(1000)));
  // An interval that is not a multiple of the base: the even spread.
  assert.deepEqual(spreadStarts([100, 250, 250], 100), [0, 0, 125]);
  // Every aligned start is a base moment within the interval, and each loop has its own.
  for (let n = 1; n <= 20; n++) {
    const d = spreadStarts(Array(n).fill(2000), 100);
    assert.equal(new Set(d).size, n);
    for (const x of d) assert.ok(x % 100 === 0 && x >= 0 && x < 2000, `${x}`);
  }
});

it('runs the clients planned for one moment in one firing, in plan order, not before their plan', async () => {
  const t = new SharedTimer();
  const ran: [string, number, number][] = [];
  const t0 = performance.now();
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const client = (name: string) => {
    const c = t.add(() => {
      ran.push([name, performance.now(), t.firings]);
      if (ran.length === 5) done();
    });
    return c;
  };
  const a = client('a');
  const b = client('b');
  const c = client('c');
  const d = client('d');
  const e = client('e');
  // b and c together (c first by plan, b has the lower order), a before them, d well after; e planned and replanned.
  t.plan(b, t0 + 60);
  t.plan(c, t0 + 60 - TOLERANCE_MS / 2);
  t.plan(a, t0 + 30);
  t.plan(d, t0 + 150);
  t.plan(e, t0 + 10);
  t.plan(e, t0 + 100);
  await finished;
  t.stop();
  assert.deepEqual(ran.map((x) => x[0]), ['a', 'c', 'b', 'e', 'd']);
  const at = Object.fromEntries(ran.map(([n, x]) => [n, x - t0]));
  // Not before the plan: by more than Node's own timers may (they read a loop clock taken at the start of a turn; 20 ms for a loaded machine).
  for (const [n, plan] of [['a', 30], ['b', 60], ['c', 60 - TOLERANCE_MS / 2], ['e', 100], ['d', 150]] as const) assert.ok(at[n] >= plan - 20, `${n} ran at ${at[n].toFixed(2)} ms, planned ${plan}`);
  // b and c (planned within the tolerance) in one firing, by plan order.
  const firingOf = Object.fromEntries(ran.map(([n, , f]) => [n, f]));
  assert.equal(firingOf.b, firingOf.c);
});

it('a client planned while others run is armed after them; stop cancels everything', async () => {
  const t = new SharedTimer();
  const ran: string[] = [];
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const b = t.add(() => {
    ran.push('b');
    done();
  });
  const a = t.add(() => {
    ran.push('a');
    t.plan(b, performance.now() + 20); // planned from inside a firing
  });
  const never = t.add(() => ran.push('never'));
  t.plan(a, performance.now() + 5);
  await finished;
  t.plan(never, performance.now() + 5);
  t.stop();
  t.plan(never, performance.now() + 1); // ignored after stop
  // Nothing planned and no Node timer armed: `never` cannot run.
  assert.ok(Number.isNaN(never.at) && Number.isNaN(a.at) && Number.isNaN(b.at));
  assert.equal((t as unknown as { timer: unknown }).timer, undefined);
  assert.deepEqual(ran, ['a', 'b']);
});

it("the monitor plans its scrape rounds of a multiple interval on its local rounds' moments, each loop on its own", async () => {
  // What the monitor plans (not when rounds ran: a loaded machine may stall the thread
  // anywhere); that clients planned for one moment share a firing is the test above.
  const plans: Record<string, number[]> = { local: [], s0: [], s1: [], s2: [] };
  let rounds = 0;
  let done!: () => void;
  const enough = new Promise<void>((r) => (done = r));
  const local: Collector = {
    id: 'system',
    defaultIntervalMs: 50,
    collect: async () => ({ samples: [], problems: [] }),
    collectSync: () => ({ samples: [], problems: [] }),
  };
  const scrape = (k: number): Collector => ({
    id: `scrape:c${k}`,
    defaultIntervalMs: 200,
    collect: async () => {
      if (++rounds >= 12) done();
      return { samples: [], problems: [] };
    },
  });
  const m = new Monitor(
    testMonitorOptions([
      { collector: local, intervalMs: 50 },
      { collector: scrape(0), intervalMs: 200 },
      { collector: scrape(1), intervalMs: 200 },
      { collector: scrape(2), intervalMs: 200 },
    ]),
  );
  // The timer is made by start(): record every plan of the loops' clients (registered first, in collector order).
  const realAdd = SharedTimer.prototype.add;
  const realPlan = SharedTimer.prototype.plan;
  const names = ['local', 's0', 's1', 's2'];
  SharedTimer.prototype.plan = function (this: SharedTimer, c, at) {
    if (c.order < names.length) plans[names[c.order]].push(at);
    return realPlan.call(this, c, at);
  };
  try {
    m.start();
    await enough;
    await m.stop();
  } finally {
    SharedTimer.prototype.add = realAdd;
    SharedTimer.prototype.plan = realPlan;
  }
  const origin = plans.local[0];
  const phase = (at: number, ms: number) => {
    const r = (at - origin) % ms;
    return Math.min(r, ms - r) < 1e-6 ? 0 : r;
  };
  for (const k of ['s0', 's1', 's2']) assert.ok(plans[k].length >= 2, `${plans[k].length} plans of ${k}`);
  // Every scrape round planned on a local round's moment (multiples of 50 ms from the same
  // origin; spread evenly over 200 ms without the base, they would be at 0, 66 and 133 ms)…
  for (const k of ['s0', 's1', 's2']) for (const at of plans[k]) assert.equal(phase(at, 50), 0, `${k} planned ${(at - origin).toFixed(3)} ms after the origin`);
  // …each loop on a moment of its own in its 200 ms: 0, 50 and 100 ms.
  ['s0', 's1', 's2'].forEach((k, i) => {
    for (const at of plans[k]) assert.equal(phase(at - 50 * i, 200), 0, `${k} planned ${(at - origin).toFixed(3)} ms after the origin`);
  });
});
