/**
 * Forecasts many series at once: every candidate model is cross-validated on each series' own
 * history (rolling origin: the last K blocks of `horizon` points, each forecast from the data
 * before it), the per-series forecast is the best candidate or combination by CV error, and the
 * intervals come from the CV residuals of that choice (`intervals.ts`).
 */
import { arimaCandidate, etsCandidate, lstmCandidate, mlpCandidate, mstlCandidate, pooledCandidate, prophetCandidate, seasonalMeanCandidate, seasonalNaiveCandidate, type Candidate } from './candidates';
import { ResidualPool, type Bound } from './intervals';
import { trainMlp, type MlpModel } from './mlp';
import { mstlAvailable } from './mstl';
import { trainPooled } from './pooled';
import { trainPooledLstm, type PooledLstmModel } from './pooledLstm';
import { seasonalMae } from './stats';

export interface SeriesInput {
  id: string | number;
  values: number[];
}

export interface SeriesForecast {
  id: string | number;
  mean: number[];
  lo80: number[];
  hi80: number[];
  lo95: number[];
  hi95: number[];
  model: string;
}

export interface ForecastManyOptions {
  horizon: number;
  seasons?: number[];
  /** Rolling-origin folds (default 3, more for few series and short horizons). */
  folds?: number;
  /** Train the pooled model across the series (default true). */
  pooled?: boolean;
  /** Include ETS (default false: with ARIMA in the pool it adds nothing on M4 Hourly, for 6 s more). */
  ets?: boolean;
  /** Train the pooled perceptrons on top of the pooled model (default true with `pooled`). */
  mlp?: boolean;
  /** Include seasonal ARIMA with the stepwise order search (default true). */
  arima?: boolean;
  /**
   * Include MSTL + AutoETS from augurs (default false: on M4 Hourly it adds nothing to the pool
   * for 30 s more; skipped when its WebAssembly cannot load).
   */
  mstl?: boolean;
  /** Include the Prophet-style model (default true). */
  prophet?: boolean;
  /**
   * Train the pooled LSTM on top of the pooled model (default false: beside the perceptron it
   * made M4 Hourly slightly worse, OWA 0.4106 vs 0.4094, for 4 s more).
   */
  lstm?: boolean;
  /** Training windows of each perceptron (default 40000; 60000 scores the same on M4 Hourly, 10 s slower). */
  mlpWindows?: number;
  /** When given, receives the milliseconds spent per candidate (fits and training), for benchmarks. */
  timings?: Map<string, number>;
  /** Exponent of the inverse-CV-error weights (default 4). */
  weightPower?: number;
  /** How the candidates are combined: `weighted` by inverse CV error⁴ (default) or `select` the best one or mean of the best 2–3. */
  combine?: 'weighted' | 'select';
}

const MLP_SEEDS = [1, 2];
const LSTM_SEEDS = [1];
/** The exponent of the inverse-CV-error weights (4 to 6 score alike on M4 Hourly). */
const WEIGHT_POWER = 4;

interface Choice {
  names: string[];
  /** Weights of `names` (summing to 1); equal when absent. */
  weights?: number[];
  cvFc: number[][]; // per fold
  score: number;
}

/** Async form of `forecastManySync` (the same result), for callers that schedule it. */
export async function forecastMany(series: SeriesInput[], opts: ForecastManyOptions): Promise<SeriesForecast[]> {
  return forecastManySync(series, opts);
}

export function forecastManySync(series: SeriesInput[], opts: ForecastManyOptions): SeriesForecast[] {
  const H = opts.horizon;
  const seasons = (opts.seasons ?? []).filter((s) => s > 1).sort((a, b) => a - b);
  // Three folds when many series share the interval calibration; more when there are few, so
  // there are a few hundred residuals to take quantiles from.
  const K = opts.folds ?? Math.min(20, Math.max(3, Math.ceil(400 / Math.max(1, series.length * H))));
  const ys = series.map((s) => s.values);
  const combine = opts.combine ?? 'weighted';
  const power = opts.weightPower ?? WEIGHT_POWER;

  const timings = opts.timings;
  const candidates: Candidate[] = [];
  for (const m of seasons) candidates.push(seasonalNaiveCandidate(m));
  for (const m of seasons) candidates.push(seasonalMeanCandidate(m, 3));
  if (opts.ets === true) candidates.push(etsCandidate(seasons[0] ?? 1));
  if (opts.arima !== false) candidates.push(arimaCandidate(seasons[0] ?? 1));
  if (opts.mstl === true && seasons.length && mstlAvailable()) candidates.push(mstlCandidate(seasons));
  if (opts.prophet !== false && seasons.length) candidates.push(prophetCandidate(seasons));
  if (opts.pooled !== false) {
    let t0 = performance.now();
    const models = [];
    for (let k = 0; k <= K; k++) models.push(trainPooled(ys, { horizon: H }, ys.map((y) => y.length - k * H)));
    candidates.push(pooledCandidate(models));
    timings?.set('Pooled (training)', performance.now() - t0);
    t0 = performance.now();
    if (opts.mlp !== false) {
      // Warm start: trained fully at the earliest origin, then a little more at each later one
      // (each on the windows before its origin only), for two seeds.
      const mlps: MlpModel[][] = Array.from({ length: K + 1 }, () => []);
      for (const seed of MLP_SEEDS) {
        let prev: MlpModel | undefined;
        for (let k = K; k >= 0; k--) {
          const base = models[k];
          if (!base) continue;
          prev = trainMlp(ys, base, { horizon: H, seed, epochs: prev ? 1 : 4, maxWindows: opts.mlpWindows ?? 40000 }, ys.map((y) => y.length - k * H), prev);
          mlps[k].push(prev);
        }
      }
      for (const m of mlps) for (const f of m) delete f.adam;
      if (mlps[0].length) candidates.push(mlpCandidate(mlps));
      timings?.set('MLP (training)', performance.now() - t0);
      t0 = performance.now();
    }
    if (opts.lstm === true && models[K]) {
      // One training, on the windows before the earliest CV origin, serves every origin: honest
      // on each fold, and a tenth of the cost of training per origin.
      const lstms: PooledLstmModel[] = [];
      for (const seed of LSTM_SEEDS) {
        const m = trainPooledLstm(ys, models[K]!, { horizon: H, seed, period: seasons[0] ?? 24 }, ys.map((y) => y.length - K * H));
        if (m) lstms.push(m);
      }
      if (lstms.length) candidates.push(lstmCandidate(lstms));
      timings?.set('LSTM (training)', performance.now() - t0);
    }
  }

  if (timings) {
    for (const c of candidates) {
      const inner = c.predict;
      c.predict = (...args) => {
        const t0 = performance.now();
        try {
          return inner(...args);
        } finally {
          timings.set(c.name, (timings.get(c.name) ?? 0) + performance.now() - t0);
        }
      };
    }
  }
  const pool = new ResidualPool(H);
  const chosen: Array<{ choice: Choice; scale: number }> = [];
  const finals: number[][] = [];
  for (const y of ys) {
    const n = y.length;
    // as many folds as the history allows (each fold keeps at least 2 points to fit on)
    const Ki = Math.max(0, Math.min(K, Math.floor((n - 2) / H)));
    // CV forecasts of every candidate
    const cv = new Map<string, number[][]>();
    for (const c of candidates) {
      // from the earliest origin on (candidates that search a model once do it there); fcs[k-1] is origin k
      const fcs: number[][] = new Array(Ki);
      let ok = true;
      for (let k = Ki; k >= 1 && ok; k--) {
        const end = n - k * H;
        const f = end > 0 ? c.predict(y, end, H, k) : undefined;
        if (f) fcs[k - 1] = f;
        else ok = false;
      }
      if (Ki > 0 && ok) cv.set(c.name, fcs);
    }
    const err = (fcs: number[][], skip = -1): number => {
      let s = 0;
      let c = 0;
      fcs.forEach((f, i) => {
        if (i === skip) return;
        const end = n - (i + 1) * H;
        for (let h = 0; h < H; h++) s += Math.abs(y[end + h] - f[h]);
        c += H;
      });
      return s / c;
    };
    const singles: Choice[] = [...cv].map(([name, fcs]) => ({ names: [name], cvFc: fcs, score: 0 }));
    /**
     * By CV error on the folds but `skip`: every candidate weighted by (best error / its error)⁴
     * (`weighted`), or the best single model or mean of the best 2 or 3 (`select`).
     */
    const choose = (skip: number): Choice | undefined => {
      const ranked = singles.map((c) => ({ ...c, score: err(c.cvFc, skip) })).sort((a, b) => a.score - b.score);
      if (ranked.length === 0) return undefined;
      if (combine === 'weighted') {
        const e0 = ranked[0].score;
        const raw = ranked.map((c) => (e0 > 0 ? (e0 / c.score) ** power : c.score === 0 ? 1 : 0));
        const tot = raw.reduce((a, b) => a + b, 0);
        const weights = raw.map((w) => w / tot);
        const fcs = ranked[0].cvFc.map((_, fold) => ranked[0].cvFc[fold].map((_, h) => ranked.reduce((s, p, j) => s + weights[j] * p.cvFc[fold][h], 0)));
        return { names: ranked.map((p) => p.names[0]), weights, cvFc: fcs, score: err(fcs, skip) };
      }
      const options: Choice[] = [...ranked];
      for (let top = 2; top <= Math.min(3, ranked.length); top++) {
        const parts = ranked.slice(0, top);
        const fcs = parts[0].cvFc.map((_, fold) => parts[0].cvFc[fold].map((_, h) => parts.reduce((s, p) => s + p.cvFc[fold][h], 0) / top));
        options.push({ names: parts.map((p) => p.names[0]).sort(), cvFc: fcs, score: err(fcs, skip) });
      }
      options.sort((a, b) => a.score - b.score);
      return options[0];
    };
    const best = choose(-1);
    const scale = seasonalMae(y, seasons[0] ?? 1) || 1;
    let mean: number[];
    if (best) {
      // The final fits of the candidates that carry weight (below 0.1% they change nothing but
      // the run time); one that cannot forecast now drops out and the others share its weight.
      const w0 = best.weights ?? best.names.map(() => 1 / best.names.length);
      const parts: Array<{ f: number[]; w: number }> = [];
      best.names.forEach((nm, j) => {
        if (w0[j] < 1e-3 && parts.length) return;
        const f = candidates.find((c) => c.name === nm)!.predict(y, n, H, 0);
        if (f) parts.push({ f, w: w0[j] });
      });
      const tw = parts.reduce((a, p) => a + p.w, 0);
      mean = parts.length ? parts[0].f.map((_, h) => parts.reduce((s, p) => s + p.w * p.f[h], 0) / tw) : new Array(H).fill(y[n - 1]);
      // Honest residuals for the intervals: on each fold, the choice made without that fold.
      if (Ki > 1) {
        for (let k = 0; k < Ki; k++) {
          const c = choose(k)!;
          pool.add(y.slice(n - (k + 1) * H, n - k * H), c.cvFc[k], scale);
        }
      } else best.cvFc.forEach((f, i) => pool.add(y.slice(n - (i + 1) * H, n - i * H), f, scale));
    } else {
      mean = new Array(H).fill(y.length ? y[y.length - 1] : 0);
    }
    chosen.push({ choice: best ?? { names: ['Naive'], cvFc: [], score: NaN }, scale });
    finals.push(mean);
  }
  if (pool.byStep[0].length === 0) {
    // No fold anywhere (histories shorter than the horizon): one-step naive errors of each
    // series taken with both signs, growing like a random walk's.
    for (let i = 0; i < ys.length; i++) {
      const y = ys[i];
      for (let t = 1; t < y.length; t++) {
        const e = (y[t] - y[t - 1]) / chosen[i].scale;
        for (let h = 0; h < H; h++) pool.byStep[h].push(e * Math.sqrt(h + 1), -e * Math.sqrt(h + 1));
      }
    }
  }
  const q = pool.quantiles();
  return series.map((s, i) => {
    const mean = finals[i];
    const sc = chosen[i].scale;
    const band = (b: Bound) => mean.map((m, h) => m + sc * q[b][h]);
    const { names, weights } = chosen[i].choice;
    // weighted: the candidates with at least 10% of the weight, heaviest first
    const shown = weights ? names.filter((_, j) => weights[j] >= 0.1) : names;
    const model = shown.length > 1 ? `${weights ? 'Weighted' : 'Mean'}(${shown.join(', ')})` : shown[0];
    return { id: s.id, mean, lo80: band('lo80'), hi80: band('hi80'), lo95: band('lo95'), hi95: band('hi95'), model };
  });
}
