/**
 * The 1 s tier's finished buckets waiting for the next cut (every cut writes them all:
 * TIERS[0].writeEveryMs is 0).
 *
 * Most of them are not held at all: they are the buckets of the series' raw head, which the
 * store keeps until the same cut anyway, so they are rolled up from the head's samples when
 * they are asked for (a query, a checkpoint, the cut's encoding): the same additions in the
 * same order as `SeriesState.ingest` made, so the same numbers. Held as numbers ("kept") are
 * only the buckets whose samples are not all in the head: the bucket open at a cut (its first
 * samples go into that cut's raw block), the buckets a checkpoint restored, and those of a head
 * dropped early. Holding every bucket beside the head (48 bytes a bucket, in typed-array chunks)
 * was 6-9 MiB of the monitor's memory at the demo's 650 series just before each cut, when its
 * memory peaks (docs/performance.md, "Monitoring").
 *
 * Rolled up are the finite samples of the head whose bucket starts at or after `from` (a
 * multiple of the tier's width) and before the series' open 1 s bucket; `rolled` counts their
 * buckets (SeriesState counts each as it finishes: a cut must know its blocks' sizes without a
 * pass over every head). Kept buckets all start before `from`, so kept ones come first.
 */
import type { ByteWriter } from './bytes';
import type { HeadTimes, RawHead } from './rawHead';
import { encodeColumnsPayload, encodeScratch, putBucketStats, writeBucket, type Bucket, type BucketCols } from './rollup';

/** The 1 s tier's width (TIERS[0].ms; a literal here: rollup.ts imports this file, so TIERS may not exist yet when it runs; seriesState.ts checks it). */
export const SECOND_MS = 1000;
const SEC = SECOND_MS;

/** What a live list reads of its series. */
export interface SecondsSource {
  readonly head: RawHead;
  /** The last sample's time (finite or not). */
  readonly lastT: number;
  /** The open 1 s bucket's start, or undefined when none is open. */
  readonly openSecond: number | undefined;
}

/** The first index of the sorted `a` whose value is `>= x`. */
function lowerBound(a: ArrayLike<number>, x: number, lo = 0, hi = a.length): number {
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (a[m] < x) lo = m + 1;
    else hi = m;
  }
  return lo;
}

/**
 * Rolls the finite samples `i0..i1` (times `base + t[i]`) up into 1 s buckets, written from index
 * `k` as columns of stride `stride` in `out` (the starts at `off + k`, the counts at
 * `off + stride + k`, …), at most `max` buckets; returns how many were written.
 */
function rollInto(t: HeadTimes, base: number, v: ArrayLike<number>, i0: number, i1: number, out: Float64Array, off: number, stride: number, k: number, max: number): number {
  let n = 0;
  let start = NaN;
  let o = 0;
  for (let i = i0; i < i1; i++) {
    const x = v[i];
    if (x !== x) continue;
    const s = Math.floor((base + t[i]) / SEC) * SEC;
    if (s === start) {
      out[o + stride]++;
      if (x < out[o + 2 * stride]) out[o + 2 * stride] = x;
      if (x > out[o + 3 * stride]) out[o + 3 * stride] = x;
      out[o + 4 * stride] += x;
      out[o + 5 * stride] = x;
    } else {
      if (n === max) break;
      start = s;
      o = off + k + n;
      n++;
      out[o] = s;
      out[o + stride] = 1;
      out[o + 2 * stride] = x;
      out[o + 3 * stride] = x;
      out[o + 4 * stride] = x;
      out[o + 5 * stride] = x;
    }
  }
  return n;
}

/** The number of 1 s buckets of the finite samples `i0..i1` (times `base + t[i]`). */
function countBuckets(t: HeadTimes, base: number, v: ArrayLike<number>, i0: number, i1: number): number {
  let n = 0;
  let start = NaN;
  for (let i = i0; i < i1; i++) {
    if (v[i] !== v[i]) continue;
    const s = Math.floor((base + t[i]) / SEC) * SEC;
    if (s !== start) { n++; start = s; }
  }
  return n;
}

const NONE = new Float64Array(0);

/** Head samples a list rolls up: `i0..i1`, times `base + t[i]` (rawHead.ts). */
interface HeadRange { t: HeadTimes; base: number; v: ArrayLike<number>; i0: number; i1: number }

export class SecondBuckets {
  /** Kept buckets, six numbers each (start, count, min, max, sum, last), `keptN` of them. */
  private kept: Float64Array = NONE;
  private keptN = 0;
  /** Buckets rolled up from the head (see the file's comment). */
  rolled = 0;
  /** Where the rolled-up buckets start (a multiple of 1 s; +Infinity: nothing is rolled up). */
  from = Infinity;
  /** The series of a live list; undefined for a list a cut took (`take`) or one made from buckets. */
  private src: SecondsSource | undefined;
  /** The head samples of a list a cut took. */
  private frozen: HeadRange | undefined;

  /** Makes this the live list of `src`: finished buckets from `from` on are rolled up from its head. */
  attach(src: SecondsSource): void {
    this.materialize();
    this.src = src;
    this.from = restartFrom(src);
  }

  get length(): number {
    return this.keptN + this.rolled;
  }

  /** Keeps a finished bucket (one that starts before `from`, or any bucket of a list without a series). */
  push(b: Bucket): void {
    if (this.rolled !== 0) throw new Error('SecondBuckets.push after rolled-up buckets'); // kept ones must come first
    if ((this.keptN + 1) * 6 > this.kept.length) {
      const grown = new Float64Array(Math.max(6, 2 * this.kept.length));
      grown.set(this.kept);
      this.kept = grown;
    }
    putBucketStats(this.kept, this.keptN++ * 6, b);
  }

  /** The head samples rolled up now (live: from `from` to the open bucket). */
  private head(): HeadRange | undefined {
    if (this.rolled === 0) return undefined;
    if (this.frozen) return this.frozen;
    const s = this.src!;
    const { t, v, length, base } = s.head;
    const open = s.openSecond;
    const i0 = lowerBound(t, this.from - base, 0, length);
    return { t, base, v, i0, i1: open === undefined ? length : lowerBound(t, open - base, i0, length) };
  }

  /**
   * Takes the finished buckets for a cut: a list of them is returned (still rolled up from the
   * same head arrays until its block is made, or until `materialize`, which must come before the
   * head drops those samples: store.ts, sealed), and this list starts anew
   * after them: the open bucket's samples go into the cut's raw block, so it is kept when it finishes.
   */
  take(): SecondBuckets {
    const out = new SecondBuckets();
    out.kept = this.kept;
    out.keptN = this.keptN;
    out.rolled = this.rolled;
    out.from = this.from;
    out.frozen = this.head();
    this.kept = NONE;
    this.keptN = 0;
    this.rolled = 0;
    if (this.src) this.from = restartFrom(this.src);
    return out;
  }

  /** Turns the rolled-up buckets into kept ones, and rolls up only later ones from now on (the head is about to lose its samples). */
  materialize(): void {
    const h = this.head();
    if (this.src) this.from = restartFrom(this.src);
    if (!h) return;
    const n = this.rolled;
    const cols = encodeScratch(6 * n);
    const got = rollInto(h.t, h.base, h.v, h.i0, h.i1, cols, 0, n, 0, n);
    if (got !== n) throw new Error(`1 s buckets: ${got} rolled up where ${n} finished`);
    this.rolled = 0;
    this.frozen = undefined;
    for (let k = 0; k < n; k++) this.push({ t: cols[k], count: cols[n + k], min: cols[2 * n + k], max: cols[3 * n + k], sum: cols[4 * n + k], last: cols[5 * n + k] });
  }

  /** All buckets as six columns one after the other in a scratch array (see encodeScratch: used before the next encode). */
  private columns(n = this.length): Float64Array {
    const all = encodeScratch(6 * n);
    const kn = Math.min(n, this.keptN);
    const a = this.kept;
    for (let k = 0; k < kn; k++) for (let f = 0; f < 6; f++) all[f * n + k] = a[k * 6 + f];
    const h = this.head();
    if (h && n > kn) {
      const got = rollInto(h.t, h.base, h.v, h.i0, h.i1, all, 0, n, kn, n - kn);
      if (got !== n - kn) throw new Error(`1 s buckets: ${got} rolled up where ${n - kn} were asked for`);
    }
    return all;
  }

  get firstT(): number {
    if (this.keptN) return this.kept[0];
    const h = this.head();
    if (!h) return NaN;
    for (let i = h.i0; i < h.i1; i++) if (h.v[i] === h.v[i]) return Math.floor((h.base + h.t[i]) / SEC) * SEC;
    return NaN;
  }

  get lastT(): number {
    const h = this.head();
    if (h) for (let i = h.i1 - 1; i >= h.i0; i--) if (h.v[i] === h.v[i]) return Math.floor((h.base + h.t[i]) / SEC) * SEC;
    return this.keptN ? this.kept[(this.keptN - 1) * 6] : NaN;
  }

  /** The buckets starting in [from, to] as columns, in time order. */
  cols(from = -Infinity, to = Infinity): BucketCols {
    let n = 0;
    for (let k = 0; k < this.keptN; k++) {
      const t = this.kept[k * 6];
      if (t >= from && t <= to) n++;
    }
    // The head samples of buckets starting in [from, to]: a bucket's start is a multiple of 1 s.
    const h = this.head();
    let i0 = 0, i1 = 0;
    if (h) {
      i0 = lowerBound(h.t, Math.ceil(from / SEC) * SEC - h.base, h.i0, h.i1);
      i1 = lowerBound(h.t, Math.floor(to / SEC) * SEC + SEC - h.base, i0, h.i1);
      n += countBuckets(h.t, h.base, h.v, i0, i1);
    }
    const all = new Float64Array(6 * n);
    let j = 0;
    for (let k = 0; k < this.keptN; k++) {
      const i = k * 6;
      const t = this.kept[i];
      if (!(t >= from && t <= to)) continue;
      for (let f = 0; f < 6; f++) all[f * n + j] = this.kept[i + f];
      j++;
    }
    if (h) rollInto(h.t, h.base, h.v, i0, i1, all, 0, n, j, n - j);
    const col = (f: number) => all.subarray(f * n, (f + 1) * n);
    return { n, t: col(0), count: col(1), min: col(2), max: col(3), sum: col(4), last: col(5) };
  }

  /** The buckets starting in [from, to] as objects. */
  list(from = -Infinity, to = Infinity): Bucket[] {
    const c = this.cols(from, to);
    const out: Bucket[] = new Array(c.n);
    for (let k = 0; k < c.n; k++) out[k] = { t: c.t[k], count: c.count[k], min: c.min[k], max: c.max[k], sum: c.sum[k], last: c.last[k] };
    return out;
  }

  /** The first `n` buckets as columns one after the other from `off` in `out` (the cut's packing for its encoding worker). */
  copyColumns(out: Float64Array, off: number, n: number): void {
    const all = this.columns(n);
    out.set(all.subarray(0, 6 * n), off);
  }

  /** The block's payload: the bytes of `encodeBuckets(this.list())`. */
  encode(): Uint8Array {
    const n = this.length;
    return encodeColumnsPayload(this.columns(n), n);
  }

  /** The checkpoint's part for this list: the count, then each bucket as `writeBucket` writes it. */
  writeEach(w: ByteWriter): void {
    const n = this.length;
    w.uvar(n);
    if (n === 0) return;
    const all = this.columns(n);
    const b: Bucket = { t: 0, count: 0, min: 0, max: 0, sum: 0, last: 0 };
    for (let k = 0; k < n; k++) {
      b.t = all[k];
      b.count = all[n + k];
      b.min = all[2 * n + k];
      b.max = all[3 * n + k];
      b.sum = all[4 * n + k];
      b.last = all[5 * n + k];
      writeBucket(w, b);
    }
  }

  /** Keeps the last `keep` buckets (a read-only store's memory-only series). */
  keepLast(keep: number): void {
    if (this.length <= keep) return;
    this.materialize();
    const drop = this.keptN - keep;
    this.kept = this.kept.slice(drop * 6, this.keptN * 6);
    this.keptN = keep;
  }

  /** Empties the list as a cut that wrote it does (the open bucket is kept when it finishes). */
  clear(): void {
    this.kept = NONE;
    this.keptN = 0;
    this.rolled = 0;
    this.frozen = undefined;
    if (this.src) this.from = restartFrom(this.src);
  }

  /** Lets go of the head and the kept numbers (a taken list whose block is made). */
  release(): void {
    this.clear();
  }
}

/**
 * Where a live list's rolled-up buckets may start now: after the open bucket (its samples so
 * far may leave the head without it), else after the last sample's second.
 */
function restartFrom(s: SecondsSource): number {
  const open = s.openSecond;
  return open !== undefined ? open + SEC : Math.floor(s.lastT / SEC) * SEC + SEC;
}
