/**
 * Online robust level and spread of a stream: an exponentially weighted approximation of
 * the median and of the MAD (median absolute deviation), by stochastic approximation of
 * quantiles. The first `warmup` samples are kept and their exact median/MAD used; then each
 * sample moves the level by a step proportional to the spread in the direction of its sign
 * (a single outlier moves it by one bounded step, whatever its size), and the MAD likewise
 * on |x - level|. The step decays as 1/n and stays at `alpha` after, so the estimate forgets
 * old data with a time constant of about 1/alpha samples.
 */

export interface RobustStatsState {
  n: number;
  level: number;
  mad: number;
  warm: number[];
}

/** Exact median of an array (copy sorted). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Exact MAD (unscaled median absolute deviation from the median). */
export function mad(xs: readonly number[]): number {
  const m = median(xs);
  return median(xs.map((x) => Math.abs(x - m)));
}

/** The median of an ascending array's first `n` values. */
function sortedMedian(s: ArrayLike<number>, n: number): number {
  if (n === 0) return NaN;
  const m = n >> 1;
  return n % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The MAD of an ascending array's first `n` values around their median `m`, without a copy
 * or a sort: the deviations |s[i] - m| fall from the left end to `m` and rise from it to the
 * right end, so merging the two runs from `m` outwards visits them in ascending order; the
 * walk stops at the middle one(s). The same value as `mad` of those values.
 */
function sortedMad(s: ArrayLike<number>, n: number, m: number): number {
  if (n === 0) return NaN;
  // Left run: indexes below `split` (values < m), walked downwards; right run from `split` upwards.
  let split = 0;
  while (split < n && s[split] < m) split++;
  let l = split - 1;
  let r = split;
  const want = n >> 1;
  let prev = NaN;
  for (let k = 0; k <= want; k++) {
    const dl = l >= 0 ? m - s[l] : Infinity;
    const dr = r < n ? s[r] - m : Infinity;
    let d: number;
    if (dr <= dl) { d = dr; r++; } else { d = dl; l--; }
    if (k === want) return n % 2 ? d : (prev + d) / 2;
    prev = d;
  }
  return NaN;
}

/** 1.4826 × MAD estimates the standard deviation of normal data. */
export const MAD_TO_SIGMA = 1.4826;

export class RobustStats {
  private n = 0;
  private lvl = 0;
  private md = 0;
  private warm: number[] = [];
  /** The warm-up samples in ascending order (insertion): exact median and MAD without copying and sorting per sample. */
  private warmSorted: number[] = [];

  constructor(
    /** Smallest step (forgetting rate), e.g. 0.01 ≈ the last 100 samples. */
    readonly alpha = 0.01,
    readonly warmup = 32,
  ) {}

  get count(): number {
    return this.n;
  }
  /** Approximate median. */
  get level(): number {
    return this.lvl;
  }
  /** Approximate MAD (unscaled). */
  get mad(): number {
    return this.md;
  }
  /** Robust standard deviation estimate: 1.4826 × MAD. */
  get sigma(): number {
    return MAD_TO_SIGMA * this.md;
  }

  /** Adds a finite sample. */
  update(x: number): void {
    this.n++;
    if (this.n <= this.warmup) {
      this.warm.push(x);
      const s = this.warmSorted;
      let i = s.length;
      s.push(x);
      while (i > 0 && s[i - 1] > x) { s[i] = s[i - 1]; i--; }
      s[i] = x;
      this.lvl = sortedMedian(s, s.length);
      this.md = sortedMad(s, s.length, this.lvl);
      if (this.n === this.warmup) { this.warm = []; this.warmSorted = []; }
      return;
    }
    const eta = Math.max(1 / this.n, this.alpha);
    const d = x - this.lvl;
    // Level: quantile step scaled by the spread (≈ 1 / (2 × density at the median)).
    const scale = this.md > 0 ? 1.25 * MAD_TO_SIGMA * this.md : Math.abs(d);
    if (d > 0) this.lvl += Math.min(eta * scale, d);
    else if (d < 0) this.lvl -= Math.min(eta * scale, -d);
    // Spread: multiplicative quantile step on |x - level| (stays positive once positive).
    const a = Math.abs(x - this.lvl);
    if (this.md > 0) this.md *= a > this.md ? 1 + eta : 1 - eta;
    else if (a > 0) this.md = eta * a;
  }

  snapshot(): RobustStatsState {
    return { n: this.n, level: this.lvl, mad: this.md, warm: [...this.warm] };
  }

  restore(s: RobustStatsState): void {
    this.n = s.n;
    this.lvl = s.level;
    this.md = s.mad;
    this.warm = [...s.warm];
    this.warmSorted = [...s.warm].sort((a, b) => a - b);
  }
}
