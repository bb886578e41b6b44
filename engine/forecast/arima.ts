/**
 * Seasonal ARIMA (p,d,q)(P,D,Q)_m fitted by conditional sum of squares (CSS) and chosen
 * automatically in the manner of Hyndman & Khandakar (2008, `auto.arima`):
 * - D (0 or 1) by the seasonal strength of an additive decomposition (Wang, Smith & Hyndman
 *   2006: F_s = 1 − var(remainder) / var(seasonal + remainder) > 0.64, as `nsdiffs` does);
 * - d (0 to 2) by repeated KPSS level-stationarity tests at 5% (as `ndiffs` does);
 * - the orders by the stepwise search over p, q ≤ 3 and P, Q ≤ 2 minimising AICc, starting from
 *   the four models of the paper, with a constant (the mean, or the drift) when d + D ≤ 1.
 *
 * The coefficients minimise the CSS by Levenberg–Marquardt on a finite-difference Jacobian
 * (a few dozen residual passes instead of the hundreds of a simplex search); a model whose AR
 * part is not stationary or whose MA part is not invertible is rejected, as `auto.arima` does.
 * Sign conventions are R's: (1 − Σφ_i B^i)(1 − ΣΦ_i B^{mi}) w_t = (1 + Σθ_i B^i)(1 + ΣΘ_i B^{mi}) e_t.
 */
import { aicc } from './ets';
import { choleskySolve } from './linalg';

export interface ArimaOrder {
  p: number;
  d: number;
  q: number;
  P: number;
  D: number;
  Q: number;
  /** Seasonal period (1: none). */
  m: number;
}

export interface ArimaFit {
  order: ArimaOrder;
  /** φ (p), θ (q), Φ (P), Θ (Q). */
  ar: number[];
  ma: number[];
  sar: number[];
  sma: number[];
  /** Mean of the differenced series (the drift when d + D = 1), 0 when not estimated. */
  mean: number;
  hasMean: boolean;
  sigma2: number;
  /** Residuals used by the CSS. */
  nUsed: number;
  aicc: number;
  name: string;
  /** The estimated parameter vector (φ, θ, Φ, Θ, μ), a warm start for refits of the same order. */
  params: number[];
  forecast(h: number): number[];
}

export function arimaName(o: ArimaOrder, hasMean = false): string {
  const s = o.m > 1 && (o.P || o.D || o.Q) ? `(${o.P},${o.D},${o.Q})[${o.m}]` : '';
  return `ARIMA(${o.p},${o.d},${o.q})${s}${hasMean ? (o.d + o.D === 1 ? ' with drift' : ' with mean') : ''}`;
}

/** (1 − B)^d (1 − B^m)^D as coefficients c with c[0] = 1: w_t = Σ c_i y_{t−i}. */
export function differencingPolynomial(d: number, D: number, m: number): number[] {
  let c = [1];
  const mul = (a: number[], lag: number) => {
    const out = new Array<number>(a.length + lag).fill(0);
    a.forEach((v, i) => {
      out[i] += v;
      out[i + lag] -= v;
    });
    return out;
  };
  for (let i = 0; i < d; i++) c = mul(c, 1);
  for (let i = 0; i < D; i++) c = mul(c, m);
  return c;
}

export function difference(y: ArrayLike<number>, d: number, D: number, m: number): number[] {
  const c = differencingPolynomial(d, D, m);
  const out: number[] = [];
  for (let t = c.length - 1; t < y.length; t++) {
    let s = 0;
    for (let i = 0; i < c.length; i++) if (c[i] !== 0) s += c[i] * y[t - i];
    out.push(s);
  }
  return out;
}

/**
 * True when 1 − Σ a_i z^i has all its roots outside the unit circle (the step-down
 * Levinson recursion: every partial autocorrelation strictly inside (−1, 1)).
 */
export function isStationary(a: ArrayLike<number>): boolean {
  let c = Array.from(a);
  while (c.length && c[c.length - 1] === 0) c.pop();
  for (let k = c.length; k > 0; k--) {
    const r = c[k - 1];
    if (!(Math.abs(r) < 1 - 1e-6)) return false;
    const next = new Array<number>(k - 1);
    for (let i = 0; i < k - 1; i++) next[i] = (c[i] + r * c[k - 2 - i]) / (1 - r * r);
    c = next;
  }
  return true;
}

/** The product of a non-seasonal and a seasonal lag polynomial, as the lags and values of 1 ∓ …, sign +1 for MA, −1 for AR. */
function expand(ns: number[], s: number[], m: number): { lags: number[]; coef: number[] } {
  // (1 + Σ a_i B^i)(1 + Σ A_j B^{mj}) with a = sign·ns, A = sign·s; returned as the coefficients beyond lag 0
  const full = new Map<number, number>();
  const a = [1, ...ns];
  const A = [1, ...s];
  for (let i = 0; i < a.length; i++)
    for (let j = 0; j < A.length; j++) {
      if (i === 0 && j === 0) continue;
      const lag = i + m * j;
      full.set(lag, (full.get(lag) ?? 0) + a[i] * A[j]);
    }
  const lags = [...full.keys()].sort((x, y) => x - y);
  return { lags, coef: lags.map((l) => full.get(l)!) };
}

interface Model {
  order: ArimaOrder;
  hasMean: boolean;
}

/** Parameter vector layout: φ(p), θ(q), Φ(P), Θ(Q), μ. */
function unpack(th: ArrayLike<number>, o: ArimaOrder, hasMean: boolean) {
  let i = 0;
  const take = (k: number) => Array.from({ length: k }, () => th[i++]);
  const ar = take(o.p);
  const ma = take(o.q);
  const sar = take(o.P);
  const sma = take(o.Q);
  const mean = hasMean ? th[i++] : 0;
  return { ar, ma, sar, sma, mean };
}

/**
 * CSS residuals of the differenced series w into `e` (zero before `start`); returns the number
 * of residuals used, or −1 when the parameters are outside the stationary/invertible region.
 */
function cssResiduals(w: ArrayLike<number>, th: ArrayLike<number>, mdl: Model, e: Float64Array, check = true): number {
  const { ar, ma, sar, sma, mean } = unpack(th, mdl.order, mdl.hasMean);
  const m = mdl.order.m;
  if (check && (!isStationary(ar) || !isStationary(sar) || !isStationary(ma.map((v) => -v)) || !isStationary(sma.map((v) => -v)))) return -1;
  // AR: (1 − Σφ B^i)(1 − ΣΦ B^mj) = 1 + Σ c_l B^l with c from expand(−φ, −Φ); w_t − μ = −Σ c_l (w_{t−l} − μ) + e_t + Σ b_l e_{t−l}
  const A = expand(ar.map((v) => -v), sar.map((v) => -v), m);
  const M = expand(ma, sma, m);
  const start = A.lags.length ? A.lags[A.lags.length - 1] : 0;
  const n = w.length;
  for (let t = 0; t < start && t < n; t++) e[t] = 0;
  for (let t = start; t < n; t++) {
    let s = w[t] - mean;
    for (let k = 0; k < A.lags.length; k++) s += A.coef[k] * (w[t - A.lags[k]] - mean);
    for (let k = 0; k < M.lags.length; k++) {
      const l = M.lags[k];
      if (t - l >= start) s -= M.coef[k] * e[t - l];
    }
    e[t] = s;
  }
  return n - start;
}

function sse(e: Float64Array, from: number): number {
  let s = 0;
  for (let t = from; t < e.length; t++) s += e[t] * e[t];
  return s;
}

/**
 * Minimises the CSS by Levenberg–Marquardt from `init` (zeros by default). Returns the
 * parameters and the SSE, or undefined when no admissible point was found.
 */
function minimiseCss(w: number[], mdl: Model, init?: number[], tol = 1e-7): { th: number[]; sse: number; nUsed: number } | undefined {
  const o = mdl.order;
  const k = o.p + o.q + o.P + o.Q + (mdl.hasMean ? 1 : 0);
  const n = w.length;
  let th = init ? init.slice() : new Array<number>(k).fill(0);
  if (mdl.hasMean && !init) th[k - 1] = w.reduce((a, b) => a + b, 0) / n;
  const e = new Float64Array(n);
  let nUsed = cssResiduals(w, th, mdl, e);
  if (nUsed < 0) {
    th = new Array<number>(k).fill(0);
    if (mdl.hasMean) th[k - 1] = w.reduce((a, b) => a + b, 0) / n;
    nUsed = cssResiduals(w, th, mdl, e);
  }
  const start = n - nUsed;
  if (nUsed <= k + 1) return undefined;
  let f = sse(e, start);
  if (k === 0) return { th, sse: f, nUsed };
  const J = Array.from({ length: k }, () => new Float64Array(n));
  const ep = new Float64Array(n);
  let lambda = 1e-3;
  for (let iter = 0; iter < 30; iter++) {
    // Jacobian of the residuals by forward differences (without the region check: tiny steps)
    for (let j = 0; j < k; j++) {
      const hj = 1e-6 * Math.max(1, Math.abs(th[j]));
      const tp = th.slice();
      tp[j] += hj;
      cssResiduals(w, tp, mdl, ep, false);
      const col = J[j];
      for (let t = start; t < n; t++) col[t] = (ep[t] - e[t]) / hj;
    }
    const jtj = new Float64Array(k * k);
    const jtr = new Float64Array(k);
    for (let a = 0; a < k; a++) {
      const ca = J[a];
      let g = 0;
      for (let t = start; t < n; t++) g += ca[t] * e[t];
      jtr[a] = -g;
      for (let b = 0; b <= a; b++) {
        const cb = J[b];
        let s = 0;
        for (let t = start; t < n; t++) s += ca[t] * cb[t];
        jtj[a * k + b] = s;
        jtj[b * k + a] = s;
      }
    }
    let improved = false;
    for (let tries = 0; tries < 8; tries++) {
      const A = jtj.slice();
      for (let a = 0; a < k; a++) A[a * k + a] += lambda * (jtj[a * k + a] + 1e-12);
      const step = jtr.slice();
      choleskySolve(A, k, step, 1);
      const cand = th.map((v, j) => v + step[j]);
      const used = cssResiduals(w, cand, mdl, ep);
      const fc = used === nUsed ? sse(ep, start) : Infinity;
      if (fc < f) {
        const rel = (f - fc) / (f + 1e-300);
        th = cand;
        e.set(ep);
        f = fc;
        lambda = Math.max(1e-7, lambda / 10);
        improved = rel > tol;
        break;
      }
      lambda *= 10;
    }
    if (!improved) break;
  }
  return { th, sse: f, nUsed };
}

/** Fits one order by CSS; undefined when the series is too short or no admissible fit exists. */
export function fitArima(y: ArrayLike<number>, order: ArimaOrder, opts: { hasMean?: boolean; init?: number[]; tol?: number } = {}): ArimaFit | undefined {
  const o = { ...order, m: Math.max(1, order.m) };
  const w = difference(y, o.d, o.D, o.m);
  const hasMean = opts.hasMean ?? o.d + o.D <= 1;
  const mdl: Model = { order: o, hasMean };
  const res = minimiseCss(w, mdl, opts.init && opts.init.length === o.p + o.q + o.P + o.Q + (hasMean ? 1 : 0) ? opts.init : undefined, opts.tol);
  if (!res) return undefined;
  const k = res.th.length + 1;
  const { ar, ma, sar, sma, mean } = unpack(res.th, o, hasMean);
  const sigma2 = res.sse / res.nUsed;
  const yArr = Array.from(y);
  const wFull = w;
  const fit: ArimaFit = {
    order: o,
    ar,
    ma,
    sar,
    sma,
    mean,
    hasMean,
    sigma2,
    nUsed: res.nUsed,
    aicc: aicc(res.sse, res.nUsed, k),
    name: arimaName(o, hasMean),
    params: res.th,
    forecast(h: number): number[] {
      // residuals on the whole differenced series, then the ARMA recursion with future e = 0,
      // then the differencing undone step by step
      const e = new Float64Array(wFull.length + h);
      cssResiduals(wFull, res.th, mdl, e, false);
      const A = expand(ar.map((v) => -v), sar.map((v) => -v), o.m);
      const M = expand(ma, sma, o.m);
      const wx = wFull.concat(new Array<number>(h).fill(0));
      const n = wFull.length;
      for (let t = n; t < n + h; t++) {
        let s = 0;
        for (let i = 0; i < A.lags.length; i++) {
          const idx = t - A.lags[i];
          s -= A.coef[i] * ((idx >= 0 ? wx[idx] : mean) - mean);
        }
        for (let i = 0; i < M.lags.length; i++) {
          const idx = t - M.lags[i];
          if (idx >= 0 && idx < n) s += M.coef[i] * e[idx];
        }
        wx[t] = mean + s;
      }
      const c = differencingPolynomial(o.d, o.D, o.m);
      const yy = yArr.slice();
      for (let t = n; t < n + h; t++) {
        // w_t = Σ c_i y_{t−i}  ⇒  y_t = w_t − Σ_{i≥1} c_i y_{t−i}
        const T = yArr.length + (t - n);
        let v = wx[t];
        for (let i = 1; i < c.length; i++) if (c[i] !== 0) v -= c[i] * yy[T - i];
        yy.push(v);
      }
      return yy.slice(yArr.length);
    },
  };
  return fit;
}

/** KPSS level-stationarity statistic (Bartlett long-run variance, lag ⌊4 (n/100)^¼⌋ as urca's "short"). */
export function kpss(y: ArrayLike<number>): number {
  const n = y.length;
  let mu = 0;
  for (let i = 0; i < n; i++) mu += y[i];
  mu /= n;
  const e = Float64Array.from(y, (v) => v - mu);
  let s = 0;
  let eta = 0;
  for (let i = 0; i < n; i++) {
    s += e[i];
    eta += s * s;
  }
  const L = Math.floor(4 * (n / 100) ** 0.25);
  let lrv = 0;
  for (let i = 0; i < n; i++) lrv += e[i] * e[i];
  lrv /= n;
  for (let l = 1; l <= L; l++) {
    let g = 0;
    for (let i = l; i < n; i++) g += e[i] * e[i - l];
    lrv += (2 * (1 - l / (L + 1)) * g) / n;
  }
  return lrv > 0 ? eta / (n * n * lrv) : 0;
}

/** 5% critical value of the KPSS level test (Kwiatkowski et al. 1992, Table 1). */
export const KPSS_CRITICAL_5 = 0.463;

/** Number of first differences by repeated KPSS tests (0..maxD). */
export function ndiffs(y: ArrayLike<number>, maxD = 2): number {
  let x = Array.from(y);
  let d = 0;
  while (d < maxD && x.length > 10 && kpss(x) > KPSS_CRITICAL_5) {
    x = difference(x, 1, 0, 1);
    d++;
  }
  return d;
}

/**
 * Seasonal strength F_s of an additive classical decomposition (centred moving-average trend,
 * seasonal = mean detrended value per phase): 1 − var(R) / var(S + R), in [0, 1].
 */
export function seasonalStrength(y: ArrayLike<number>, m: number): number {
  const n = y.length;
  if (m < 2 || n < 2 * m + 1) return 0;
  const trend = new Float64Array(n).fill(NaN);
  const half = Math.floor(m / 2);
  // 2×m moving average for even m, m for odd m
  let run = 0; // points with a trend value
  const cs = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) cs[i + 1] = cs[i] + y[i];
  for (let t = half; t < n - half; t++) {
    if (m % 2 === 1) trend[t] = (cs[t + half + 1] - cs[t - half]) / m;
    else if (t + half < n) trend[t] = ((cs[t + half] - cs[t - half]) / m + (cs[t + half + 1] - cs[t - half + 1]) / m) / 2;
    run++;
  }
  const sum = new Float64Array(m);
  const cnt = new Float64Array(m);
  for (let t = 0; t < n; t++)
    if (!Number.isNaN(trend[t])) {
      sum[t % m] += y[t] - trend[t];
      cnt[t % m]++;
    }
  const seas = Array.from(sum, (s, i) => (cnt[i] ? s / cnt[i] : 0));
  const sm = seas.reduce((a, b) => a + b, 0) / m;
  const sr: number[] = [];
  const r: number[] = [];
  for (let t = 0; t < n; t++)
    if (!Number.isNaN(trend[t])) {
      const dt = y[t] - trend[t];
      sr.push(dt);
      r.push(dt - (seas[t % m] - sm));
    }
  const v = (a: number[]) => {
    const mu = a.reduce((x, z) => x + z, 0) / a.length;
    return a.reduce((x, z) => x + (z - mu) ** 2, 0) / a.length;
  };
  const vsr = v(sr);
  return run && vsr > 0 ? Math.max(0, 1 - v(r) / vsr) : 0;
}

export interface AutoArimaOptions {
  /** Seasonal period (1 or absent: non-seasonal). */
  m?: number;
  maxP?: number;
  maxQ?: number;
  maxSP?: number;
  maxSQ?: number;
  /** Models fitted at most by the stepwise search (default 40). */
  maxModels?: number;
  /** Relative SSE improvement under which a fit stops (default 1e-3 in the search: the same orders and accuracy on M4 Hourly as 1e-5, half the time). */
  tol?: number;
  /** Seasonal strength above which D = 1 (default 0.64, as `nsdiffs`). */
  seasonalThreshold?: number;
  /** Force d / D instead of testing. */
  d?: number;
  D?: number;
}

/** The parameters of `from` laid out for the orders `to` (zeros for the new terms). */
function warmStart(from: ArimaFit, to: { p: number; q: number; P: number; Q: number }): number[] {
  const pad = (a: number[], k: number) => Array.from({ length: k }, (_, i) => a[i] ?? 0);
  const out = [...pad(from.ar, to.p), ...pad(from.ma, to.q), ...pad(from.sar, to.P), ...pad(from.sma, to.Q)];
  if (from.hasMean) out.push(from.mean);
  return out;
}

/** The Hyndman–Khandakar stepwise search; undefined when no model could be fitted. */
export function autoArima(y: ArrayLike<number>, opts: AutoArimaOptions = {}): ArimaFit | undefined {
  const m = opts.m && opts.m > 1 && y.length >= 3 * opts.m ? opts.m : 1;
  const D = opts.D ?? (m > 1 && seasonalStrength(y, m) > (opts.seasonalThreshold ?? 0.64) ? 1 : 0);
  const d = opts.d ?? ndiffs(D ? difference(y, 0, D, m) : y);
  const maxP = opts.maxP ?? 3;
  const maxQ = opts.maxQ ?? 3;
  const maxSP = m > 1 ? opts.maxSP ?? 2 : 0;
  const maxSQ = m > 1 ? opts.maxSQ ?? 2 : 0;
  const maxModels = opts.maxModels ?? 40;
  const tried = new Map<string, ArimaFit | null>();
  const tryOrder = (p: number, q: number, P: number, Q: number): ArimaFit | null => {
    if (p < 0 || q < 0 || P < 0 || Q < 0 || p > maxP || q > maxQ || P > maxSP || Q > maxSQ) return null;
    const key = `${p},${q},${P},${Q}`;
    if (tried.has(key)) return tried.get(key)!;
    if (tried.size >= maxModels) return null;
    // warm start from the best model so far: its coefficients where the orders overlap
    const init = best ? warmStart(best, { p, q, P, Q }) : undefined;
    const f = fitArima(y, { p, d, q, P, D, Q, m }, { init, tol: opts.tol ?? 1e-3 }) ?? null;
    tried.set(key, f && Number.isFinite(f.aicc) ? f : null);
    return tried.get(key)!;
  };
  let best: ArimaFit | null = null;
  const consider = (f: ArimaFit | null) => {
    if (f && (!best || f.aicc < best.aicc)) {
      best = f;
      return true;
    }
    return false;
  };
  const s = m > 1 ? 1 : 0;
  consider(tryOrder(Math.min(2, maxP), Math.min(2, maxQ), s, s));
  consider(tryOrder(0, 0, 0, 0));
  consider(tryOrder(Math.min(1, maxP), 0, s, 0));
  consider(tryOrder(0, Math.min(1, maxQ), 0, s));
  for (let round = 0; best && round < 20 && tried.size < maxModels; round++) {
    const b: ArimaOrder = (best as ArimaFit).order;
    const moves: Array<[number, number, number, number]> = [
      [b.p - 1, b.q, b.P, b.Q],
      [b.p + 1, b.q, b.P, b.Q],
      [b.p, b.q - 1, b.P, b.Q],
      [b.p, b.q + 1, b.P, b.Q],
      [b.p - 1, b.q - 1, b.P, b.Q],
      [b.p + 1, b.q + 1, b.P, b.Q],
      [b.p, b.q, b.P - 1, b.Q],
      [b.p, b.q, b.P + 1, b.Q],
      [b.p, b.q, b.P, b.Q - 1],
      [b.p, b.q, b.P, b.Q + 1],
      [b.p, b.q, b.P - 1, b.Q - 1],
      [b.p, b.q, b.P + 1, b.Q + 1],
    ];
    let moved = false;
    for (const mv of moves) if (consider(tryOrder(...mv))) moved = true;
    if (!moved) break;
  }
  if (!best) return undefined;
  // the chosen model's coefficients polished to a tight tolerance (the search stops early)
  const b = best as ArimaFit;
  return fitArima(y, b.order, { hasMean: b.hasMean, init: b.params, tol: 1e-7 }) ?? b;
}
