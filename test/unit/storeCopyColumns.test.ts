/**
 * `BucketColumns.copyColumns` (the cut's packing for its encoding worker, store.ts packBatch)
 * writes the same numbers as the six arrays of `cols()` laid one after the other, for the
 * first `n` buckets, at an offset, across chunk boundaries (64 buckets a chunk), and leaves
 * the rest of the buffer alone.
 */
import { strict as assert } from 'node:assert';
import { it } from 'node:test';
import { BucketColumns } from '../../engine/store/rollup';

function rng(seed: number) {
  let s = seed;
  return () => ((s = (s * 16807) % 2147483647) / 2147483647);
}

it('copies the first n buckets as cols() gives them, one column after the other', () => {
  const r = rng(7);
  for (const len of [0, 1, 63, 64, 65, 200, 301]) {
    const p = new BucketColumns();
    for (let k = 0; k < len; k++) p.push({ t: 1000 * k, count: 1 + Math.floor(r() * 9), min: r(), max: 1 + r(), sum: r() * 10, last: r() });
    for (const n of new Set([0, Math.floor(len / 2), len])) {
      const off = 5;
      const out = new Float64Array(off + 6 * n + 3).fill(-1);
      p.copyColumns(out, off, n);
      const c = p.cols(-Infinity, n ? p.get(n - 1).t : -Infinity);
      const want = [-1, -1, -1, -1, -1, ...[c.t, c.count, c.min, c.max, c.sum, c.last].flatMap((col) => Array.from(col).slice(0, n)), -1, -1, -1];
      assert.deepEqual([...out], want, `length ${len}, n ${n}`);
    }
  }
});
