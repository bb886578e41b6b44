/**
 * Prediction intervals from out-of-sample errors: the rolling-origin CV residuals of the chosen
 * forecast, divided by a per-series scale, give quantiles per horizon step (pooled across the
 * series when there are many, smoothed across neighbouring steps when there are few); the
 * interval at step h is mean + scale · q(h). Empirical, so coverage follows the errors the
 * method actually makes rather than a model's assumptions.
 */
import { quantile } from './stats';

export const LEVELS = { lo95: 0.025, lo80: 0.1, hi80: 0.9, hi95: 0.975 } as const;
export type Bound = keyof typeof LEVELS;

/** Scaled residuals by horizon step: residuals[h] holds (actual − forecast) / scale values. */
export class ResidualPool {
  readonly byStep: number[][];
  constructor(readonly horizon: number) {
    this.byStep = Array.from({ length: horizon }, () => []);
  }
  add(actual: ArrayLike<number>, forecast: ArrayLike<number>, scale: number): void {
    const n = Math.min(actual.length, forecast.length, this.horizon);
    for (let h = 0; h < n; h++) this.byStep[h].push((actual[h] - forecast[h]) / scale);
  }
  /** Quantiles per step of the scaled residuals, taking neighbouring steps until `minCount` values. */
  quantiles(minCount = 200): Record<Bound, number[]> {
    const out = { lo95: [], lo80: [], hi80: [], hi95: [] } as Record<Bound, number[]>;
    for (let h = 0; h < this.horizon; h++) {
      let vals = this.byStep[h].slice();
      for (let w = 1; vals.length < minCount && (h - w >= 0 || h + w < this.horizon); w++) {
        if (h - w >= 0) vals = vals.concat(this.byStep[h - w]);
        if (h + w < this.horizon) vals = vals.concat(this.byStep[h + w]);
      }
      for (const b of Object.keys(LEVELS) as Bound[]) out[b].push(vals.length ? quantile(vals, LEVELS[b]) : 0);
    }
    // Intervals never narrow with the horizon.
    for (let h = 1; h < this.horizon; h++) {
      out.lo95[h] = Math.min(out.lo95[h], out.lo95[h - 1]);
      out.lo80[h] = Math.min(out.lo80[h], out.lo80[h - 1]);
      out.hi80[h] = Math.max(out.hi80[h], out.hi80[h - 1]);
      out.hi95[h] = Math.max(out.hi95[h], out.hi95[h - 1]);
    }
    return out;
  }
}
