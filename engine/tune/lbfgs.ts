/**
 * Box-constrained L-BFGS (projected variant): the two-loop recursion gives a quasi-Newton
 * direction, coordinates at a bound whose direction points outward are frozen for that step,
 * and a backtracking Armijo search runs along the projected path. Used for the GP's
 * hyper-parameters (a dozen variables) and to refine acquisition maxima; both are smooth,
 * low-dimensional and cheap to differentiate, where this simple scheme converges in tens of
 * iterations.
 */

export interface LbfgsOptions {
  lower: ArrayLike<number>;
  upper: ArrayLike<number>;
  maxIter?: number;
  memory?: number;
  /** Stop when the projected gradient's largest component is below this. */
  gtol?: number;
  /** Stop when the relative decrease of f in an iteration is below this. */
  ftol?: number;
  /** Coordinates with mask 0 are held fixed. */
  mask?: ArrayLike<number>;
}

export interface LbfgsResult {
  x: Float64Array;
  f: number;
  iterations: number;
  evaluations: number;
}

/** Minimize f (which returns the value and writes the gradient into `g`). */
export function lbfgsb(
  f: (x: Float64Array, g: Float64Array) => number,
  x0: ArrayLike<number>,
  opts: LbfgsOptions,
): LbfgsResult {
  const n = x0.length;
  const m = opts.memory ?? 6;
  const maxIter = opts.maxIter ?? 50;
  const gtol = opts.gtol ?? 1e-6;
  const ftol = opts.ftol ?? 1e-9;
  const lo = opts.lower;
  const hi = opts.upper;
  const mask = opts.mask;
  const clip = (v: Float64Array) => {
    for (let i = 0; i < n; i++) v[i] = v[i] < lo[i] ? lo[i] : v[i] > hi[i] ? hi[i] : v[i];
  };
  let x = Float64Array.from(x0);
  clip(x);
  let g = new Float64Array(n);
  let fx = f(x, g);
  if (mask) for (let i = 0; i < n; i++) if (!mask[i]) g[i] = 0;
  let evals = 1;
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const d = new Float64Array(n);
  const alpha = new Float64Array(m);
  let it = 0;
  for (; it < maxIter; it++) {
    // Projected gradient norm for convergence.
    let pg = 0;
    for (let i = 0; i < n; i++) {
      let gi = g[i];
      if ((x[i] <= lo[i] && gi > 0) || (x[i] >= hi[i] && gi < 0)) gi = 0;
      pg = Math.max(pg, Math.abs(gi));
    }
    if (!(pg > gtol)) break;
    // Two-loop recursion.
    for (let i = 0; i < n; i++) d[i] = -g[i];
    for (let k = S.length - 1; k >= 0; k--) {
      let a = 0;
      for (let i = 0; i < n; i++) a += S[k][i] * d[i];
      a *= rho[k];
      alpha[k] = a;
      for (let i = 0; i < n; i++) d[i] -= a * Y[k][i];
    }
    if (S.length > 0) {
      const k = S.length - 1;
      let yy = 0;
      for (let i = 0; i < n; i++) yy += Y[k][i] * Y[k][i];
      const gamma = 1 / (rho[k] * yy);
      for (let i = 0; i < n; i++) d[i] *= gamma;
    } else {
      // First step: a unit-ish move scaled to the box.
      let gn = 0;
      for (let i = 0; i < n; i++) gn = Math.max(gn, Math.abs(g[i]));
      let span = Infinity;
      for (let i = 0; i < n; i++) if (hi[i] > lo[i]) span = Math.min(span, hi[i] - lo[i]);
      const s = Math.min(1, (0.1 * (Number.isFinite(span) ? span : 1)) / Math.max(gn, 1e-300));
      for (let i = 0; i < n; i++) d[i] *= s;
    }
    for (let k = 0; k < S.length; k++) {
      let b = 0;
      for (let i = 0; i < n; i++) b += Y[k][i] * d[i];
      b *= rho[k];
      for (let i = 0; i < n; i++) d[i] += S[k][i] * (alpha[k] - b);
    }
    for (let i = 0; i < n; i++) {
      if (mask && !mask[i]) d[i] = 0;
      else if ((x[i] <= lo[i] && d[i] < 0) || (x[i] >= hi[i] && d[i] > 0)) d[i] = 0;
    }
    let slope = 0;
    for (let i = 0; i < n; i++) slope += g[i] * d[i];
    if (!(slope < 0)) {
      // Not a descent direction (curvature memory went stale): restart from steepest descent.
      if (S.length === 0) break;
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
      continue;
    }
    let t = 1;
    let xn = new Float64Array(n);
    let gn = new Float64Array(n);
    let fn = Infinity;
    let accepted = false;
    for (let ls = 0; ls < 20; ls++) {
      for (let i = 0; i < n; i++) xn[i] = x[i] + t * d[i];
      clip(xn);
      let dec = 0;
      for (let i = 0; i < n; i++) dec += g[i] * (xn[i] - x[i]);
      fn = f(xn, gn);
      evals++;
      if (Number.isFinite(fn) && fn <= fx + 1e-4 * dec) {
        accepted = true;
        break;
      }
      t *= 0.3;
    }
    if (!accepted) break;
    if (mask) for (let i = 0; i < n; i++) if (!mask[i]) gn[i] = 0;
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    let sy = 0;
    for (let i = 0; i < n; i++) {
      s[i] = xn[i] - x[i];
      y[i] = gn[i] - g[i];
      sy += s[i] * y[i];
    }
    if (sy > 1e-12) {
      if (S.length === m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
    }
    const rel = (fx - fn) / Math.max(Math.abs(fx), Math.abs(fn), 1);
    [x, xn] = [xn, x];
    [g, gn] = [gn, g];
    fx = fn;
    if (rel < ftol) {
      it++;
      break;
    }
  }
  return { x, f: fx, iterations: it, evaluations: evals };
}
