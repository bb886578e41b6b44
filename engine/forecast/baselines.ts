/** The benchmark models: naive, seasonal naive and Naive2 (M4's seasonally adjusted naive). */
import { seasonalIndices } from './classicalDecomposition';

/** Repeats the last value. */
export function naive(y: ArrayLike<number>, h: number): number[] {
  return new Array(h).fill(y[y.length - 1]);
}

/** Repeats the last full season of period m (naive when the series is shorter than m). */
export function seasonalNaive(y: ArrayLike<number>, h: number, m: number): number[] {
  const n = y.length;
  if (m <= 1 || n < m) return naive(y, h);
  const out = new Array<number>(h);
  for (let i = 0; i < h; i++) out[i] = y[n - m + (i % m)];
  return out;
}

/**
 * Naive2 of the M4 benchmarks: deseasonalise with the classical multiplicative decomposition
 * when the 90% autocorrelation test finds seasonality at m, repeat the last adjusted value,
 * reseasonalise.
 */
export function naive2(y: ArrayLike<number>, h: number, m: number): number[] {
  const n = y.length;
  const si = seasonalIndices(y, m);
  const p = si.length;
  const last = (y[n - 1] * 100) / si[(n - 1) % p];
  const out = new Array<number>(h);
  for (let i = 0; i < h; i++) out[i] = (last * si[(n + i) % p]) / 100;
  return out;
}
