/** The NAB corpus in ../shared/bench-data/nab loads as the benchmark expects (skipped when absent). */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadCorpus, NAB_DIR, readScoredCsv } from '../../bench/nab/corpus';
import { windowRows } from '../../bench/nab/scorer';

describe('NAB corpus', { skip: !existsSync(join(NAB_DIR, 'windows.json')) && `no corpus at ${NAB_DIR}` }, () => {
  it('has 35 files, 55 windows and the three profiles; every window starts and ends on a row (some files repeat timestamps or step back at clock changes)', () => {
    const c = loadCorpus();
    assert.equal(c.files.length, 35);
    assert.equal(Object.values(c.windows).reduce((n, w) => n + w.length, 0), 55);
    assert.deepEqual(c.profiles.standard, { tpWeight: 1, fpWeight: 0.11, fnWeight: 1 });
    assert.deepEqual(c.profiles.reward_low_FP_rate, { tpWeight: 1, fpWeight: 0.22, fnWeight: 1 });
    assert.deepEqual(c.profiles.reward_low_FN_rate, { tpWeight: 1, fpWeight: 0.11, fnWeight: 2 });
    for (const f of c.files) {
      const { timestamps, values } = readScoredCsv(readFileSync(join(c.dir, 'data', f), 'utf8'));
      assert.ok(values.every(Number.isFinite), f);
      const ranges = windowRows(timestamps, c.windows[f]);
      assert.equal(ranges.length, c.windows[f].length, f);
      ranges.forEach(([l, r], k) => {
        assert.equal(timestamps[l], c.windows[f][k][0], `${f}: window ${k} starts on a row`);
        assert.equal(timestamps[r], c.windows[f][k][1], `${f}: window ${k} ends on a row`);
      });
    }
  });
});
