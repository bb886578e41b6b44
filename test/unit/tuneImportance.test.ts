/** Parameter importance: a synthetic function where one parameter dominates, one matters a little, one not at all. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { paramImportance } from '../../engine/tune/importance';
import type { Params, SearchSpace } from '../../engine/tune/types';
import { Rng } from '../../engine/util/rng';

const space: SearchSpace = {
  noise: { type: 'float', low: 0, high: 1 },
  big: { type: 'float', low: 1, high: 100, log: true },
  small: { type: 'int', low: 0, high: 10 },
  mode: { type: 'categorical', choices: ['a', 'b', 'c'] },
};

function sample(n: number, seed: number): Params[] {
  const r = new Rng(seed);
  return Array.from({ length: n }, () => ({ noise: r.next(), big: Math.exp(r.next() * Math.log(100)), small: r.int(11), mode: ['a', 'b', 'c'][r.int(3)] }));
}

describe('paramImportance', () => {
  it('ranks the dominating parameter first and gives an ignored one almost nothing', () => {
    const ps = sample(60, 1);
    const r = new Rng(2);
    const y = ps.map((p) => 10 * Math.log10(p.big as number) + 0.3 * (p.small as number) + 0.05 * r.normal());
    const imp = paramImportance(space, ps, y, { seed: 3 });
    assert.equal(imp[0].name, 'big');
    assert.ok(imp[0].importance > 0.8, JSON.stringify(imp));
    const by = Object.fromEntries(imp.map((x) => [x.name, x.importance]));
    assert.ok(by.small > by.noise && by.small > by.mode, JSON.stringify(imp));
    assert.ok(by.noise < 0.05 && by.mode < 0.05, JSON.stringify(imp));
    assert.ok(Math.abs(imp.reduce((a, x) => a + x.importance, 0) - 1) < 1e-9);
  });

  it('finds a categorical that decides the value', () => {
    const ps = sample(45, 5);
    const y = ps.map((p) => ({ a: 0, b: 5, c: 10 })[p.mode as 'a'] + 0.1 * (p.noise as number));
    const imp = paramImportance(space, ps, y, { seed: 1 });
    assert.equal(imp[0].name, 'mode');
    assert.ok(imp[0].importance > 0.8, JSON.stringify(imp));
  });

  it('gives every parameter 0 with too few trials or a constant objective, and is reproducible', () => {
    const ps = sample(10, 9);
    assert.ok(paramImportance(space, ps.slice(0, 2), [1, 2]).every((x) => x.importance === 0));
    assert.ok(paramImportance(space, ps, ps.map(() => 3)).every((x) => x.importance === 0));
    const y = ps.map((p) => p.noise as number);
    assert.deepEqual(paramImportance(space, ps, y, { seed: 4 }), paramImportance(space, ps, y, { seed: 4 }));
  });

  it('leaves out non-finite values (failed trials)', () => {
    const ps = sample(30, 11);
    const y = ps.map((p, i) => (i % 5 === 0 ? Number.NaN : 3 * (p.small as number)));
    assert.equal(paramImportance(space, ps, y)[0].name, 'small');
  });
});
