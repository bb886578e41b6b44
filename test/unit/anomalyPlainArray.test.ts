/**
 * Detector snapshots copy their typed arrays with `plainArray` (no iterator objects): the same
 * numbers and the same JSON as `Array.from`, which they replaced.
 */
import { strict as assert } from 'node:assert';
import { it } from 'node:test';
import { plainArray } from '../../engine/anomaly/plainArray';

it('gives the numbers Array.from gives, for every typed array the detectors keep', () => {
  const f = new Float64Array([1.5, -0, NaN, Infinity, -Infinity, 1e-310, 2 ** 53, -3]);
  for (const t of [f, new Float32Array(f), new Int32Array([0, -1, 2 ** 31 - 1]), new Uint8Array([0, 255]), new Float64Array(0)]) {
    const got = plainArray(t);
    assert.ok(Array.isArray(got));
    assert.equal(got.length, t.length);
    for (let i = 0; i < t.length; i++) assert.ok(Object.is(got[i], t[i]), `element ${i}`);
    assert.equal(JSON.stringify(got), JSON.stringify(Array.from(t)));
  }
});
