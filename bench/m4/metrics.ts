/**
 * The M4 accuracy measures: sMAPE, MASE (scaled by the in-sample seasonal naive error), OWA
 * against Naive2, and the coverage of prediction intervals.
 */

/** sMAPE in percent: mean of 200·|y − f| / (|y| + |f|) (a 0/0 term counts 0). */
export function smape(actual: ArrayLike<number>, fc: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i]) + Math.abs(fc[i]);
    s += d === 0 ? 0 : (200 * Math.abs(actual[i] - fc[i])) / d;
  }
  return s / actual.length;
}

/** MASE: mean |y − f| over the mean in-sample |y_t − y_{t−m}|. */
export function mase(insample: ArrayLike<number>, actual: ArrayLike<number>, fc: ArrayLike<number>, m: number): number {
  let scale = 0;
  for (let t = m; t < insample.length; t++) scale += Math.abs(insample[t] - insample[t - m]);
  scale /= insample.length - m;
  let e = 0;
  for (let i = 0; i < actual.length; i++) e += Math.abs(actual[i] - fc[i]);
  return e / actual.length / scale;
}

/** Overall weighted average: half the relative sMAPE plus half the relative MASE. */
export function owa(smapeModel: number, maseModel: number, smapeNaive2: number, maseNaive2: number): number {
  return 0.5 * (smapeModel / smapeNaive2 + maseModel / maseNaive2);
}

/** Share of the actual values inside [lo, hi] (counts: inside, total). */
export function coverage(actual: ArrayLike<number>, lo: ArrayLike<number>, hi: ArrayLike<number>): { inside: number; total: number } {
  let inside = 0;
  for (let i = 0; i < actual.length; i++) if (actual[i] >= lo[i] && actual[i] <= hi[i]) inside++;
  return { inside, total: actual.length };
}

/**
 * Mean scaled interval score (M4's interval measure) at level 1 − alpha: the interval width
 * plus 2/alpha times the misses, over the seasonal-naive scale.
 */
export function msis(insample: ArrayLike<number>, actual: ArrayLike<number>, lo: ArrayLike<number>, hi: ArrayLike<number>, m: number, alpha = 0.05): number {
  let scale = 0;
  for (let t = m; t < insample.length; t++) scale += Math.abs(insample[t] - insample[t - m]);
  scale /= insample.length - m;
  let s = 0;
  for (let i = 0; i < actual.length; i++) {
    s += hi[i] - lo[i];
    if (actual[i] < lo[i]) s += (2 / alpha) * (lo[i] - actual[i]);
    if (actual[i] > hi[i]) s += (2 / alpha) * (actual[i] - hi[i]);
  }
  return s / actual.length / scale;
}
