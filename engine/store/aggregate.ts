/**
 * Turning raw samples or rollup buckets into the points of a query: one point per step,
 * aligned to multiples of the step. Raw quantiles are exact; rollup quantiles come from the
 * merged sketches (relative error <= 1%). NaN samples are left out of every aggregation.
 */
import type { Sample } from '../metrics/series';
import { cloneBucket, mergeBucket, newBucket, addToBucket, TIERS, type Bucket } from './rollup';
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
