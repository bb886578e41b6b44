/**
 * The classical multiplicative decomposition and the 90% autocorrelation seasonality test,
 * exactly as in the M4 competition's benchmark code (used by Naive2, the M4 OWA denominator).
 */

/** Autocorrelation at lag k, as the M4 code computes it. */
export function acf(y: ArrayLike<number>, k: number): number {
  let m = 0;
  for (let i = 0; i < y.length; i++) m += y[i];
  m /= y.length;
  let s1 = 0;
  let s2 = 0;
  for (let i = k; i < y.length; i++) s1 += (y[i] - m) * (y[i - k] - m);
  for (let i = 0; i < y.length; i++) s2 += (y[i] - m) ** 2;
  return s2 === 0 ? 0 : s1 / s2;
}

/**
 * The M4 seasonality test at 90%: |acf(m)| > 1.645·sqrt((1 + 2·s)/n), where s is acf(1) plus
 * the squares of acf(2..m-1) (the M4 code's sum, kept as it is for comparable numbers).
 */
export function seasonalityTest(y: ArrayLike<number>, m: number): boolean {
  if (m <= 1 || y.length < 3 * m) return false;
  let s = acf(y, 1);
  for (let i = 2; i < m; i++) s += acf(y, i) ** 2;
  const limit = 1.645 * Math.sqrt((1 + 2 * s) / y.length);
  return Math.abs(acf(y, m)) > limit;
}

/**
 * Centred moving average of `window` (a 2×window one when the series length is even, as in
 * the M4 code); NaN where it is undefined.
 */
export function movingAverage(y: ArrayLike<number>, window: number): number[] {
  const n = y.length;
  const roll = (x: ArrayLike<number>, w: number): number[] => {
    // pandas rolling(w, center=True): the mean of x[i - floor(w/2) .. i + ceil(w/2) - 1]
    const out = new Array<number>(n).fill(NaN);
    const left = Math.floor(w / 2);
    for (let i = 0; i < n; i++) {
      const a = i - left;
      const b = a + w - 1;
      if (a < 0 || b >= n) continue;
      let s = 0;
      for (let j = a; j <= b; j++) s += x[j];
      out[i] = s / w;
    }
    return out;
  };
  let ma = roll(y, window);
  if (n % 2 === 0) {
    ma = roll(ma, 2);
    // np.roll(ma, -1)
    ma = ma.slice(1).concat(ma.slice(0, 1));
  }
  return ma;
}

/**
 * Multiplicative seasonal indices (in %, mean 100) of period m for positions i mod m from the
 * start of the series, or all 100 when the seasonality test fails.
 */
export function seasonalIndices(y: ArrayLike<number>, m: number): number[] {
  if (m <= 1 || !seasonalityTest(y, m)) return new Array(Math.max(1, m)).fill(100);
  const ma = movingAverage(y, m);
  const sum = new Array<number>(m).fill(0);
  const cnt = new Array<number>(m).fill(0);
  for (let i = 0; i < y.length; i++) {
    const v = (y[i] * 100) / ma[i];
    if (Number.isFinite(v)) {
      sum[i % m] += v;
      cnt[i % m]++;
    }
  }
  const si = sum.map((s, i) => (cnt[i] ? s / cnt[i] : 100));
  const norm = si.reduce((a, b) => a + b, 0) / (m * 100);
  return si.map((v) => v / norm);
}
