// The anomaly likelihood post-processing (engine/anomaly/likelihood.ts) and the default
// detector's rules built on it, against values computed by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnomalyLikelihood, chiSquareTailEven, logLikelihoodScore, normalTail, rankedLogScore } from '../../engine/anomaly/likelihood';
import { CombinedDetector, ContextNoveltyDetector, SeasonalResidualDetector, createDefaultDetector } from '../../engine/anomaly/index';
import { Rng } from '../../engine/util/rng';

const close = (a: number, b: number, eps: number, what: string) => assert.ok(Math.abs(a - b) <= eps, `${what}: ${a} vs ${b}`);

test("Numenta's log score: 0.5 at a tail of 1e-5, saturating at 1e-10", () => {
  close(logLikelihoodScore(1e-5), 0.4999995657, 1e-9, 'tail 1e-5');
  assert.equal(logLikelihoodScore(0), 1);
  close(logLikelihoodScore(1e-12), Math.log(1.01e-10) / Math.log(1e-10), 1e-12, "tail 1e-12");
  assert.equal(logLikelihoodScore(1), 0);
});

test('the ranked log score: 0 for no evidence, L/10 up to L = 5, then rising toward 1 without saturating', () => {
  assert.equal(rankedLogScore(0.5), 0, 'a one-sided tail of 0.5 is no evidence');
  close(rankedLogScore(5e-3), 0.2, 1e-12, 'L = 2');
  close(rankedLogScore(5e-6), 0.5, 1e-12, 'L = 5');
  close(rankedLogScore(5e-11), 1 - 0.5 * Math.exp(-1), 1e-12, 'L = 10');
  assert.ok(rankedLogScore(1e-30) > rankedLogScore(1e-20) && rankedLogScore(1e-20) < 1, 'still ranks far out');
});

test('normal tail and the chi-square tail of Fisher’s method', () => {
  close(normalTail(1.96, 0, 1), 0.025, 1e-4, 'Q(1.96)');
  close(normalTail(-1.96, 0, 1), 0.025, 1e-4, 'two-sided around the mean');
  close(chiSquareTailEven(3, 1), Math.exp(-1.5), 1e-15, '2 degrees of freedom');
  close(chiSquareTailEven(4, 2), 3 * Math.exp(-2), 1e-15, '4 degrees of freedom: e^-2 (1 + 2)');
  close(chiSquareTailEven(6, 3), 8.5 * Math.exp(-3), 1e-15, '6 degrees of freedom: e^-3 (1 + 3 + 4.5)');
});

test('the likelihood of a moving average against its learned mean and variance (hand-computed)', () => {
  // window 2, nothing skipped, 3 averages estimate the distribution; a long memory, so the
  // estimate is the cumulative one: averages 0, 0.1, 0.3 → mean 0.1333, variance (EW form) 0.015556.
  const l = new AnomalyLikelihood({ window: 2, skip: 0, estimate: 3, halfLife: 1e12, oneSided: true });
  assert.equal(l.update(0), 0);
  assert.equal(l.update(0.2), 0);
  assert.equal(l.update(0.4), 0, 'not scoring while estimating');
  assert.equal(l.scoring, true);
  // average (0.4 + 0.4) / 2 = 0.4: z = (0.4 − 0.13333) / √0.015556 = 2.13809, one-sided tail 0.016255,
  // L = −log10(2 · 0.016255) = 1.48799 → 0.148799.
  close(l.update(0.4), 0.148799, 2e-6, 'score');
  close(l.lastTail, 0.0162547, 2e-7, 'tail');
  // Below the mean is no evidence when one-sided.
  const m = new AnomalyLikelihood({ window: 1, skip: 0, estimate: 2, oneSided: true });
  m.update(0.5);
  m.update(0.5);
  assert.equal(m.update(0), 0);
  assert.equal(m.lastTail, 0.5);
});

test('Bonferroni over the samples of the evidence interval: a faster series needs a rarer average', () => {
  const mk = () => {
    const l = new AnomalyLikelihood({ window: 2, skip: 0, estimate: 3, halfLife: 1e12, oneSided: true });
    [0, 0.2, 0.4].forEach((x) => l.update(x));
    return l;
  };
  // tail 0.0162547 × 10 tests → L = −log10(2 · 0.162547) = 0.48799.
  close(mk().update(0.4, 10), 0.048799, 2e-6, '10 tests');
  assert.equal(mk().update(0.4, 100), 0, 'capped at a tail of 1');
});

test('the mean and variance have Numenta’s lower bounds: a series whose raw score was always 0 still has a scale', () => {
  const l = new AnomalyLikelihood({ window: 1, skip: 0, estimate: 5, oneSided: true });
  for (let i = 0; i < 5; i++) l.update(0);
  // mean 0.03, variance 0.0003: a raw score of 0.1 is z = 0.07 / 0.017321 = 4.0415.
  l.update(0.1);
  close(l.lastTail, 2.6549e-5, 2e-8, 'Q(4.0415)');
});

test('the empirical tail keeps a recurring spike from looking rarer than it is', () => {
  const run = (empirical: boolean, tests: number) => {
    const l = new AnomalyLikelihood({ window: 1, skip: 0, estimate: 100, halfLife: 1e12, oneSided: true, empirical });
    for (let i = 0; i < 1000; i++) l.update(i % 100 === 0 ? 1 : 0, tests); // a spike every 100 samples
    l.update(1, tests);
    return l.lastTail;
  };
  // Normal fit: mean 0.01, variance 0.0099, z = 9.95 → 1e-23. Observed: 10 spikes in 1,000 → 0.01.
  assert.ok(run(false, 10) < 1e-20, `normal ${run(false, 10)}`);
  close(run(true, 10), 0.01, 1e-12, 'empirical frequency, for a series with several samples per evidence interval');
  assert.ok(run(true, 1) < 1e-20, 'one sample per evidence interval: the normal fit extrapolates');
});

test('winsorized estimation: an anomaly while the distribution is learned does not become the usual', () => {
  const mk = (winsorize: number) => {
    const l = new AnomalyLikelihood({ window: 1, skip: 0, estimate: 100, halfLife: 1e12, oneSided: true, winsorize });
    const rng = new Rng(4);
    for (let i = 0; i < 100; i++) l.update(i >= 60 && i < 80 ? 0.9 : 0.1 + 0.01 * rng.normal()); // a fault at 60–79
    return l;
  };
  // With the limit the fault's samples are learned as about mean + 3 deviations (mean 0.12 after).
  const w = mk(3);
  const plain = mk(0);
  assert.ok(w.update(0.9) > 0.5, 'the fault still scores after the learning');
  assert.ok(plain.update(0.9) < 0.2, 'without the limit it is nearly part of the usual (mean 0.26, deviation 0.32)');
});

test('snapshot and restore of the likelihood give identical scores', () => {
  const rng = new Rng(5);
  const a = new AnomalyLikelihood({ window: 10, skip: 20, estimate: 50, empirical: true });
  const xs = Array.from({ length: 400 }, () => Math.max(0, rng.normal() * 0.1 + (rng.next() < 0.02 ? 0.8 : 0)));
  xs.slice(0, 200).forEach((x) => a.update(x));
  const b = new AnomalyLikelihood({ window: 10, skip: 20, estimate: 50, empirical: true });
  b.restore(JSON.parse(JSON.stringify(a.snapshot())));
  for (const x of xs.slice(200)) close(b.update(x), a.update(x), 1e-12, 'after restore');
});

test('the refractory period: one output per incident, unless a larger one follows', () => {
  // A residual-only combiner without likelihood: a level shift scores at its onset only.
  const d = new CombinedDetector({ detectors: [{ detector: new SeasonalResidualDetector({ z0: 2, halfAt: 10 }), weight: 1 }], refractory: 150 });
  const rng = new Rng(2);
  const s: number[] = [];
  for (let i = 0; i < 600; i++) s.push(d.update(i * 60_000, 10 + rng.normal() + (i >= 400 ? 30 : 0)).score);
  const onset = s.slice(400).findIndex((x) => x > 0);
  assert.ok(onset >= 0 && onset < 3, `onset at +${onset}`);
  // Without a refractory period the shift keeps scoring while the baseline adapts.
  const e = new CombinedDetector({ detectors: [{ detector: new SeasonalResidualDetector({ z0: 2, halfAt: 10 }), weight: 1 }] });
  const rng2 = new Rng(2);
  const t: number[] = [];
  for (let i = 0; i < 600; i++) t.push(e.update(i * 60_000, 10 + rng2.normal() + (i >= 400 ? 30 : 0)).score);
  const count = (xs: number[]) => xs.slice(400, 550).filter((x) => x > 0).length;
  assert.ok(count(t) > 10, `without: ${count(t)} outputs`);
  // With it: the outputs after the onset are only the ones above every output since.
  let peak = 0;
  for (const x of s.slice(400, 550)) {
    if (x > 0) assert.ok(x > peak, `a repeat ${x} not above ${peak}`);
    peak = Math.max(peak, x);
  }
});

test('the new-range rule: a value beyond every value seen by more than 5% of the range scores 1, with an explanation', () => {
  const mk = () => new CombinedDetector({ detectors: [{ detector: new ContextNoveltyDetector({ learn: 10 }), weight: 1 }], spatialTolerance: 0.05, spatialAfter: 50, spatialMinZ: 5, spatialAfterMs: 0, alarmLevel: 1.1 });
  const d = mk();
  // 0…9 repeating: range [0, 9]; 9.4 is within 5% (0.45) above the max, 9.5 is beyond it.
  for (let i = 0; i < 100; i++) d.update(i * 1000, i % 10);
  assert.ok(d.update(100_000, 9.4).score < 1);
  const r = d.update(101_000, 9.5 + 20);
  assert.equal(r.score, 1);
  assert.equal(r.explanation?.detector, 'new-range');
  assert.match(r.explanation!.message, /above the highest value seen so far/);
  // Not before `spatialAfter` samples.
  const young = mk();
  for (let i = 0; i < 20; i++) young.update(i * 1000, i % 10);
  assert.ok(young.update(20_000, 100).score < 1);
});

test('every score of the default detector above 0 comes with an explanation that has a message', () => {
  // Noise with a burst of alternate 4-deviation pulses: the likelihood can score a sample that is
  // itself ordinary (its detector's recent average is not), which then gets an explanation too.
  let scored = 0;
  for (let seed = 1; seed <= 5; seed++) {
    const rng = new Rng(seed);
    const d = createDefaultDetector();
    for (let i = 0; i < 3000; i++) {
      const r = d.update(i * 100, 10 + rng.normal() + (i >= 2000 && i < 2040 && i % 2 === 0 ? 4 : 0));
      if (r.score > 0) {
        scored++;
        assert.ok(r.explanation && r.explanation.message.length > 0 && r.explanation.detector.length > 0, `seed ${seed}, sample ${i}: ${JSON.stringify(r)}`);
        assert.equal(JSON.parse(JSON.stringify(r.explanation)).message, r.explanation.message, 'a plain object: JSON keeps the message');
      }
    }
  }
  assert.ok(scored > 0);
});
