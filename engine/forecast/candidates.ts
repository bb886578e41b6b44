/**
 * The candidate point forecasters that `forecastMany` cross-validates: each forecasts `h`
 * steps after `y[0..end)` using only those values.
 */
import { seasonalNaive } from './baselines';
import { autoEts } from './ets';
import { predictMlp, type MlpModel } from './mlp';
import { predictPooled, type PooledModel } from './pooled';

export interface Candidate {
  name: string;
  /** `origin` 0 is the final fit; 1..K are the CV origins (for models trained per origin). */
  predict(y: number[], end: number, h: number, origin: number): number[] | undefined;
}

export function seasonalNaiveCandidate(m: number): Candidate {
  return { name: `SNaive(${m})`, predict: (y, end, h) => (end >= m ? seasonalNaive(y.slice(0, end), h, m) : undefined) };
}

/** The mean of the last `k` seasons of period m (a robust seasonal profile). */
export function seasonalMeanCandidate(m: number, k: number): Candidate {
  return {
    name: `SMean(${m}x${k})`,
    predict: (y, end, h) => {
      if (end < m * k) return undefined;
      const out = new Array<number>(h);
      for (let i = 0; i < h; i++) {
        let s = 0;
        for (let j = 1; j <= k; j++) s += y[end - j * m + (i % m)];
        out[i] = s / k;
      }
      return out;
    },
  };
}

/** The pooled model trained for each origin (models[origin]). */
export function pooledCandidate(models: Array<PooledModel | undefined>): Candidate {
  return { name: 'Pooled', predict: (y, end, h, origin) => (models[origin] ? predictPooled(models[origin]!, y, h, end) : undefined) };
}

/** The pooled perceptrons trained for each origin (models[origin]: one per seed, averaged). */
export function mlpCandidate(models: MlpModel[][]): Candidate {
  return {
    name: 'MLP',
    predict: (y, end, h, origin) => {
      const fs = (models[origin] ?? []).map((m) => predictMlp(m, y, h, end));
      if (fs.length === 0 || fs.some((f) => !f)) return undefined;
      return fs[0]!.map((_, i) => fs.reduce((s, f) => s + f![i], 0) / fs.length);
    },
  };
}

/** ETS chosen by AICc at the shortest season, refitted at each origin. */
export function etsCandidate(m: number, name = 'ETS', trends: Array<'N' | 'A' | 'Ad'> = ['N', 'Ad'], seasons?: Array<'N' | 'A' | 'M'>): Candidate {
  return {
    name,
    predict: (y, end, h) => {
      if (end < 10 || (seasons && !seasons.includes('N') && end < 2 * m + 2)) return undefined;
      const fit = autoEts(y.slice(0, end), m, { trends, seasons });
      return fit.forecast(h);
    },
  };
}
