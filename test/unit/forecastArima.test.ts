/**
 * SARIMA by CSS with automatic order selection (engine/forecast/arima.ts), against reference
 * values: coefficients of simulated processes recovered within sampling tolerance, the
 * airline model on log(AirPassengers) against R's published fit, the unit-root and
 * seasonal-strength tests on series whose answer is known, and exact forecasts of
 * processes whose future is determined.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { autoArima, difference, fitArima, isStationary, kpss, ndiffs, seasonalStrength } from '../../engine/forecast/arima';
import { Rng } from '../../engine/util/rng';

/** Simulates (1 − φB)(1 − ΦB^m) w = (1 + θB)(1 + ΘB^m) e, then integrates d and D times. */
function simulate(n: number, o: { ar?: number; ma?: number; sar?: number; sma?: number; m?: number; d?: number; D?: number; mean?: number }, seed: number): number[] {
  const r = new Rng(seed);
  const m = o.m ?? 1;
  const burn = 500;
  const N = n + burn;
  const e = Array.from({ length: N }, () => r.normal());
  const w = new Array<number>(N).fill(0);
  const [ar, ma, sar, sma] = [o.ar ?? 0, o.ma ?? 0, o.sar ?? 0, o.sma ?? 0];
  const at = (a: number[], i: number) => (i >= 0 ? a[i] : 0);
  for (let t = 0; t < N; t++) {
    w[t] = ar * at(w, t - 1) + sar * at(w, t - m) - ar * sar * at(w, t - m - 1) + e[t] + ma * at(e, t - 1) + sma * at(e, t - m) + ma * sma * at(e, t - m - 1);
  }
  let y = w.slice(burn).map((v) => v + (o.mean ?? 0));
  for (let i = 0; i < (o.D ?? 0); i++) {
    const z: number[] = [];
    y.forEach((v, t) => z.push(v + (t >= m ? z[t - m] : 0)));
    y = z;
  }
  for (let i = 0; i < (o.d ?? 0); i++) {
    const z: number[] = [];
    y.forEach((v, t) => z.push(v + (t >= 1 ? z[t - 1] : 0)));
    y = z;
  }
  return y;
}

const near = (got: number, want: number, tol: number, what: string) => assert.ok(Math.abs(got - want) <= tol, `${what}: got ${got.toFixed(4)}, want ${want} ± ${tol}`);

test('AR(2) coefficients and the mean are recovered from 3000 points', () => {
  const y = simulate(3000, {}, 1).map(() => 0);
  // AR(2) by hand: φ1 = 0.5, φ2 = −0.3, mean 10
  const r = new Rng(7);
  const w = [0, 0];
  for (let t = 2; t < 3500; t++) w.push(0.5 * w[t - 1] - 0.3 * w[t - 2] + r.normal());
  for (let t = 0; t < 3000; t++) y[t] = 10 + w[t + 500];
  const f = fitArima(y, { p: 2, d: 0, q: 0, P: 0, D: 0, Q: 0, m: 1 })!;
  near(f.ar[0], 0.5, 0.05, 'φ1');
  near(f.ar[1], -0.3, 0.05, 'φ2');
  near(f.mean, 10, 0.1, 'mean');
  near(f.sigma2, 1, 0.08, 'σ²');
});

test('MA(1) and ARMA(1,1) coefficients are recovered', () => {
  const ma = fitArima(simulate(3000, { ma: 0.6 }, 2), { p: 0, d: 0, q: 1, P: 0, D: 0, Q: 0, m: 1 })!;
  near(ma.ma[0], 0.6, 0.05, 'θ');
  const arma = fitArima(simulate(3000, { ar: 0.7, ma: -0.4 }, 3), { p: 1, d: 0, q: 1, P: 0, D: 0, Q: 0, m: 1 })!;
  near(arma.ar[0], 0.7, 0.06, 'φ');
  near(arma.ma[0], -0.4, 0.07, 'θ');
});

test('seasonal SARIMA(1,0,0)(0,1,1)[12] coefficients are recovered', () => {
  const y = simulate(2400, { ar: 0.5, sma: -0.6, m: 12, D: 1 }, 4);
  const f = fitArima(y, { p: 1, d: 0, q: 0, P: 0, D: 1, Q: 1, m: 12 }, { hasMean: false })!;
  near(f.ar[0], 0.5, 0.05, 'φ');
  near(f.sma[0], -0.6, 0.06, 'Θ');
});

// log(AirPassengers), 1949–1960 (Box & Jenkins series G)
const AIR = [
  112, 118, 132, 129, 121, 135, 148, 148, 136, 119, 104, 118, 115, 126, 141, 135, 125, 149, 170, 170, 158, 133, 114, 140, 145, 150, 178, 163, 172, 178, 199, 199, 184, 162, 146, 166, 171, 180, 193, 181, 183, 218, 230, 242, 209, 191, 172, 194, 196, 196, 236, 235, 229, 243, 264, 272, 237, 211, 180, 201, 204, 188, 235, 227, 234, 264, 302, 293, 259, 229, 203, 229, 242, 233, 267, 269, 270, 315, 364, 347, 312, 274, 237, 278, 284, 277, 317, 313, 318, 374, 413, 405, 355, 306, 271, 306, 315, 301, 356, 348, 355, 422, 465, 467, 404, 347, 305, 336, 340, 318, 362, 348, 363, 435, 491, 505, 404, 359, 310, 337, 360, 342, 406, 396, 420, 472, 548, 559, 463, 407, 362, 405, 417, 391, 419, 461, 472, 535, 622, 606, 508, 461, 390, 432,
];

test('the airline model on log(AirPassengers) matches R\'s published CSS fit', () => {
  // R's ?arima example: arima(log10(AirPassengers), c(0,1,1), seasonal = c(0,1,1), method = "CSS")
  // gives ma1 = −0.3772, sma1 = −0.5724, σ² = 0.0002619 (exact ML: −0.4018, −0.5569).
  const f = fitArima(AIR.map(Math.log10), { p: 0, d: 1, q: 1, P: 0, D: 1, Q: 1, m: 12 }, { hasMean: false })!;
  near(f.ma[0], -0.3772, 0.0006, 'θ');
  near(f.sma[0], -0.5724, 0.0006, 'Θ');
  near(f.sigma2, 0.0002619, 0.0000006, 'σ²');
  // its forecasts continue the seasonal pattern: the 1961 peak (July) stays above 1960's
  const fc = f.forecast(12).map((v) => 10 ** v);
  assert.ok(fc[6] > 622 && fc[6] < 720, `July 1961 forecast ${fc[6]}`);
  assert.ok(fc[10] < fc[6], 'November below July');
});

test('KPSS and the seasonal strength choose the differencing of known series', () => {
  const rw = simulate(800, { d: 1 }, 5);
  const white = simulate(800, {}, 6);
  assert.ok(kpss(rw) > 0.463, `random walk KPSS ${kpss(rw)}`);
  assert.ok(kpss(white) < 0.463, `white noise KPSS ${kpss(white)}`);
  assert.equal(ndiffs(rw), 1);
  assert.equal(ndiffs(white), 0);
  assert.equal(ndiffs(simulate(800, { d: 2 }, 8)), 2);
  const seasonal = Array.from({ length: 480 }, (_, t) => 10 * Math.sin((2 * Math.PI * t) / 24) + new Rng(t + 1).normal());
  assert.ok(seasonalStrength(seasonal, 24) > 0.9);
  assert.ok(seasonalStrength(white, 24) < 0.3);
  assert.ok(isStationary([0.5, -0.3]) && !isStationary([1.2]) && !isStationary([0.5, 0.6]) && isStationary([1.5, -0.7]));
  assert.deepEqual(difference([1, 4, 9, 16, 25], 2, 0, 1), [2, 2, 2]);
});

test('autoArima finds the order of a simulated seasonal process and forecasts it better than the seasonal naive', () => {
  const y = simulate(1200 + 48, { ar: 0.8, sma: -0.5, m: 24, D: 1, mean: 0 }, 9);
  const train = y.slice(0, 1200);
  const f = autoArima(train, { m: 24 })!;
  assert.equal(f.order.D, 1, f.name);
  assert.equal(f.order.d, 0, f.name);
  assert.ok(f.order.p >= 1 && f.order.Q >= 1, f.name);
  const fc = f.forecast(48);
  let ea = 0;
  let en = 0;
  for (let h = 0; h < 48; h++) {
    ea += Math.abs(fc[h] - y[1200 + h]);
    en += Math.abs(train[1200 - 24 + (h % 24)] - y[1200 + h]);
  }
  assert.ok(ea < en, `ARIMA MAE ${ea / 48} vs seasonal naive ${en / 48}`);
});

test('forecasts of a determined process are exact: a line under (0,1,0) with drift', () => {
  const y = Array.from({ length: 50 }, (_, t) => 3 + 2 * t);
  const f = fitArima(y, { p: 0, d: 1, q: 0, P: 0, D: 0, Q: 0, m: 1 })!;
  near(f.mean, 2, 1e-9, 'drift');
  assert.deepEqual(f.forecast(3).map((v) => Math.round(v * 1e9) / 1e9), [103, 105, 107]);
});
