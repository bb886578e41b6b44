/** Recommendation edits: only the values change; comments, alignment, quoting and flow maps stay. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { applyEdits, changeMessage, recommendationFor, roundForFile } from '../../engine/tune/recommendation';
import type { Effect } from '../../engine/tune/remeasure';

const CONFIG = `# protocol-engine: pricing throughput vs tick latency.
workers: 4                # pricing worker threads
batch_size: 8             # max ticks per batch
batch_timeout_ms: 20      # max wait
pool: { size: 3, mode: "fast" }   # flow map
# trailing comment
`;

describe('recommendationFor', () => {
  it('lists the changed keys with old and new values and their exact ranges', () => {
    const r = recommendationFor(CONFIG, { workers: 2, batch_size: 8, batch_timeout_ms: 3.14159265, pool_size: 5 }, { pool_size: 'pool.size' });
    assert.deepEqual(r.unchanged, ['batch_size']);
    assert.deepEqual(r.changes.map((c) => [c.key, c.oldValue, c.newValue]), [['workers', 4, 2], ['batch_timeout_ms', 20, 3.142], ['pool.size', 3, 5]]);
    const w = r.changes[0];
    assert.deepEqual(w.range, { start: { line: 1, character: 9 }, end: { line: 1, character: 10 } });
  });

  it('applying the edits changes only the values: comments and formatting are kept byte for byte', () => {
    const r = recommendationFor(CONFIG, { workers: 2, batch_timeout_ms: 3.5, pool_size: 12, mode: 'slow' }, { pool_size: 'pool.size', mode: 'pool.mode' });
    const out = applyEdits(CONFIG, r.changes.map((c) => c.edit!));
    assert.equal(
      out,
      `# protocol-engine: pricing throughput vs tick latency.
workers: 2                # pricing worker threads
batch_size: 8             # max ticks per batch
batch_timeout_ms: 3.5      # max wait
pool: { size: 12, mode: slow }   # flow map
# trailing comment
`,
    );
    assert.deepEqual(parse(out), { workers: 2, batch_size: 8, batch_timeout_ms: 3.5, pool: { size: 12, mode: 'slow' } });
  });

  it('a missing key is reported, not invented', () => {
    const r = recommendationFor(CONFIG, { queue: 100 });
    assert.equal(r.changes[0].missing, true);
    assert.equal(r.changes[0].edit, undefined);
  });

  it('rounds sampler floats to 4 significant digits and leaves ints and strings alone', () => {
    assert.equal(roundForFile(0.123456789), 0.1235);
    assert.equal(roundForFile(17), 17);
    assert.equal(roundForFile('x'), 'x');
  });

  it('the message carries the measured effect and its interval', () => {
    const r = recommendationFor(CONFIG, { workers: 2 });
    const e: Effect = { metric: 'throughput_tps', direction: 'maximize', medianCurrent: 1000, medianRecommended: 1300, improvement: 0.3, ci95: [0.22, 0.38], verdict: 'better', n: 8 };
    const m = changeMessage(r.changes[0], 'engine-throughput', [e]);
    assert.match(m, /workers: 4 -> 2/);
    assert.match(m, /throughput_tps up \+30\.0% \(95% CI \+22\.0% to \+38\.0%; median 1000 -> 1300, 8 pairs\): better/);
    assert.match(changeMessage(r.changes[0], 's', undefined, 'throughput_tps=1300'), /Not re-measured yet/);
  });
});
