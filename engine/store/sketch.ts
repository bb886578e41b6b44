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
 */
import { ByteReader, ByteWriter } from './bytes';

export const DEFAULT_RELATIVE_ACCURACY = 0.01;
export const MIN_VALUE = 1e-9;

export class QuantileSketch {
  readonly gamma: number;
  private readonly lnGamma: number;
  readonly pos = new Map<number, number>();
  readonly neg = new Map<number, number>();
  zero = 0;
  posInf = 0;
  negInf = 0;
  count = 0;

  constructor(readonly alpha = DEFAULT_RELATIVE_ACCURACY) {
    this.gamma = (1 + alpha) / (1 - alpha);
    this.lnGamma = Math.log(this.gamma);
  }

  add(v: number, n = 1): void {
    if (v !== v) return;
    this.count += n;
    if (v === Infinity) this.posInf += n;
    else if (v === -Infinity) this.negInf += n;
    else if (v >= MIN_VALUE) { const k = Math.ceil(Math.log(v) / this.lnGamma); this.pos.set(k, (this.pos.get(k) ?? 0) + n); }
    else if (v <= -MIN_VALUE) { const k = Math.ceil(Math.log(-v) / this.lnGamma); this.neg.set(k, (this.neg.get(k) ?? 0) + n); }
    else this.zero += n;
  }

  merge(o: QuantileSketch): void {
    for (const [k, c] of o.pos) this.pos.set(k, (this.pos.get(k) ?? 0) + c);
    for (const [k, c] of o.neg) this.neg.set(k, (this.neg.get(k) ?? 0) + c);
    this.zero += o.zero;
    this.posInf += o.posInf;
    this.negInf += o.negInf;
    this.count += o.count;
  }

  private value(k: number): number {
    return (2 * Math.pow(this.gamma, k)) / (this.gamma + 1);
  }

  /** The estimated q-quantile (0 <= q <= 1); NaN when empty. */
  quantile(q: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.floor(Math.min(1, Math.max(0, q)) * (this.count - 1));
    let seen = this.negInf;
    if (rank < seen) return -Infinity;
    const negKeys = [...this.neg.keys()].sort((a, b) => b - a);
    for (const k of negKeys) { seen += this.neg.get(k)!; if (rank < seen) return -this.value(k); }
    seen += this.zero;
    if (rank < seen) return 0;
    const posKeys = [...this.pos.keys()].sort((a, b) => a - b);
    for (const k of posKeys) { seen += this.pos.get(k)!; if (rank < seen) return this.value(k); }
    return Infinity;
  }

  encode(w = new ByteWriter(32)): Uint8Array {
    w.uvar(this.zero);
    w.uvar(this.posInf);
    w.uvar(this.negInf);
    for (const m of [this.pos, this.neg]) {
      const keys = [...m.keys()].sort((a, b) => a - b);
      w.uvar(keys.length);
      let prev = 0;
      keys.forEach((k, i) => { if (i === 0) w.svar(k); else w.uvar(k - prev); prev = k; w.uvar(m.get(k)!); });
    }
    return w.result();
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
    for (const m of [s.pos, s.neg]) {
      const n = r.uvar();
      let k = 0;
      for (let i = 0; i < n; i++) {
        k = i === 0 ? r.svar() : k + r.uvar();
        const c = r.uvar();
        m.set(k, c);
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
