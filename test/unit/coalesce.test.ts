/** The server's coalescing of status and diagnostics sends: the first at once, a burst folded into one. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Coalescer } from '../../server/src/coalesce';

test('the first change is sent at once, a burst after it once at the end of the window, keys apart', async () => {
  const sent: string[] = [];
  const c = new Coalescer(50, (k) => sent.push(k));
  c.changed('a');
  assert.deepEqual(sent, ['a'], 'the first change goes out at once');
  for (let i = 0; i < 100; i++) c.changed('a');
  c.changed('b');
  assert.deepEqual(sent, ['a', 'b'], 'another key is not held back by the first');
  await new Promise((r) => setTimeout(r, 120));
  assert.deepEqual(sent, ['a', 'b', 'a'], '100 changes within the window: one send at its end');
  await new Promise((r) => setTimeout(r, 120));
  assert.deepEqual(sent, ['a', 'b', 'a'], 'nothing more without a change');
  c.changed('a');
  assert.deepEqual(sent, ['a', 'b', 'a', 'a'], 'a change after a quiet window goes out at once');
  c.changed('a');
  c.dispose();
  await new Promise((r) => setTimeout(r, 80));
  assert.equal(sent.length, 4, 'dispose drops the scheduled send');
});
