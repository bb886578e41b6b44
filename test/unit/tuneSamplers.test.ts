import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AutoSampler } from '../../engine/tune/auto';
import { BayesianSampler } from '../../engine/tune/bayesian';
import { SAMPLERS, createSampler } from '../../engine/tune/index';
import type { Observation, Params, SearchSpace } from '../../engine/tune/types';

const space: SearchSpace = {
  x: { type: 'float', low: -2, high: 3 },
  lr: { type: 'float', low: 1e-4, high: 1, log: true },
  n: { type: 'int', low: 1, high: 16 },
  algo: { type: 'categorical', choices: ['a', 'b', 'c'] },
  beta: { type: 'float', low: 0, high: 1, condition: { param: 'algo', in: ['b'] } },
};

function objective(p: Params): number {
  const base = ((p.x as number) - 1) ** 2 + Math.log10(p.lr as number) ** 2 / 4 + ((p.n as number) - 5) ** 2 / 20;
  return base + (p.algo === 'b' ? ((p.beta as number) - 0.3) ** 2 : 0.5);
}

function inBounds(p: Params): void {
  assert.ok((p.x as number) >= -2 && (p.x as number) <= 3, `x ${p.x}`);
  assert.ok((p.lr as number) >= 1e-4 && (p.lr as number) <= 1, `lr ${p.lr}`);
  assert.ok(Number.isInteger(p.n) && (p.n as number) >= 1 && (p.n as number) <= 16, `n ${p.n}`);
  assert.ok(['a', 'b', 'c'].includes(p.algo as string));
  if (p.algo === 'b') assert.ok((p.beta as number) >= 0 && (p.beta as number) <= 1, `beta ${p.beta}`);
  else assert.equal(p.beta, undefined, 'beta is only active for algo b');
}

function run(name: string, seed: number, trials: number, batch = 1): Observation[] {
  const s = createSampler(name, { space, objectives: name === 'nsga2' ? 2 : 1, constraints: 0, seed, budget: trials });
  const h: Observation[] = [];
  while (h.length < trials) {
    const ps = s.ask(h, [], batch);
    assert.equal(ps.length, batch);
    for (const p of ps) {
      inBounds(p);
      const v = objective(p);
      h.push({ params: p, state: 'complete', values: name === 'nsga2' ? [v, (p.n as number) / 16] : [v] });
    }
    assert.ok(s.explain().length > 10);
  }
  return h;
}

describe('every sampler', () => {
  for (const name of Object.keys(SAMPLERS)) {
    const trials = name === 'bayesian' || name === 'auto' || name === 'parego' ? 16 : 60;
    it(`${name}: stays in bounds, respects conditions, and is reproducible with a seed`, () => {
      const a = run(name, 11, trials);
      const b = run(name, 11, trials);
      assert.deepEqual(a.map((o) => o.params), b.map((o) => o.params));
      const c = run(name, 12, trials);
      assert.notDeepEqual(a.map((o) => o.params), c.map((o) => o.params));
    });
    it(`${name}: a batch holds distinct points, and a resumed sampler continues the same way`, () => {
      const h = run(name, 5, trials - 4, 2);
      const fresh = createSampler(name, { space, objectives: name === 'nsga2' ? 2 : 1, constraints: 0, seed: 5, budget: trials });
      const again = createSampler(name, { space, objectives: name === 'nsga2' ? 2 : 1, constraints: 0, seed: 5, budget: trials });
      const batch = fresh.ask(h, [], 3);
      assert.equal(new Set(batch.map((p) => JSON.stringify(p))).size, 3, 'three different points');
      assert.deepEqual(again.ask(h, [], 3), batch, 'a new sampler on the same history asks the same points');
      // With the first point pending, the next ask does not repeat it.
      const next = again.ask(h, [batch[0]], 1);
      assert.notDeepEqual(next[0], batch[0]);
    });
  }
});

describe('Bayesian optimization', () => {
  it('finds the minimum of a smooth 2-D function within 30 trials', () => {
    const s = new BayesianSampler({ space: { a: { type: 'float', low: 0, high: 1 }, b: { type: 'float', low: 0, high: 1 } }, objectives: 1, constraints: 0, seed: 1 });
    const h: Observation[] = [];
    for (let t = 0; t < 30; t++) {
      const [p] = s.ask(h, [], 1);
      h.push({ params: p, state: 'complete', values: [((p.a as number) - 0.3) ** 2 + ((p.b as number) - 0.7) ** 2] });
    }
    const best = Math.min(...h.map((o) => o.values![0]));
    // 30 random points would get about 1e-2 here.
    assert.ok(best < 1e-3, `best ${best}`);
  });

  it('keeps to the feasible region with a constraint GP', () => {
    const sp: SearchSpace = { a: { type: 'float', low: 0, high: 1 }, b: { type: 'float', low: 0, high: 1 } };
    const s = new BayesianSampler({ space: sp, objectives: 1, constraints: 1, seed: 2 });
    const h: Observation[] = [];
    for (let t = 0; t < 30; t++) {
      const [p] = s.ask(h, [], 1);
      const a = p.a as number;
      const b = p.b as number;
      // Minimize a + b subject to a^2 + b^2 >= 0.5 (as 0.5 - a^2 - b^2 <= 0).
      h.push({ params: p, state: 'complete', values: [a + b], constraints: [0.5 - a * a - b * b] });
    }
    const feasible = h.filter((o) => o.constraints![0] <= 0).map((o) => o.values![0]);
    const best = Math.min(...feasible);
    // Optimum: a point on the circle at an axis, a + b = sqrt(0.5) = 0.7071.
    assert.ok(best < 0.75, `best feasible ${best}`);
    const late = h.slice(15).filter((o) => o.constraints![0] <= 0.05).length;
    assert.ok(late >= 10, `only ${late} of the last 15 trials are near-feasible`);
  });

  it('recommends the posterior-mean minimizer under noise', () => {
    const sp: SearchSpace = { a: { type: 'float', low: 0, high: 1 } };
    const s = new BayesianSampler({ space: sp, objectives: 1, constraints: 0, seed: 3 });
    // Many points near a = 0.5 (true minimum) with noise, and one lucky noisy point far away.
    const h: Observation[] = [];
    for (let i = 0; i <= 20; i++) {
      const a = i / 20;
      h.push({ params: { a }, state: 'complete', values: [(a - 0.5) ** 2 + 0.01 * Math.sin(37 * i)] });
    }
    h.push({ params: { a: 0.95 }, state: 'complete', values: [-0.05] });
    const rec = s.recommend(h)!;
    assert.ok(Math.abs((rec.a as number) - 0.5) <= 0.1, `recommended ${rec.a}`);
  });
});

describe('auto', () => {
  it('chooses by space, budget and objectives and says why', () => {
    const num: SearchSpace = { a: { type: 'float', low: 0, high: 1 }, b: { type: 'float', low: 0, high: 1 } };
    const cat: SearchSpace = { a: { type: 'categorical', choices: [1, 2, 3] }, b: { type: 'categorical', choices: ['x', 'y'] }, c: { type: 'float', low: 0, high: 1 } };
    const wide: SearchSpace = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`p${i}`, { type: 'float', low: 0, high: 1 }]));
    const base = { objectives: 1, constraints: 0, seed: 1 };
    assert.match(new AutoSampler({ ...base, space: num, budget: 100 }).explain(), /Gaussian-process/);
    assert.match(new AutoSampler({ ...base, space: cat, budget: 100 }).explain(), /genetic/);
    assert.match(new AutoSampler({ ...base, space: wide, budget: 100 }).explain(), /CMA-ES/);
    assert.match(new AutoSampler({ ...base, space: num, budget: 2000 }).explain(), /CMA-ES/);
    assert.match(new AutoSampler({ ...base, objectives: 2, space: num, budget: 100 }).explain(), /ParEGO/);
    assert.match(new AutoSampler({ ...base, objectives: 2, space: num, budget: 1000 }).explain(), /NSGA-II/);
  });

  it('hands over to CMA-ES at the GP trial limit, from the history alone', () => {
    const sp: SearchSpace = { a: { type: 'float', low: 0, high: 1 } };
    const s = new AutoSampler({ space: sp, objectives: 1, constraints: 0, seed: 1, gpLimit: 12 });
    const h: Observation[] = [];
    for (let t = 0; t < 16; t++) {
      const [p] = s.ask(h, [], 1);
      h.push({ params: p, state: 'complete', values: [Math.abs((p.a as number) - 0.37)] });
    }
    assert.equal(s.switchPoint(h), 12);
    assert.match(s.explain(), /handed over to CMA-ES/);
  });
});
