// Seeded pseudo-random numbers: the workload must be the same sequence on every run
// (given a seed) so that benchmark differences come from the configuration and the
// machine, not from a different workload.

/** mulberry32: tiny, fast, good enough for simulation (not for cryptography). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draw (Box-Muller) from a uniform source. */
export function normal(u: () => number): number {
  let a = u();
  while (a <= Number.EPSILON) a = u();
  return Math.sqrt(-2 * Math.log(a)) * Math.cos(2 * Math.PI * u());
}

/** Stateless hash of an integer to [0,1): lets a consumer derive per-tick choices from the tick's sequence number alone. */
export function hash01(n: number, salt = 0): number {
  let h = (n ^ Math.imul(salt + 0x9e3779b9, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/**
 * Zipf-distributed index in [0, n): account activity in real books is heavily skewed,
 * which is what makes cache size and eviction policy matter.
 */
export class Zipf {
  private readonly cdf: Float64Array;
  constructor(n: number, s: number) {
    this.cdf = new Float64Array(n);
    let sum = 0;
    for (let i = 0; i < n; i++) { sum += 1 / Math.pow(i + 1, s); this.cdf[i] = sum; }
    for (let i = 0; i < n; i++) this.cdf[i] /= sum;
  }
  sample(u: number): number {
    let lo = 0, hi = this.cdf.length - 1;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (this.cdf[mid] < u) lo = mid + 1; else hi = mid; }
    return lo;
  }
}
