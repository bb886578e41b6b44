/**
 * The Prophet-style model (engine/forecast/prophet.ts) on synthetic series whose trend (with a
 * change of rate), daily and weekly seasonality are known: the fitted components must recover
 * them, and the forecasts must follow the truth.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitProphet } from '../../engine/forecast/prophet';
import { Rng } from '../../engine/util/rng';

const N = 24 * 7 * 6;
const trueTrend = (t: number) => 50 + 0.02 * t + (t > 500 ? 0.03 * (t - 500) : 0);
const trueSeason = (t: number) => 3 * Math.cos((2 * Math.PI * t) / 24) + 2 * Math.sin((2 * Math.PI * t) / 168) + 0.5 * Math.sin((4 * Math.PI * t) / 24);

test('recovers a piecewise-linear trend and the daily and weekly Fourier terms', () => {
  const r = new Rng(3);
  const y = Array.from({ length: N }, (_, t) => trueTrend(t) + trueSeason(t) + 0.3 * r.normal());
  const f = fitProphet(y, { periods: [24, 168], changepointPenalty: 1, log: false })!;
  assert.equal(f.log, false);
  // the rate before and after the change point
  const rate = (t: number) => f.trend(t + 1) - f.trend(t);
  assert.ok(Math.abs(rate(100) - 0.02) < 0.004, `early rate ${rate(100)}`);
  assert.ok(Math.abs(rate(N - 2) - 0.05) < 0.004, `late rate ${rate(N - 2)}`);
  // the change of rate is found near t = 500: most of it at the change points within ±100
  const near = f.deltas.reduce((s, d, j) => s + (Math.abs(f.changepoints[j] - 500) <= 100 ? d : 0), 0);
  assert.ok(Math.abs(near - 0.03) < 0.008, `rate change near 500: ${near}`);
  // Fourier coefficients: daily cos r=1 is 3, daily sin r=2 is 0.5, weekly sin r=1 is 2
  const [daily, weekly] = f.seasonal;
  assert.equal(daily.period, 24);
  assert.ok(Math.abs(daily.cos[0] - 3) < 0.1, `daily cos ${daily.cos[0]}`);
  assert.ok(Math.abs(daily.sin[1] - 0.5) < 0.1, `daily sin2 ${daily.sin[1]}`);
  assert.ok(Math.abs(weekly.sin[0] - 2) < 0.15, `weekly sin ${weekly.sin[0]}`);
  assert.ok(Math.abs(daily.cos[5]) < 0.1, 'an absent harmonic stays near 0');
  // trend + seasonality reproduce the noiseless series in-sample
  let err = 0;
  for (let t = 0; t < N; t++) err += Math.abs(f.trend(t) + f.season(t) - trueTrend(t) - trueSeason(t));
  assert.ok(err / N < 0.15, `in-sample MAE against the truth ${err / N}`);
  // and the forecast continues the last rate with the seasonal shape
  const fc = f.forecast(48);
  let fe = 0;
  for (let h = 0; h < 48; h++) fe += Math.abs(fc[h] - trueTrend(N + h) - trueSeason(N + h));
  assert.ok(fe / 48 < 0.3, `forecast MAE against the truth ${fe / 48}`);
});

test('multiplicative seasonality of a positive series is fitted in logs', () => {
  const r = new Rng(4);
  const y = Array.from({ length: N }, (_, t) => Math.exp(Math.log(100) + 0.001 * t + 0.3 * Math.sin((2 * Math.PI * t) / 24) + 0.02 * r.normal()));
  const f = fitProphet(y, { periods: [24, 168] })!;
  assert.equal(f.log, true);
  assert.ok(Math.abs(f.seasonal[0].sin[0] - 0.3) < 0.02, `log-scale daily amplitude ${f.seasonal[0].sin[0]}`);
  const fc = f.forecast(24);
  for (let h = 0; h < 24; h++) {
    const truth = Math.exp(Math.log(100) + 0.001 * (N + h) + 0.3 * Math.sin((2 * Math.PI * (N + h)) / 24));
    assert.ok(Math.abs(fc[h] / truth - 1) < 0.03, `h=${h}: ${fc[h]} vs ${truth}`);
  }
  // a series with a zero is modelled additively
  assert.equal(fitProphet([0, ...y.slice(1)], { periods: [24] })!.log, false);
});
