/**
 * The checkpoint keeps each finished bucket's bytes from the first checkpoint that wrote it and
 * copies them in later ones (BucketArray.writeEach): its bytes must be those of a checkpoint
 * that encodes every bucket anew, through finished minutes and hours, the cut's closing of
 * buckets, taken tiers, trimmed lists and restores from a checkpoint.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { BucketArray, newPending, TIERS } from '../../engine/store/rollup';
import { Rng } from '../../engine/util/rng';
import { CheckpointWriter, decodeCheckpoint, SeriesState } from '../../engine/store/seriesState';


function checkpoint(states: SeriesState[], reuse: boolean): Uint8Array {
  const w = new CheckpointWriter(7, states.length, reuse);
  // In a shuffled order, as the sliced cut writes a series about to change first.
  [...states.keys()].reverse().forEach((i) => w.entry(i, states[i]));
  return w.finish();
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const M = TIERS.findIndex((t) => t.name === '1m');
const H = TIERS.findIndex((t) => t.name === '1h');

describe('checkpoint with the finished buckets\' bytes kept', () => {
  for (const seed of [1, 2, 3]) {
    it(`writes the bytes of one that encodes every bucket anew (seed ${seed})`, () => {
      const prng = new Rng(seed);
      const r = () => prng.next();
      let states = Array.from({ length: 4 }, (_, i) => new SeriesState(`s${i}`, { name: 'g', labels: { i: String(i) } }));
      let t = Date.UTC(2026, 10, 2, 9, 58, 0);
      let reusedSome = false;
      for (let step = 0; step < 1_500; step++) {
        t += r() < 0.9 ? 1 + Math.floor(r() * 3_000) : 1 + Math.floor(r() * 400_000);
        for (const st of states) if (r() < 0.8) st.ingest(t, r() < 0.02 ? NaN : Math.round((r() - 0.3) * 1e4) / 10);
        const op = r();
        if (op < 0.1) for (const st of states) st.closeBuckets(t);
        else if (op < 0.13) for (const st of states) st.pending[M] = new BucketArray(); // the 1 min tier written by a cut
        else if (op < 0.14) for (const st of states) st.pending[H] = new BucketArray();
        else if (op < 0.17) for (const st of states) st.pending[M].keepLast(Math.floor(r() * 4));
        else if (op < 0.18) for (const st of states) st.pending[0].clear();
        if (r() < 0.3) {
          const before = states.map((st) => st.pending[M].length);
          const kept = checkpoint(states, true);
          const fresh = checkpoint(states, false);
          assert.equal(hex(kept), hex(fresh), `step ${step}`);
          if (before.some((n) => n > 1)) reusedSome = true;
          if (r() < 0.05) {
            // Restored from the checkpoint, as the store does when it opens.
            states = decodeCheckpoint(kept).series.map((c, i) => {
              const back = new SeriesState(c.id, states[i].key);
              back.lastT = c.lastT;
              back.restoreOpen(c.open);
              back.pending = newPending(c.pending);
              return back;
            });
          }
        }
      }
      assert.ok(reusedSome, 'the run never checkpointed a series with several waiting minutes: the test exercises nothing');
    });
  }

  it('does not keep a trimmed bucket\'s bytes for the bucket that takes its place', () => {
    const st = new SeriesState('a', { name: 'g', labels: {} });
    const t0 = Date.UTC(2026, 10, 2, 10, 0, 0);
    for (let m = 0; m < 5; m++) st.ingest(t0 + m * 60_000, m * 1.5);
    checkpoint([st], true); // keeps the bytes of the four finished minutes
    st.pending[M].keepLast(2);
    assert.equal(hex(checkpoint([st], true)), hex(checkpoint([st], false)));
  });
});
