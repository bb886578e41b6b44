/**
 * The new models in forecastMany's cross-validated pool (engine/forecast/forecastMany.ts):
 * ARIMA, the Prophet-style model, the pooled LSTM and (opt-in) MSTL are cross-validated on
 * every series, and a series drawn from a seasonal ARIMA process gives ARIMA the weight.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forecastManySync } from '../../engine/forecast/forecastMany';
import { Rng } from '../../engine/util/rng';

/** (1 − 0.8B) w = (1 − 0.6B^24) e, y = 50 + seasonal integration of w with a daily pattern. */
function sarima(n: number, seed: number): number[] {
  const r = new Rng(seed);
  const e: number[] = [];
  const w: number[] = [];
  const y: number[] = [];
  for (let t = 0; t < n + 200; t++) {
    e.push(r.normal());
    w.push((t ? 0.8 * w[t - 1] : 0) + e[t] - (t >= 24 ? 0.6 * e[t - 24] : 0));
    y.push(t >= 24 ? y[t - 24] + w[t] : 50 + 10 * Math.sin((2 * Math.PI * t) / 24) + w[t]);
  }
  return y.slice(200);
}

test('every new candidate is cross-validated, and ARIMA carries a seasonal ARIMA process', () => {
  const series = [1, 2, 3].map((s) => ({ id: s, values: sarima(24 * 30, s) }));
  const timings = new Map<string, number>();
  const out = forecastManySync(series, { horizon: 24, seasons: [24, 168], folds: 3, mstl: true, ets: true, pooled: false, timings });
  for (const name of ['ARIMA', 'Prophet', 'MSTL', 'ETS']) assert.ok(timings.has(name), `${name} was not cross-validated: ${[...timings.keys()].join(', ')}`);
  assert.equal(out.length, 3);
  const withArima = out.filter((r) => r.model.includes('ARIMA')).length;
  assert.ok(withArima >= 2, `models: ${out.map((r) => r.model).join(' | ')}`);
  for (const r of out) for (let h = 0; h < 24; h++) assert.ok(r.lo95[h] <= r.mean[h] && r.mean[h] <= r.hi95[h]);
});

test('the pooled LSTM joins the pool when there are enough windows to train it', () => {
  const r = new Rng(5);
  const series = Array.from({ length: 12 }, (_, s) => ({
    id: s,
    values: Array.from({ length: 24 * 40 }, (_, t) => (10 + s) * (1 + 0.3 * Math.sin((2 * Math.PI * t) / 24) + 0.1 * Math.sin((2 * Math.PI * t) / 168)) * (1 + 0.02 * r.normal())),
  }));
  const timings = new Map<string, number>();
  const out = forecastManySync(series, { horizon: 48, seasons: [24, 168], folds: 2, arima: false, mlp: false, prophet: false, lstm: true, timings });
  assert.ok(timings.has('LSTM (training)') && timings.has('LSTM'), [...timings.keys()].join(', '));
  assert.equal(out.length, 12);
});
