/**
 * Quantiles from cumulative histogram buckets, exactly as Prometheus' `histogram_quantile`
 * computes them: find the bucket where the rank falls and interpolate linearly inside it.
 * A rank in the +Inf bucket gives the largest finite upper bound; the lowest bucket starts
 * at 0 (unless its upper bound is ≤ 0, which is then returned).
 */

export interface Bucket {
  /** Upper bound (`le`), +Inf for the last. */
  le: number;
  /** Cumulative count of observations ≤ le. */
  count: number;
}

/** The q-quantile (0 ≤ q ≤ 1) of cumulative buckets; NaN when there are no observations or no +Inf bucket. */
export function histogramQuantile(q: number, input: readonly Bucket[]): number {
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const buckets = [...input].filter((b) => !Number.isNaN(b.le)).sort((a, b) => a.le - b.le);
  if (buckets.length < 2) return NaN;
  if (buckets[buckets.length - 1].le !== Infinity) return NaN;
  // Counts must not decrease with le (they can, in a scrape racing an observation): clamp, as Prometheus does.
  for (let i = 1; i < buckets.length; i++) if (buckets[i].count < buckets[i - 1].count) buckets[i] = { le: buckets[i].le, count: buckets[i - 1].count };
  const observations = buckets[buckets.length - 1].count;
  if (!(observations > 0)) return NaN;
  let rank = q * observations;
  let b = buckets.findIndex((x) => x.count >= rank);
  if (b < 0) b = buckets.length - 1;
  if (b === buckets.length - 1) return buckets[buckets.length - 2].le;
  if (b === 0 && buckets[0].le <= 0) return buckets[0].le;
  let start = 0;
  const end = buckets[b].le;
  let count = buckets[b].count;
  if (b > 0) {
    start = buckets[b - 1].le;
    count -= buckets[b - 1].count;
    rank -= buckets[b - 1].count;
  }
  return start + (end - start) * (rank / count);
}

/**
 * Per-bucket increases between two scrapes of the same histogram. When any bucket went down
 * the histogram was reset and the current counts are the increases. Undefined when the bucket
 * bounds differ (a changed histogram: start again).
 */
export function bucketDeltas(prev: readonly Bucket[], cur: readonly Bucket[]): Bucket[] | undefined {
  if (prev.length !== cur.length) return undefined;
  for (let i = 0; i < cur.length; i++) if (prev[i].le !== cur[i].le) return undefined;
  const reset = cur.some((b, i) => b.count < prev[i].count);
  return cur.map((b, i) => ({ le: b.le, count: reset ? b.count : b.count - prev[i].count }));
}

export const HISTOGRAM_QUANTILES: ReadonlyArray<readonly [suffix: string, q: number]> = [
  ['_p50', 0.5],
  ['_p90', 0.9],
  ['_p95', 0.95],
  ['_p99', 0.99],
];

/**
 * One label set of a scraped histogram, across scrapes, without an object per bucket: the
 * scrape collector converts a few dozen histograms a second, and `bucketDeltas` +
 * `histogramQuantile` on objects allocated about 2 kB per histogram per scrape (copies,
 * filters and sorts for each of the four quantiles). The results are the same as theirs:
 * buckets sorted by `le` (stably), increases since the previous scrape (the current counts
 * after a reset), nothing when the bounds changed or nothing was observed, and Prometheus'
 * interpolation on counts made non-decreasing.
 */
export class HistogramGroup<K> {
  /** The scrape that last filled this group (the converter's counter). */
  gen = -1;
  /** Buckets of the scrape being read: `le[0, n)`, `count[0, n)`, in the order they came. */
  n = 0;
  private le: Float64Array<ArrayBuffer> = new Float64Array(16);
  private count: Float64Array<ArrayBuffer> = new Float64Array(16);
  /** The previous scrape's buckets, sorted; -1 when there is none to compare with. */
  private pn = -1;
  private ple: Float64Array<ArrayBuffer> = new Float64Array(16);
  private pcount: Float64Array<ArrayBuffer> = new Float64Array(16);
  /** The increases of the last `finish` (sorted like `ple`), made non-decreasing. */
  private d: Float64Array<ArrayBuffer> = new Float64Array(16);

  constructor(readonly keys: K[]) {}

  add(le: number, count: number): void {
    if (this.n === this.le.length) {
      this.le = grow(this.le);
      this.count = grow(this.count);
    }
    this.le[this.n] = le;
    this.count[this.n] = count;
    this.n++;
  }

  /**
   * Ends the scrape: sorts its buckets, computes the increases since the previous scrape and
   * keeps this scrape's buckets for the next. True when there are increases with observations
   * (then `quantile` answers).
   */
  finish(): boolean {
    const n = this.n;
    const le = this.le;
    const count = this.count;
    let nan = false;
    // Stable insertion sort by le (the endpoint's order is almost always sorted already).
    for (let i = 0; i < n; i++) {
      const x = le[i];
      if (Number.isNaN(x)) nan = true;
      if (i === 0 || !(x < le[i - 1])) continue;
      const c = count[i];
      let j = i - 1;
      while (j >= 0 && x < le[j]) {
        le[j + 1] = le[j];
        count[j + 1] = count[j];
        j--;
      }
      le[j + 1] = x;
      count[j + 1] = c;
    }
    let ok = false;
    // A NaN bound never equals itself, so `bucketDeltas` never matches it: no increases.
    if (!nan && this.pn === n) {
      ok = true;
      let reset = false;
      for (let i = 0; i < n; i++) {
        if (this.ple[i] !== le[i]) ok = false;
        else if (count[i] < this.pcount[i]) reset = true;
      }
      if (ok) {
        if (this.d.length < n) this.d = new Float64Array(this.le.length);
        for (let i = 0; i < n; i++) this.d[i] = reset ? count[i] : count[i] - this.pcount[i];
        ok = n > 0 && this.d[n - 1] > 0;
        // histogramQuantile's clamp: counts that decrease with le (a scrape racing an observation).
        for (let i = 1; i < n; i++) if (this.d[i] < this.d[i - 1]) this.d[i] = this.d[i - 1];
      }
    }
    // This scrape's buckets become the previous ones.
    this.le = this.ple;
    this.count = this.pcount;
    this.ple = le;
    this.pcount = count;
    this.pn = nan ? -1 : n;
    if (this.le.length < this.ple.length) {
      this.le = new Float64Array(this.ple.length);
      this.count = new Float64Array(this.ple.length);
    }
    return ok;
  }

  /** `histogramQuantile(q, increases)` of the last `finish` that returned true. */
  quantile(q: number): number {
    const n = this.pn;
    const le = this.ple;
    const d = this.d;
    if (n < 2 || le[n - 1] !== Infinity) return NaN;
    const observations = d[n - 1];
    if (!(observations > 0)) return NaN;
    let rank = q * observations;
    let b = 0;
    while (b < n && !(d[b] >= rank)) b++;
    if (b === n) b = n - 1;
    if (b === n - 1) return le[n - 2];
    if (b === 0 && le[0] <= 0) return le[0];
    let start = 0;
    const end = le[b];
    let count = d[b];
    if (b > 0) {
      start = le[b - 1];
      count -= d[b - 1];
      rank -= d[b - 1];
    }
    return start + (end - start) * (rank / count);
  }
}

function grow(a: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}
