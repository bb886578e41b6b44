import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { RecentMean } from '../../engine/monitor/recentMean';
import { Rng } from '../../engine/util/rng';

describe('RecentMean (the Components tree’s CPU over the last second)', () => {
  it('is undefined before a sample, then the mean of the samples within the window', () => {
    const m = new RecentMean(1000);
    assert.equal(m.value, undefined);
    // A mostly idle process at 100 ms: one 10 ms tick in ten intervals reads 10% at one sample.
    for (let i = 0; i < 10; i++) m.add(i * 100, i === 3 ? 0.1 : 0);
    assert.ok(Math.abs(m.value! - 0.01) < 1e-12, String(m.value));
    // A second later the tick has left the window.
    for (let i = 10; i < 20; i++) m.add(i * 100, 0);
    assert.equal(m.value, 0);
  });

  it('matches a direct mean over the window on seeded random input, gaps and a clock jump included', () => {
    const rng = new Rng(7);
    const m = new RecentMean(1000);
    const seen: { t: number; v: number }[] = [];
    let t = 0;
    for (let i = 0; i < 5000; i++) {
      const jumpBack = rng.next() < 0.002;
      t = jumpBack ? t - 5000 : t + Math.floor(rng.next() * 300);
      const v = rng.next();
      if (jumpBack) seen.length = 0;
      seen.push({ t, v });
      m.add(t, v);
      const inWindow = seen.filter((s, k) => k === seen.length - 1 || s.t > t - 1000);
      const want = inWindow.reduce((a, s) => a + s.v, 0) / inWindow.length;
      assert.ok(Math.abs(m.value! - want) < 1e-9, `at ${i}: ${m.value} != ${want}`);
    }
  });

  it('ignores a sample that is not a number', () => {
    const m = new RecentMean(1000);
    m.add(0, 0.5);
    m.add(100, Number.NaN);
    assert.equal(m.value, 0.5);
  });
});
