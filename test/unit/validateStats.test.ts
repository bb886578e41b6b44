/**
 * The A/B statistics against published reference values. Sources:
 * - Welch's t: the first example of Wikipedia's "Welch's t-test" article (t = -2.46,
 *   df = 25.0, p = 0.021); the full-precision figures are scipy 1.17
 *   `ttest_ind(a1, a2, equal_var=False)` (t = -2.455356398286006, df = 24.988529290231416,
 *   p = 0.021378001462866992, CI of mean(a1) − mean(a2) = [-3.984096267, -0.349237066]).
 * - Mann–Whitney exact: R's `?wilcox.test` example from Hollander & Wolfe (1973, p. 69f):
 *   `wilcox.test(x, y, alternative = "g")` gives W = 35, p-value = 0.1272; scipy 1.17
 *   `mannwhitneyu(x, y, method='exact')` gives 0.1272061272 (greater), 0.2544122544 (two-sided),
 *   0.8967698968 (less), and `method='asymptotic'` 0.2446236051.
 * - Mann–Whitney with ties (normal approximation, tie and continuity correction): scipy 1.17
 *   `mannwhitneyu(t1, t2, method='asymptotic')`: U = 31, p = 0.010975082327536348
 *   (two-sided), 0.005487541163768174 (less); without continuity 0.010145202179250506.
 * - Hodges–Lehmann: R's `wilcox.test(x, y, conf.int = TRUE)` on the same data: difference in
 *   location 0.305, 95% interval [-0.15, 0.76] (the order statistics k = qwilcox(0.025, 10, 5) = 9
 *   and 42 of the 50 differences x − y; recomputed with scipy's exact distribution).
 * - BCa bootstrap: scipy 1.17 `stats.bootstrap((a, b), mean(b) − mean(a), method='BCa',
 *   n_resamples=200000)`: [-1.2167, 9.2417]; percentile: [-1.8167, 8.2833]. Different random
 *   streams, so compared within Monte Carlo error.
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { bootstrapDifference, hodgesLehmann, incompleteBeta, mannWhitney, mannWhitneyNullDistribution, median, quantileSorted, studentTCdf, studentTQuantile, welchT } from '../../engine/validate/stats';

const close = (actual: number, expected: number, tol: number, what = '') => assert.ok(Math.abs(actual - expected) <= tol, `${what} ${actual} is not within ${tol} of ${expected}`);

const A1 = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
const A2 = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];
const X = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
const Y = [1.15, 0.88, 0.9, 0.74, 1.21];
const T1 = [1, 2, 2, 3, 3, 3, 4, 5, 5, 6, 7, 8];
const T2 = [3, 4, 4, 5, 6, 6, 7, 7, 8, 9, 9, 10, 11];

describe('distributions', () => {
  it('Student t CDF and quantile match tables', () => {
    // t tables: t_{0.975, 10} = 2.228138852, t_{0.975, 1} = 12.70620474, t_{0.95, 30} = 1.697260887.
    close(studentTQuantile(0.975, 10), 2.228138852, 1e-8, 't(0.975,10)');
    close(studentTQuantile(0.975, 1), 12.70620474, 1e-6, 't(0.975,1)');
    close(studentTQuantile(0.95, 30), 1.697260887, 1e-8, 't(0.95,30)');
    close(studentTCdf(0, 5), 0.5, 1e-15);
    close(studentTCdf(-2.228138852, 10), 0.025, 1e-9);
    // I_x(a, a) at 1/2 is 1/2; I_0.3(2, 3) = 0.3483 (1 − Σ binomial, exact: 0.3483).
    close(incompleteBeta(0.5, 3.5, 3.5), 0.5, 1e-14);
    close(incompleteBeta(0.3, 2, 3), 0.3483, 1e-12);
  });

  it('type-7 quantiles and the median', () => {
    assert.equal(quantileSorted([1, 2, 3, 4], 0.5), 2.5);
    close(quantileSorted([1, 2, 3, 4], 0.1), 1.3, 1e-12);
    assert.equal(median([5, 1, 3]), 3);
  });
});

describe("Welch's t test", () => {
  it('matches the Wikipedia example (scipy to full precision)', () => {
    const r = welchT(A2, A1); // mean(A1) − mean(A2) = the "B − A" of (a = A2, b = A1)
    close(r.t, -2.455356398286006, 1e-10, 't');
    close(r.df, 24.988529290231416, 1e-9, 'df');
    close(r.p, 0.021378001462866992, 1e-10, 'p');
    close(r.ci.lo, -3.984096267140929, 1e-8, 'lo');
    close(r.ci.hi, -0.3492370661924069, 1e-8, 'hi');
  });

  it('says nothing is detectable when neither sample varies and the means are equal', () => {
    const r = welchT([3, 3, 3], [3, 3, 3]);
    assert.equal(r.p, 1);
  });
});

describe('Mann–Whitney U', () => {
  it('exact p-values match R and scipy (Hollander & Wolfe data)', () => {
    const g = mannWhitney(X, Y, { alternative: 'greater' });
    assert.equal(g.u, 35);
    assert.equal(g.method, 'exact');
    close(g.p, 0.1272061272061272, 1e-12, 'greater');
    close(mannWhitney(X, Y).p, 0.2544122544122544, 1e-12, 'two-sided');
    close(mannWhitney(X, Y, { alternative: 'less' }).p, 0.8967698967698967, 1e-12, 'less');
    close(mannWhitney(X, Y, { method: 'normal' }).p, 0.24462360512698333, 1e-10, 'asymptotic');
  });

  it('the exact distribution sums to 1 and is symmetric', () => {
    const d = mannWhitneyNullDistribution(7, 4);
    close(d.reduce((s, x) => s + x, 0), 1, 1e-12);
    for (let u = 0; u < d.length; u++) close(d[u], d[d.length - 1 - u], 1e-15);
    // P(U = 0) = 1 / C(11, 4) = 1/330.
    close(d[0], 1 / 330, 1e-15);
  });

  it('uses the tie-corrected normal approximation when there are ties (scipy values)', () => {
    const r = mannWhitney(T1, T2);
    assert.equal(r.method, 'normal');
    assert.equal(r.u, 31);
    close(r.p, 0.010975082327536348, 1e-10, 'two-sided');
    close(mannWhitney(T1, T2, { alternative: 'less' }).p, 0.005487541163768174, 1e-10, 'less');
    close(mannWhitney(T1, T2, { alternative: 'greater' }).p, 0.9953141679153841, 1e-10, 'greater');
    close(mannWhitney(T1, T2, { continuity: false }).p, 0.010145202179250506, 1e-10, 'no continuity');
  });
});

describe('Hodges–Lehmann shift', () => {
  it("matches R's wilcox.test(conf.int = TRUE)", () => {
    const r = hodgesLehmann(Y, X); // differences X − Y
    close(r.estimate, 0.305, 1e-12, 'estimate');
    assert.equal(r.method, 'exact');
    close(r.ci.lo, -0.15, 1e-12, 'lo');
    close(r.ci.hi, 0.76, 1e-12, 'hi');
  });

  it('covers a known shift in the normal approximation (large samples)', () => {
    const a = Array.from({ length: 80 }, (_, i) => Math.round(100 + 10 * Math.sin(i * 1.7)));
    const b = a.map((x) => x + 5);
    const r = hodgesLehmann(a, b);
    assert.equal(r.method, 'normal');
    assert.equal(r.estimate, 5);
    assert.ok(r.ci.lo <= 5 && r.ci.hi >= 5 && r.ci.lo > 0, JSON.stringify(r.ci));
  });
});

describe('bootstrap intervals', () => {
  const a = [12.0, 13.1, 12.4, 15.8, 12.2, 30.5, 12.9, 13.3, 19.7, 12.6, 14.1, 12.8];
  const b = [14.2, 15.0, 13.9, 22.4, 14.8, 16.1, 41.0, 15.3, 14.6, 18.9, 15.5, 14.4];

  it('BCa and percentile intervals of a difference of means match scipy within Monte Carlo error', () => {
    const bca = bootstrapDifference(a, b, { statistic: 'mean', method: 'bca', resamples: 40000, seed: 3 });
    const pct = bootstrapDifference(a, b, { statistic: 'mean', method: 'percentile', resamples: 40000, seed: 3 });
    close(bca.estimate, 2.8916666666666657, 1e-12);
    close(bca.ci.lo, -1.2166666666666632, 0.25, 'BCa lo');
    close(bca.ci.hi, 9.241666666666667, 0.4, 'BCa hi');
    close(pct.ci.lo, -1.8166666666666647, 0.25, 'percentile lo');
    close(pct.ci.hi, 8.283333333333337, 0.4, 'percentile hi');
    // The two really differ here (skewed data): BCa moves the interval right.
    assert.ok(bca.ci.lo - pct.ci.lo > 0.3 && bca.ci.hi - pct.ci.hi > 0.5);
  });

  it('is reproducible with a seed and differs with another', () => {
    const r1 = bootstrapDifference(a, b, { seed: 11, resamples: 500 });
    const r2 = bootstrapDifference(a, b, { seed: 11, resamples: 500 });
    const r3 = bootstrapDifference(a, b, { seed: 12, resamples: 500 });
    assert.deepEqual(r1, r2);
    assert.notDeepEqual(r1.ci, r3.ci);
  });

  it('covers the true relative difference of medians about 95% of the time', () => {
    // Lognormal latencies, B 20% slower in every quantile: the true relative median change is +0.2.
    let covered = 0;
    const trials = 200;
    for (let t = 0; t < trials; t++) {
      let s = 1000 + t;
      const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) + 0.5) / 2147483648;
      const normal = () => Math.sqrt(-2 * Math.log(rnd())) * Math.cos(2 * Math.PI * rnd());
      const xa = Array.from({ length: 30 }, () => 10 * Math.exp(0.3 * normal()));
      const xb = Array.from({ length: 30 }, () => 12 * Math.exp(0.3 * normal()));
      const r = bootstrapDifference(xa, xb, { relative: true, method: 'percentile', resamples: 1000, seed: t });
      if (r.ci.lo <= 0.2 && 0.2 <= r.ci.hi) covered++;
    }
    // Binomial(200, 0.95) is within 88%–99% with probability > 0.999; a broken interval is not.
    assert.ok(covered >= 176 && covered <= 199, `covered ${covered} of ${trials}`);
  });
});
