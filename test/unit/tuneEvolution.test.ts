import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CmaEs } from '../../engine/tune/cmaesCore';
import { createSampler } from '../../engine/tune/index';
import { crowdingDistance, nonDominatedSort } from '../../engine/tune/nsga2';
import type { Observation, SearchSpace } from '../../engine/tune/types';
import { Rng } from '../../engine/util/rng';

function runCma(f: (x: Float64Array) => number, n: number, maxEvals: number, seed: number): { best: number; evals: number } {
  const es = new CmaEs(new Float64Array(n).fill(3), 2);
  const rng = new Rng(seed);
  let best = Infinity;
  let evals = 0;
  while (evals < maxEvals && best > 1e-10) {
    const xs = Array.from({ length: es.lambda }, () => es.sample(rng));
    const fs = xs.map(f);
    evals += xs.length;
    best = Math.min(best, ...fs);
    es.tell(xs, fs);
  }
  return { best, evals };
}

describe('CMA-ES', () => {
  it('solves the 10-D sphere to 1e-8', () => {
    const r = runCma((x) => x.reduce((s, v) => s + v * v, 0), 10, 20000, 1);
    assert.ok(r.best < 1e-8, `best ${r.best} after ${r.evals}`);
    // Hansen's reference: about 1.5-2k evaluations for 1e-10 at n = 10; guard against a broken adaptation.
    assert.ok(r.evals < 4000, `needed ${r.evals} evaluations`);
  });

  it('solves the 8-D ellipsoid (condition 1e6) to 1e-8, which needs the covariance to adapt', () => {
    const n = 8;
    const f = (x: Float64Array) => x.reduce((s, v, i) => s + Math.pow(1e6, i / (n - 1)) * v * v, 0);
    const r = runCma(f, n, 30000, 2);
    assert.ok(r.best < 1e-8, `best ${r.best} after ${r.evals}`);
  });

  it('the sampler stays in the box and improves on a shifted sphere through its history replay', () => {
    const space: SearchSpace = { a: { type: 'float', low: -5, high: 5 }, b: { type: 'float', low: -5, high: 5 }, c: { type: 'float', low: -5, high: 5 } };
    const s = createSampler('cmaes', { space, objectives: 1, constraints: 0, seed: 4 });
    const h: Observation[] = [];
    for (let t = 0; t < 500; t++) {
      const [p] = s.ask(h, [], 1);
      for (const k of ['a', 'b', 'c']) assert.ok((p[k] as number) >= -5 && (p[k] as number) <= 5);
      const v = ((p.a as number) - 4.5) ** 2 + ((p.b as number) + 1) ** 2 + (p.c as number) ** 2;
      h.push({ params: p, state: 'complete', values: [v] });
    }
    const best = Math.min(...h.map((o) => o.values![0]));
    assert.ok(best < 1e-6, `best ${best}`);
  });
});

describe('NSGA-II', () => {
  it('sorts fronts and computes crowding distances on a hand-made set', () => {
    const v = [[1, 5], [2, 3], [3, 1], [2, 4], [4, 4], [5, 5]];
    assert.deepEqual(nonDominatedSort(v).map((f) => [...f].sort()), [[0, 1, 2], [3], [4], [5]]);
    const cd = crowdingDistance(v, [0, 1, 2]);
    assert.equal(cd.get(0), Infinity);
    assert.equal(cd.get(2), Infinity);
    // middle point: (3-1)/(3-1) + (5-1)/(5-1) = 2
    assert.equal(cd.get(1), 2);
    // Constraint-domination: a feasible point beats an infeasible one whatever its values.
    assert.deepEqual(nonDominatedSort([[9, 9], [0, 0]], [0, 0.5]).map((f) => f), [[0], [1]]);
  });

  it('finds a spread front near the true one on ZDT1', () => {
    const nVar = 10;
    const space: SearchSpace = {};
    for (let i = 0; i < nVar; i++) space[`x${i}`] = { type: 'float', low: 0, high: 1 };
    const pop = 40;
    const s = createSampler('nsga2', { space, objectives: 2, constraints: 0, seed: 3, popsize: pop } as never);
    const h: Observation[] = [];
    for (let gen = 0; gen < 80; gen++) {
      for (const p of s.ask(h, [], pop)) {
        const x = Array.from({ length: nVar }, (_, i) => p[`x${i}`] as number);
        const g = 1 + (9 * x.slice(1).reduce((a, b) => a + b, 0)) / (nVar - 1);
        const f1 = x[0];
        h.push({ params: p, state: 'complete', values: [f1, g * (1 - Math.sqrt(f1 / g))] });
      }
    }
    const vals = h.map((o) => o.values!);
    const front = nonDominatedSort(vals)[0].map((i) => vals[i]);
    const gap = front.map(([f1, f2]) => f2 - (1 - Math.sqrt(f1)));
    const meanGap = gap.reduce((a, b) => a + b, 0) / gap.length;
    assert.ok(meanGap < 0.05, `mean distance above the true front ${meanGap}`);
    const f1s = front.map((v) => v[0]).sort((a, b) => a - b);
    assert.ok(f1s[0] < 0.05 && f1s[f1s.length - 1] > 0.9, `front spans ${f1s[0]}..${f1s[f1s.length - 1]}`);
    // Spread: no big hole along f1.
    let maxGap = 0;
    for (let i = 1; i < f1s.length; i++) maxGap = Math.max(maxGap, f1s[i] - f1s[i - 1]);
    assert.ok(maxGap < 0.15, `largest gap along the front ${maxGap}`);
  });
});
