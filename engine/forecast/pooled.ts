/**
 * A pooled (global) direct linear model: one ridge regression, shared by all the series it is
 * trained on, from the last `lags` values to the next `horizon` values, both divided by the
 * level of the input window (the mean of its last `levelWindow` values) so that series of any
 * scale share the weights. Pooling many series is what made the strongest M4 Hourly methods
 * strong; with one series it is a long-memory AR model of that series.
 */
import { choleskySolve } from './linalg';

export interface PooledOptions {
  horizon: number;
  /** Input length (default 336 = two weeks of hourly data, capped by the data). */
  lags?: number;
  /** Level window (default 168). */
  levelWindow?: number;
  /** Step between training windows (default: enough to keep about `maxWindows`). */
  stride?: number;
  /** Ridge penalty relative to the mean diagonal of XᵀX (default 1e-3). */
  ridge?: number;
  /** Training windows to aim for when choosing the stride (default 20000). */
  maxWindows?: number;
  /** Model log(y / level) instead of y / level − 1 (default: log when every value is positive). */
  log?: boolean;
}

export interface PooledModel {
  lags: number;
  horizon: number;
  levelWindow: number;
  log: boolean;
  /** (lags + 1) × horizon weights, row-major; the last row is the intercept. */
  weights: Float64Array;
}

function level(y: ArrayLike<number>, end: number, w: number): number {
  let s = 0;
  for (let i = end - w; i < end; i++) s += y[i];
  const l = s / w;
  return Math.abs(l) > 1e-9 ? l : 1;
}

function allPositive(y: ArrayLike<number>): boolean {
  for (let i = 0; i < y.length; i++) if (!(y[i] > 0)) return false;
  return true;
}

/** Trains on windows that end at or before `ends[i]` in `series[i]` (its length by default). */
export function trainPooled(series: ArrayLike<number>[], opts: PooledOptions, ends?: number[]): PooledModel | undefined {
  const H = opts.horizon;
  const L = opts.lags ?? 336;
  const W = Math.min(opts.levelWindow ?? 168, L);
  let total = 0;
  series.forEach((y, si) => (total += Math.max(0, (ends ? ends[si] : y.length) - H - L + 1)));
  const stride = opts.stride ?? Math.max(1, Math.ceil(total / (opts.maxWindows ?? 20000)));
  const d = L + 1;
  const xtx = new Float64Array(d * d);
  const xty = new Float64Array(d * H);
  const x = new Float64Array(d);
  const target = new Float64Array(H);
  const useLog = opts.log ?? series.every((y) => allPositive(y));
  const tf = useLog ? (v: number, lv: number) => Math.log(v / lv) : (v: number, lv: number) => v / lv - 1;
  let windows = 0;
  series.forEach((y, si) => {
    const end = ends ? ends[si] : y.length;
    // window: inputs y[t-L .. t), targets y[t .. t+H)
    for (let t = end - H; t >= L; t -= stride) {
      const lv = level(y, t, W);
      for (let j = 0; j < L; j++) x[j] = tf(y[t - L + j], lv);
      x[L] = 1;
      for (let h = 0; h < H; h++) target[h] = tf(y[t + h], lv);
      for (let i = 0; i < d; i++) {
        const xi = x[i];
        if (xi === 0) continue;
        const row = i * d;
        for (let j = 0; j <= i; j++) xtx[row + j] += xi * x[j];
        const rowY = i * H;
        for (let h = 0; h < H; h++) xty[rowY + h] += xi * target[h];
      }
      windows++;
    }
  });
  if (windows < 2 * d) return undefined;
  let tr = 0;
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < i; j++) xtx[j * d + i] = xtx[i * d + j];
    tr += xtx[i * d + i];
  }
  const lambda = (opts.ridge ?? 1e-3) * (tr / d);
  for (let i = 0; i < L; i++) xtx[i * d + i] += lambda;
  choleskySolve(xtx, d, xty, H);
  return { lags: L, horizon: H, levelWindow: W, log: useLog, weights: xty };
}

/** Forecasts `h ≤ model.horizon` steps after `y[0..end)`; undefined when the series is too short. */
export function predictPooled(model: PooledModel, y: ArrayLike<number>, h: number, end = y.length): number[] | undefined {
  const L = model.lags;
  const H = model.horizon;
  if (end < L || h > H) return undefined;
  const lv = level(y, end, model.levelWindow);
  if (model.log) for (let j = end - L; j < end; j++) if (!(y[j] > 0)) return undefined;
  const out = new Array<number>(h).fill(0);
  const w = model.weights;
  for (let j = 0; j <= L; j++) {
    const xj = j === L ? 1 : model.log ? Math.log(y[end - L + j] / lv) : y[end - L + j] / lv - 1;
    if (xj === 0) continue;
    const row = j * H;
    for (let k = 0; k < h; k++) out[k] += xj * w[row + k];
  }
  return out.map((v) => (model.log ? lv * Math.exp(v) : lv * (1 + v)));
}
