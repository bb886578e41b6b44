/**
 * BucketColumns.encode gathers its columns in a scratch array kept between calls, and
 * encodeValues its scaled integers in another (rollup.ts, codec.ts): a cut encodes many series
 * one after the other. Every payload must be the one fresh arrays give (encodeBuckets of the
 * same buckets; the values decoded back), whatever size and values the encode before it had:
 * lists of random sizes, small after big and big after small, integers and fractions mixed.
 */
import { strict as assert } from 'node:assert';
import { it } from 'node:test';
import { decodeValues, encodeValues } from '../../engine/store/codec';
import { BucketColumns, encodeBuckets, type Bucket } from '../../engine/store/rollup';

/** Park–Miller: the same lists every run. */
function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 48271) % 2147483647) / 2147483647;
}

it('a 1 s list encodes to the same payload as fresh arrays give, after any earlier encode', () => {
  const r = rng(42);
  // Sizes around the chunk (64) and the scratch's limit (65,536 numbers = 10,922 buckets of six).
  const sizes = [300, 1, 64, 65, 2, 10_923, 3, 10_922, 0, 129, 300, 17];
  for (const n of sizes) {
    const l = new BucketColumns();
    const ints = r() < 0.5;
    const bs: Bucket[] = [];
    for (let k = 0; k < n; k++) {
      const v = ints ? Math.round(r() * 100) : r() * 1e3;
      const b = { t: 1_700_000_000_000 + 1000 * k, count: 1 + Math.floor(r() * 10), min: v - 1, max: v + 2, sum: v * 3, last: v };
      bs.push(b);
      l.push(b);
    }
    assert.deepEqual(l.encode(), encodeBuckets(bs), `list of ${n}`);
  }
});

it('a value column round-trips after encodes of longer and shorter integer columns', () => {
  const r = rng(7);
  for (const n of [5000, 3, 70_000, 12, 800, 1]) {
    const scale = [1, 10, 1000][Math.floor(r() * 3)];
    const vs = Array.from({ length: n }, () => Math.round(r() * 1e5) / scale);
    assert.deepEqual([...decodeValues(encodeValues(vs), n)], vs, `column of ${n}`);
  }
});
