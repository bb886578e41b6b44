/**
 * Two-sample statistics for A/B comparisons of benchmark runs, written here because no solid
 * TypeScript library provides them with the details that matter for small, skewed, tied
 * samples (latencies):
 * - bootstrap confidence intervals (percentile and BCa) of a difference B − A of medians or
 *   means, or of the relative difference (B − A) / |A|, seeded so a result is reproducible;
 * - the Mann–Whitney U test: exact null distribution for small samples without ties, else the
 *   normal approximation with tie and continuity correction (as scipy.stats.mannwhitneyu);
 * - the Hodges–Lehmann shift estimate with its distribution-free interval (the inversion of
 *   the Mann–Whitney test, as R's wilcox.test(conf.int = TRUE));
 * - Welch's t test and interval for the difference of means.
 * Every sign convention is "B minus A": a positive difference means B's values are larger.
 */
import { Rng } from '../util/rng';
import { normCdf } from '../tune/normal';
import { normalQuantile } from '../forecast/stats';

export interface Interval {
  lo: number;
  hi: number;
  /** Confidence level, e.g. 0.95. */
  level: number;
}

export function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return xs.length ? s / xs.length : Number.NaN;
}

export function variance(xs: readonly number[]): number {
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) * (x - m);
  return xs.length > 1 ? s / (xs.length - 1) : Number.NaN;
}

/** Quantile of sorted values with linear interpolation (type 7: R's default, numpy's). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (!n) return Number.NaN;
  const h = (n - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export function median(xs: readonly number[]): number {
  return quantileSorted([...xs].sort((a, b) => a - b), 0.5);
}

// ---- Distributions ---------------------------------------------------------------------

/** log Γ(x) for x > 0 (Lanczos, g = 7, n = 9; ~1e-15 relative). */
export function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta function (modified Lentz; Numerical Recipes §6.4). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The continued fraction converges fast for x < (a+1)/(a+b+2); use the symmetry otherwise.
  return x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(a, b, x)) / a : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** P(T <= t) for Student's t with `df` degrees of freedom (df may be fractional, as Welch's). */
export function studentTCdf(t: number, df: number): number {
  if (!Number.isFinite(t)) return t > 0 ? 1 : 0;
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The t quantile: bisection on the CDF (monotone; 100 halvings reach double precision). */
export function studentTQuantile(p: number, df: number): number {
  if (p <= 0) return Number.NEGATIVE_INFINITY;
  if (p >= 1) return Number.POSITIVE_INFINITY;
  let lo = -1;
  let hi = 1;
  while (studentTCdf(lo, df) > p) lo *= 2;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-13 * Math.max(1, Math.abs(lo)); i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

// ---- Welch's t test ---------------------------------------------------------------------

export interface WelchResult {
  /** mean(b) − mean(a). */
  difference: number;
  t: number;
  /** Welch–Satterthwaite degrees of freedom. */
  df: number;
  /** Two-sided p-value. */
  p: number;
  ci: Interval;
}

/**
 * Welch's unequal-variance t test of mean(b) − mean(a). Note the sign: scipy's
 * ttest_ind(a, b) reports mean(a) − mean(b), the negative of `t` here.
 */
export function welchT(a: readonly number[], b: readonly number[], level = 0.95): WelchResult {
  const na = a.length;
  const nb = b.length;
  const difference = mean(b) - mean(a);
  const va = variance(a) / na;
  const vb = variance(b) / nb;
  const se = Math.sqrt(va + vb);
  const df = (va + vb) ** 2 / (va ** 2 / (na - 1) + vb ** 2 / (nb - 1));
  if (!(se > 0) || !Number.isFinite(df)) {
    // No spread at all: the means are either equal (no evidence) or differ with certainty.
    const p = difference === 0 || Number.isNaN(difference) ? 1 : 0;
    return { difference, t: difference === 0 ? 0 : Math.sign(difference) * Number.POSITIVE_INFINITY, df: Number.NaN, p: na < 2 || nb < 2 ? Number.NaN : p, ci: { lo: difference, hi: difference, level } };
  }
  const t = difference / se;
  const p = 2 * studentTCdf(-Math.abs(t), df);
  const q = studentTQuantile(1 - (1 - level) / 2, df);
  return { difference, t, df, p, ci: { lo: difference - q * se, hi: difference + q * se, level } };
}

// ---- Ranks and the Mann–Whitney U test ---------------------------------------------------

/** Mid-ranks (1-based) of `xs`, and the tie sizes. */
export function midRanks(xs: readonly number[]): { ranks: number[]; ties: number[] } {
  const idx = xs.map((_, i) => i).sort((i, j) => xs[i] - xs[j]);
  const ranks = new Array<number>(xs.length);
  const ties: number[] = [];
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && xs[idx[j + 1]] === xs[idx[i]]) j++;
    const r = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) ranks[idx[k]] = r;
    if (j > i) ties.push(j - i + 1);
    i = j + 1;
  }
  return { ranks, ties };
}

/**
 * The exact null distribution of U for sample sizes m and n without ties: P(U = u) for
 * u = 0..mn. Counts by the recurrence c(u; m, n) = c(u − n; m − 1, n) + c(u; m, n − 1)
 * (Mann & Whitney 1947), as probabilities so large samples do not overflow; additions only,
 * so no cancellation.
 */
export function mannWhitneyNullDistribution(m: number, n: number): Float64Array {
  // prev[j] = distribution for (i − 1, j); cur[j] = for (i, j). Index j = 0..n.
  let prev: Float64Array[] = [];
  for (let j = 0; j <= n; j++) prev.push(Float64Array.of(1)); // i = 0: U = 0 surely
  for (let i = 1; i <= m; i++) {
    const cur: Float64Array[] = [Float64Array.of(1)]; // j = 0: U = 0 surely
    for (let j = 1; j <= n; j++) {
      const d = new Float64Array(i * j + 1);
      // P(i, j) = i/(i+j) · P(i−1, j) shifted by j  +  j/(i+j) · P(i, j−1)
      const wa = i / (i + j);
      const wb = j / (i + j);
      const a = prev[j];
      for (let u = 0; u < a.length; u++) d[u + j] += wa * a[u];
      const b = cur[j - 1];
      for (let u = 0; u < b.length; u++) d[u] += wb * b[u];
      cur.push(d);
    }
    prev = cur;
  }
  return prev[n];
}

export type Alternative = 'two-sided' | 'less' | 'greater';

export interface MannWhitneyResult {
  /** U of sample a: the number of pairs (a_i, b_j) with a_i > b_j, ties counting 1/2 (scipy's statistic for x = a). */
  u: number;
  p: number;
  method: 'exact' | 'normal';
  /** The normal approximation's z (with continuity correction), when used. */
  z?: number;
}

export interface MannWhitneyOptions {
  /** 'greater': a tends to be larger than b; 'less': smaller (default two-sided). */
  alternative?: Alternative;
  /** 'auto' (default): exact when there are no ties and both samples are under 50, like R. */
  method?: 'auto' | 'exact' | 'normal';
  /** Continuity correction of the normal approximation (default true, as scipy and R). */
  continuity?: boolean;
}

/**
 * The Mann–Whitney U (Wilcoxon rank-sum) test of whether a and b come from the same
 * distribution, against a shift of one against the other.
 */
export function mannWhitney(a: readonly number[], b: readonly number[], o: MannWhitneyOptions = {}): MannWhitneyResult {
  const n1 = a.length;
  const n2 = b.length;
  if (!n1 || !n2) return { u: Number.NaN, p: Number.NaN, method: 'normal' };
  const { ranks, ties } = midRanks([...a, ...b]);
  let r1 = 0;
  for (let i = 0; i < n1; i++) r1 += ranks[i];
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  const alt = o.alternative ?? 'two-sided';
  const method = o.method ?? 'auto';
  const exact = method === 'exact' || (method === 'auto' && !ties.length && n1 < 50 && n2 < 50);
  if (exact) {
    const dist = mannWhitneyNullDistribution(n1, n2);
    // U is an integer without ties; with forced exact and ties, round to be conservative.
    const cdf = (k: number) => {
      let s = 0;
      for (let u = 0; u <= Math.min(k, dist.length - 1); u++) s += dist[u];
      return Math.min(1, s);
    };
    const sf = (k: number) => 1 - cdf(Math.ceil(k) - 1); // P(U >= k)
    let p: number;
    if (alt === 'greater') p = sf(u1);
    else if (alt === 'less') p = cdf(Math.floor(u1));
    else p = Math.min(1, 2 * sf(Math.max(u1, u2)));
    return { u: u1, p: Math.min(1, Math.max(0, p)), method: 'exact' };
  }
  const n = n1 + n2;
  const mu = (n1 * n2) / 2;
  const tieTerm = ties.reduce((s, t) => s + t * t * t - t, 0);
  const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  if (!(sigma > 0)) return { u: u1, p: 1, method: 'normal', z: 0 };
  const cc = o.continuity === false ? 0 : 0.5;
  // As scipy: the larger U for two-sided, U1 for 'greater', U2 for 'less'; then the upper tail.
  const u = alt === 'two-sided' ? Math.max(u1, u2) : alt === 'greater' ? u1 : u2;
  const z = (u - mu - cc) / sigma;
  const tail = normCdf(-z);
  const p = alt === 'two-sided' ? Math.min(1, 2 * tail) : tail;
  return { u: u1, p, method: 'normal', z };
}

// ---- Hodges–Lehmann shift -----------------------------------------------------------------

export interface ShiftEstimate {
  /** Median of all pairwise differences b_j − a_i. */
  estimate: number;
  ci: Interval;
  method: 'exact' | 'normal';
}

/**
 * The Hodges–Lehmann estimate of the shift of b against a, with the distribution-free
 * interval from the Mann–Whitney distribution (Bauer 1972; R's wilcox.test(conf.int = TRUE)):
 * the k-th smallest and k-th largest of the n1·n2 differences, k = qwilcox(α/2) (exact, no
 * ties, both samples under 50), else k from the normal approximation with the tie-corrected
 * variance (Hollander & Wolfe 1999, §4.3: C = n1n2/2 − z·σ, rounded).
 */
export function hodgesLehmann(a: readonly number[], b: readonly number[], level = 0.95): ShiftEstimate {
  const n1 = a.length;
  const n2 = b.length;
  const diffs = new Float64Array(n1 * n2);
  let k = 0;
  for (const y of b) for (const x of a) diffs[k++] = y - x;
  diffs.sort();
  const estimate = quantileSorted(diffs, 0.5);
  const N = n1 * n2;
  if (N === 0) return { estimate: Number.NaN, ci: { lo: Number.NaN, hi: Number.NaN, level }, method: 'normal' };
  const alpha = 1 - level;
  const { ties } = midRanks([...a, ...b]);
  let q: number;
  let method: 'exact' | 'normal';
  if (!ties.length && n1 < 50 && n2 < 50) {
    const dist = mannWhitneyNullDistribution(n1, n2);
    // qwilcox(α/2): the smallest q with P(U <= q) >= α/2.
    let s = 0;
    q = 0;
    for (; q < dist.length; q++) {
      s += dist[q];
      if (s >= alpha / 2 - 1e-12) break;
    }
    method = 'exact';
  } else {
    const n = n1 + n2;
    const tieTerm = ties.reduce((t, x) => t + x * x * x - x, 0);
    const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
    q = Math.round(N / 2 - normalQuantile(1 - alpha / 2) * sigma);
    method = 'normal';
  }
  q = Math.max(1, Math.min(q, Math.floor((N + 1) / 2)));
  return { estimate, ci: { lo: diffs[q - 1], hi: diffs[N - q], level }, method };
}

// ---- Bootstrap ------------------------------------------------------------------------------

export type Statistic = 'median' | 'mean';

export interface BootstrapOptions {
  statistic?: Statistic;
  /** 'bca' (default): bias-corrected and accelerated; 'percentile': the plain percentile interval. */
  method?: 'percentile' | 'bca';
  /** Report (s(b) − s(a)) / |s(a)| instead of s(b) − s(a). */
  relative?: boolean;
  resamples?: number;
  level?: number;
  seed?: number;
  /** Quantiles of the bootstrap distribution to return besides the interval (e.g. a one-sided bound). */
  quantiles?: readonly number[];
}

export interface BootstrapResult {
  estimate: number;
  ci: Interval;
  method: 'percentile' | 'bca';
  /** The requested extra quantiles, adjusted like the interval (BCa) or plain. */
  quantiles: number[];
  /** Bootstrap replicates that were finite (a relative difference over a zero median is not). */
  resamples: number;
}

const statOf = (s: Statistic) => (s === 'mean' ? mean : median);

function difference(sa: number, sb: number, relative: boolean): number {
  if (!relative) return sb - sa;
  if (sa === 0) return sb === 0 ? 0 : Number.NaN;
  return (sb - sa) / Math.abs(sa);
}

/**
 * Bootstrap interval of s(b) − s(a) (or its relative form), resampling a and b independently
 * (two-sample bootstrap; Efron & Tibshirani 1993, ch. 14). BCa follows scipy.stats.bootstrap
 * for several samples: the bias correction z0 from the share of replicates below the
 * estimate, the acceleration from each sample's jackknife, summed over the samples.
 */
export function bootstrapDifference(a: readonly number[], b: readonly number[], o: BootstrapOptions = {}): BootstrapResult {
  const stat = statOf(o.statistic ?? 'median');
  const relative = o.relative === true;
  const level = o.level ?? 0.95;
  const method = o.method ?? 'bca';
  const R = o.resamples ?? 4000;
  const extra = o.quantiles ?? [];
  const estimate = difference(stat(a), stat(b), relative);
  const nan = { lo: Number.NaN, hi: Number.NaN, level };
  if (a.length < 2 || b.length < 2 || !Number.isFinite(estimate)) return { estimate, ci: nan, method, quantiles: extra.map(() => Number.NaN), resamples: 0 };
  const rng = new Rng(o.seed ?? 1);
  const ra = new Array<number>(a.length);
  const rb = new Array<number>(b.length);
  const reps: number[] = [];
  for (let r = 0; r < R; r++) {
    for (let i = 0; i < a.length; i++) ra[i] = a[rng.int(a.length)];
    for (let i = 0; i < b.length; i++) rb[i] = b[rng.int(b.length)];
    const d = difference(stat(ra), stat(rb), relative);
    if (Number.isFinite(d)) reps.push(d);
  }
  reps.sort((x, y) => x - y);
  let adjust = (q: number) => q;
  if (method === 'bca') {
    // The share of replicates below the estimate, ties counting half (scipy's "mean" kind): a
    // median's replicates tie with the estimate often.
    let below = 0;
    for (const x of reps) below += x < estimate ? 1 : x === estimate ? 0.5 : 0;
    const z0 = normalQuantile(Math.min(1 - 1e-9, Math.max(1e-9, below / reps.length)));
    const acc = acceleration(a, b, (x, y) => difference(stat(x), stat(y), relative));
    if (Number.isFinite(z0) && Number.isFinite(acc)) {
      adjust = (q: number) => {
        const zq = normalQuantile(q);
        return normCdf(z0 + (z0 + zq) / (1 - acc * (z0 + zq)));
      };
    }
  }
  const alpha = 1 - level;
  return {
    estimate,
    ci: { lo: quantileSorted(reps, adjust(alpha / 2)), hi: quantileSorted(reps, adjust(1 - alpha / 2)), level },
    method,
    quantiles: extra.map((q) => quantileSorted(reps, adjust(q))),
    resamples: reps.length,
  };
}

/** BCa acceleration from the jackknife of each sample (scipy's `_bca_interval` for several samples). */
function acceleration(a: readonly number[], b: readonly number[], theta: (a: readonly number[], b: readonly number[]) => number): number {
  let num = 0;
  let den = 0;
  for (const which of [0, 1] as const) {
    const xs = which === 0 ? a : b;
    const n = xs.length;
    const jack: number[] = [];
    for (let i = 0; i < n; i++) {
      const left = [...xs.slice(0, i), ...xs.slice(i + 1)];
      jack.push(which === 0 ? theta(left, b) : theta(a, left));
    }
    const dot = mean(jack);
    for (const t of jack) {
      const u = (n - 1) * (dot - t);
      num += (u * u * u) / (n * n * n);
      den += (u * u) / (n * n);
    }
  }
  return den > 0 ? num / (6 * den ** 1.5) : 0;
}
