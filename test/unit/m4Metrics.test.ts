import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseM4Csv, splitValidation } from '../../bench/m4/data';
import { coverage, mase, msis, owa, smape } from '../../bench/m4/metrics';

describe('M4 metrics', () => {
  it('sMAPE by hand', () => {
    // 200·|100−110|/210 = 9.5238…, 200·|50−40|/90 = 22.222…
    assert.ok(Math.abs(smape([100, 50], [110, 40]) - (200 * 10 / 210 + 200 * 10 / 90) / 2) < 1e-12);
    assert.equal(smape([0], [0]), 0);
  });

  it('MASE scales by the in-sample seasonal naive error', () => {
    // m = 2: |3−1| = 2, |4−2| = 2, |5−3| = 2 → scale 2; errors 1 and 3 → MAE 2 → MASE 1
    assert.equal(mase([1, 2, 3, 4, 5], [6, 7], [7, 4], 2), 1);
  });

  it('OWA is half the relative sMAPE plus half the relative MASE', () => {
    assert.equal(owa(10, 1, 20, 2), 0.5);
    assert.equal(owa(20, 2, 20, 2), 1);
  });

  it('coverage counts the values inside the interval, ends included', () => {
    assert.deepEqual(coverage([1, 2, 3, 4], [1, 0, 3.5, 0], [2, 1, 4, 4]), { inside: 2, total: 4 });
  });

  it('MSIS: width plus 2/α times the misses, scaled', () => {
    // scale (m=1) of [0, 2] is 2; width 2 each; one miss by 1 at α = 0.05 adds 40
    assert.equal(msis([0, 2], [1, 4], [0, 2], [2, 3], 1, 0.05), (2 + 1 + 40) / 2 / 2);
  });

  it('reads the wide CSV with padded rows and splits the last points off', () => {
    const s = parseM4Csv('"V1","V2","V3","V4","V5"\n"H1","1","2","3","4"\n"H2","5","6","",""\n');
    assert.deepEqual(s, [{ id: 'H1', values: [1, 2, 3, 4] }, { id: 'H2', values: [5, 6] }]);
    assert.deepEqual(splitValidation(s, 1)[0], { id: 'H1', train: [1, 2, 3], test: [4] });
    assert.throws(() => parseM4Csv('"V1","V2"\n"H1","x"\n'), /line 2/);
  });
});
