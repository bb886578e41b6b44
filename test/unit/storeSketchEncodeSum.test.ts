/**
 * The checkpoint writes a series' open hour as the sum of its sketches (the hour's, the minutes
 * waiting to be merged, the open minute) without making the merged copy
 * (QuantileSketch.encodeSum, SeriesState.writeOpenBucket): the bytes must be those of the
 * merged copy's encoding, for dense and sparse bins, negative values, zeros and infinities, and
 * for a series' open buckets at every moment of an hour.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ByteWriter } from '../../engine/store/bytes';
import { writeBucket } from '../../engine/store/rollup';
import { SeriesState } from '../../engine/store/seriesState';
import { QuantileSketch } from '../../engine/store/sketch';
import { Rng } from '../../engine/util/rng';

const bytes = (write: (w: ByteWriter) => void) => {
  const w = new ByteWriter(64);
  write(w);
  return Buffer.from(w.result()).toString('hex');
};

function randomSketch(r: Rng): QuantileSketch {
  const s = new QuantileSketch();
  const kind = r.int(5);
  const n = r.int(200);
  for (let i = 0; i < n; i++) {
    let v: number;
    if (kind === 0) v = 100 + r.normal() * 5; // one gauge, dense
    else if (kind === 1) v = (r.next() < 0.5 ? -1 : 1) * Math.exp(r.normal() * 3); // both signs
    else if (kind === 2) v = r.next() < 0.1 ? [0, Infinity, -Infinity, NaN][r.int(4)] : r.int(1000);
    else if (kind === 3) v = Math.exp(r.normal() * 200); // spread past the dense span: sparse bins
    else v = 1e-9 * 10 ** r.int(300); // far apart keys
    s.add(v);
  }
  return s;
}

it('QuantileSketch.encodeSum gives the bytes of the merged copy', () => {
  const r = new Rng(7);
  for (let round = 0; round < 400; round++) {
    const list = Array.from({ length: 1 + r.int(4) }, () => randomSketch(r));
    const merged = new QuantileSketch();
    for (const s of list) merged.merge(s);
    assert.equal(bytes((w) => QuantileSketch.encodeSum(w, list)), bytes((w) => merged.encode(w)), `round ${round}`);
  }
});

it('SeriesState.writeOpenBucket gives the bytes of writeBucket(openBucket()) through an hour', () => {
  const r = new Rng(11);
  const st = new SeriesState('s', { name: 's', labels: {} });
  const T0 = Date.UTC(2026, 10, 27, 10, 0, 0);
  let checked = 0;
  for (let t = T0 + 500; t < T0 + 2.2 * 3_600_000; t += 1000 + r.int(3000)) {
    st.ingest(t, r.next() < 0.02 ? NaN : Math.round(50 + r.normal() * 20));
    if (r.next() < 0.05) st.closeBuckets(t + r.int(90_000));
    if (r.next() < 0.2) {
      for (let i = 0; i < 3; i++) {
        const o = st.openBucket(i);
        const got = bytes((w) => { if (!st.writeOpenBucket(w, i)) w.u8(255); });
        assert.equal(got, o ? bytes((w) => writeBucket(w, o)) : 'ff', `tier ${i} at ${t - T0}`);
        checked++;
      }
    }
  }
  assert.ok(checked > 500, `${checked} checks`);
});
