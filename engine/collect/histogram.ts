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
