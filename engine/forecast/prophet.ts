/**
 * A Prophet-style decomposable model (Taylor & Letham 2018), fitted by penalized least squares:
 *
 *   y(t) = k·t + m + Σ_j δ_j (t − s_j)₊ + Σ_periods Σ_{r=1..R} [a_r cos(2πrt/P) + b_r sin(2πrt/P)] + ε
 *
 * - the trend is piecewise linear with `changepoints` candidate change points s_j spread evenly
 *   over the first `changepointRange` of the history (Prophet's defaults: 25 over 80%); the rate
 *   changes δ_j carry a ridge penalty (a Gaussian prior instead of Prophet's Laplace one: the
 *   same shrinkage of small changes, a closed form solve);
 * - one Fourier series per seasonal period (orders in `fourier`), lightly penalized;
 * - with `log` (default when every value is positive) the model is fitted to log y, i.e. the
 *   seasonality is multiplicative, and the forecast is exponentiated.
 * The future trend continues the last segment's rate, as Prophet's mean forecast does.
 */
import { choleskySolve } from './linalg';

export interface ProphetOptions {
  /** Seasonal periods in steps (e.g. [24, 168]). */
  periods: number[];
  /** Fourier order per period (default 10 for the shortest, 5 for the others). */
  fourier?: number[];
  /** Candidate change points (default 25). */
  changepoints?: number;
  /** Share of the history holding change points (default 0.8). */
  changepointRange?: number;
  /** Ridge penalty on the rate changes, relative to the data's scale (default 100, the best of 1–10000 on the first 100 M4 Hourly series). */
  changepointPenalty?: number;
  /** Ridge penalty on the Fourier coefficients (default 0.1). */
  seasonalityPenalty?: number;
  /** Fit log(y) (multiplicative seasonality); default: when every value is positive. */
  log?: boolean;
}

export interface ProphetFit {
  /** Base rate k, offset m and the rate changes δ at `changepoints` (in the model's scale, t in steps). */
  k: number;
  m: number;
  changepoints: number[];
  deltas: number[];
  /** [period][r] cosine and sine coefficients, r = 1..order. */
  seasonal: Array<{ period: number; cos: number[]; sin: number[] }>;
  log: boolean;
  n: number;
  /** Trend at step t (t ≥ n continues the last rate), in the model's scale. */
  trend(t: number): number;
  /** Sum of the seasonal components at step t, in the model's scale. */
  season(t: number): number;
  forecast(h: number): number[];
}

export function fitProphet(y: ArrayLike<number>, opts: ProphetOptions): ProphetFit | undefined {
  const n = y.length;
  const periods = opts.periods.filter((p) => p > 1 && n >= 2 * p);
  const orders = periods.map((p, i) => Math.min(opts.fourier?.[i] ?? (i === 0 ? 10 : 5), Math.floor(p / 2)));
  let positive = true;
  for (let i = 0; i < n; i++) if (!(y[i] > 0)) positive = false;
  const log = (opts.log ?? positive) && positive;
  const z = Float64Array.from(y, (v) => (log ? Math.log(v) : v));
  const S = Math.max(0, Math.min(opts.changepoints ?? 25, Math.floor(n / 4)));
  const range = opts.changepointRange ?? 0.8;
  const cps: number[] = [];
  for (let j = 1; j <= S; j++) cps.push(Math.floor((j * range * n) / (S + 1)));
  const nf = orders.reduce((a, b) => a + 2 * b, 0);
  const d = 2 + S + nf;
  if (n < d + 2) return undefined;
  // t is scaled to [0, 1] over the history so that the penalties do not depend on its length
  const ts = 1 / n;
  const row = new Float64Array(d);
  const fill = (t: number) => {
    const u = t * ts;
    row[0] = 1;
    row[1] = u;
    for (let j = 0; j < S; j++) row[2 + j] = u > cps[j] * ts ? u - cps[j] * ts : 0;
    let c = 2 + S;
    periods.forEach((p, i) => {
      // cos/sin of r·a by rotation from those of a (two trigonometric calls per period, not 2R)
      const a = (2 * Math.PI * (t % p)) / p;
      const c1 = Math.cos(a);
      const s1 = Math.sin(a);
      let cr = c1;
      let sr = s1;
      for (let r = 1; r <= orders[i]; r++) {
        row[c++] = cr;
        row[c++] = sr;
        const cn = cr * c1 - sr * s1;
        sr = sr * c1 + cr * s1;
        cr = cn;
      }
    });
  };
  const xtx = new Float64Array(d * d);
  const xty = new Float64Array(d);
  for (let t = 0; t < n; t++) {
    fill(t);
    for (let a = 0; a < d; a++) {
      const ra = row[a];
      if (ra === 0) continue;
      xty[a] += ra * z[t];
      for (let b = 0; b <= a; b++) xtx[a * d + b] += ra * row[b];
    }
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) xtx[b * d + a] = xtx[a * d + b];
  // penalties scaled by n (the data term grows with n; the priors do not)
  const lcp = (opts.changepointPenalty ?? 100) * n * 1e-3;
  const lse = (opts.seasonalityPenalty ?? 0.1) * n * 1e-3;
  for (let j = 0; j < S; j++) xtx[(2 + j) * d + 2 + j] += lcp;
  for (let c = 2 + S; c < d; c++) xtx[c * d + c] += lse;
  xtx[0] += 1e-9 * n;
  xtx[d + 1] += 1e-9 * n;
  choleskySolve(xtx, d, xty, 1);
  const beta = Array.from(xty);
  if (!beta.every(Number.isFinite)) return undefined;
  const seasonal: ProphetFit['seasonal'] = [];
  let c = 2 + S;
  periods.forEach((p, i) => {
    const cos: number[] = [];
    const sin: number[] = [];
    for (let r = 1; r <= orders[i]; r++) {
      cos.push(beta[c++]);
      sin.push(beta[c++]);
    }
    seasonal.push({ period: p, cos, sin });
  });
  // back to steps: k per step, δ per step
  const k = beta[1] * ts;
  const deltas = beta.slice(2, 2 + S).map((v) => v * ts);
  const m0 = beta[0];
  const fit: ProphetFit = {
    k,
    m: m0,
    changepoints: cps,
    deltas,
    seasonal,
    log,
    n,
    trend(t: number) {
      let v = m0 + k * t;
      for (let j = 0; j < S; j++) if (t > cps[j]) v += deltas[j] * (t - cps[j]);
      return v;
    },
    season(t: number) {
      let v = 0;
      for (const s of seasonal)
        for (let r = 1; r <= s.cos.length; r++) {
          const a = (2 * Math.PI * r * t) / s.period;
          v += s.cos[r - 1] * Math.cos(a) + s.sin[r - 1] * Math.sin(a);
        }
      return v;
    },
    forecast(h: number) {
      const out: number[] = [];
      for (let t = n; t < n + h; t++) {
        const v = fit.trend(t) + fit.season(t);
        out.push(log ? Math.exp(v) : v);
      }
      return out;
    },
  };
  return fit;
}
