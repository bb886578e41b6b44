/**
 * The column path of rollup queries (engine/store/aggregate.ts `aggregateBucketCols`, used
 * for every aggregation without quantiles) against the object path it replaces: merging the
 * segments (ordered by first bucket, skipping older and repeated buckets) then
 * `aggregateBuckets`. The points must be identical, bit for bit, on random segments with
 * overlaps, repeats (a block in memory and on disk during a cut) and ranges cutting them.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { aggregateBucketCols, aggregateBuckets } from '../../engine/store/aggregate';
import { BucketColumns, colsOfBuckets, decodeBucketCols, encodeBuckets, type Bucket } from '../../engine/store/rollup';
import type { Aggregation } from '../../engine/store/types';

/** The object path as the store ran it before the column path (store.ts mergeBuckets). */
function reference(segs: Bucket[][], from: number, to: number, stepMs: number, agg: Aggregation) {
  const sorted = segs.filter((s) => s.length).sort((a, b) => a[0].t - b[0].t);
  const merged: Bucket[] = [];
  for (const s of sorted)
    for (const b of s) {
      if (b.t < from || b.t > to) continue;
      const prev = merged[merged.length - 1];
      if (prev && (b.t < prev.t || (b.t === prev.t && b.count === prev.count && b.sum === prev.sum && b.last === prev.last))) continue;
      merged.push(b);
    }
  return aggregateBuckets(merged, stepMs, agg);
}

function rng(seed: number) {
  let s = seed;
  return () => ((s = (s * 16807) % 2147483647) / 2147483647);
}

function bucket(t: number, r: () => number): Bucket {
  const count = 1 + Math.floor(r() * 10);
  const a = r() * 100 - 50;
  const b = a + r() * 20;
  return { t, count, min: a, max: b, sum: (a + b) * count * 0.5 + r(), last: a + r() * (b - a) };
}

describe('rollup queries on columns', () => {
  it('give the same points as merging bucket objects, for every aggregation without quantiles', () => {
    const aggs: Aggregation[] = ['mean', 'min', 'max', 'last', 'count', 'sum'];
    for (let trial = 0; trial < 400; trial++) {
      const r = rng(trial + 1);
      const segs: Bucket[][] = [];
      let t0 = 1_700_000_000_000 + Math.floor(r() * 100) * 1000;
      const nSegs = 1 + Math.floor(r() * 5);
      for (let k = 0; k < nSegs; k++) {
        const n = Math.floor(r() * 40);
        const seg: Bucket[] = [];
        // Mostly consecutive segments; sometimes one starts before the previous ended.
        if (r() < 0.2) t0 -= Math.floor(r() * 10) * 1000;
        for (let i = 0; i < n; i++) seg.push(bucket((t0 += 1000 * (1 + Math.floor(r() * 2))), r));
        segs.push(seg);
        // A block that is both in memory and on disk: the same buckets twice.
        if (r() < 0.2 && seg.length) segs.push(seg.map((b) => ({ ...b })));
      }
      const all = segs.flat().map((b) => b.t);
      const lo = Math.min(...all, t0), hi = Math.max(...all, t0);
      const from = r() < 0.5 ? -Infinity : lo + Math.floor(r() * (hi - lo + 1));
      const to = r() < 0.5 ? Infinity : from === -Infinity ? hi - Math.floor(r() * 5000) : from + Math.floor(r() * (hi - lo + 1));
      const stepMs = [1000, 5000, 30_000, 60_000][Math.floor(r() * 4)];
      // Columns of each kind the store makes: decoded blocks, packed pending buckets, objects.
      const cols = segs.map((s, i) => {
        if (i % 3 === 0) return decodeBucketCols(encodeBuckets(s), s.length);
        if (i % 3 === 1) {
          const p = new BucketColumns();
          for (const b of s) p.push(b);
          return p.cols(-Infinity, Infinity);
        }
        return colsOfBuckets(s);
      });
      for (const agg of aggs) assert.deepEqual(aggregateBucketCols(cols, from, to, stepMs, agg), reference(segs, from, to, stepMs, agg), `trial ${trial} ${agg} step ${stepMs}`);
    }
  });

  it('reads a range of pending buckets exactly as list() does', () => {
    const r = rng(5);
    const p = new BucketColumns();
    let t = 1_700_000_000_000;
    for (let i = 0; i < 200; i++) p.push(bucket((t += 1000), r));
    for (const [from, to] of [[-Infinity, Infinity], [t - 50_000, t - 10_000], [t + 1, Infinity], [t - 199_000, t - 199_000]]) {
      const l = p.list(from, to);
      const c = p.cols(from, to);
      assert.equal(c.n, l.length);
      assert.deepEqual(Array.from(c.t), l.map((b) => b.t));
      assert.deepEqual(Array.from(c.sum), l.map((b) => b.sum));
      assert.deepEqual(Array.from(c.last), l.map((b) => b.last));
    }
  });
});
