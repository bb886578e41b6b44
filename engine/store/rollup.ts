/**
 * Rollup tiers: each series is summarized in buckets of 1 s, 1 min and 1 h with
 * count, min, max, sum (mean = sum/count), last, and for 1 min and 1 h a quantile sketch.
 * NaN samples are left out of rollups. Buckets merge exactly, so a coarser step is
 * answered by merging the buckets it covers.
 */
import { ByteReader, ByteWriter } from './bytes';
import { decodeTimes, decodeValues, encodeTimes, encodeValues, payloadOf, writeTimesWithLength, writeValuesWithLength } from './codec';
import { SecondBuckets } from './secondBuckets';
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
  addStats(b, v);
  b.sketch?.add(v);
}

/** Adds `v` to the bucket's count, min, max, sum and last, not to its sketch (the 1 h sketch is merged from the minutes': seriesState.ts). */
export function addStats(b: Bucket, v: number): void {
  b.count++;
  if (v < b.min) b.min = v;
  if (v > b.max) b.max = v;
  b.sum += v;
  b.last = v;
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
  writeBucketStats(w, b);
  if (b.sketch) { w.u8(1); b.sketch.encode(w); } else w.u8(0);
}

/** A bucket's start, count, min, max, sum and last as six numbers of `a` from `i` (the bucket columns' layout). */
export function putBucketStats(a: Float64Array, i: number, b: Bucket): void {
  a[i] = b.t;
  a[i + 1] = b.count;
  a[i + 2] = b.min;
  a[i + 3] = b.max;
  a[i + 4] = b.sum;
  a[i + 5] = b.last;
}

/** The part of `writeBucket` before the sketch: the start, count, min, max, sum and last. */
export function writeBucketStats(w: ByteWriter, b: Bucket): void {
  w.f64(b.t);
  w.uvar(b.count);
  w.f64(b.min);
  w.f64(b.max);
  w.f64(b.sum);
  w.f64(b.last);
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

/**
 * Buckets as columns, without an object per bucket: what queries of means, sums, counts,
 * minima, maxima and last values read (a decoded rollup block, a range of pending buckets).
 */
export interface BucketCols {
  n: number;
  t: ArrayLike<number>;
  count: ArrayLike<number>;
  min: ArrayLike<number>;
  max: ArrayLike<number>;
  sum: ArrayLike<number>;
  last: ArrayLike<number>;
}

/** A rollup block's payload as columns (its sketches, if any, are not read). */
export function decodeBucketCols(payload: Uint8Array, n: number): BucketCols {
  const r = new ByteReader(payload);
  const t = decodeTimes(r.lbytes(), n);
  const count = decodeValues(r.lbytes(), n);
  const min = decodeValues(r.lbytes(), n);
  const max = decodeValues(r.lbytes(), n);
  const sum = decodeValues(r.lbytes(), n);
  const last = decodeValues(r.lbytes(), n);
  return { n, t, count, min, max, sum, last };
}

/** Bucket objects as columns (the few coarse buckets, an open bucket). */
export function colsOfBuckets(bs: readonly Bucket[]): BucketCols {
  return { n: bs.length, t: bs.map((b) => b.t), count: bs.map((b) => b.count), min: bs.map((b) => b.min), max: bs.map((b) => b.max), sum: bs.map((b) => b.sum), last: bs.map((b) => b.last) };
}

/** Numbers the scratch of `BucketColumns.encode` keeps between calls at most (bigger lists get a buffer of their own). */
const SCRATCH_KEEP = 1 << 16;
let scratchCols = new Float64Array(0);

/** `n` numbers of scratch for one encode (not kept when the caller is done: nothing it returns may refer to it). */
export function encodeScratch(n: number): Float64Array {
  if (n > SCRATCH_KEEP) return new Float64Array(n);
  if (scratchCols.length < n) scratchCols = new Float64Array(Math.min(SCRATCH_KEEP, Math.max(n, 2 * scratchCols.length)));
  return scratchCols;
}

/**
 * The payload of a rollup block without sketches from `n` buckets laid out as six columns one
 * after the other in `all` (the starts, then the counts, mins, maxes, sums and lasts): the
 * bytes of `encodeBuckets` for the same buckets.
 */
export function encodeColumnsPayload(all: Float64Array, n: number): Uint8Array {
  // Assembled in the codec's reused writers, copied out at its exact size (payloadOf): the
  // payload waits in memory until the cut's write is done.
  return payloadOf((w) => {
    writeTimesWithLength(w, all.subarray(0, n), n);
    for (let f = 1; f < 6; f++) writeValuesWithLength(w, all.subarray(f * n, (f + 1) * n), n);
    w.u8(0);
  });
}

/** Buckets per chunk of a BucketColumns (6 numbers each). */
const CHUNK = 64;

/**
 * Chunks given back by the lists a cut has written (`release`), for the next lists: every cut
 * gives each series a new 1 s list, and at 10,000 series their first chunks (a 3 KB typed array
 * each) were all allocated in the appends of the second after the cut, when the first 1 s
 * buckets after it finish (a --cpu-prof of bench/load.bench.ts). At most this many are kept.
 */
const SPARE_CHUNKS_MAX = 16_384;
const spareChunks: Float64Array[] = [];

/**
 * Finished buckets without sketches (the 1 s tier waiting for the next cut), packed six
 * numbers per bucket in chunks of typed arrays. Between two cuts each series gathers up to
 * 300 of them; as objects with boxed numbers they cost about 136 bytes each (some 18 MB for
 * the demo's 450 series), here 48.
 */
export class BucketColumns {
  private chunks: Float64Array[] = [];
  length = 0;

  push(b: Bucket): void {
    const c = this.length % CHUNK;
    if (c === 0 && this.length / CHUNK >= this.chunks.length) this.chunks.push(spareChunks.pop() ?? new Float64Array(CHUNK * 6));
    putBucketStats(this.chunks[(this.length / CHUNK) | 0], c * 6, b);
    this.length++;
  }

  private field(k: number, f: number): number {
    return this.chunks[(k / CHUNK) | 0][(k % CHUNK) * 6 + f];
  }

  get(k: number): Bucket {
    const a = this.chunks[(k / CHUNK) | 0];
    const i = (k % CHUNK) * 6;
    return { t: a[i], count: a[i + 1], min: a[i + 2], max: a[i + 3], sum: a[i + 4], last: a[i + 5] };
  }

  /** Start of the first and the last bucket (NaN when empty). */
  get firstT(): number {
    return this.length ? this.field(0, 0) : NaN;
  }

  get lastT(): number {
    return this.length ? this.field(this.length - 1, 0) : NaN;
  }

  /** The buckets starting in [from, to], as objects (for queries and the checkpoint). */
  list(from = -Infinity, to = Infinity): Bucket[] {
    const out: Bucket[] = [];
    for (let k = 0; k < this.length; k++) {
      const t = this.field(k, 0);
      if (t >= from && t <= to) out.push(this.get(k));
    }
    return out;
  }

  /** The buckets starting in [from, to] as columns (the same as `list`), without making objects. */
  cols(from = -Infinity, to = Infinity): BucketCols {
    let n = 0;
    for (let k = 0; k < this.length; k++) {
      const t = this.field(k, 0);
      if (t >= from && t <= to) n++;
    }
    const c = [0, 1, 2, 3, 4, 5].map(() => new Float64Array(n));
    let j = 0;
    for (let k = 0; k < this.length; k++) {
      const a = this.chunks[(k / CHUNK) | 0];
      const i = (k % CHUNK) * 6;
      if (!(a[i] >= from && a[i] <= to)) continue;
      for (let f = 0; f < 6; f++) c[f][j] = a[i + f];
      j++;
    }
    return { n, t: c[0], count: c[1], min: c[2], max: c[3], sum: c[4], last: c[5] };
  }

  /**
   * Writes the first `n` buckets into `out` from `off` as columns, one after the other: the n
   * starts, then the n counts, mins, maxes, sums and lasts (what `cols()` gives, without its six
   * typed arrays: a cut packs some 10,000 lists for its encoding worker, and those 60,000 small
   * arrays were some 50 ms of the main thread and their garbage, a --cpu-prof of bench:load).
   */
  copyColumns(out: Float64Array, off: number, n: number): void {
    for (let k = 0; k < n; k++) {
      const a = this.chunks[(k / CHUNK) | 0];
      const i = (k % CHUNK) * 6;
      const o = off + k;
      out[o] = a[i];
      out[o + n] = a[i + 1];
      out[o + 2 * n] = a[i + 2];
      out[o + 3 * n] = a[i + 3];
      out[o + 4 * n] = a[i + 4];
      out[o + 5 * n] = a[i + 5];
    }
  }

  /**
   * The same payload as `encodeBuckets(this.list())`, without making the objects. The columns
   * are gathered into one scratch array kept between calls (encodeScratch): six new arrays per
   * series were a cut's largest garbage at the monitor's scale (450 series × 300 buckets, 6 MiB
   * of short-lived array buffers in the cut's slices, which malloc keeps as resident memory).
   */
  encode(): Uint8Array {
    const n = this.length;
    const all = encodeScratch(6 * n);
    for (let k = 0; k < n; k++) {
      const a = this.chunks[(k / CHUNK) | 0];
      const i = (k % CHUNK) * 6;
      for (let f = 0; f < 6; f++) all[f * n + k] = a[i + f];
    }
    return encodeColumnsPayload(all, n);
  }

  /** The checkpoint's part for this list: the count, then each bucket as `writeBucket` writes it. */
  writeEach(w: ByteWriter): void {
    w.uvar(this.length);
    for (let k = 0; k < this.length; k++) writeBucket(w, this.get(k));
  }

  /**
   * Empties the list and gives its chunks to the next lists (a chunk's old numbers are never
   * read: `push` writes a bucket's six before `length` covers them). Only for a list nothing
   * reads any more (the store's, once its block is made).
   */
  release(): void {
    for (const c of this.chunks) if (spareChunks.length < SPARE_CHUNKS_MAX) spareChunks.push(c);
    this.chunks = [];
    this.length = 0;
  }

  /** Keeps the last `keep` buckets. */
  keepLast(keep: number): void {
    if (this.length <= keep) return;
    const rest = this.list().slice(this.length - keep);
    this.clear();
    for (const b of rest) this.push(b);
  }

  clear(): void {
    this.chunks = [];
    this.length = 0;
  }
}

/** Where `BucketArray.bucketBytes` encodes a bucket before copying it out at its exact size. */
const scratch = new ByteWriter(4096);

/** Finished buckets of the coarser tiers (few, with sketches) as objects, with the interface of BucketColumns. */
export class BucketArray {
  /**
   * Each bucket's `writeBucket` bytes, kept from the first checkpoint that wrote it (undefined
   * until then): a finished bucket does not change, and under load some 50,000 of them wait
   * for their tier's write, each re-encoding its quantile sketch at every cut (docs/performance.md).
   * Each is an array of its exact size, held by later checkpoints until their file is written.
   *
   * Once a bucket has its bytes, its item keeps no sketch (see `bucketBytes`): the sketch is
   * read back from the bytes when asked for (`list`, `encode`).
   */
  private encoded: (Uint8Array | undefined)[] = [];

  constructor(private items: Bucket[] = []) {}

  get length(): number {
    return this.items.length;
  }

  push(b: Bucket): void {
    this.items.push(b);
  }

  get firstT(): number {
    return this.items.length ? this.items[0].t : NaN;
  }

  get lastT(): number {
    return this.items.length ? this.items[this.items.length - 1].t : NaN;
  }

  /** Bucket `k` whole: its sketch read back from its bytes when the item has given it up. */
  private whole(k: number): Bucket {
    const b = this.items[k];
    const e = this.encoded[k];
    return b.sketch || !e ? b : readBucket(new ByteReader(e));
  }

  /** The buckets starting in [from, to], with their sketches (new objects for those read back from bytes; never to be changed). */
  list(from = -Infinity, to = Infinity): Bucket[] {
    const out: Bucket[] = [];
    for (let k = 0; k < this.items.length; k++) {
      const t = this.items[k].t;
      if (t >= from && t <= to) out.push(this.whole(k));
    }
    return out;
  }

  /** As columns: count, min, max, sum and last are in the items, so no sketch is read back. */
  cols(from = -Infinity, to = Infinity): BucketCols {
    return colsOfBuckets(from === -Infinity && to === Infinity ? this.items : this.items.filter((b) => b.t >= from && b.t <= to));
  }

  encode(): Uint8Array {
    return encodeBuckets(this.list());
  }

  /** The checkpoint's part for this list: the count, then each bucket as `writeBucket` writes it. */
  writeEach(w: ByteWriter): void {
    w.uvar(this.items.length);
    for (let k = 0; k < this.items.length; k++) {
      const e = this.encoded[k];
      if (e) w.bytes(e);
      else writeBucket(w, this.items[k]);
    }
  }

  /**
   * Bucket `k` as `writeBucket` writes it, encoded at the first call and kept until the bucket
   * leaves the list (a checkpoint copies these bytes into its file; they are never changed).
   * From then on the item is a copy without the sketch: the sketch's objects (a dense array of
   * counts, 8 bytes a slot) took several times its bytes, and at the monitor's scale (the demo,
   * 650 series) the 1 min buckets waiting for the hourly write held about 0.65 MiB more of them
   * every minute until the hour's cut (1.8 MiB in bench/storeHourMemory.ts; docs/performance.md,
   * "Monitoring"). The bucket object itself
   * is not changed: the series may still hold it (a minute waiting to be merged into its hour).
   */
  bucketBytes(k: number): Uint8Array {
    let e = this.encoded[k];
    if (!e) {
      const b = this.items[k];
      scratch.len = 0;
      writeBucket(scratch, b);
      e = this.encoded[k] = scratch.buf.slice(0, scratch.len);
      if (b.sketch) this.items[k] = { t: b.t, count: b.count, min: b.min, max: b.max, sum: b.sum, last: b.last };
    }
    return e;
  }

  /** Encodes bucket `b` (by identity, searched from the end) as `bucketBytes` does, if the list holds it. */
  settle(b: Bucket): void {
    for (let k = this.items.length - 1; k >= 0; k--) {
      if (this.items[k] === b) { this.bucketBytes(k); return; }
      if (this.items[k].t < b.t) return;
    }
  }

  keepLast(keep: number): void {
    const drop = this.items.length - keep;
    if (drop <= 0) return;
    this.items.splice(0, drop);
    this.encoded.splice(0, drop);
  }

  clear(): void {
    this.items = [];
    this.encoded = [];
  }
}

/** Finished buckets of one tier waiting for a cut. */
export type PendingBuckets = SecondBuckets | BucketArray;

/** The pending lists of a series: the 1 s tier's SecondBuckets (rolled up from the head once a series holds it), the others as objects. */
export function newPending(lists?: readonly Bucket[][]): PendingBuckets[] {
  return TIERS.map((t, i) => {
    const p: PendingBuckets = t.sketch ? new BucketArray() : new SecondBuckets();
    for (const b of lists?.[i] ?? []) p.push(b);
    return p;
  });
}
