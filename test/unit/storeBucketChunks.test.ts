/**
 * A 1 s list the cut has written gives its chunks to the next lists (BucketColumns.release):
 * the next list reuses them and holds only its own buckets, never the old numbers.
 */
import { strict as assert } from 'node:assert';
import { it } from 'node:test';
import { BucketColumns, type Bucket } from '../../engine/store/rollup';

const bucket = (t: number, v: number): Bucket => ({ t, count: 10, min: v - 1, max: v + 1, sum: 10 * v, last: v });
const chunksOf = (l: BucketColumns) => (l as unknown as { chunks: Float64Array[] }).chunks;

it('a released list\'s chunks are reused, and the new list reads only its own buckets', () => {
  const old = new BucketColumns();
  for (let k = 0; k < 150; k++) old.push(bucket(1_000 * k, k)); // 3 chunks of 64
  const oldChunks = [...chunksOf(old)];
  old.release();
  assert.equal(old.length, 0);
  assert.deepEqual(old.list(), []);
  const next = new BucketColumns();
  for (let k = 0; k < 70; k++) next.push(bucket(500_000 + 1_000 * k, -k));
  // Chunks are taken from the spare ones (last given, first taken).
  assert.ok(chunksOf(next).every((c) => oldChunks.includes(c)), 'the new list\'s chunks are the released ones');
  assert.equal(next.length, 70);
  assert.deepEqual(next.list(), Array.from({ length: 70 }, (_, k) => bucket(500_000 + 1_000 * k, -k)));
  const c = next.cols();
  assert.equal(c.n, 70);
  assert.equal(c.t[69], 500_000 + 69_000);
  assert.equal(next.firstT, 500_000);
  assert.equal(next.lastT, 569_000);
});
