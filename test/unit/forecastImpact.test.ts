import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assessImpact } from '../../engine/forecast/index';
import { Rng } from '../../engine/util/rng';

/** Hourly-like series: a daily cycle around 100 with noise, and an optional step at `at`. */
function series(n: number, seed: number, step = 0, at = n): number[] {
  const r = new Rng(seed);
  return Array.from({ length: n }, (_, i) => (100 + 20 * Math.sin((2 * Math.PI * i) / 24) + 3 * r.normal()) * (i >= at ? 1 + step : 1));
}

describe('impact assessment against a counterfactual forecast', () => {
  it('finds a 20% step up, with an interval that holds it', () => {
    const r = assessImpact(series(24 * 20, 1, 0.2, 24 * 18), 24 * 18, { seasons: [24] });
    assert.ok(r.significant, JSON.stringify({ effect: r.effect, lo: r.effectLo95, hi: r.effectHi95 }));
    assert.ok(r.relativeLo95 <= 0.2 && 0.2 <= r.relativeHi95, `${r.relativeLo95} .. ${r.relativeHi95}`);
    assert.ok(Math.abs(r.relative - 0.2) < 0.05, `relative effect ${r.relative}`);
    assert.equal(r.points.length, 48);
  });

  it('calls no change no change', () => {
    const r = assessImpact(series(24 * 20, 2), 24 * 18, { seasons: [24] });
    assert.equal(r.significant, false, JSON.stringify({ effect: r.effect, lo: r.effectLo95, hi: r.effectHi95 }));
    assert.ok(r.effectLo95 <= 0 && 0 <= r.effectHi95);
  });

  it('refuses too little history or nothing after the change', () => {
    assert.throws(() => assessImpact(series(100, 3), 20, { seasons: [24] }), /at least 48 values before/);
    assert.throws(() => assessImpact(series(100, 3), 100, { seasons: [24] }), /values after the change/);
  });
});
