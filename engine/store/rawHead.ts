/**
 * A series' raw samples since the last cut (the head), as two Float64Arrays and a length.
 *
 * Why not two JS arrays: a JS array grows by allocating a 1.5 times larger copy and leaving the
 * old one as garbage, and at every cut the whole head was dropped and grown again from nothing;
 * at the demo's scale (650 series, some 400,000 samples in 5 minutes) that was about 5 MiB of the
 * heap dropped at each cut and as much again of the copies made while it grew, all waiting in
 * the old generation for the next mark-compact while the new head grew (docs/performance.md,
 * "Monitoring"). Here a cut keeps the arrays and the next head is written into them from the
 * start: after the first cut a series' head allocates nothing (and lives outside V8's heap).
 */
export class RawHead {
  t: Float64Array;
  v: Float64Array;
  length = 0;

  constructor(capacity = 16) {
    this.t = new Float64Array(capacity);
    this.v = new Float64Array(capacity);
  }

  push(t: number, v: number): void {
    const n = this.length;
    if (n === this.t.length) this.resize(n + (n >> 1) + 16);
    this.t[n] = t;
    this.v[n] = v;
    this.length = n + 1;
  }

  /** The times of samples `from` to `to` (exclusive): a view, valid until the head changes. */
  times(from = 0, to = this.length): Float64Array {
    return this.t.subarray(from, to);
  }

  /** The values of samples `from` to `to` (exclusive): a view, valid until the head changes. */
  values(from = 0, to = this.length): Float64Array {
    return this.v.subarray(from, to);
  }

  /**
   * Removes the first `n` samples (a cut wrote them; samples appended since move to the
   * front). The arrays are kept for the next head unless they are more than twice what this
   * head held (a series that slowed down): then they are made smaller.
   */
  dropFirst(n: number): void {
    const rest = this.length - n;
    if (n === 0) return;
    if (this.t.length > 2 * this.length + 256) {
      const t = this.t;
      const v = this.v;
      const cap = this.length + (this.length >> 2) + 16;
      this.t = new Float64Array(cap);
      this.v = new Float64Array(cap);
      this.t.set(t.subarray(n, n + rest));
      this.v.set(v.subarray(n, n + rest));
    } else if (rest > 0) {
      this.t.copyWithin(0, n, n + rest);
      this.v.copyWithin(0, n, n + rest);
    }
    this.length = rest;
  }

  /** Empties the head (its samples are written), keeping the arrays. */
  clear(): void {
    this.dropFirst(this.length);
  }

  private resize(cap: number): void {
    const t = new Float64Array(cap);
    const v = new Float64Array(cap);
    t.set(this.t.subarray(0, this.length));
    v.set(this.v.subarray(0, this.length));
    this.t = t;
    this.v = v;
  }
}
