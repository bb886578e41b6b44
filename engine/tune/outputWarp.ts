/**
 * Output transform for the GP: a power transform fitted to the observed values, then
 * standardization (as HEBO does: Cowen-Rivers et al. 2022). Objectives such as latencies or
 * Rosenbrock-like valleys span several orders of magnitude; a stationary GP on the raw values
 * spends its whole variance on the worst points and sees the good region as flat. The
 * transform is monotone, so minima and rankings are unchanged.
 *
 * Values are first divided by their standard deviation; Box-Cox is used when all are
 * positive, Yeo-Johnson otherwise, with lambda in [-2, 2] maximizing the profile normal
 * log-likelihood (Jacobian included) on a 0.1 grid.
 */

export interface OutputWarp {
  lambda: number;
  method: 'box-cox' | 'yeo-johnson' | 'none';
  /** Transformed, standardized values. */
  z: Float64Array;
  /** Map a raw value to the same standardized scale (used for thresholds). */
  apply(v: number): number;
}

function boxCox(v: number, l: number): number {
  return Math.abs(l) < 1e-9 ? Math.log(v) : (Math.pow(v, l) - 1) / l;
}

function yeoJohnson(v: number, l: number): number {
  if (v >= 0) return Math.abs(l) < 1e-9 ? Math.log1p(v) : (Math.pow(v + 1, l) - 1) / l;
  return Math.abs(l - 2) < 1e-9 ? -Math.log1p(-v) : -(Math.pow(1 - v, 2 - l) - 1) / (2 - l);
}

export function fitOutputWarp(y: ArrayLike<number>, enabled = true): OutputWarp {
  const n = y.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i];
  mean /= Math.max(n, 1);
  let sd = 0;
  for (let i = 0; i < n; i++) sd += (y[i] - mean) ** 2;
  sd = Math.sqrt(sd / Math.max(n - 1, 1));
  if (!(sd > 0)) sd = 1;
  const scaled = Float64Array.from(y, (v) => v / sd);
  let positive = true;
  for (let i = 0; i < n; i++) if (!(scaled[i] > 0)) positive = false;
  const method: OutputWarp['method'] = !enabled || n < 4 ? 'none' : positive ? 'box-cox' : 'yeo-johnson';
  const f = method === 'box-cox' ? boxCox : yeoJohnson;
  let lambda = 1;
  if (method !== 'none') {
    let logJ = 0;
    for (let i = 0; i < n; i++) logJ += positive ? Math.log(scaled[i]) : Math.sign(scaled[i]) * Math.log1p(Math.abs(scaled[i]));
    let bestLl = -Infinity;
    for (let k = -20; k <= 20; k++) {
      const l = k / 10;
      let m = 0;
      const t = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        t[i] = f(scaled[i], l);
        m += t[i];
      }
      m /= n;
      let v = 0;
      for (let i = 0; i < n; i++) v += (t[i] - m) ** 2;
      v /= n;
      if (!(v > 0) || !Number.isFinite(v)) continue;
      const ll = -0.5 * n * Math.log(v) + (l - 1) * logJ;
      if (ll > bestLl) {
        bestLl = ll;
        lambda = l;
      }
    }
  }
  const raw = (v: number) => (method === 'none' ? v / sd : f(v / sd, lambda));
  const t = Float64Array.from(scaled, (_, i) => raw(y[i]));
  let m = 0;
  for (let i = 0; i < n; i++) m += t[i];
  m /= Math.max(n, 1);
  let s = 0;
  for (let i = 0; i < n; i++) s += (t[i] - m) ** 2;
  s = Math.sqrt(s / Math.max(n - 1, 1));
  if (!(s > 0) || !Number.isFinite(s)) s = 1;
  const z = Float64Array.from(t, (v) => (v - m) / s);
  return {
    lambda,
    method,
    z,
    apply: (v: number) => {
      // Box-Cox is undefined at v <= 0: fall back to the linear scale for such thresholds.
      const w = method === 'box-cox' && v <= 0 ? -1e6 : raw(v);
      return (w - m) / s;
    },
  };
}
