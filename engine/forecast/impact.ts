/**
 * Impact assessment, in the spirit of CausalImpact: the effect of a change on a metric is
 * what was observed after it minus a counterfactual forecast made only from the data before
 * it. The interval of the average effect comes from the forecast's own prediction intervals,
 * taken as fully correlated across the horizon (a level error persists), which is the
 * cautious reading: a change is called significant only when even that interval excludes 0.
 */
import { autoForecaster } from './autoForecaster';
import type { Forecaster } from './types';

export interface ImpactOptions {
  /** Seasonal periods in steps (e.g. [24] for hourly data with a daily cycle). */
  seasons: number[];
  /** The model of the counterfactual (default: the engine's CV-weighted forecaster). */
  forecaster?: Forecaster;
}

export interface ImpactPoint {
  observed: number;
  expected: number;
  lo95: number;
  hi95: number;
}

export interface ImpactResult {
  model: string;
  /** Mean of the observed values after the change. */
  observedMean: number;
  /** Mean of the counterfactual forecast over the same steps. */
  expectedMean: number;
  /** observedMean − expectedMean, with its 95% interval. */
  effect: number;
  effectLo95: number;
  effectHi95: number;
  /** The effect relative to the counterfactual (0.2 = 20% up); NaN when the counterfactual mean is 0. */
  relative: number;
  relativeLo95: number;
  relativeHi95: number;
  /** True when the 95% interval of the effect excludes 0. */
  significant: boolean;
  points: ImpactPoint[];
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * `values` is the series at a regular step; `changeAt` the index of the first value after the
 * change. Needs history before the change (at least two of the longest season, or 8 points).
 */
export function assessImpact(values: readonly number[], changeAt: number, opts: ImpactOptions): ImpactResult {
  const longest = Math.max(1, ...opts.seasons);
  const minHistory = Math.max(8, 2 * longest);
  if (!Number.isInteger(changeAt) || changeAt < minHistory) throw new Error(`impact assessment needs at least ${minHistory} values before the change (got ${changeAt})`);
  const after = values.slice(changeAt);
  if (after.length === 0) throw new Error('impact assessment needs values after the change');
  const fitted = (opts.forecaster ?? autoForecaster).fit(values.slice(0, changeAt) as number[], { seasons: opts.seasons });
  const fc = fitted.forecast(after.length);
  const observedMean = mean(after);
  const expectedMean = mean(fc.mean);
  const effect = observedMean - expectedMean;
  // Fully correlated errors: the average effect's bounds are the averages of the bounds.
  const effectLo95 = observedMean - mean(fc.hi95);
  const effectHi95 = observedMean - mean(fc.lo95);
  const rel = (x: number) => (expectedMean !== 0 ? x / Math.abs(expectedMean) : NaN);
  return {
    model: fitted.model,
    observedMean,
    expectedMean,
    effect,
    effectLo95,
    effectHi95,
    relative: rel(effect),
    relativeLo95: rel(effectLo95),
    relativeHi95: rel(effectHi95),
    significant: effectLo95 > 0 || effectHi95 < 0,
    points: after.map((observed, i) => ({ observed, expected: fc.mean[i], lo95: fc.lo95[i], hi95: fc.hi95[i] })),
  };
}
