/**
 * The quantile sketch's dense counts and the 1 h sketch merged from finished minutes:
 * - the dense store (and its Map fallback for wide spans) gives the bytes of a plain Map of
 *   counts per key (the encoding before the dense store), so old files read the same;
 * - merging sketches equals adding the values one by one (the same bytes), within the bound;
 * - round trips, including a fixed encoding written by the Map-based sketch of main (e1b7758);
 * - a series' 1 h buckets (open, finished, through a checkpoint) hold the same sketch as one
 *   updated with every value of the hour.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ByteWriter } from '../../engine/store/bytes';
import { newPending, TIERS, type Bucket } from '../../engine/store/rollup';
import { CheckpointWriter, decodeCheckpoint, mergeDelayMs, SeriesState } from '../../engine/store/seriesState';
import { DEFAULT_RELATIVE_ACCURACY, exactQuantile, MAX_DENSE_SPAN, MIN_VALUE, QuantileSketch } from '../../engine/store/sketch';

const SEED = 20261127;
const alpha = DEFAULT_RELATIVE_ACCURACY;
const QS = [0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 1];
const within = (est: number, exact: number) => {
  if (Math.abs(exact) < MIN_VALUE) return Math.abs(est) < MIN_VALUE;
  if (!Number.isFinite(exact)) return est === exact;
  return Math.abs(est - exact) <= alpha * Math.abs(exact) * (1 + 1e-9);
};
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** The encoding of the Map-based sketch (main before the dense store), written independently. */
function referenceEncoding(values: readonly number[]): Uint8Array {
  const lnG = Math.log((1 + alpha) / (1 - alpha));
  const pos = new Map<number, number>();
  const neg = new Map<number, number>();
  let zero = 0, posInf = 0, negInf = 0;
  for (const v of values) {
    if (v !== v) continue;
    if (v === Infinity) posInf++;
    else if (v === -Infinity) negInf++;
    else if (v >= MIN_VALUE) { const k = Math.ceil(Math.log(v) / lnG); pos.set(k, (pos.get(k) ?? 0) + 1); }
    else if (v <= -MIN_VALUE) { const k = Math.ceil(Math.log(-v) / lnG); neg.set(k, (neg.get(k) ?? 0) + 1); }
    else zero++;
  }
  const w = new ByteWriter(32);
  w.uvar(zero);
  w.uvar(posInf);
  w.uvar(negInf);
  for (const m of [pos, neg]) {
    const keys = [...m.keys()].sort((a, b) => a - b);
    w.uvar(keys.length);
    keys.forEach((k, i) => { if (i === 0) w.svar(k); else w.uvar(k - keys[i - 1]); w.uvar(m.get(k)!); });
  }
  return w.result();
}

const sketchOf = (vs: readonly number[]) => {
  const s = new QuantileSketch();
  for (const v of vs) s.add(v);
  return s;
};

/** Values of every kind: clustered (dense), spread over the whole float range (the Map fallback), zeros, infinities, NaN. */
const value = fc.oneof(
  fc.double({ min: 1, max: 2, noNaN: true }),
  fc.double({ min: -1e3, max: -1e-3, noNaN: true }),
  fc.integer({ min: -100, max: 100 }),
  fc.double({ noNaN: false }),
  fc.constantFrom(0, -0, 1e-10, Infinity, -Infinity, NaN, Number.MAX_VALUE, MIN_VALUE, 1e300),
);

describe('quantile sketch: dense counts', () => {
  it('encodes the same bytes as a Map of counts per key, in any order of arrival', () => {
    fc.assert(fc.property(fc.array(value, { maxLength: 400 }), (vs) => {
      assert.equal(hex(sketchOf(vs).encode()), hex(referenceEncoding(vs)));
      // Descending arrival grows the dense array downwards.
      const sorted = vs.filter((v) => v === v).sort((a, b) => b - a);
      assert.equal(hex(sketchOf(sorted).encode()), hex(referenceEncoding(sorted)));
    }), { seed: SEED, numRuns: 400 });
  });

  it('merging sketches equals adding the values one by one (same bytes), and stays within the bound', () => {
    fc.assert(fc.property(fc.array(value, { minLength: 1, maxLength: 400 }), fc.array(fc.nat(400), { maxLength: 6 }), (vs, cuts) => {
      const bounds = [0, ...cuts.map((c) => c % (vs.length + 1)).sort((a, b) => a - b), vs.length];
      const merged = new QuantileSketch();
      for (let i = 0; i + 1 < bounds.length; i++) merged.merge(sketchOf(vs.slice(bounds[i], bounds[i + 1])));
      const seq = sketchOf(vs);
      assert.equal(hex(merged.encode()), hex(seq.encode()));
      assert.equal(merged.count, seq.count);
      if (vs.some((v) => v === v)) for (const q of QS) {
        const exact = exactQuantile(vs, q);
        const est = merged.quantile(q);
        assert.ok(within(est, exact), `q=${q}: estimate ${est}, exact ${exact}`);
        assert.ok(Object.is(est, seq.quantile(q)));
      }
    }), { seed: SEED, numRuns: 300 });
  });

  it('round-trips through its encoding (dense and wide), and a clone is independent', () => {
    fc.assert(fc.property(fc.array(value, { maxLength: 300 }), (vs) => {
      const s = sketchOf(vs);
      const back = QuantileSketch.decode(s.encode());
      assert.equal(hex(back.encode()), hex(s.encode()));
      assert.equal(back.count, s.count);
      for (const q of QS) assert.ok(Object.is(back.quantile(q), s.quantile(q)));
      const c = s.clone();
      c.add(1.5);
      assert.equal(hex(s.encode()), hex(sketchOf(vs).encode()));
    }), { seed: SEED, numRuns: 300 });
  });

  it('reads an encoding written by the Map-based sketch of main (e1b7758)', () => {
    // [0, 0, -0, 1e-12, 0.001, 0.0011, 0.5, 1, 1, 2, 3.5, 100, 1e6, 1e9, -3, -3.1, -70, Infinity]
    const old = Uint8Array.from(Buffer.from('04010009b105010501b20201220223011c01a80101cc0301da0201036e0102019c0101', 'hex'));
    const vs = [0, 0, -0, 1e-12, 0.001, 0.0011, 0.5, 1, 1, 2, 3.5, 100, 1e6, 1e9, -3, -3.1, -70, Infinity];
    assert.equal(hex(referenceEncoding(vs)), hex(old), 'the reference encoder in this test');
    const s = QuantileSketch.decode(old);
    assert.equal(s.count, vs.length);
    assert.equal(hex(s.encode()), hex(old));
    assert.equal(hex(sketchOf(vs).encode()), hex(old));
    for (const q of QS) assert.ok(within(s.quantile(q), exactQuantile(vs, q)), `q=${q}`);
  });

  it(`falls back to a Map past ${MAX_DENSE_SPAN} keys of span, with the same answers`, () => {
    const lnG = Math.log((1 + alpha) / (1 - alpha));
    const wide = [1, Math.exp(lnG * (MAX_DENSE_SPAN + 10)), 2, 3];
    const s = sketchOf(wide);
    assert.equal(hex(s.encode()), hex(referenceEncoding(wide)));
    for (const q of QS) assert.ok(within(s.quantile(q), exactQuantile(wide, q)));
    // a dense sketch merged into a wide one and the other way round
    const dense = sketchOf([1.1, 1.2, 1.3]);
    const a = s.clone();
    a.merge(dense);
    const b = dense.clone();
    b.merge(s);
    assert.equal(hex(a.encode()), hex(referenceEncoding([...wide, 1.1, 1.2, 1.3])));
    assert.equal(hex(b.encode()), hex(a.encode()));
  });
});

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 2, 9, 58, 0);

/** Restores a series from its checkpoint entry, as the store does when it opens (store.ts). */
function throughCheckpoint(st: SeriesState): SeriesState {
  const w = new CheckpointWriter(1, 1);
  w.entry(0, st);
  const c = decodeCheckpoint(w.finish()).series[0];
  const back = new SeriesState(c.id, st.key);
  back.lastT = c.lastT;
  back.restoreOpen(c.open);
  back.pending = newPending(c.pending);
  return back;
}

describe('1 h sketches merged from the finished minutes', () => {
  const H = TIERS.findIndex((t) => t.name === '1h');

  it('hold the same sketch as one updated with every value of the hour: open, finished, through checkpoints', () => {
    // Steps of 1 ms to 3 min (so minutes and hours are crossed, and some minutes are skipped);
    // now and then the cut's bucket closing, or a checkpoint round trip.
    const step = fc.record({
      dt: fc.oneof(fc.integer({ min: 1, max: 2_000 }), fc.integer({ min: 1, max: 180_000 })),
      v: fc.oneof(fc.double({ min: 0.001, max: 10, noNaN: true }), fc.integer({ min: -5, max: 5 }), fc.constant(NaN)),
      event: fc.constantFrom('none', 'none', 'none', 'none', 'none', 'none', 'close', 'checkpoint'),
    });
    fc.assert(fc.property(fc.array(step, { minLength: 1, maxLength: 300 }), (steps) => {
      let st = new SeriesState('s', { name: 's', labels: {} });
      const hours = new Map<number, number[]>();
      let t = T0;
      for (const s of steps) {
        t += s.dt;
        st.ingest(t, s.v);
        if (s.v === s.v) {
          const h = Math.floor(t / HOUR) * HOUR;
          hours.set(h, [...(hours.get(h) ?? []), s.v]);
        }
        if (s.event === 'close') st.closeBuckets(t); // as a cut does (a later sample never falls in a closed bucket)
        if (s.event === 'checkpoint') st = throughCheckpoint(st);
        // The open hour as a query sees it: every value so far.
        const open = st.openBucket(H);
        if (open) assert.equal(hex(open.sketch!.encode()), hex(referenceEncoding(hours.get(open.t)!)), `open hour at ${open.t}`);
      }
      st.closeBuckets(t + 2 * HOUR);
      const finished: Bucket[] = st.pending[H].list();
      assert.deepEqual(finished.map((b) => b.t), [...hours.keys()]);
      for (const b of finished) {
        const vs = hours.get(b.t)!;
        assert.equal(b.count, vs.length);
        assert.equal(hex(b.sketch!.encode()), hex(referenceEncoding(vs)), `hour ${b.t}`);
      }
    }), { seed: SEED, numRuns: 300 });
  });

  it('merge each finished minute at a moment of their own: 10,000 series of the load bench spread over 40 s', () => {
    // Every series' minute ends in the same 100 ms under load; merging them all then stalled the loop.
    const ids = Array.from({ length: 10_000 }, (_, i) => `load_gauge_${i % 200}{component="c${Math.floor(i / 200)}"}`);
    const per100ms = new Map<number, number>();
    for (const id of ids) {
      const d = mergeDelayMs(id);
      assert.ok(d >= 0 && d < 40_000, `delay ${d}`);
      assert.equal(mergeDelayMs(id), d, 'the same delay every time');
      per100ms.set(Math.floor(d / 100), (per100ms.get(Math.floor(d / 100)) ?? 0) + 1);
    }
    // 400 slots of 100 ms, 25 series each on average: none holds more than 3%.
    assert.ok(Math.max(...per100ms.values()) <= 300, `at most ${Math.max(...per100ms.values())} in one 100 ms`);
    assert.ok(per100ms.size >= 380, `${per100ms.size} of 400 slots used`);
  });

  it('a waiting minute is in the open hour for queries before its merge, and in the finished hour after it', () => {
    const id = 'waits';
    const st = new SeriesState(id, { name: id, labels: {} });
    const t0 = Math.floor(T0 / HOUR) * HOUR; // the top of an hour
    const vs: number[] = [];
    for (let i = 0; i < 60; i++) { st.ingest(t0 + i * 1000, i); vs.push(i); }
    st.ingest(t0 + 60_000, 100); vs.push(100); // the first minute ends and waits for its merge
    assert.equal(hex(st.openBucket(H)!.sketch!.encode()), hex(referenceEncoding(vs)));
    const at = t0 + 60_000 + mergeDelayMs(id);
    st.ingest(at + 1, 101); vs.push(101); // past its moment: merged
    assert.equal(hex(st.openBucket(H)!.sketch!.encode()), hex(referenceEncoding(vs)));
    st.closeBuckets(t0 + 2 * HOUR);
    assert.equal(hex(st.pending[H].list()[0].sketch!.encode()), hex(referenceEncoding(vs)));
  });

  it('a query of the open hour does not change the series (the open minute is merged into a copy)', () => {
    const st = new SeriesState('s', { name: 's', labels: {} });
    for (let i = 0; i < 100; i++) st.ingest(T0 + i * 1000, 1 + i / 100);
    const before = hex(st.openBucket(H)!.sketch!.encode());
    st.openBucket(H)!.sketch!.add(5);
    assert.equal(hex(st.openBucket(H)!.sketch!.encode()), before);
    assert.equal(st.openBucket(H)!.count, 100);
  });
});
