/**
 * Exponential smoothing (ETS with additive errors: Holt-Winters with additive or multiplicative
 * seasonality, optionally damped trend), parameters fitted by least squares (the Gaussian
 * likelihood) with Nelder–Mead, the model chosen by AICc. Initial states come from the first
 * seasons (a heuristic, as in Hyndman et al. 2008, §2.6) and count in the AICc's parameters.
 */
import { nelderMead } from './optimize';

export type TrendKind = 'N' | 'A' | 'Ad';
export type SeasonKind = 'N' | 'A' | 'M';

export interface EtsSpec {
  trend: TrendKind;
  season: SeasonKind;
  /** Seasonal period (ignored when season is N). */
  period: number;
}

export interface EtsParams {
  alpha: number;
  beta: number;
  gamma: number;
  phi: number;
}

export interface EtsFit {
  spec: EtsSpec;
  params: EtsParams;
  name: string;
  sse: number;
  n: number;
  /** Number of estimated parameters (smoothing, damping, initial states, variance). */
  k: number;
  aicc: number;
  /** Final states: level, trend and the last `period` seasonal terms (oldest first). */
  level: number;
  trend: number;
  seasonal: number[];
  forecast(h: number): number[];
}

export function etsName(spec: EtsSpec): string {
  return `ETS(A,${spec.trend},${spec.season})`;
}

/** AICc of a Gaussian model with `sse` over n points and k parameters (σ² included in k). */
export function aicc(sse: number, n: number, k: number): number {
  const logLik = -0.5 * n * (Math.log((2 * Math.PI * sse) / n) + 1);
  const aic = -2 * logLik + 2 * k;
  return n - k - 1 > 0 ? aic + (2 * k * (k + 1)) / (n - k - 1) : Infinity;
}

interface Init {
  level: number;
  trend: number;
  seasonal: number[];
}

function initialStates(y: ArrayLike<number>, spec: EtsSpec): Init {
  const m = spec.season === 'N' ? 1 : spec.period;
  if (m > 1 && y.length >= 2 * m) {
    let a = 0;
    let b = 0;
    for (let i = 0; i < m; i++) {
      a += y[i];
      b += y[m + i];
    }
    a /= m;
    b /= m;
    const seasonal = [];
    for (let i = 0; i < m; i++) seasonal.push(spec.season === 'M' ? y[i] / a : y[i] - a);
    // level at time 0 is the first season's mean, minus half a season of trend
    const trend = spec.trend === 'N' ? 0 : (b - a) / m;
    return { level: a - ((m - 1) / 2) * trend, trend, seasonal };
  }
  const trend = spec.trend === 'N' || y.length < 2 ? 0 : y[1] - y[0];
  return { level: y[0], trend, seasonal: [] };
}

/** Runs the recursions; returns the SSE of the one-step errors and the final states. */
export function etsFilter(y: ArrayLike<number>, spec: EtsSpec, p: EtsParams, init: Init): { sse: number; level: number; trend: number; seasonal: number[] } {
  const m = spec.season === 'N' ? 0 : spec.period;
  const s = init.seasonal.slice();
  let l = init.level;
  let b = init.trend;
  const phi = spec.trend === 'Ad' ? p.phi : 1;
  const hasTrend = spec.trend !== 'N';
  let sse = 0;
  for (let t = 0; t < y.length; t++) {
    const bt = hasTrend ? phi * b : 0;
    const base = l + bt;
    let si = 0;
    let yhat = base;
    if (m) {
      si = s[t % m];
      yhat = spec.season === 'M' ? base * si : base + si;
    }
    const e = y[t] - yhat;
    sse += e * e;
    if (spec.season === 'M') {
      const sd = si === 0 ? 1e-9 : si;
      l = base + (p.alpha * e) / sd;
      if (hasTrend) b = bt + (p.beta * e) / sd;
      s[t % m] = si + (p.gamma * e) / (base === 0 ? 1e-9 : base);
    } else {
      l = base + p.alpha * e;
      if (hasTrend) b = bt + p.beta * e;
      if (m) s[t % m] = si + p.gamma * e;
    }
    if (!Number.isFinite(l)) return { sse: Infinity, level: l, trend: b, seasonal: s };
  }
  // rotate so the seasonal terms run oldest first, ending with the last observed period
  const n = y.length;
  const seasonal = m ? Array.from({ length: m }, (_, i) => s[(n + i) % m]) : [];
  return { sse, level: l, trend: b, seasonal };
}

function forecastFrom(spec: EtsSpec, p: EtsParams, level: number, trend: number, seasonal: number[], h: number): number[] {
  const out = new Array<number>(h);
  const phi = spec.trend === 'Ad' ? p.phi : 1;
  let damp = 0;
  let ph = 1;
  for (let i = 0; i < h; i++) {
    if (spec.trend !== 'N') {
      ph *= phi;
      damp += ph;
    }
    const base = level + damp * trend;
    if (spec.season === 'N') out[i] = base;
    else {
      const si = seasonal[i % spec.period];
      out[i] = spec.season === 'M' ? base * si : base + si;
    }
  }
  return out;
}

const sig = (x: number) => 1 / (1 + Math.exp(-x));
const logit = (p: number) => Math.log(p / (1 - p));

/** Fits one ETS model by least squares. */
export function fitEts(y: ArrayLike<number>, spec: EtsSpec, maxEvals = 300): EtsFit {
  const init = initialStates(y, spec);
  const hasTrend = spec.trend !== 'N';
  const hasSeason = spec.season !== 'N';
  const damped = spec.trend === 'Ad';
  const toParams = (x: number[]): EtsParams => {
    const alpha = 0.0001 + 0.9998 * sig(x[0]);
    let i = 1;
    const beta = hasTrend ? alpha * 0.999 * sig(x[i++]) : 0;
    const gamma = hasSeason ? (1 - alpha) * 0.999 * sig(x[i++]) : 0;
    const phi = damped ? 0.8 + 0.18 * sig(x[i++]) : 1;
    return { alpha, beta, gamma, phi };
  };
  const x0 = [logit(0.3)];
  if (hasTrend) x0.push(logit(0.1));
  if (hasSeason) x0.push(logit(0.1));
  if (damped) x0.push(0);
  const { x } = nelderMead((v) => etsFilter(y, spec, toParams(v), init).sse, x0, { maxEvals, step: 1 });
  const params = toParams(x);
  const f = etsFilter(y, spec, params, init);
  const m = hasSeason ? spec.period : 0;
  const k = x0.length + 1 + (hasTrend ? 1 : 0) + (hasSeason ? m - 1 : 0) + 1;
  return {
    spec,
    params,
    name: etsName(spec),
    sse: f.sse,
    n: y.length,
    k,
    aicc: aicc(f.sse, y.length, k),
    level: f.level,
    trend: f.trend,
    seasonal: f.seasonal,
    forecast: (h) => forecastFrom(spec, params, f.level, f.trend, f.seasonal, h),
  };
}

/** Fits the candidate ETS models and returns the one with the lowest AICc. */
export function autoEts(y: ArrayLike<number>, period: number, opts: { trends?: TrendKind[]; seasons?: SeasonKind[]; maxEvals?: number } = {}): EtsFit {
  const positive = Array.prototype.every.call(y, (v: number) => v > 0);
  const canSeason = period > 1 && y.length >= 2 * period + 2;
  const seasons = (opts.seasons ?? ['N', 'A', 'M']).filter((s) => (s === 'N' ? true : canSeason && (s === 'A' || positive)));
  const trends = opts.trends ?? ['N', 'A', 'Ad'];
  let best: EtsFit | undefined;
  for (const season of seasons) {
    for (const trend of trends) {
      const fit = fitEts(y, { trend, season, period }, opts.maxEvals);
      if (!best || fit.aicc < best.aicc) best = fit;
    }
  }
  return best!;
}
