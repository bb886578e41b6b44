import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  averagePathLength, BocpdDetector, ComponentIsolationForest, createDefaultDetector, CusumDetector, IsolationForest,
  OnlineOneClassSvm, StandaloneDetector, SeasonalResidualDetector, OcsvmDetector,
} from '../../engine/anomaly/index';
import { Rng } from '../../engine/util/rng';
import * as mod from '../../engine/anomaly/index';

const STEP = 100; // 10 Hz

function levelShift(n: number, at: number, shift: number, seed = 5): number[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => 10 + rng.normal() + (i >= at ? shift : 0));
}

test('CUSUM finds a level shift at the right index', () => {
  const cusum = new CusumDetector();
  const d = new StandaloneDetector(cusum);
  const alarms: number[] = [];
  levelShift(1000, 600, 4).forEach((v, i) => {
    if (d.update(i * STEP, v).score === 1) alarms.push(i);
  });
  const first = alarms.find((i) => i >= 500);
  assert.ok(first !== undefined && first >= 600 && first <= 605, `alarms ${alarms}`);
  assert.ok(alarms.filter((i) => i < 600).length <= 1, `false alarms before the shift: ${alarms}`);
});

test('BOCPD: the run length restarts at the level shift', () => {
  const b = new BocpdDetector({ maxRun: 64 });
  const xs = levelShift(700, 500, 5).map((x) => x - 10);
  const maps: number[] = [];
  for (const x of xs) {
    b.observe(x);
    maps.push(b.mapRunLength);
  }
  // 20 samples after the shift the most probable run started at the shift (± 2).
  const change = 519 - maps[519];
  assert.ok(Math.abs(change - 500) <= 2, `change estimated at ${change}`);
  assert.ok(maps[499] > 30, `run length before the shift ${maps[499]}`);
});

test('Isolation Forest: c(n) matches the formula and an outlier scores above inliers', () => {
  assert.equal(averagePathLength(1), 0);
  assert.equal(averagePathLength(2), 1);
  const H = (i: number) => Math.log(i) + 0.5772156649015329;
  for (const n of [3, 10, 256, 1000]) assert.ok(Math.abs(averagePathLength(n) - (2 * H(n - 1) - (2 * (n - 1)) / n)) < 1e-12);
  assert.ok(Math.abs(averagePathLength(256) - 10.2448) < 1e-3);
  const rng = new Rng(2);
  const data = Array.from({ length: 500 }, () => [rng.normal(), rng.normal(), rng.normal()]);
  const f = new IsolationForest({ trees: 100, sampleSize: 256, seed: 1 }).fit(data);
  const outlier = f.score([6, -6, 6]);
  const inliers = data.slice(0, 50).map((x) => f.score(x));
  assert.ok(outlier > 0.7, `outlier ${outlier}`);
  assert.ok(outlier > Math.max(...inliers), `outlier ${outlier} vs max inlier ${Math.max(...inliers)}`);
  assert.ok(inliers.reduce((a, b) => a + b) / inliers.length < 0.5);
});

test('component forest flags a vector whose metrics disagree with their usual relation', () => {
  const c = new ComponentIsolationForest({ metrics: ['cpu', 'latency'], seed: 3 });
  const rng = new Rng(4);
  const normal: number[] = [];
  for (let i = 0; i < 1500; i++) {
    const load = 0.5 + 0.1 * rng.normal();
    const s = c.update(i * STEP, [load + 0.02 * rng.normal(), 10 + 5 * load + 0.1 * rng.normal()]).score;
    if (i >= 1000) normal.push(s);
  }
  const r = c.update(1500 * STEP, [0.5, 40]);
  const p99 = [...normal].sort((a, b) => a - b)[Math.floor(0.99 * normal.length)];
  assert.ok(r.score > 0.1 && r.score > p99, `score ${r.score}, normal p99 ${p99}`);
  assert.ok(normal.filter((s) => s > 0).length < 25, `${normal.filter((s) => s > 0).length} normal vectors scored`);
  assert.equal(r.explanation?.detector, 'isolation-forest');
  assert.match(r.explanation!.message, /latency/);
});

test('One-Class SVM separates an outlier from the learned region', () => {
  const svm = new OnlineOneClassSvm({ dim: 2, features: 64, gamma: 2, seed: 3 });
  const rng = new Rng(8);
  for (let i = 0; i < 3000; i++) svm.learn([0.3 * rng.normal(), 0.3 * rng.normal()]);
  const inlier = svm.novelty([0.1, -0.1]);
  const outlier = svm.novelty([3, 3]);
  assert.ok(svm.decision([0.1, -0.1]) > svm.decision([3, 3]));
  assert.ok(outlier > 0.8, `outlier novelty ${outlier}`);
  assert.ok(inlier < 0.3, `inlier novelty ${inlier}`);
});

test('residual detector explains a spike: expected against observed', () => {
  const d = new StandaloneDetector(new SeasonalResidualDetector());
  const rng = new Rng(1);
  for (let i = 0; i < 500; i++) d.update(i * STEP, 100 + rng.normal());
  const r = d.update(500 * STEP, 130);
  assert.ok(r.score > 0.5);
  assert.equal(r.explanation?.detector, 'seasonal-residual');
  assert.ok(Math.abs(r.explanation!.expected! - 100) < 1);
  assert.equal(r.explanation!.observed, 130);
  assert.ok(r.explanation!.upper! < 130);
});

function run(values: number[]): number[] {
  const d = createDefaultDetector();
  return values.map((v, i) => d.update(i * STEP, v).score);
}

test('causal: the score of sample i does not depend on later samples (property)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 150, maxLength: 300 }),
      fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 50 }),
      fc.nat(149),
      (xs, tail, cut) => {
        const a = run(xs);
        const b = run([...xs.slice(0, cut + 1), ...tail]);
        assert.deepEqual(b.slice(0, cut + 1), a.slice(0, cut + 1));
      },
    ),
    { seed: 42, numRuns: 40 },
  );
});

test('snapshot/restore of the default detector gives identical subsequent scores', () => {
  const rng = new Rng(6);
  const xs = Array.from({ length: 3000 }, (_, i) => 50 + 10 * Math.sin(i / 40) + rng.normal() + (i === 2200 ? 40 : 0) + (i > 2600 ? 8 : 0));
  const a = createDefaultDetector();
  for (let i = 0; i < 1500; i++) a.update(i * STEP, xs[i]);
  const b = createDefaultDetector();
  b.restore(JSON.parse(JSON.stringify(a.snapshot())));
  for (let i = 1500; i < xs.length; i++) assert.deepEqual(b.update(i * STEP, xs[i]), a.update(i * STEP, xs[i]), `sample ${i}`);
  // the OCSVM detector alone too
  const o1 = new StandaloneDetector(new OcsvmDetector());
  for (let i = 0; i < 500; i++) o1.update(i * STEP, xs[i]);
  const o2 = new StandaloneDetector(new OcsvmDetector());
  o2.restore(JSON.parse(JSON.stringify(o1.snapshot())));
  for (let i = 500; i < 800; i++) assert.deepEqual(o2.update(i * STEP, xs[i]), o1.update(i * STEP, xs[i]));
});

test('scores stay finite and in [0, 1] for NaN, ±Infinity and huge inputs', () => {
  const weird = [NaN, Infinity, -Infinity, 1e308, -1e308, Number.MAX_VALUE, Number.MIN_VALUE, 0, -0, 1e-300];
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.constantFrom(...weird), fc.double({ noNaN: false })), { minLength: 1, maxLength: 400 }), (xs) => {
      const d = createDefaultDetector();
      const dets = [d, new StandaloneDetector(new CusumDetector()), new StandaloneDetector(new BocpdDetector()), new StandaloneDetector(new OcsvmDetector({ warmup: 0 }))];
      xs.forEach((v, i) => {
        for (const det of dets) {
          const r = det.update(i * STEP, v);
          assert.ok(Number.isFinite(r.score) && r.score >= 0 && r.score <= 1, `score ${r.score} for ${v}`);
        }
      });
      // and they still work on normal data afterwards
      for (let i = 0; i < 50; i++) {
        const r = d.update((xs.length + i) * STEP, 1);
        assert.ok(Number.isFinite(r.score) && r.score >= 0 && r.score <= 1);
      }
    }),
    { seed: 7, numRuns: 60 },
  );
  const c = new ComponentIsolationForest({ metrics: ['a', 'b'] });
  for (let i = 0; i < 300; i++) {
    const r = c.update(i, [i % 3 === 0 ? NaN : i % 5 === 0 ? Infinity : 1e308 * (i % 2), i]);
    assert.ok(Number.isFinite(r.score) && r.score >= 0 && r.score <= 1);
  }
});

test('context novelty: a repeated pattern is learned; a new shape scores, the same shape again does not', () => {
  const { ContextNoveltyDetector } = mod;
  const d = new StandaloneDetector(new ContextNoveltyDetector({ learn: 200 }));
  const rng = new Rng(11);
  const wave = (i: number) => 10 * Math.sin((2 * Math.PI * i) / 50) + 0.05 * rng.normal();
  const scores: number[] = [];
  for (let i = 0; i < 2000; i++) scores.push(d.update(i * STEP, wave(i)).score);
  // (noise and the slowly decaying range move a bin boundary now and then: rare, not the rule)
  assert.ok(scores.slice(1000).filter((s) => s > 0).length < 20, `learned wave still novel: ${scores.slice(1000).filter((s) => s > 0).length}`);
  // a flat stretch at the bottom of the range: a shape never seen
  const flat: number[] = [];
  for (let i = 2000; i < 2030; i++) flat.push(d.update(i * STEP, -9.5).score);
  assert.ok(Math.max(...flat) >= 0.5, `flat stretch ${Math.max(...flat)}`);
  const r = d.update(2030 * STEP, -9.5);
  assert.ok(r.score === 0 || r.explanation?.detector === 'context-novelty');
  // snapshot/restore as plain JSON gives identical scores
  const e = new StandaloneDetector(new ContextNoveltyDetector({ learn: 200 }));
  e.restore(JSON.parse(JSON.stringify(d.snapshot())));
  for (let i = 2031; i < 2600; i++) {
    const v = i < 2300 ? wave(i) : wave(i) * 3;
    assert.deepEqual(e.update(i * STEP, v), d.update(i * STEP, v), `sample ${i}`);
  }
});

test('context novelty: the dictionary stays capped on noise and the scores stay in [0, 1]', () => {
  const { ContextNoveltyDetector } = mod;
  const det = new ContextNoveltyDetector({ maxWords: 256, learn: 10 });
  const d = new StandaloneDetector(det);
  const rng = new Rng(12);
  for (let i = 0; i < 20000; i++) {
    const s = d.update(i * STEP, rng.normal()).score;
    assert.ok(s >= 0 && s <= 1);
  }
  assert.ok(mod.unpackWords(det.snapshot().packed!).length <= 256);
});

test('default detector: no score in the learning phase, then a new level shift scores, and once', () => {
  const rng = new Rng(13);
  const xs = Array.from({ length: 3000 }, (_, i) => 50 + 5 * Math.sin(i / 30) + rng.normal() + (i >= 2000 ? 40 : 0));
  const s = run(xs);
  assert.ok(s.slice(0, 300).every((x) => x === 0));
  const after = s.slice(2000, 2020);
  const top = Math.max(...after);
  assert.ok(top > 0.2, `at the shift ${top}`);
  assert.ok(s.slice(2020, 2300).every((x) => x < top), 'repeats after the onset');
  assert.ok(s.slice(300, 2000).every((x) => x < top / 2), `before the shift ${Math.max(...s.slice(300, 2000))}`);
});
