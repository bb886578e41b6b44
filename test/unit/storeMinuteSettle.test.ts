/**
 * A finished minute gives up its sketch's objects once it is merged into its hour (at its own
 * moment, `mergeDelayMs` after it ends: seriesState.ts), instead of at the next cut's
 * checkpoint: the heap no longer holds up to five minutes of dense count arrays per series
 * when a cut comes, and the minute still reads back as the same sketch (the same bytes as a
 * sketch fed with its values), for quantile queries, checkpoints and its tier's write.
 */
import { strict as assert } from 'node:assert';
import { it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { BucketArray, TIERS } from '../../engine/store/rollup';
import { mergeDelayMs, SeriesState } from '../../engine/store/seriesState';
import { QuantileSketch } from '../../engine/store/sketch';
import { Rng } from '../../engine/util/rng';

const M = TIERS.findIndex((t) => t.name === '1m');
const T0 = Date.UTC(2026, 10, 27, 10, 0, 0);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function heapAfterGc(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed;
}

it('a merged minute keeps its sketch as bytes only, and reads back as the sketch of its values', () => {
  const r = new Rng(11);
  const states = Array.from({ length: 200 }, (_, i) => new SeriesState(`s${i}`, { name: 'g', labels: { i: String(i) } }));
  const values = states.map(() => new Map<number, number[]>()); // per series: minute start → its values
  const before = heapAfterGc();
  // 5 minutes at 1 Hz, values spread over four decades (many sketch bins), then 41 s more so
  // that every finished minute is past its merge moment (at most 40 s after it ends).
  for (let s = 0; s < 341; s++) {
    for (let i = 0; i < states.length; i++) {
      const t = T0 + s * 1000 + i;
      const v = Math.exp(r.next() * 9) * (1 + (i % 5));
      states[i].ingest(t, v);
      const m = Math.floor(t / 60_000) * 60_000;
      const l = values[i].get(m);
      if (l) l.push(v); else values[i].set(m, [v]);
    }
  }
  const grown = heapAfterGc() - before;
  for (const [i, st] of states.entries()) {
    const minutes = st.pending[M].list();
    assert.equal(minutes.length, 5, `series ${i}: the finished minutes`);
    for (const b of minutes) {
      const ref = new QuantileSketch();
      for (const v of values[i].get(b.t)!) ref.add(v);
      assert.equal(hex(b.sketch!.encode()), hex(ref.encode()), `series ${i}, minute ${b.t - T0}`);
    }
    // Each finished minute is held as bytes, without its object.
    assert.equal((st.pending[M] as BucketArray).objects, 0, `series ${i} (merge delay ${mergeDelayMs(st.id)} ms) still holds a sketch object for a merged minute`);
  }
  // The heap holds the open minute's and hour's sketches per series, not five minutes' more:
  // about 4.3 MiB here, 9.8 MiB when the minutes kept their objects until a checkpoint.
  assert.ok(grown < 7 * 1048576, `the heap grew by ${(grown / 1048576).toFixed(1)} MiB`);
});
