/**
 * A series' raw samples since the last cut (the head): the times as 32-bit offsets from the
 * head's first sample, the values as a Float64Array, and a length.
 *
 * Why not two JS arrays: a JS array grows by allocating a 1.5 times larger copy and leaving the
 * old one as garbage, and at every cut the whole head was dropped and grown again from nothing;
 * at the demo's scale (650 series, some 400,000 samples in 5 minutes) that was about 5 MiB of the
 * heap dropped at each cut and as much again of the copies made while it grew, all waiting in
 * the old generation for the next mark-compact while the new head grew (docs/performance.md,
 * "Monitoring"). Here a cut keeps the arrays and the next head is written into them from the
 * start: after the first cut a series' head allocates nothing (and lives outside V8's heap).
 *
 * Why offsets: the store's times are whole milliseconds (store.ts rounds them) and a head spans
 * minutes, so `time - base` fits 32 bits exactly: half the memory of Float64 times (some 2 MiB
 * at the monitor's scale, held all the time and largest just before each cut, when its memory
 * peaks). A time that does not fit (a head spanning more than 49 days, or one that is not a
 * whole millisecond: tests of SeriesState alone) turns the head "wide": absolute times in a
 * Float64Array and a base of 0, with the same arithmetic, until the head is emptied.
 *
 * Why float32 values first: most of the monitor's series hold values that a float32 holds
 * exactly (counts, pages of memory, byte totals in kB, process_up, threads, most gauges of the
 * scrapes: 266 of 483 series of a 20-minute run, every value of them), and a float32 that holds
 * a value gives it back as the same float64. So a head keeps its values in a Float32Array until
 * a value comes that it would change (a ratio, a rate, a quantile), and from then on in a
 * Float64Array (widened once, kept so). Half the memory of the values of those series' heads.
 */

/** A head's times: offsets from `base` (Uint32Array), or absolute times with a base of 0 (Float64Array, a wide head). */
export type HeadTimes = Uint32Array | Float64Array;
/** A head's values: float32s while every value is one exactly, else float64s (see the file's comment). */
export type HeadValues = Float32Array | Float64Array;

/** Scratch for `timesView` (absolute times for the cut's encoding); not kept past this many numbers. */
const SCRATCH_KEEP = 1 << 16;
let timesScratch = new Float64Array(0);

export class RawHead {
  /** The samples' times as `base + t[i]` (see the file's comment). */
  t: HeadTimes;
  /** The first sample's time (0 in a wide head). */
  base = 0;
  v: HeadValues;
  length = 0;
  /** A cut has dropped samples: the arrays are sized from a whole head (see dropFirst). */
  private cut = false;

  constructor(capacity = 16) {
    this.t = new Uint32Array(capacity);
    this.v = new Float32Array(capacity);
  }

  /** The time of sample `i`. */
  time(i: number): number {
    return this.base + this.t[i];
  }

  push(t: number, v: number): void {
    const n = this.length;
    // By half while the first head fills (few copies), by an eighth after a cut (see dropFirst).
    if (n === this.t.length) this.resize(n + (this.cut ? n >> 3 : n >> 1) + 16);
    if (n === 0 && this.t instanceof Uint32Array) this.base = t;
    let o = t - this.base;
    if (o !== o >>> 0 && this.t instanceof Uint32Array) {
      this.widen();
      o = t;
    }
    this.t[n] = o;
    // NaN (a gap) is kept as a NaN either way; any other value a float32 would change widens the values.
    if (this.v instanceof Float32Array && Math.fround(v) !== v && v === v) this.widenValues();
    this.v[n] = v;
    this.length = n + 1;
  }

  /** The values as float64s from now on (a value a float32 would change: see the file's comment). */
  private widenValues(): void {
    const v = new Float64Array(this.v.length);
    v.set(this.v.subarray(0, this.length));
    this.v = v;
  }

  /** Absolute times of samples `from` to `to` (exclusive) in a new array (queries). */
  times(from = 0, to = this.length): Float64Array {
    const out = new Float64Array(to - from);
    this.timesInto(out, 0, from, to);
    return out;
  }

  /**
   * Absolute times of samples `from` to `to` (exclusive) in a scratch array shared by every head:
   * valid until the next call (the cut's encoding, which reads them at once).
   */
  timesView(from = 0, to = this.length): Float64Array {
    const n = to - from;
    if (n > SCRATCH_KEEP) return this.times(from, to);
    if (timesScratch.length < n) timesScratch = new Float64Array(Math.min(SCRATCH_KEEP, Math.max(n, 2 * timesScratch.length)));
    this.timesInto(timesScratch, 0, from, to);
    return timesScratch.subarray(0, n);
  }

  /** Writes the absolute times of samples `from` to `to` (exclusive) into `out` from `off`. */
  timesInto(out: Float64Array, off: number, from = 0, to = this.length): void {
    const t = this.t;
    const base = this.base;
    for (let i = from; i < to; i++) out[off + i - from] = base + t[i];
  }

  /** The indexes `[i0, i1)` of the samples whose times are in `[from, to]`. */
  indexRange(from: number, to: number): [number, number] {
    const t = this.t;
    const search = (x: number, lo: number) => {
      let hi = this.length;
      while (lo < hi) {
        const m = (lo + hi) >>> 1;
        if (t[m] < x) lo = m + 1;
        else hi = m;
      }
      return lo;
    };
    const i0 = search(from - this.base, 0);
    // The first index past `to`: the first time >= to + 1 (times are whole ms) would miss a fractional one, so search above `to` exactly.
    let i1 = search(to - this.base, i0);
    while (i1 < this.length && this.t[i1] + this.base <= to) i1++;
    return [i0, i1];
  }

  /** The values of samples `from` to `to` (exclusive): a view, valid until the head changes. */
  values(from = 0, to = this.length): HeadValues {
    return this.v.subarray(from, to);
  }

  /**
   * Removes the first `n` samples (a cut wrote them; samples appended since move to the front,
   * their offsets now from the first of them). The arrays are kept for the next head, which
   * holds about as many samples (the same rate for the same five minutes), unless they are more
   * than an eighth larger than this head: grown by half at a time, a series at 10 Hz had room
   * for 4,112 samples where 3,000 came, a quarter of its arrays empty for good (0.6 MiB at the
   * demo's scale, docs/performance.md, "Monitoring"). They are then made to fit this head with
   * a sixteenth to spare, once, and grow by an eighth from then on.
   */
  dropFirst(n: number): void {
    const rest = this.length - n;
    if (n === 0) return;
    const wide = this.t instanceof Float64Array;
    // The new base: the first sample kept (a wide head keeps absolute times; emptied, it turns narrow again).
    const shift = !wide && rest > 0 ? this.t[n] : 0;
    this.cut = true;
    if (this.t.length > this.length + (this.length >> 3) + 64 || (wide && rest === 0)) {
      const t = this.t;
      const v = this.v;
      const cap = this.length + (this.length >> 4) + 32;
      this.t = wide && rest > 0 ? new Float64Array(cap) : new Uint32Array(cap);
      this.v = this.v instanceof Float32Array ? new Float32Array(cap) : new Float64Array(cap);
      for (let i = 0; i < rest; i++) this.t[i] = t[n + i] - shift;
      this.v.set(v.subarray(n, n + rest));
      if (wide && rest === 0) this.base = 0;
    } else if (rest > 0) {
      const t = this.t;
      if (shift === 0) t.copyWithin(0, n, n + rest);
      else for (let i = 0; i < rest; i++) t[i] = t[n + i] - shift;
      this.v.copyWithin(0, n, n + rest);
    }
    this.base += shift;
    this.length = rest;
  }

  /** Empties the head (its samples are written), keeping the arrays. */
  clear(): void {
    this.dropFirst(this.length);
  }

  /** Turns the times absolute (a time that does not fit an offset: see the file's comment). */
  private widen(): void {
    const t = new Float64Array(this.t.length);
    this.timesInto(t, 0, 0, this.length);
    this.t = t;
    this.base = 0;
  }

  private resize(cap: number): void {
    const t = this.t instanceof Uint32Array ? new Uint32Array(cap) : new Float64Array(cap);
    const v = this.v instanceof Float32Array ? new Float32Array(cap) : new Float64Array(cap);
    t.set(this.t.subarray(0, this.length));
    v.set(this.v.subarray(0, this.length));
    this.t = t;
    this.v = v;
  }
}
