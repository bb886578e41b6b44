/**
 * A waiting 1 min / 1 h bucket gives up its sketch objects once a checkpoint has its bytes
 * (BucketArray.bucketBytes, rollup.ts): the list then reads the sketch back from the bytes.
 * Everything the list gives must be as before (the buckets with their quantiles, the tier's
 * payload, the checkpoint's bytes, the columns), the item must hold no sketch any more, and the
 * bucket object pushed (which the series may still hold) must keep its own.
 */
import { strict as assert } from 'node:assert';
import { it } from 'node:test';
import { ByteWriter } from '../../engine/store/bytes';
import { BucketArray, newBucket, addToBucket, type Bucket } from '../../engine/store/rollup';

function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 48271) % 2147483647) / 2147483647;
}

const written = (l: BucketArray) => { const w = new ByteWriter(64); l.writeEach(w); return w.result(); };
const quantiles = (bs: Bucket[]) => bs.map((b) => [0, 0.5, 0.95, 0.99, 1].map((q) => b.sketch!.quantile(q)));

it('a waiting bucket whose bytes are kept reads its sketch back from them, and gives the same everywhere', () => {
  const r = rng(3);
  const pushed: Bucket[] = [];
  const l = new BucketArray();
  for (let m = 0; m < 12; m++) {
    const b = newBucket(60_000 * m, r() * 100, true);
    for (let k = 0; k < 599; k++) addToBucket(b, m % 3 === 0 ? Math.round(r() * 10) : Math.exp(r() * 8) / 100);
    pushed.push(b);
    l.push(b);
  }
  const before = { list: quantiles(l.list()), window: l.list(120_000, 300_000).map((b) => b.t), payload: l.encode(), ckpt: written(l), cols: l.cols(), colsWindow: l.cols(60_000, 180_000) };
  // A checkpoint takes the bytes of the first eight (the last four finished after it).
  const bytes = Array.from({ length: 8 }, (_, k) => l.bucketBytes(k));
  assert.equal(l.objects, 4, 'the list holds objects only for the buckets without bytes');
  assert.ok(pushed.every((b) => b.sketch !== undefined), 'the buckets pushed keep their sketches');
  assert.deepEqual(quantiles(l.list()), before.list);
  assert.deepEqual(l.list(120_000, 300_000).map((b) => b.t), before.window);
  assert.deepEqual(l.encode(), before.payload);
  assert.deepEqual(written(l), before.ckpt);
  assert.deepEqual(l.cols(), before.cols);
  assert.deepEqual(l.cols(60_000, 180_000), before.colsWindow);
  // The kept bytes are the same at the next checkpoint, and trimming keeps them in step.
  assert.deepEqual(l.bucketBytes(3), bytes[3]);
  // A checkpoint's parts: the kept bytes in one run, the same bytes as writeEach after the count.
  const parts: Uint8Array[] = [];
  l.pushBytes(parts);
  assert.equal(l.objects, 0);
  assert.equal(parts.length, 1, 'kept in time order, the bytes are one run');
  assert.deepEqual(Buffer.concat([Buffer.from([12]), ...parts]), Buffer.from(before.ckpt));
  const old = Buffer.from(parts[0]);
  l.keepLast(6);
  assert.deepEqual(Buffer.from(parts[0]), old, 'a view a checkpoint holds is not changed by trimming');
  assert.deepEqual(quantiles(l.list()), before.list.slice(6));
  assert.deepEqual(l.bucketBytes(0), bytes[6]);
  assert.deepEqual(l.cols(), { n: 6, t: Array.from(before.cols.t).slice(6), count: Array.from(before.cols.count).slice(6), min: Array.from(before.cols.min).slice(6), max: Array.from(before.cols.max).slice(6), sum: Array.from(before.cols.sum).slice(6), last: Array.from(before.cols.last).slice(6) });
  l.keepLast(0);
  assert.equal(l.length, 0);
  assert.deepEqual(l.list(), []);
});
