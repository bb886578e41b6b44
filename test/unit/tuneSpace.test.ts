import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SpaceCodec } from '../../engine/tune/space';
import { sobolPoint, sobolShift } from '../../engine/tune/sobolSequence';
import { Rng } from '../../engine/util/rng';
import type { SearchSpace } from '../../engine/tune/types';

describe('Sobol sequence', () => {
  it('gives the published Joe-Kuo points (Gray-code order, unscrambled)', () => {
    // First 8 points of new-joe-kuo-6.21201 in 4 dimensions (as SciPy's Sobol(scramble=False)).
    const expected = [
      [0, 0, 0, 0],
      [0.5, 0.5, 0.5, 0.5],
      [0.75, 0.25, 0.25, 0.25],
      [0.25, 0.75, 0.75, 0.75],
      [0.375, 0.375, 0.625, 0.875],
      [0.875, 0.875, 0.125, 0.375],
      [0.625, 0.125, 0.875, 0.625],
      [0.125, 0.625, 0.375, 0.125],
    ];
    expected.forEach((row, i) => assert.deepEqual(Array.from(sobolPoint(i, 4)), row, `point ${i}`));
  });

  it('has one point in each of the 2^k slices of every coordinate for a 2^k prefix, scrambled or not', () => {
    for (const shift of [undefined, sobolShift(7, 12)]) {
      const counts = Array.from({ length: 12 }, () => new Array(64).fill(0));
      for (let i = 0; i < 64; i++) {
        const p = sobolPoint(i, 12, shift);
        p.forEach((v, d) => counts[d][Math.floor(v * 64)]++);
      }
      for (const c of counts) assert.ok(c.every((n) => n === 1));
    }
  });
});

describe('search space encoding', () => {
  const space: SearchSpace = {
    lr: { type: 'float', low: 1e-4, high: 1e-1, log: true },
    layers: { type: 'int', low: 1, high: 4 },
    drop: { type: 'float', low: 0, high: 0.5, step: 0.1 },
    opt: { type: 'categorical', choices: ['sgd', 'adam', 'rms'] },
    momentum: { type: 'float', low: 0, high: 0.99, condition: { param: 'opt', in: ['sgd'] } },
    threads: { type: 'int', low: 1, high: 64, log: true },
  };
  const codec = new SpaceCodec(space);

  it('round-trips parameters and drops inactive conditional ones', () => {
    assert.equal(codec.dim, 1 + 1 + 1 + 3 + 1 + 1);
    const p = { lr: 0.01, layers: 3, drop: 0.3, opt: 'sgd', momentum: 0.9, threads: 8 };
    const back = codec.decode(codec.encode(p));
    assert.ok(Math.abs((back.lr as number) - 0.01) < 1e-12);
    assert.deepEqual({ ...back, lr: 0.01, momentum: Number((back.momentum as number).toFixed(9)) }, p);
    const q = codec.decode(codec.encode({ ...p, opt: 'adam' }));
    assert.equal(q.momentum, undefined);
    assert.equal(q.opt, 'adam');
  });

  it('log scale puts the geometric middle at 0.5, and ints and steps get equal slices', () => {
    assert.ok(Math.abs(codec.encode({ lr: Math.sqrt(1e-5), layers: 1, drop: 0, opt: 'rms', threads: 1 })[0] - 0.5) < 1e-12);
    const counts = new Map<number, number>();
    const drops = new Map<number, number>();
    const rng = new Rng(3);
    for (let i = 0; i < 6000; i++) {
      const d = codec.decode(codec.sample(rng));
      counts.set(d.layers as number, (counts.get(d.layers as number) ?? 0) + 1);
      drops.set(d.drop as number, (drops.get(d.drop as number) ?? 0) + 1);
      assert.ok((d.threads as number) >= 1 && (d.threads as number) <= 64 && Number.isInteger(d.threads));
    }
    assert.deepEqual([...counts.keys()].sort(), [1, 2, 3, 4]);
    for (const c of counts.values()) assert.ok(Math.abs(c - 1500) < 150, `int level count ${c}`);
    assert.deepEqual([...drops.keys()].sort(), [0, 0.1, 0.2, 0.3, 0.4, 0.5]);
  });

  it('projection snaps onto valid points and fixes inactive coordinates', () => {
    const u = Float64Array.of(0.3, 0.61, 0.99, 0.2, 0.7, 0.1, 0.77, 0.5);
    codec.project(u);
    assert.deepEqual(Array.from(u.subarray(3, 6)), [0, 1, 0]);
    assert.equal(u[6], 0.5, 'momentum is inactive for adam');
    assert.equal(u[1], (2 + 0.5) / 4, 'layers = 3 sits at its slice centre');
  });

  it('explains what is wrong with a bad space', () => {
    assert.throws(() => new SpaceCodec({ a: { type: 'float', low: 0, high: 1, log: true } }), /log-scaled and needs low > 0/);
    assert.throws(() => new SpaceCodec({ a: { type: 'float', low: 0, high: 1, condition: { param: 'b', in: [1] } } }), /not in the search space/);
    assert.throws(() => new SpaceCodec({ a: { type: 'categorical', choices: [] } }), /at least one choice/);
  });
});
