/**
 * A pooled (global) non-linear model: a one-hidden-layer perceptron shared by all the series,
 * from the last `lags` values (divided by the level of the last `levelWindow` values, in logs
 * when every value is positive) to a correction of the pooled ridge model's `horizon` values
 * (`pooled.ts`), which is also one of its inputs. Trained by Adam on the mean absolute error
 * (in logs: close to the relative error that sMAPE measures) over windows of all the series;
 * every random draw comes from a seeded generator, so a model is a function of its data.
 * The ridge model gives the linear part; the perceptron learns what it cannot (the shape of
 * the day changing with the level, saturations, series-specific regimes).
 */
import type { PooledModel } from './pooled';
import { Rng } from '../util/rng';

export interface MlpOptions {
  horizon: number;
  /** Input length (default 168, capped by the base model's). */
  lags?: number;
  /** Hidden units (default 48). */
  hidden?: number;
  /** Passes over the training windows (default 8). */
  epochs?: number;
  /** Adam step (default 1e-3). */
  lr?: number;
  /** Mini-batch size (default 32). */
  batch?: number;
  /** Training windows to aim for when choosing the stride (default 20000). */
  maxWindows?: number;
  /** Seed of the weights and of the window order (default 1). */
  seed?: number;
}

export interface MlpModel {
  base: PooledModel;
  lags: number;
  horizon: number;
  hidden: number;
  /** hidden × (lags + horizon) */
  w1: Float64Array;
  b1: Float64Array;
  /** horizon × hidden */
  w2: Float64Array;
  b2: Float64Array;
  /** Adam moments, kept so that a model can be trained further (warm start). */
  adam?: { m: Float64Array[]; v: Float64Array[]; t: number };
}

/** A small seeded generator (mulberry32), as a function. */
export function rng(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}

function levelOf(y: ArrayLike<number>, end: number, w: number): number {
  let s = 0;
  for (let i = end - w; i < end; i++) s += y[i];
  const l = s / w;
  return Math.abs(l) > 1e-9 ? l : 1;
}

/**
 * The inputs of the window ending before `end` into `x` (length lags + horizon): the scaled
 * lags, then the base model's forecast in the same scale; false when they are undefined.
 */
export function pooledFeatures(base: PooledModel, L: number, y: ArrayLike<number>, end: number, x: Float64Array): { lv: number } | undefined {
  const BL = base.lags;
  const H = base.horizon;
  if (end < BL) return undefined;
  const lv = levelOf(y, end, base.levelWindow);
  if (base.log) for (let j = end - BL; j < end; j++) if (!(y[j] > 0)) return undefined;
  const tf = (v: number) => (base.log ? Math.log(v / lv) : v / lv - 1);
  const w = base.weights;
  for (let h = 0; h < H; h++) x[L + h] = 0;
  for (let j = 0; j <= BL; j++) {
    const xj = j === BL ? 1 : tf(y[end - BL + j]);
    if (j >= BL - L && j < BL) x[j - (BL - L)] = xj;
    if (xj === 0) continue;
    const row = j * H;
    for (let h = 0; h < H; h++) x[L + h] += xj * w[row + h];
  }
  return { lv };
}

function forward(m: MlpModel, x: Float64Array, hid: Float64Array, out: Float64Array): void {
  const D = m.lags + m.horizon;
  for (let k = 0; k < m.hidden; k++) {
    let s = m.b1[k];
    const row = k * D;
    for (let j = 0; j < D; j++) s += m.w1[row + j] * x[j];
    hid[k] = s > 0 ? s : 0;
  }
  for (let h = 0; h < m.horizon; h++) {
    let s = m.b2[h] + x[m.lags + h];
    const row = h * m.hidden;
    for (let k = 0; k < m.hidden; k++) s += m.w2[row + k] * hid[k];
    out[h] = s;
  }
}

/**
 * Trains on the windows of `series[i]` that end at or before `ends[i]` (its length by
 * default), starting from `init` when given (its weights are copied, not changed).
 */
export function trainMlp(series: ArrayLike<number>[], base: PooledModel, opts: MlpOptions, ends?: number[], init?: MlpModel): MlpModel {
  const H = opts.horizon;
  const L = Math.min(opts.lags ?? 168, base.lags);
  const NH = opts.hidden ?? 48;
  const D = L + H;
  const rand = rng(opts.seed ?? 1);
  let total = 0;
  series.forEach((y, si) => (total += Math.max(0, (ends ? ends[si] : y.length) - H - base.lags + 1)));
  const stride = Math.max(1, Math.ceil(total / (opts.maxWindows ?? 20000)));
  // the training windows: inputs and targets (in the scale of the inputs)
  const xs: Float64Array[] = [];
  const ts: Float64Array[] = [];
  series.forEach((y, si) => {
    const end = ends ? ends[si] : y.length;
    for (let t = end - H; t >= base.lags; t -= stride) {
      const x = new Float64Array(D);
      const f = pooledFeatures(base, L, y, t, x);
      if (!f) continue;
      const tg = new Float64Array(H);
      let ok = true;
      for (let h = 0; h < H; h++) {
        const v = y[t + h];
        if (base.log && !(v > 0)) ok = false;
        tg[h] = base.log ? Math.log(v / f.lv) : v / f.lv - 1;
      }
      if (!ok) continue;
      xs.push(x);
      ts.push(tg);
    }
  });
  const m: MlpModel = init
    ? { base, lags: L, horizon: H, hidden: NH, w1: init.w1.slice(), b1: init.b1.slice(), w2: init.w2.slice(), b2: init.b2.slice(), adam: init.adam && { m: init.adam.m.map((a) => a.slice()), v: init.adam.v.map((a) => a.slice()), t: init.adam.t } }
    : {
        base,
        lags: L,
        horizon: H,
        hidden: NH,
        w1: Float64Array.from({ length: NH * D }, () => (rand() * 2 - 1) * Math.sqrt(6 / D)),
        b1: new Float64Array(NH),
        w2: Float64Array.from({ length: H * NH }, () => (rand() * 2 - 1) * 0.01),
        b2: new Float64Array(H),
      };
  const params = [m.w1, m.b1, m.w2, m.b2];
  const adam = m.adam ?? { m: params.map((p) => new Float64Array(p.length)), v: params.map((p) => new Float64Array(p.length)), t: 0 };
  m.adam = adam;
  const grads = params.map((p) => new Float64Array(p.length));
  const [gw1, gb1, gw2, gb2] = grads;
  const hid = new Float64Array(NH);
  const out = new Float64Array(H);
  const dh = new Float64Array(NH);
  const lr = opts.lr ?? 1e-3;
  const B = opts.batch ?? 32;
  const b1c = 0.9;
  const b2c = 0.999;
  const order = Array.from({ length: xs.length }, (_, i) => i);
  const epochs = opts.epochs ?? 8;
  for (let ep = 0; ep < epochs; ep++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (let s = 0; s < order.length; s += B) {
      const end = Math.min(order.length, s + B);
      for (const g of grads) g.fill(0);
      const inv = 1 / ((end - s) * H);
      for (let b = s; b < end; b++) {
        const x = xs[order[b]];
        const tg = ts[order[b]];
        forward(m, x, hid, out);
        dh.fill(0);
        for (let h = 0; h < H; h++) {
          const d = out[h] > tg[h] ? inv : out[h] < tg[h] ? -inv : 0;
          if (d === 0) continue;
          gb2[h] += d;
          const row = h * NH;
          for (let k = 0; k < NH; k++) {
            gw2[row + k] += d * hid[k];
            dh[k] += d * m.w2[row + k];
          }
        }
        for (let k = 0; k < NH; k++) {
          if (hid[k] <= 0 || dh[k] === 0) continue;
          const d = dh[k];
          gb1[k] += d;
          const row = k * D;
          for (let j = 0; j < D; j++) gw1[row + j] += d * x[j];
        }
      }
      adam.t++;
      const c1 = 1 - b1c ** adam.t;
      const c2 = 1 - b2c ** adam.t;
      for (let p = 0; p < params.length; p++) {
        const w = params[p];
        const g = grads[p];
        const am = adam.m[p];
        const av = adam.v[p];
        for (let i = 0; i < w.length; i++) {
          am[i] = b1c * am[i] + (1 - b1c) * g[i];
          av[i] = b2c * av[i] + (1 - b2c) * g[i] * g[i];
          w[i] -= (lr * (am[i] / c1)) / (Math.sqrt(av[i] / c2) + 1e-8);
        }
      }
    }
  }
  return m;
}

/** Forecasts `h ≤ model.horizon` steps after `y[0..end)`; undefined when the series is too short. */
export function predictMlp(model: MlpModel, y: ArrayLike<number>, h: number, end = y.length): number[] | undefined {
  if (h > model.horizon) return undefined;
  const x = new Float64Array(model.lags + model.horizon);
  const f = pooledFeatures(model.base, model.lags, y, end, x);
  if (!f) return undefined;
  const hid = new Float64Array(model.hidden);
  const out = new Float64Array(model.horizon);
  forward(model, x, hid, out);
  return Array.from(out.subarray(0, h), (v) => (model.base.log ? f.lv * Math.exp(v) : f.lv * (1 + v)));
}
