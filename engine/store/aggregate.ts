/**
 * Turning raw samples or rollup buckets into the points of a query: one point per step,
 * aligned to multiples of the step. Raw quantiles are exact; rollup quantiles come from the
 * merged sketches (relative error <= 1%). NaN samples are left out of every aggregation.
 */
import type { Sample } from '../metrics/series';
import { cloneBucket, mergeBucket, newBucket, addToBucket, TIERS, type Bucket, type BucketCols } from './rollup';
import { exactQuantile } from './sketch';
import type { Aggregation, Resolution } from './types';

const QUANTILES: Partial<Record<Aggregation, number>> = { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 };

export function isQuantile(agg: Aggregation): boolean {
  return QUANTILES[agg] !== undefined;
}

/** The resolution a query reads: raw below 1 s steps (and for quantiles below 1 min), else the coarsest tier not coarser than the step. */
export function chooseResolution(stepMs: number | undefined, agg: Aggregation): Resolution {
  if (!stepMs || stepMs < 1000) return 'raw';
  let best: Resolution = 'raw';
  for (const t of TIERS) if (t.ms <= stepMs && (!isQuantile(agg) || t.sketch)) best = t.name;
  return best;
}

function bucketValue(b: Bucket, agg: Aggregation, exact?: number[]): number {
  switch (agg) {
    case 'mean': return b.sum / b.count;
    case 'min': return b.min;
    case 'max': return b.max;
    case 'last': return b.last;
    case 'count': return b.count;
    case 'sum': return b.sum;
    default: {
      const q = QUANTILES[agg]!;
      if (exact) return exactQuantile(exact, q);
      return b.sketch ? b.sketch.quantile(q) : NaN;
    }
  }
}

/** Raw samples (sorted by time) to points; without a step the samples themselves. */
export function aggregateRaw(ts: ArrayLike<number>, vs: ArrayLike<number>, stepMs: number | undefined, agg: Aggregation): Sample[] {
  const out: Sample[] = [];
  if (!stepMs) {
    for (let i = 0; i < ts.length; i++) out.push({ t: ts[i], v: vs[i] });
    return out;
  }
  const quant = isQuantile(agg);
  let cur: Bucket | undefined;
  let values: number[] = [];
  const emit = () => { if (cur) out.push({ t: cur.t, v: bucketValue(cur, agg, quant ? values : undefined) }); };
  for (let i = 0; i < ts.length; i++) {
    const v = vs[i];
    if (v !== v) continue;
    const s = Math.floor(ts[i] / stepMs) * stepMs;
    if (cur && cur.t === s) addToBucket(cur, v);
    else { emit(); cur = newBucket(s, v, false); values = []; }
    if (quant) values.push(v);
  }
  emit();
  return out;
}

/** Rollup buckets (sorted by start) to points, merging the buckets of each step. */
export function aggregateBuckets(buckets: readonly Bucket[], stepMs: number, agg: Aggregation): Sample[] {
  const out: Sample[] = [];
  let cur: Bucket | undefined;
  let owned = false; // whether `cur` is a copy (made only when a step merges several buckets)
  let curStep = NaN;
  for (const b of buckets) {
    const s = Math.floor(b.t / stepMs) * stepMs;
    if (cur && s === curStep) {
      if (!owned) { cur = cloneBucket(cur); owned = true; }
      mergeBucket(cur, b);
    } else {
      if (cur) out.push({ t: curStep, v: bucketValue(cur, agg) });
      cur = b;
      owned = false;
      curStep = s;
    }
  }
  if (cur) out.push({ t: curStep, v: bucketValue(cur, agg) });
  return out;
}

/**
 * `aggregateBuckets(mergeBuckets(segments, from, to), stepMs, agg)` for the aggregations
 * that need no sketch, on columns: the same points (the same additions in the same order),
 * without an object per bucket. Segments are ordered by their first bucket; within the
 * range, a bucket older than the one before it, or equal to it (the same bucket in memory
 * and on disk while a cut is written), is skipped.
 */
export function aggregateBucketCols(segments: BucketCols[], from: number, to: number, stepMs: number, agg: Aggregation): Sample[] {
  const segs = segments.filter((s) => s.n > 0).sort((a, b) => a.t[0] - b.t[0]);
  const out: Sample[] = [];
  let have = false;
  let pt = 0, pc = 0, ps = 0, pl = 0; // the last bucket taken (for the skip rule)
  let step = NaN, count = 0, min = 0, max = 0, sum = 0, last = 0; // the current step
  const emit = () => {
    let v: number;
    switch (agg) {
      case 'mean': v = sum / count; break;
      case 'min': v = min; break;
      case 'max': v = max; break;
      case 'last': v = last; break;
      case 'count': v = count; break;
      case 'sum': v = sum; break;
      default: v = NaN;
    }
    out.push({ t: step, v });
  };
  for (const s of segs) {
    for (let i = 0; i < s.n; i++) {
      const t = s.t[i];
      if (t < from || t > to) continue;
      const c = s.count[i], su = s.sum[i], la = s.last[i];
      if (have && (t < pt || (t === pt && c === pc && su === ps && la === pl))) continue;
      have = true;
      pt = t; pc = c; ps = su; pl = la;
      const st = Math.floor(t / stepMs) * stepMs;
      if (st === step) {
        count += c;
        if (s.min[i] < min) min = s.min[i];
        if (s.max[i] > max) max = s.max[i];
        sum += su;
        last = la;
      } else {
        if (step === step) emit();
        step = st; count = c; min = s.min[i]; max = s.max[i]; sum = su; last = la;
      }
    }
  }
  if (step === step) emit();
  return out;
}
