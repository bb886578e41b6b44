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

/** 1.4826 × MAD estimates the standard deviation of normal data. */
export const MAD_TO_SIGMA = 1.4826;

export class RobustStats {
  private n = 0;
  private lvl = 0;
  private md = 0;
  private warm: number[] = [];

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
      this.lvl = median(this.warm);
      this.md = mad(this.warm);
      if (this.n === this.warmup) this.warm = [];
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
  }
}
