/**
 * MSTL + AutoETS from augurs (engine/forecast/mstl.ts): the WebAssembly module loads in Node
 * from node_modules, and on series built from known components (trend + daily + weekly
 * seasonality) its fit and forecasts reproduce those components: the decomposition sums back
 * to the series in-sample, and the forecasts follow the sum of the components' continuations.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mstlAvailable, mstlForecast, mstlInSample, mstlLoadError } from '../../engine/forecast/mstl';
import { Rng } from '../../engine/util/rng';

const N = 24 * 7 * 5;
const daily = (t: number) => 4 * Math.sin((2 * Math.PI * t) / 24);
const weekly = (t: number) => 3 * Math.cos((2 * Math.PI * t) / 168);
const trend = (t: number) => 100 + 0.01 * t;

test('the WebAssembly module loads from node_modules', () => {
  assert.ok(mstlAvailable(), mstlLoadError());
});

test('the in-sample fit (trend + both seasonal components) sums back to a noiseless series', () => {
  const y = Array.from({ length: N }, (_, t) => trend(t) + daily(t) + weekly(t));
  const fit = mstlInSample(y, [24, 168])!;
  assert.equal(fit.length, N);
  let err = 0;
  for (let t = 168; t < N; t++) err += Math.abs(fit[t] - y[t]);
  // one-step in-sample fits of a deterministic series: within a few hundredths of the amplitude
  assert.ok(err / (N - 168) < 0.3, `in-sample MAE ${err / (N - 168)}`);
});

test('forecasts continue known daily and weekly components, additively and in logs', () => {
  const r = new Rng(2);
  const y = Array.from({ length: N }, (_, t) => trend(t) + daily(t) + weekly(t) + 0.2 * r.normal());
  for (const log of [false, true]) {
    const fc = mstlForecast(y, 48, { periods: [24, 168], log })!;
    assert.equal(fc.length, 48);
    let err = 0;
    let snaive = 0;
    for (let h = 0; h < 48; h++) {
      const truth = trend(N + h) + daily(N + h) + weekly(N + h);
      err += Math.abs(fc[h] - truth);
      snaive += Math.abs(y[N - 24 + (h % 24)] - truth);
    }
    assert.ok(err / 48 < 0.5, `log=${log}: forecast MAE against the components ${err / 48}`);
    assert.ok(err < snaive, `log=${log}: better than the daily seasonal naive (${err / 48} vs ${snaive / 48})`);
    // the daily swing of the forecast is the daily component's (8 peak to peak)
    const day = fc.slice(0, 24);
    const swing = Math.max(...day) - Math.min(...day);
    assert.ok(Math.abs(swing - 8) < 1.2, `log=${log}: daily swing ${swing}`);
  }
});

test('periods longer than half the series are dropped, and too short a series gives no forecast', () => {
  const y = Array.from({ length: 100 }, (_, t) => 10 + daily(t));
  const fc = mstlForecast(y, 24, { periods: [24, 168] })!;
  assert.ok(fc.every((v, h) => Math.abs(v - 10 - daily(100 + h)) < 0.5));
  assert.equal(mstlForecast(y.slice(0, 30), 24, { periods: [24] }), undefined);
});
