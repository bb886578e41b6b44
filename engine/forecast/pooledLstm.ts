/**
 * A pooled (global) LSTM forecaster: one small LSTM (`lstm.ts`) shared by all the series, which
 * reads the last week day by day (7 steps of 24 values, in the pooled ridge model's scale:
 * log(value / level of the last week)) and then the ridge model's 48-step forecast as two more
 * "days" (a flag input marks them), and outputs a correction added to that forecast. Trained by
 * Adam with BPTT on the mean absolute log error over windows of all the series, like the pooled
 * perceptron (`mlp.ts`), whose inputs it shares; the recurrent reading of the days is what
 * differs (the same weights for every day, a memory across them).
 *
 * Generic in the step: `period` values per step (24 for hourly data) and `steps` steps of history.
 */
import { adamStep, createLstm, lstmBackward, lstmForward, lstmParams, newAdam, newTrace, type Lstm } from './lstm';
import { pooledFeatures } from './mlp';
import type { PooledModel } from './pooled';
import { Rng } from '../util/rng';

export interface PooledLstmOptions {
  horizon: number;
  /** Values per sequence step (default 24). */
  period?: number;
  /** History steps (default 7: a week of days). */
  steps?: number;
  /** Hidden cells (default 24). */
  hidden?: number;
  epochs?: number;
  /** Adam step (default 2e-3). */
  lr?: number;
  batch?: number;
  /** Training windows to aim for (default 10000). */
  maxWindows?: number;
  seed?: number;
}

export interface PooledLstmModel {
  base: PooledModel;
  net: Lstm;
  period: number;
  steps: number;
  horizon: number;
}

/** The input sequence of a window (history steps, then the base forecast's steps) and its level; undefined when not defined. */
function sequence(base: PooledModel, period: number, steps: number, y: ArrayLike<number>, end: number): { xs: Float64Array[]; fc: Float64Array; lv: number } | undefined {
  const L = period * steps;
  const H = base.horizon;
  if (L > base.lags) return undefined;
  const x = new Float64Array(L + H);
  const f = pooledFeatures(base, L, y, end, x);
  if (!f) return undefined;
  const xs: Float64Array[] = [];
  for (let s = 0; s < steps; s++) {
    const v = new Float64Array(period + 1);
    for (let j = 0; j < period; j++) v[j] = x[s * period + j];
    xs.push(v);
  }
  for (let s = 0; s * period < H; s++) {
    const v = new Float64Array(period + 1);
    for (let j = 0; j < period && s * period + j < H; j++) v[j] = x[L + s * period + j];
    v[period] = 1;
    xs.push(v);
  }
  return { xs, fc: x.subarray(L), lv: f.lv };
}

/** Trains on the windows of `series[i]` that end at or before `ends[i]` (its length by default). */
export function trainPooledLstm(series: ArrayLike<number>[], base: PooledModel, opts: PooledLstmOptions, ends?: number[]): PooledLstmModel | undefined {
  const H = opts.horizon;
  const P = opts.period ?? 24;
  const S = opts.steps ?? 7;
  if (P * S > base.lags || H !== base.horizon) return undefined;
  const rand = new Rng(opts.seed ?? 1);
  let total = 0;
  series.forEach((y, si) => (total += Math.max(0, (ends ? ends[si] : y.length) - H - base.lags + 1)));
  const stride = Math.max(1, Math.ceil(total / (opts.maxWindows ?? 10000)));
  const data: Array<{ xs: Float64Array[]; fc: Float64Array; tg: Float64Array }> = [];
  series.forEach((y, si) => {
    const end = ends ? ends[si] : y.length;
    // a seeded offset so that the windows do not all start at the same phase of the day
    for (let t = end - H - Math.floor(rand.next() * stride); t >= base.lags; t -= stride) {
      const w = sequence(base, P, S, y, t);
      if (!w) continue;
      const tg = new Float64Array(H);
      let ok = true;
      for (let h = 0; h < H; h++) {
        const v = y[t + h];
        if (base.log && !(v > 0)) ok = false;
        tg[h] = base.log ? Math.log(v / w.lv) : v / w.lv - 1;
      }
      if (ok) data.push({ xs: w.xs, fc: Float64Array.from(w.fc), tg });
    }
  });
  if (data.length < 100) return undefined;
  const net = createLstm({ input: P + 1, hidden: opts.hidden ?? 24, output: H }, opts.seed ?? 1);
  // the head starts at zero: the untrained model is the ridge model
  net.V.fill(0);
  const params = lstmParams(net);
  const grads = params.map((p) => new Float64Array(p.length));
  const adam = newAdam(params);
  const T = data[0].xs.length;
  const tr = newTrace(net, T);
  const out = new Float64Array(H);
  const dOut = new Float64Array(H);
  const B = opts.batch ?? 32;
  const lr = opts.lr ?? 2e-3;
  const order = data.map((_, i) => i);
  for (let ep = 0; ep < (opts.epochs ?? 3); ep++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand.next() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (let s = 0; s < order.length; s += B) {
      const e = Math.min(order.length, s + B);
      for (const g of grads) g.fill(0);
      const inv = 1 / ((e - s) * H);
      for (let b = s; b < e; b++) {
        const d = data[order[b]];
        lstmForward(net, d.xs, tr, out);
        for (let h = 0; h < H; h++) {
          const pred = d.fc[h] + out[h];
          dOut[h] = pred > d.tg[h] ? inv : pred < d.tg[h] ? -inv : 0;
        }
        lstmBackward(net, tr, dOut, grads);
      }
      adamStep(params, grads, adam, lr, 1);
    }
  }
  return { base, net, period: P, steps: S, horizon: H };
}

/** Forecasts `h ≤ horizon` steps after `y[0..end)`; undefined when the series is too short. */
export function predictPooledLstm(m: PooledLstmModel, y: ArrayLike<number>, h: number, end = y.length): number[] | undefined {
  if (h > m.horizon) return undefined;
  const w = sequence(m.base, m.period, m.steps, y, end);
  if (!w) return undefined;
  const tr = newTrace(m.net, w.xs.length);
  const out = new Float64Array(m.horizon);
  lstmForward(m.net, w.xs, tr, out);
  const res: number[] = [];
  for (let i = 0; i < h; i++) {
    const v = w.fc[i] + out[i];
    res.push(m.base.log ? w.lv * Math.exp(v) : w.lv * (1 + v));
  }
  return res;
}
