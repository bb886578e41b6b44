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
  /**
   * Finished buckets are written to disk when a cut crosses a multiple of this (others stay in
   * memory and in the checkpoint). The 1 h tier's every 6 hours, not daily: its buckets carry
   * quantile sketches, and a day of them waiting grew the store by some 0.35 MiB an hour at the
   * monitor's scale on the demo (470 series; bench/storeHourMemory.ts with BENCH_HOURS=24),
   * 4 MiB by 23:00 UTC; six hours of them hold a quarter of that. The 1 min tier's every 30
   * minutes, not hourly: its waiting buckets (about 130 bytes each in memory, 35 on disk) grew
   * the monitor's heap by 1.2 MiB every 20 minutes on the demo, 3.5 MiB before each hourly
   * write (heap snapshots at 10 and 30 minutes, docs/performance.md, session 15). Every 30
   * minutes, two simulated hours peak at 24.2 MiB instead of 28.3 (bench/storeHourMemory.ts
   * with BENCH_HOURS=2: the demo's scale, wide values) and the tier's files are 1.2% larger
   * (blocks of 30 buckets, not 60); a query of a day at 1 min reads twice the blocks (38 → 49
   * ms over 100 series, bench/diag/minuteTier.ts). Every 15 minutes saved 2 MiB more but made
   * that query nearly twice as slow again.
   */
  writeEveryMs: number;
  /**
   * Time window of one chunk file. The file being written keeps an index of its blocks in
   * memory (fileIndex.ts, about 44 bytes a block), and each tier gains a block per series at
   * each of its writes: the 1 s tier at every cut, the 1 min tier every 30 minutes, the 1 h tier
   * every 6 hours. The 1 min tier's files cover 12 hours, so their indexes hold 24 blocks a series
   * as the daily files of hourly writes did.
   * Over windows of a day, 7 days and 90 days those indexes grew for as long as a file was
   * written: at the monitor's scale on the demo (470 series, a cut every 5 minutes) the 1 s
   * file's alone by some 0.2 MiB an hour, 5 MiB by the day's end, and a week's 1 min file and a
   * season's 1 h file to 3.5 and 1.9 MiB (bench/storeHourMemory.ts with BENCH_HOURS=24,
   * docs/performance.md). With 2 hours, 12 hours and 7 days each index stays under about 14,000
   * blocks there. Reads do not depend on the windows: a file's time range is its trailer's, so
   * files written with other windows are read the same.
   */
  fileMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const TIERS: readonly Tier[] = [
  { name: '1s', ms: 1000, sketch: false, writeEveryMs: 0, fileMs: 2 * HOUR },
  { name: '1m', ms: 60_000, sketch: true, writeEveryMs: 30 * MINUTE, fileMs: 12 * HOUR },
  { name: '1h', ms: HOUR, sketch: true, writeEveryMs: 6 * HOUR, fileMs: 7 * DAY },
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
  // One buffer for the six columns: a query of a day of 1 min buckets decodes a block per
  // series per write of the tier (48 a day), and an ArrayBuffer per column was
  // most of its time (its allocation and the collector's sweeps).
  const all = new Float64Array(6 * n);
  const col = (k: number) => all.subarray(k * n, (k + 1) * n);
  const t = decodeTimes(r.lbytes(), n, col(0));
  const count = decodeValues(r.lbytes(), n, col(1));
  const min = decodeValues(r.lbytes(), n, col(2));
  const max = decodeValues(r.lbytes(), n, col(3));
  const sum = decodeValues(r.lbytes(), n, col(4));
  const last = decodeValues(r.lbytes(), n, col(5));
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

/** Where `BucketArray` encodes a bucket before it is copied into the list's bytes. */
const scratch = new ByteWriter(4096);

/** Buckets a `BucketArray` makes room for at first (a series' waiting hours, a day's first minutes). */
const FIRST_CAPACITY = 4;
/** Numbers per bucket in `BucketArray.stats`: putBucketStats' six, then the start and end of its bytes. */
const STRIDE = 8;
/** What an empty list holds (shared: never written, a list grows into arrays of its own first). */
const NO_NUMBERS = new Float64Array(0);
const NO_BYTES = new Uint8Array(0);

/**
 * Finished buckets of the coarser tiers (1 min, 1 h: with sketches), with the interface of
 * BucketColumns. They wait for their tier's write (an hour, a day), so at the monitor's scale
 * (the demo, about 460 series) some 27,000 minutes wait at the end of an hour.
 *
 * Each bucket's start, count, min, max, sum and last are six numbers of one array (`stats`),
 * and once a checkpoint has asked for its `writeBucket` bytes (`bucketBytes`, `pushBytes`),
 * those bytes are kept in one buffer per list (`bytes`) and the bucket object goes: the sketch
 * is read back from the bytes when asked for (`list`, `encode`). A finished bucket does not
 * change, so its bytes are encoded once, and a cut re-encodes only the open buckets. Before,
 * each waiting bucket was an object (its numbers boxed) holding an array of its bytes, each
 * with its own ArrayBuffer and malloc'ed store: about 0.9 MB of objects per 4,700 buckets, and
 * more in malloc, growing until the hour's write (docs/performance.md, "Monitoring").
 */
export class BucketArray {
  private n = 0;
  /**
   * STRIDE numbers per bucket: putBucketStats' six, then the start and end of its bytes in
   * `bytes` (-1, -1 until it has them). One array, not three: each typed array is some 300
   * bytes of objects besides its numbers, and every series has two of these lists.
   */
  private stats = NO_NUMBERS;
  /** The buckets whose bytes are not kept yet (the series may still hold one: a minute waiting to be merged into its hour). */
  private objs: (Bucket | undefined)[] = [];
  /**
   * The kept bytes, appended in the order they were asked for. Never changed below `used`:
   * views of it that a checkpoint holds stay valid when it grows or is trimmed (a new buffer then).
   */
  private bytes = NO_BYTES;
  private used = 0;

  constructor(items: readonly Bucket[] = []) {
    for (const b of items) this.push(b);
  }

  get length(): number {
    return this.n;
  }

  push(b: Bucket): void {
    if (STRIDE * this.n === this.stats.length) this.grow(Math.max(FIRST_CAPACITY, 2 * this.n));
    const i = STRIDE * this.n;
    putBucketStats(this.stats, i, b);
    this.stats[i + 6] = -1;
    this.stats[i + 7] = -1;
    this.objs.push(b);
    this.n++;
  }

  private grow(capacity: number): void {
    const stats = new Float64Array(STRIDE * capacity);
    stats.set(this.stats.subarray(0, STRIDE * this.n));
    this.stats = stats;
  }

  get firstT(): number {
    return this.n ? this.stats[0] : NaN;
  }

  get lastT(): number {
    return this.n ? this.stats[STRIDE * (this.n - 1)] : NaN;
  }

  /** The bytes of bucket `k`, which has them. */
  private kept(k: number): Uint8Array {
    return this.bytes.subarray(this.stats[STRIDE * k + 6], this.stats[STRIDE * k + 7]);
  }

  /** Bucket `k` whole: the object while the list has it, else read back from its bytes (a new object). */
  private whole(k: number): Bucket {
    return this.objs[k] ?? readBucket(new ByteReader(this.kept(k)));
  }

  /** The buckets starting in [from, to], with their sketches (new objects for those read back from bytes; never to be changed). */
  list(from = -Infinity, to = Infinity): Bucket[] {
    const out: Bucket[] = [];
    for (let k = 0; k < this.n; k++) {
      const t = this.stats[STRIDE * k];
      if (t >= from && t <= to) out.push(this.whole(k));
    }
    return out;
  }

  /** As columns, from `stats` (no sketch is read back). */
  cols(from = -Infinity, to = Infinity): BucketCols {
    const st = this.stats;
    const t: number[] = [];
    const count: number[] = [];
    const min: number[] = [];
    const max: number[] = [];
    const sum: number[] = [];
    const last: number[] = [];
    for (let i = 0; i < STRIDE * this.n; i += STRIDE) {
      if (!(st[i] >= from && st[i] <= to)) continue;
      t.push(st[i]);
      count.push(st[i + 1]);
      min.push(st[i + 2]);
      max.push(st[i + 3]);
      sum.push(st[i + 4]);
      last.push(st[i + 5]);
    }
    return { n: t.length, t, count, min, max, sum, last };
  }

  encode(): Uint8Array {
    return encodeBuckets(this.list());
  }

  /** The checkpoint's part for this list: the count, then each bucket as `writeBucket` writes it. */
  writeEach(w: ByteWriter): void {
    w.uvar(this.n);
    for (let k = 0; k < this.n; k++) {
      const b = this.objs[k];
      if (b) writeBucket(w, b);
      else w.bytes(this.kept(k));
    }
  }

  /**
   * Bucket `k` as `writeBucket` writes it (a view, never changed), encoded at the first call
   * and kept until the bucket leaves the list. From then on the list holds no object for it:
   * the sketch's objects (a dense array of counts, 8 bytes a slot) took several times its bytes
   * (bench/storeHourMemory.ts). The bucket object itself is not changed: the series may still
   * hold it (a minute waiting to be merged into its hour).
   */
  bucketBytes(k: number): Uint8Array {
    this.keep(k);
    return this.kept(k);
  }

  /**
   * Pushes to `parts` what `writeEach` writes after the count, each bucket's bytes kept as
   * `bucketBytes` keeps them: one view per run of buckets whose bytes lie one after the other
   * in `bytes` (usually one for the whole list: they are kept in time order).
   */
  pushBytes(parts: Uint8Array[]): void {
    let from = -1;
    let to = -1;
    for (let k = 0; k < this.n; k++) {
      this.keep(k);
      const s = this.stats[STRIDE * k + 6];
      if (s !== to) {
        if (from >= 0) parts.push(this.bytes.subarray(from, to));
        from = s;
      }
      to = this.stats[STRIDE * k + 7];
    }
    if (from >= 0) parts.push(this.bytes.subarray(from, to));
  }

  /** The bytes of the list's typed arrays (its numbers and kept bytes, spare room included). */
  get heldBytes(): number {
    return this.stats.byteLength + this.bytes.byteLength;
  }

  /** The number of buckets still held as objects (the others as bytes). */
  get objects(): number {
    let c = 0;
    for (let k = 0; k < this.n; k++) if (this.objs[k]) c++;
    return c;
  }

  /** Encodes bucket `k` into `bytes` if it is not there yet, and lets its object go. */
  private keep(k: number): void {
    const b = this.objs[k];
    if (!b) return;
    scratch.len = 0;
    writeBucket(scratch, b);
    const len = scratch.len;
    if (this.used + len > this.bytes.length) {
      // A new buffer (views of the old one stay valid), half as large again: a list of minutes
      // grows to 60 before its hour's write, and the spare room is held as long as the list.
      const bytes = new Uint8Array(Math.max(this.used + len, Math.ceil(1.5 * this.bytes.length)));
      bytes.set(this.bytes.subarray(0, this.used));
      this.bytes = bytes;
    }
    this.bytes.set(scratch.buf.subarray(0, len), this.used);
    this.stats[STRIDE * k + 6] = this.used;
    this.stats[STRIDE * k + 7] = this.used + len;
    this.used += len;
    this.objs[k] = undefined;
  }

  /** Encodes bucket `b` (by identity, searched from the end) as `bucketBytes` does, if the list holds it. */
  settle(b: Bucket): void {
    for (let k = this.n - 1; k >= 0; k--) {
      if (this.objs[k] === b) {
        this.keep(k);
        return;
      }
      if (this.stats[STRIDE * k] < b.t) return;
    }
  }

  /** Keeps the last `keep` buckets (their bytes copied into a new buffer: views of the old one stay as they were). */
  keepLast(keep: number): void {
    const drop = this.n - keep;
    if (drop <= 0) return;
    const left = Math.max(0, keep);
    const old = this.stats;
    const oldBytes = this.bytes;
    const objs = this.objs.slice(drop);
    this.clear();
    if (left === 0) return;
    this.grow(Math.max(FIRST_CAPACITY, left));
    this.stats.set(old.subarray(STRIDE * drop, STRIDE * (drop + left)));
    this.objs = objs;
    this.n = left;
    let size = 0;
    for (let k = 0; k < left; k++) if (this.stats[STRIDE * k + 6] >= 0) size += this.stats[STRIDE * k + 7] - this.stats[STRIDE * k + 6];
    this.bytes = size ? new Uint8Array(size) : NO_BYTES;
    for (let k = 0; k < left; k++) {
      const i = STRIDE * k;
      const s = this.stats[i + 6];
      if (s < 0) continue;
      const e = this.stats[i + 7];
      this.bytes.set(oldBytes.subarray(s, e), this.used);
      this.stats[i + 6] = this.used;
      this.stats[i + 7] = this.used + (e - s);
      this.used += e - s;
    }
  }

  clear(): void {
    this.n = 0;
    this.stats = NO_NUMBERS;
    this.objs = [];
    this.bytes = NO_BYTES;
    this.used = 0;
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
