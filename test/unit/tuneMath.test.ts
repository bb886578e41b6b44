import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Gp, matern52, negLogPosterior, fitGp } from '../../engine/tune/gp';
import { erf, erfc, logEI, logNormCdf, normCdf, normPdf } from '../../engine/tune/normal';
import { choleskyJitter, choleskyInverse } from '../../engine/tune/linalg';
import { lbfgsb } from '../../engine/tune/lbfgs';
import { fitOutputWarp } from '../../engine/tune/outputWarp';
import { Rng } from '../../engine/util/rng';

const close = (a: number, b: number, tol: number, msg?: string) =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${msg ?? ''} ${a} vs ${b}`);

describe('tuning maths: special functions', () => {
  it('erf and erfc match reference values (Python math.erf/erfc)', () => {
    close(erf(0.3), 0.3286267594591274, 1e-14);
    close(erf(2.4), 0.999311486103355, 1e-14);
    close(erfc(3.0) / 2.2090496998585438e-5, 1, 1e-12, 'erfc(3) relative');
    close(erfc(5.5) / 7.357847917974398e-15, 1, 1e-12, 'erfc(5.5) relative');
    close(erf(-1.1), -erf(1.1), 1e-16);
  });

  it('log Phi stays finite and accurate deep in the tail', () => {
    close(logNormCdf(0), Math.log(0.5), 1e-14);
    // Phi(-10) = 7.619853024160527e-24 (scipy.stats.norm.cdf)
    close(logNormCdf(-10), Math.log(7.619853024160527e-24), 1e-12);
    assert.ok(Number.isFinite(logNormCdf(-60)) && logNormCdf(-60) < -1800);
  });

  it('log EI equals the log of a direct EI computation and has the right gradient', () => {
    const cases: [number, number, number, number][] = [
      [0, 1, 0, -0.9189385332046727],
      [1, 0.5, 0.2, -4.454942851274201],
      [-0.3, 2, 0.1, 0.013695064761564577],
      [3, 1, 0, -7.869686059603037],
    ];
    for (const [mu, s, best, ref] of cases) {
      const direct = Math.log(s * (((best - mu) / s) * normCdf((best - mu) / s) + normPdf((best - mu) / s)));
      close(logEI(mu, s, best).value, ref, 1e-12, `logEI(${mu}, ${s}, ${best})`);
      close(direct, ref, 1e-12);
    }
    // Far below the incumbent EI underflows to 0, log EI does not; it follows -z^2/2 - log(z^2).
    const far = logEI(40, 1, 0).value;
    assert.ok(Number.isFinite(far));
    close(far, -800 - 0.5 * Math.log(2 * Math.PI) - 2 * Math.log(40), 1e-3);
    // Gradient against finite differences, on both branches (z > -1 and z < -1).
    for (const [mu, s] of [[0.3, 0.8], [5, 0.7], [30, 2]]) {
      const g = logEI(mu, s, 0);
      const h = 1e-6;
      close(g.dMu, (logEI(mu + h, s, 0).value - logEI(mu - h, s, 0).value) / (2 * h), 1e-5, 'dMu');
      close(g.dSigma, (logEI(mu, s + h, 0).value - logEI(mu, s - h, 0).value) / (2 * h), 1e-5, 'dSigma');
    }
  });
});

describe('tuning maths: Gaussian process', () => {
  it('Matern 5/2 kernel and posterior on a two-point case computed by hand', () => {
    const h = { lengthScales: Float64Array.of(1), signal: 1, noise: 0.01 };
    close(matern52([0], [1], h), 0.5239941088318203, 1e-14);
    close(matern52([0], [0.5], h), 0.8286491424181253, 1e-14);
    close(matern52([0], [0.5], { ...h, lengthScales: Float64Array.of(0.5), signal: 2 }), 1.0479882176636406, 1e-14);
    const gp = new Gp(Float64Array.of(0, 1), Float64Array.of(1, 0.5), 2, 1, h);
    const p = gp.predict([0.5]);
    // mean = k*^T K^{-1} y and var = 1 - k*^T K^{-1} k*, with the 2x2 inverse written out.
    close(p.mean, 0.8102858456045489, 1e-12);
    close(p.variance, 0.10474310523499375, 1e-12);
  });

  it('the negative log posterior gradient matches finite differences', () => {
    const rng = new Rng(5);
    const n = 12;
    const D = 3;
    const X = Float64Array.from({ length: n * D }, () => rng.next());
    const y = Float64Array.from({ length: n }, (_, i) => Math.sin(6 * X[i * D]) + X[i * D + 1] ** 2 + 0.1 * rng.normal());
    const theta = Float64Array.of(Math.log(0.3), Math.log(0.7), Math.log(2), Math.log(1.3), Math.log(0.05));
    for (const prior of [null, { lsMean: 1, lsSd: 1.7, signalMean: 0, signalSd: 1.5, noiseMean: -9, noiseSd: 3 }]) {
      const g = new Float64Array(D + 2);
      negLogPosterior(X, y, n, D, theta, g, prior);
      for (let j = 0; j < D + 2; j++) {
        const e = 1e-6;
        const tp = Float64Array.from(theta);
        const tm = Float64Array.from(theta);
        tp[j] += e;
        tm[j] -= e;
        const fd = (negLogPosterior(X, y, n, D, tp, null, prior) - negLogPosterior(X, y, n, D, tm, null, prior)) / (2 * e);
        close(g[j], fd, 1e-5, `d/dtheta_${j}`);
      }
    }
  });

  it('the posterior gradient in x matches finite differences', () => {
    const rng = new Rng(9);
    const n = 15;
    const D = 2;
    const X = Float64Array.from({ length: n * D }, () => rng.next());
    const y = Float64Array.from({ length: n }, (_, i) => Math.cos(4 * X[i * D]) * X[i * D + 1]);
    const gp = new Gp(X, y, n, D, { lengthScales: Float64Array.of(0.3, 0.5), signal: 1.2, noise: 1e-4 });
    const x = [0.37, 0.61];
    const dm = new Float64Array(D);
    const dv = new Float64Array(D);
    gp.predictGrad(x, dm, dv);
    for (let d = 0; d < D; d++) {
      const e = 1e-6;
      const xp = [...x];
      const xm = [...x];
      xp[d] += e;
      xm[d] -= e;
      close(dm[d], (gp.predict(xp).mean - gp.predict(xm).mean) / (2 * e), 1e-5, 'dMean');
      close(dv[d], (gp.predict(xp).variance - gp.predict(xm).variance) / (2 * e), 1e-5, 'dVar');
    }
  });

  it('fitting finds a short length scale for a wiggly dimension and a long one for an irrelevant one', () => {
    const rng = new Rng(2);
    const n = 40;
    const X = Float64Array.from({ length: n * 2 }, () => rng.next());
    const y = Float64Array.from({ length: n }, (_, i) => Math.sin(12 * X[i * 2]));
    const m = y.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(y.reduce((a, b) => a + (b - m) ** 2, 0) / n);
    const gp = fitGp(X, y.map((v) => (v - m) / sd), n, 2);
    assert.ok(gp.hyper.lengthScales[0] < 0.5, `active ${gp.hyper.lengthScales[0]}`);
    assert.ok(gp.hyper.lengthScales[1] > 3 * gp.hyper.lengthScales[0], `irrelevant ${gp.hyper.lengthScales[1]}`);
    // Interpolates a held-out point well.
    const p = gp.predict([0.3, 0.5]);
    close(p.mean * sd + m, Math.sin(3.6), 0.1);
  });

  it('Cholesky inverse times the matrix is the identity', () => {
    const A = Float64Array.of(4, 2, 0.4, 2, 3, 0.5, 0.4, 0.5, 2);
    const { L } = choleskyJitter(A, 3);
    const inv = choleskyInverse(L, 3);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += A[i * 3 + k] * inv[k * 3 + j];
        close(s, i === j ? 1 : 0, 1e-12);
      }
  });

  it('L-BFGS-B finds a bounded minimum of a quadratic (one coordinate at its bound)', () => {
    const r = lbfgsb(
      (x, g) => {
        g[0] = 2 * (x[0] - 3);
        g[1] = 20 * (x[1] + 1);
        return (x[0] - 3) ** 2 + 10 * (x[1] + 1) ** 2;
      },
      [0, 0],
      { lower: [-5, -0.5], upper: [5, 5], maxIter: 100, gtol: 1e-10 },
    );
    close(r.x[0], 3, 1e-6);
    close(r.x[1], -0.5, 1e-12);
  });

  it('the output warp picks a log-like transform for values spread over decades, and keeps order', () => {
    const y = Array.from({ length: 50 }, (_, i) => Math.exp(i / 5));
    const w = fitOutputWarp(y);
    assert.equal(w.method, 'box-cox');
    assert.ok(Math.abs(w.lambda) <= 0.2, `lambda ${w.lambda}`);
    for (let i = 1; i < y.length; i++) assert.ok(w.z[i] > w.z[i - 1]);
  });
});
