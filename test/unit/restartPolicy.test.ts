/** The analysis server's restart policy: how many crashes are restarted, and when it gives up. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RESTART_COMMAND_TITLE, RestartPolicy } from '../../client/src/restartPolicy';

test('restarts up to max crashes in the window, then gives up with a message naming the way out', () => {
  const p = new RestartPolicy(3, 60_000);
  for (let i = 1; i <= 3; i++) {
    const d = p.onCrash(i * 1000);
    assert.equal(d.restart, true);
    assert.equal(d.count, i);
    assert.match(d.message, new RegExp(`restarted \\(${i} of 3`));
  }
  const d = p.onCrash(4000);
  assert.equal(d.restart, false);
  assert.match(d.message, /stopped 4 times in 1 minute and was not restarted again/);
  assert.ok(d.message.includes(RESTART_COMMAND_TITLE));
});

test('crashes older than the window do not count', () => {
  const p = new RestartPolicy(2, 10_000);
  assert.equal(p.onCrash(0).restart, true);
  assert.equal(p.onCrash(5_000).restart, true);
  // The first crash is now 10 s old: two in the window, this one included.
  const d = p.onCrash(10_000);
  assert.equal(d.restart, true);
  assert.equal(d.count, 2);
  assert.equal(p.onCrash(11_000).restart, false);
});

test('a restart by hand starts counting afresh', () => {
  const p = new RestartPolicy(1, 60_000);
  assert.equal(p.onCrash(0).restart, true);
  assert.equal(p.onCrash(1).restart, false);
  p.reset();
  assert.equal(p.onCrash(2).restart, true);
});
