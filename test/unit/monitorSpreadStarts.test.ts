/**
 * The monitor's loops of one interval start spread over it (monitor.ts `spreadStarts`), so
 * endpoints scraped at the same interval are not all asked, and do not all answer, at once;
 * and each keeps its phase after a late round (`nextRoundAt`), so a stall does not put every
 * loop that waited behind it into the same moment for good.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Collector } from '../../engine/collect/types';
import { Monitor, nextRoundAt, spreadStarts } from '../../engine/monitor/monitor';
import { testMonitorOptions } from '../helpers/monitorOptions';

it('spreads the loops of each interval evenly over it, in their order', () => {
  assert.deepEqual(spreadStarts([100, 100, 100, 100]), [0, 25, 50, 75]);
  assert.deepEqual(spreadStarts([1000, 100, 100, 1000, 100]), [0, 0, 33, 500, 66]);
  assert.deepEqual(spreadStarts([5000]), [0]);
  const fifty = spreadStarts(Array(50).fill(100));
  assert.deepEqual(fifty, Array.from({ length: 50 }, (_, k) => 2 * k));
});

it('plans the next round one interval after the last was planned: at once when late by an interval at most, else at the next moment of its phase', () => {
  // On time, or early: one interval after the last plan.
  assert.equal(nextRoundAt(1000, 1030, 100), 1100);
  // Late by up to an interval: at once (a time already passed), and the plan after it is on the phase again.
  assert.equal(nextRoundAt(1000, 1140, 100), 1100);
  assert.equal(nextRoundAt(1000, 1200, 100), 1100);
  assert.equal(nextRoundAt(1100, 1150, 100), 1200);
  // Later: the rounds missed are skipped, the phase kept (x00 here), never a time more than an interval past.
  assert.equal(nextRoundAt(1000, 1230, 100), 1200);
  assert.equal(nextRoundAt(1000, 1420, 100), 1400);
  assert.equal(nextRoundAt(1000, 1501, 100), 1500);
  // Two loops 2 ms apart in phase, both waiting behind the same 300 ms stall, stay 2 ms apart.
  const a = nextRoundAt(1000, 1450, 100);
  const b = nextRoundAt(1002, 1450, 100);
  assert.equal(b - a, 2);
});

it("the monitor's network loops of one interval ask their first round at spread moments, in order", async () => {
  const first: number[] = [];
  const t0 = performance.now();
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  const scrape = (k: number): Collector => ({
    id: `scrape:c${k}`,
    defaultIntervalMs: 60_000,
    collect: async () => {
      first[k] ??= performance.now() - t0;
      if (first.filter((x) => x !== undefined).length === 4) done();
      return { samples: [], problems: [] };
    },
  });
  const m = new Monitor(testMonitorOptions([0, 1, 2, 3].map((k) => ({ collector: scrape(k), intervalMs: 800 }))));
  m.start();
  await all;
  await m.stop();
  // Timers fire no earlier than asked: loop k's first round comes at least 200 ms x k after the start.
  for (let k = 1; k < 4; k++) assert.ok(first[k] >= 200 * k - 1, `loop ${k} asked at ${first[k].toFixed(0)} ms, not before ${200 * k} ms`);
  assert.ok(first[0] < first[1] && first[1] < first[2] && first[2] < first[3], `in order: ${first.map((x) => x.toFixed(0)).join(', ')}`);
});
