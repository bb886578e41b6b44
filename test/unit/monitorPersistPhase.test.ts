/**
 * The monitor's first baselines save comes halfway between two of the store's cut boundaries
 * (multiples of 5 minutes of wall-clock time), so the save's and the cut's memory peaks never
 * meet (monitor.ts, `firstPersistDelayMs`).
 */
import { strict as assert } from 'node:assert';
import { it } from 'node:test';
import { firstPersistDelayMs } from '../../engine/monitor/monitor';

const MIN5 = 5 * 60_000;

it('lands 150 s past a 5-minute boundary, within one interval of now', () => {
  const boundary = Date.UTC(2026, 10, 28, 2, 30, 0);
  for (const offset of [0, 1, 5_000, 149_999, 150_000, 150_001, 299_999]) {
    const now = boundary + offset;
    const d = firstPersistDelayMs(now);
    assert.ok(d > 0 && d <= MIN5, `offset ${offset}: delay ${d}`);
    assert.equal((now + d) % MIN5, 150_000, `offset ${offset}: the save is halfway between cuts`);
  }
  // The bench's start, 5 s after a boundary: the first save 145 s later, not 300 s (5 s into the next cut).
  assert.equal(firstPersistDelayMs(boundary + 5_000), 145_000);
  // Other intervals, and times before 1970 (negative) as well.
  assert.equal(firstPersistDelayMs(1_000, 10_000), 4_000);
  assert.equal(firstPersistDelayMs(-1_000, 10_000), 6_000);
  assert.equal(firstPersistDelayMs(5_000, 10_000), 10_000);
});
