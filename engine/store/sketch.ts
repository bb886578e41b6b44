/**
 * A mergeable quantile sketch with a relative-error guarantee, after DDSketch
 * (Masson, Rim and Lee, VLDB 2019). Values fall into logarithmic buckets
 * (γ^(k-1), γ^k] with γ = (1+α)/(1-α); a quantile is answered with the bucket's
 * midpoint 2γ^k/(γ+1), which is within a relative error α of every value of the bucket.
 *
 * Guarantee: for 0 <= q <= 1, `quantile(q)` is within α·|x| of x = the exact quantile
 * `sorted[floor(q·(n-1))]` of the values added (or merged), for |x| >= MIN_VALUE;
 * values with |v| < MIN_VALUE count as 0. ±Infinity are kept in their own counters;
 * NaN is ignored. Sketches with the same α merge exactly (bucket counts add up).
 *
 * The counts per bucket key are a dense array (`Bins`): the store adds one sample to a
 * sketch per series at 10 Hz, and an array slot is several times cheaper than a Map entry,
 * in time and in memory, while the keys of one bucket's values lie close together.
 */
import { ByteReader, ByteWriter } from './bytes';

export const DEFAULT_RELATIVE_ACCURACY = 0.01;
export const MIN_VALUE = 1e-9;

/**
 * Largest span of keys kept dense (8 KiB of counts): at α = 1 %, values from 1 to 8·10^8 within
 * one bucket of time. Wider (values from 1e-9 to 1e300 in one minute) fall back to a Map, so
 * no series can make a sketch of 36,000 slots (the whole float range).
 */
export const MAX_DENSE_SPAN = 1024;

/** Counts per bucket key: dense from `offset` while the keys span at most MAX_DENSE_SPAN, else a Map. */
export class Bins {
  /** counts[i] is the count of key offset + i (zero for keys not seen). */
  private counts: number[] = [];
  private offset = 0;
  private sparse: Map<number, number> | undefined;

  add(k: number, n: number): void {
    const i = k - this.offset;
    if (i >= 0 && i < this.counts.length) this.counts[i] += n;
    else this.addOutside(k, n);
  }

  private addOutside(k: number, n: number): void {
    if (this.sparse) { this.sparse.set(k, (this.sparse.get(k) ?? 0) + n); return; }
    const c = this.counts;
    const len = c.length;
    if (len === 0) { this.offset = k; c.push(n); return; }
    const lo = Math.min(k, this.offset);
    const hi = Math.max(k, this.offset + len - 1);
    if (hi - lo >= MAX_DENSE_SPAN) {
      this.toSparse();
      this.sparse!.set(k, (this.sparse!.get(k) ?? 0) + n);
      return;
    }
    if (k >= this.offset + len) {
      // push: V8 grows the backing store geometrically, so growing upwards is amortized O(1)
      while (c.length < k - this.offset) c.push(0);
      c.push(n);
      return;
    }
    // Downwards: a new array, with room below for the next keys (amortized too).
    const newOffset = Math.max(k - (len >> 1), hi - MAX_DENSE_SPAN + 1);
    const a: number[] = [];
    for (let j = newOffset; j < this.offset; j++) a.push(0);
    for (let j = 0; j < len; j++) a.push(c[j]);
    this.counts = a;
    this.offset = newOffset;
    a[k - newOffset] += n;
  }

  private toSparse(): void {
    const m = new Map<number, number>();
    this.forEach((k, c) => { m.set(k, c); });
    this.sparse = m;
    this.counts = [];
    this.offset = 0;
  }

  /** Visits the keys with a non-zero count in ascending (or descending) order until fn returns true. */
  visit(descending: boolean, fn: (k: number, count: number) => boolean | void): void {
    if (this.sparse) {
      const m = this.sparse;
      const keys = [...m.keys()].sort(descending ? (a, b) => b - a : (a, b) => a - b);
      for (const k of keys) { const c = m.get(k)!; if (c !== 0 && fn(k, c) === true) return; }
      return;
    }
    const c = this.counts;
    if (descending) { for (let i = c.length - 1; i >= 0; i--) if (c[i] !== 0 && fn(this.offset + i, c[i]) === true) return; }
    else for (let i = 0; i < c.length; i++) if (c[i] !== 0 && fn(this.offset + i, c[i]) === true) return;
  }

  forEach(fn: (k: number, count: number) => void): void {
    this.visit(false, fn);
  }

  /** Number of keys with a non-zero count. */
  get size(): number {
    let n = 0;
    this.forEach(() => { n++; });
    return n;
  }

  /**
   * Writes the pos/neg part of `QuantileSketch.encode` for the sum of `list` (as if merged into
   * one), without making the sum: the count of keys, then each key (svar the first, uvar the
   * deltas) and its count, ascending.
   */
  static encodeSum(w: ByteWriter, list: readonly Bins[]): void {
    // Index loops only, no closures or iterators: it runs for every key of every series' hour at
    // each cut, and `for…of` and a closure per key were some 3 MiB of garbage per cut (a heap
    // profile of bench/storeCutMemory.ts).
    let lo = Infinity;
    let hi = -Infinity;
    let sparse = false;
    for (let j = 0; j < list.length; j++) {
      const b = list[j];
      if (b.sparse) sparse = true;
      else if (b.counts.length) {
        if (b.offset < lo) lo = b.offset;
        if (b.offset + b.counts.length - 1 > hi) hi = b.offset + b.counts.length - 1;
      }
    }
    if (sparse || hi - lo > 64 * MAX_DENSE_SPAN) {
      // Rare (values spread over many decades in an hour): the sum as a Map.
      const m = new Map<number, number>();
      for (const b of list) b.forEach((k, c) => { m.set(k, (m.get(k) ?? 0) + c); });
      const keys = [...m.keys()].filter((k) => m.get(k) !== 0).sort((a, b) => a - b);
      w.uvar(keys.length);
      let prev = NaN;
      for (const k of keys) {
        if (prev !== prev) w.svar(k);
        else w.uvar(k - prev);
        prev = k;
        w.uvar(m.get(k)!);
      }
      return;
    }
    let n = 0;
    for (let k = lo; k <= hi; k++) if (Bins.sumAt(list, k) !== 0) n++;
    w.uvar(n);
    let prev = NaN;
    for (let k = lo; k <= hi; k++) {
      const c = Bins.sumAt(list, k);
      if (c === 0) continue;
      if (prev !== prev) w.svar(k);
      else w.uvar(k - prev);
      prev = k;
      w.uvar(c);
    }
  }

  /** The sum of the counts of key `k` in the dense `list`. */
  private static sumAt(list: readonly Bins[], k: number): number {
    let c = 0;
    for (let j = 0; j < list.length; j++) {
      const b = list[j];
      const i = k - b.offset;
      if (i >= 0 && i < b.counts.length) c += b.counts[i];
    }
    return c;
  }

  merge(o: Bins): void {
    const oc = o.counts;
    if (!o.sparse && !this.sparse && oc.length > 0) {
      // Make room for o's keys once (a zero count is no key), then add slot by slot.
      this.add(o.offset, 0);
      this.add(o.offset + oc.length - 1, 0);
      if (!this.sparse) {
        const c = this.counts;
        const d = o.offset - this.offset;
        for (let i = 0; i < oc.length; i++) c[d + i] += oc[i];
        return;
      }
    }
    o.forEach((k, c) => this.add(k, c));
  }
}

export class QuantileSketch {
  readonly gamma: number;
  private readonly lnGamma: number;
  readonly pos = new Bins();
  readonly neg = new Bins();
  zero = 0;
  posInf = 0;
  negInf = 0;
  count = 0;
  /** The last positive value added and its key: gauges repeat values, so the logarithm is often known. */
  private lastV = NaN;
  private lastK = 0;

  constructor(readonly alpha = DEFAULT_RELATIVE_ACCURACY) {
    this.gamma = (1 + alpha) / (1 - alpha);
    this.lnGamma = Math.log(this.gamma);
  }

  add(v: number, n = 1): void {
    if (v !== v) return;
    this.count += n;
    if (v >= MIN_VALUE) {
      if (v === Infinity) this.posInf += n;
      else {
        if (v !== this.lastV) { this.lastV = v; this.lastK = Math.ceil(Math.log(v) / this.lnGamma); }
        this.pos.add(this.lastK, n);
      }
    } else if (v <= -MIN_VALUE) {
      if (v === -Infinity) this.negInf += n;
      else this.neg.add(Math.ceil(Math.log(-v) / this.lnGamma), n);
    } else this.zero += n;
  }

  merge(o: QuantileSketch): void {
    this.pos.merge(o.pos);
    this.neg.merge(o.neg);
    this.zero += o.zero;
    this.posInf += o.posInf;
    this.negInf += o.negInf;
    this.count += o.count;
  }

  /**
   * The midpoint of bucket k. For values near Number.MAX_VALUE it overflows: the largest
   * double is then nearer every value of the bucket than the midpoint (which lies above them).
   */
  private value(k: number): number {
    const p = Math.pow(this.gamma, k);
    if (p < 8e307) return (2 * p) / (this.gamma + 1); // (2p would overflow above)
    return Math.min(p * (2 / (this.gamma + 1)), Number.MAX_VALUE);
  }

  /** The estimated q-quantile (0 <= q <= 1); NaN when empty. */
  quantile(q: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.floor(Math.min(1, Math.max(0, q)) * (this.count - 1));
    let seen = this.negInf;
    if (rank < seen) return -Infinity;
    let found = NaN;
    // Negative values ascending: their keys descending.
    this.neg.visit(true, (k, c) => { seen += c; if (rank < seen) { found = -this.value(k); return true; } });
    if (found === found) return found;
    seen += this.zero;
    if (rank < seen) return 0;
    this.pos.visit(false, (k, c) => { seen += c; if (rank < seen) { found = this.value(k); return true; } });
    return found === found ? found : Infinity;
  }

  /** Format: uvar zero, posInf, negInf; then pos and neg: uvar n, n × (key: svar first, then uvar delta; uvar count), keys ascending. */
  encode(w = new ByteWriter(32)): Uint8Array {
    w.uvar(this.zero);
    w.uvar(this.posInf);
    w.uvar(this.negInf);
    for (const b of [this.pos, this.neg]) {
      w.uvar(b.size);
      let prev = NaN;
      b.forEach((k, c) => {
        if (prev !== prev) w.svar(k);
        else w.uvar(k - prev);
        prev = k;
        w.uvar(c);
      });
    }
    return w.result();
  }

  /**
   * Writes the bytes `encode` gives for the merge of `list` (the sum of its sketches) without
   * making it: the checkpoint writes each series' open hour this way (its sketch, the finished
   * minutes not merged into it yet and the open minute), where a merged copy per series was
   * some 2.4 MB of garbage at every cut at the monitor's 650 series (seriesState.ts).
   */
  static encodeSum(w: ByteWriter, list: readonly QuantileSketch[]): void {
    if (list.length === 1) { list[0].encode(w); return; }
    let zero = 0, posInf = 0, negInf = 0;
    for (const s of list) { zero += s.zero; posInf += s.posInf; negInf += s.negInf; }
    w.uvar(zero);
    w.uvar(posInf);
    w.uvar(negInf);
    Bins.encodeSum(w, list.map((s) => s.pos));
    Bins.encodeSum(w, list.map((s) => s.neg));
  }

  static decode(bytes: Uint8Array, alpha = DEFAULT_RELATIVE_ACCURACY): QuantileSketch {
    return QuantileSketch.read(new ByteReader(bytes), alpha);
  }

  static read(r: ByteReader, alpha = DEFAULT_RELATIVE_ACCURACY): QuantileSketch {
    const s = new QuantileSketch(alpha);
    s.zero = r.uvar();
    s.posInf = r.uvar();
    s.negInf = r.uvar();
    s.count = s.zero + s.posInf + s.negInf;
    for (const b of [s.pos, s.neg]) {
      const n = r.uvar();
      let k = 0;
      for (let i = 0; i < n; i++) {
        k = i === 0 ? r.svar() : k + r.uvar();
        const c = r.uvar();
        b.add(k, c);
        s.count += c;
      }
    }
    return s;
  }

  clone(): QuantileSketch {
    const s = new QuantileSketch(this.alpha);
    s.merge(this);
    return s;
  }
}

/** The exact quantile with the rank the sketch uses: sorted[floor(q·(n-1))] (NaN ignored). */
export function exactQuantile(values: ArrayLike<number>, q: number): number {
  const v = Array.from(values).filter((x) => x === x).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  return v[Math.floor(Math.min(1, Math.max(0, q)) * (v.length - 1))];
}
