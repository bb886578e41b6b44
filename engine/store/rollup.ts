/**
 * Rollup tiers: each series is summarized in buckets of 1 s, 1 min and 1 h with
 * count, min, max, sum (mean = sum/count), last, and for 1 min and 1 h a quantile sketch.
 * NaN samples are left out of rollups. Buckets merge exactly, so a coarser step is
 * answered by merging the buckets it covers.
 */
import { ByteReader, ByteWriter } from './bytes';
import { decodeTimes, decodeValues, encodeTimes, encodeValues } from './codec';
import { QuantileSketch } from './sketch';

export type TierName = '1s' | '1m' | '1h';

export interface Tier {
  name: TierName;
  ms: number;
  sketch: boolean;
  /** Finished buckets are written to disk when a cut crosses a multiple of this (others stay in the checkpoint). */
  writeEveryMs: number;
  /** Time window of one chunk file. */
  fileMs: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const TIERS: readonly Tier[] = [
  { name: '1s', ms: 1000, sketch: false, writeEveryMs: 0, fileMs: DAY },
  { name: '1m', ms: 60_000, sketch: true, writeEveryMs: HOUR, fileMs: 7 * DAY },
  { name: '1h', ms: HOUR, sketch: true, writeEveryMs: DAY, fileMs: 90 * DAY },
];

export interface Bucket {
  /** Start of the bucket (a multiple of the tier's width). */
  t: number;
  count: number;
  min: number;
  max: number;
  sum: number;
  last: number;
  sketch?: QuantileSketch;
}

export function newBucket(t: number, v: number, sketch: boolean): Bucket {
  const b: Bucket = { t, count: 1, min: v, max: v, sum: v, last: v };
  if (sketch) { b.sketch = new QuantileSketch(); b.sketch.add(v); }
  return b;
}

export function addToBucket(b: Bucket, v: number): void {
  b.count++;
  if (v < b.min) b.min = v;
  if (v > b.max) b.max = v;
  b.sum += v;
  b.last = v;
  b.sketch?.add(v);
}

/** Merges `o` (later in time than `into`) into `into`. */
export function mergeBucket(into: Bucket, o: Bucket): void {
  into.count += o.count;
  if (o.min < into.min) into.min = o.min;
  if (o.max > into.max) into.max = o.max;
  into.sum += o.sum;
  into.last = o.last;
  if (o.sketch) {
    if (!into.sketch) into.sketch = o.sketch.clone();
    else into.sketch.merge(o.sketch);
  }
}

export function cloneBucket(b: Bucket): Bucket {
  return { ...b, sketch: b.sketch?.clone() };
}

export function writeBucket(w: ByteWriter, b: Bucket): void {
  w.f64(b.t);
  w.uvar(b.count);
  w.f64(b.min);
  w.f64(b.max);
  w.f64(b.sum);
  w.f64(b.last);
  if (b.sketch) { w.u8(1); b.sketch.encode(w); } else w.u8(0);
}

export function readBucket(r: ByteReader): Bucket {
  const b: Bucket = { t: r.f64(), count: r.uvar(), min: r.f64(), max: r.f64(), sum: r.f64(), last: r.f64() };
  if (r.u8() === 1) b.sketch = QuantileSketch.read(r);
  return b;
}

/** Payload of a rollup block: columns of bucket starts, counts, mins, maxes, sums, lasts, then the sketches. */
export function encodeBuckets(bs: readonly Bucket[]): Uint8Array {
  const w = new ByteWriter(64 + bs.length * 8);
  const col = (f: (b: Bucket) => number) => w.lbytes(encodeValues(bs.map(f)));
  w.lbytes(encodeTimes(bs.map((b) => b.t)));
  col((b) => b.count);
  col((b) => b.min);
  col((b) => b.max);
  col((b) => b.sum);
  col((b) => b.last);
  const sketches = bs.some((b) => b.sketch);
  w.u8(sketches ? 1 : 0);
  if (sketches) for (const b of bs) (b.sketch ?? new QuantileSketch()).encode(w);
  return w.result();
}

export function decodeBuckets(payload: Uint8Array, n: number, withSketches: boolean): Bucket[] {
  const r = new ByteReader(payload);
  const ts = decodeTimes(r.lbytes(), n);
  const cols = [0, 1, 2, 3, 4].map(() => decodeValues(r.lbytes(), n));
  const out: Bucket[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = { t: ts[i], count: cols[0][i], min: cols[1][i], max: cols[2][i], sum: cols[3][i], last: cols[4][i] };
  if (withSketches && r.u8() === 1) for (let i = 0; i < n; i++) out[i].sketch = QuantileSketch.read(r);
  return out;
}
