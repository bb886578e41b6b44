import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { naive2, seasonalNaive } from '../../engine/forecast/baselines';
import { acf, movingAverage, seasonalityTest } from '../../engine/forecast/classicalDecomposition';
import { aicc, autoEts, etsFilter, fitEts } from '../../engine/forecast/ets';
import { ResidualPool } from '../../engine/forecast/intervals';
import { choleskySolve } from '../../engine/forecast/linalg';
import { forecastManySync } from '../../engine/forecast/forecastMany';
import { predictMlp, rng, trainMlp } from '../../engine/forecast/mlp';
import { predictPooled, trainPooled } from '../../engine/forecast/pooled';
import { normalQuantile, quantile } from '../../engine/forecast/stats';

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} ≠ ${b}`);
const pattern = [10, 14, 20, 16, 12, 8];
const seasonal = (cycles: number) => Array.from({ length: cycles * pattern.length }, (_, i) => pattern[i % pattern.length]);

describe('baselines', () => {
  it('seasonal naive repeats the last season', () => {
    assert.deepEqual(seasonalNaive([1, 2, 3, 4, 5], 4, 2), [4, 5, 4, 5]);
  });

  it('acf and the M4 moving average by hand', () => {
    // mean 2.5; lag 1: (−1.5·−0.5 + −0.5·0.5 + 0.5·1.5) / 5 = 1.25 / 5
    close(acf([1, 2, 3, 4], 1), 0.25);
    // even length: the centred 2×2 moving average (x[i−1] + 2x[i] + x[i+1]) / 4
    const ma = movingAverage([1, 2, 4, 8, 16, 32], 2);
    close(ma[1], (1 + 4 + 4) / 4);
    close(ma[4], (8 + 32 + 32) / 4);
    assert.ok(Number.isNaN(ma[0]) && Number.isNaN(ma[5]));
  });

  it('Naive2 is naive on a series without seasonality, seasonal on a seasonal one', () => {
    const flat = Array.from({ length: 100 }, (_, i) => 50 + (i % 2 ? 0.1 : -0.1) * (i % 7));
    assert.equal(seasonalityTest(flat, 24), false);
    assert.deepEqual(naive2(flat, 3, 24), [flat[99], flat[99], flat[99]]);
    const s = seasonal(20);
    assert.equal(seasonalityTest(s, 6), true);
    naive2(s, 6, 6).forEach((v, i) => close(v, pattern[i], 1e-6));
  });
});

describe('ETS', () => {
  it('simple exponential smoothing by hand (α = 0.5, ℓ0 = 10)', () => {
    // ŷ1 = 10, e = 0, ℓ = 10; ŷ2 = 10, e = 2, ℓ = 11; ŷ3 = 11, e = 0, ℓ = 11 → SSE 4
    const r = etsFilter([10, 12, 11], { trend: 'N', season: 'N', period: 1 }, { alpha: 0.5, beta: 0, gamma: 0, phi: 1 }, { level: 10, trend: 0, seasonal: [] });
    close(r.sse, 4);
    close(r.level, 11);
  });

  it('AICc of a Gaussian model', () => {
    const n = 20, k = 3, sse = 10;
    const logLik = -0.5 * n * (Math.log(2 * Math.PI * sse / n) + 1);
    close(aicc(sse, n, k), -2 * logLik + 2 * k + (2 * k * (k + 1)) / (n - k - 1));
    assert.equal(aicc(1, 3, 3), Infinity);
  });

  it('Holt-Winters reproduces a pure seasonal series (additive and multiplicative)', () => {
    const y = seasonal(10);
    for (const season of ['A', 'M'] as const) {
      const fit = fitEts(y, { trend: 'N', season, period: 6 });
      fit.forecast(12).forEach((v, i) => close(v, pattern[i % 6], 1e-3));
    }
    const auto = autoEts(y, 6);
    assert.notEqual(auto.spec.season, 'N');
  });

  it('Holt follows a linear trend', () => {
    const y = Array.from({ length: 60 }, (_, i) => 5 + 2 * i);
    const f = fitEts(y, { trend: 'A', season: 'N', period: 1 }).forecast(3);
    f.forEach((v, i) => close(v, 5 + 2 * (60 + i), 1e-3));
  });
});

describe('pooled linear model', () => {
  it('learns a shared seasonal shape across series of different levels', () => {
    const series = [1, 3, 10].map((k) => Array.from({ length: 200 }, (_, i) => k * pattern[i % 6]));
    const model = trainPooled(series, { horizon: 6, lags: 12, levelWindow: 6, stride: 1 })!;
    assert.ok(model);
    const y = Array.from({ length: 30 }, (_, i) => 7 * pattern[i % 6]);
    // within 1% (the ridge penalty shrinks a little)
    predictPooled(model, y, 6)!.forEach((v, i) => close(v, 7 * pattern[i], 0.01 * 7 * pattern[i]));
  });

  it('Cholesky solves a 2×2 system', () => {
    const b = new Float64Array([1, 2]);
    choleskySolve(new Float64Array([4, 2, 2, 3]), 2, b, 1);
    close(b[0], -0.125);
    close(b[1], 0.75);
  });
});

describe('intervals', () => {
  it('quantiles per step, never narrowing with the horizon', () => {
    const pool = new ResidualPool(3);
    for (let i = -100; i <= 100; i++) pool.add([i, 2 * i, 1.5 * i], [0, 0, 0], 1);
    const q = pool.quantiles(1);
    close(q.hi95[0], 95);
    close(q.lo80[0], -80);
    close(q.hi95[1], 190);
    // step 3's residuals are narrower than step 2's, but its interval is not
    close(q.hi95[2], 190);
    assert.ok(q.lo95[2] <= q.lo80[2] && q.hi80[2] <= q.hi95[2]);
  });

  it('quantile and normal quantile', () => {
    close(quantile([1, 2, 3, 4], 0.5), 2.5);
    close(normalQuantile(0.975), 1.959963985, 1e-8);
    close(normalQuantile(0.1), -1.281551566, 1e-8);
  });
});

describe('pooled perceptron (MLP)', () => {
  const series = [1, 3, 10].map((k) => Array.from({ length: 240 }, (_, i) => k * pattern[i % 6] * (1 + 0.02 * Math.sin(i / 7))));
  const base = trainPooled(series, { horizon: 6, lags: 12, levelWindow: 6, stride: 1 })!;

  it('corrects the ridge model on a shared seasonal shape, deterministically', () => {
    const y = Array.from({ length: 30 }, (_, i) => 7 * pattern[i % 6]);
    const a = trainMlp(series, base, { horizon: 6, lags: 12, hidden: 8, epochs: 30, seed: 3 });
    const b = trainMlp(series, base, { horizon: 6, lags: 12, hidden: 8, epochs: 30, seed: 3 });
    const fa = predictMlp(a, y, 6)!;
    assert.deepEqual(fa, predictMlp(b, y, 6));
    // within 3% of the next season
    fa.forEach((v, i) => close(v, 7 * pattern[i], 0.03 * 7 * pattern[i]));
    // a warm start leaves its initial model unchanged
    const w = a.w1.slice();
    trainMlp(series, base, { horizon: 6, lags: 12, hidden: 8, epochs: 1, seed: 4 }, undefined, a);
    assert.deepEqual(a.w1, w);
  });

  it('the seeded generator is reproducible and uniform on [0, 1)', () => {
    const r1 = rng(42);
    const r2 = rng(42);
    const xs = Array.from({ length: 1000 }, () => r1());
    assert.deepEqual(xs.slice(0, 5), Array.from({ length: 5 }, () => r2()));
    assert.ok(xs.every((x) => x >= 0 && x < 1));
    close(xs.reduce((s, x) => s + x, 0) / xs.length, 0.5, 0.05);
  });

  it('forecastMany weights the candidates by inverse CV error (weights sum to 1)', () => {
    const many = [2, 5, 9, 4].map((k, s) => ({ id: s, values: Array.from({ length: 300 }, (_, i) => k * pattern[i % 6] + 0.1 * Math.sin(i * (s + 1))) }));
    const out = forecastManySync(many, { horizon: 6, seasons: [6], folds: 3 });
    out.forEach((r, s) => r.mean.forEach((v, i) => close(v, [2, 5, 9, 4][s] * pattern[i], 0.05 * [2, 5, 9, 4][s] * pattern[i])));
    const sel = forecastManySync(many, { horizon: 6, seasons: [6], folds: 3, combine: 'select', mlp: false });
    assert.equal(sel.length, 4);
  });
});
