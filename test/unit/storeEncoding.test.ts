import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeRaw, encodeRaw } from '../../engine/store/blocks';
import { decodeTimes, decodeValues, encodeTimes, encodeValues, MAX_INT } from '../../engine/store/codec';
import { BucketColumns, decodeBuckets, encodeBuckets, type Bucket } from '../../engine/store/rollup';
import { DEFAULT_RELATIVE_ACCURACY, exactQuantile, QuantileSketch } from '../../engine/store/sketch';
import { crc32 } from '../../engine/store/crc32';

const SEED = 20261127;
const same = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Object.is(a[i], b[i]), `index ${i}: ${a[i]} != ${b[i]}`);
};

/** Every float64 including NaN, ±Infinity, -0, subnormals and the extremes. */
const anyDouble = fc.oneof(fc.double(), fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 53, -(2 ** 53)));
/** Values like real metrics: counters, small integers, decimals, repeats. */
const metricLike = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }),
  fc.integer({ min: 0, max: 1000 }).map((n) => n / 1000),
  fc.constantFrom(0, 1, 0.5, 1e9),
  anyDouble,
);
const timestamp = fc.integer({ min: -MAX_INT, max: MAX_INT });

describe('store codecs', () => {
  it('CRC-32 matches the standard check value', () => {
    assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  });

  it('times round-trip exactly: regular, jittered, irregular, huge, unordered', () => {
    const regular = fc.tuple(fc.integer({ min: 0, max: 2 ** 42 }), fc.integer({ min: 1, max: 100_000 }), fc.array(fc.integer({ min: -5, max: 5 }), { maxLength: 500 }))
      .map(([t0, step, jitter]) => jitter.map((j, i) => t0 + i * step + j));
    fc.assert(fc.property(fc.oneof(regular, fc.array(timestamp, { maxLength: 300 })), (ts) => {
      same(decodeTimes(encodeTimes(ts), ts.length), ts);
    }), { seed: SEED, numRuns: 300 });
  });

  it('values round-trip bit for bit, including NaN, ±Infinity, -0 and huge values', () => {
    fc.assert(fc.property(fc.array(fc.oneof(anyDouble, metricLike), { maxLength: 400 }), (vs) => {
      same(decodeValues(encodeValues(vs), vs.length), vs);
    }), { seed: SEED, numRuns: 400 });
    // Runs of one kind select the integer and decimal codecs.
    fc.assert(fc.property(fc.array(metricLike, { maxLength: 400 }), fc.integer({ min: 0, max: 6 }), (vs, k) => {
      const scaled = vs.map((v) => (Number.isFinite(v) ? Math.round(v * 1000) / 10 ** k : v));
      same(decodeValues(encodeValues(scaled), scaled.length), scaled);
    }), { seed: SEED, numRuns: 300 });
  });

  it('raw blocks round-trip', () => {
    fc.assert(fc.property(fc.array(fc.tuple(timestamp, anyDouble), { minLength: 1, maxLength: 200 }), (pairs) => {
      const ts = pairs.map((p) => p[0]);
      const vs = pairs.map((p) => p[1]);
      const d = decodeRaw(encodeRaw(ts, vs), ts.length);
      same(d.t, ts);
      same(d.v, vs);
    }), { seed: SEED, numRuns: 200 });
  });

  it('compresses typical metrics to a few bits per sample', () => {
    const n = 3000;
    const ts = Array.from({ length: n }, (_, i) => 1_790_000_000_000 + i * 100);
    const counter = Array.from({ length: n }, (_, i) => i * 7);
    const constant = Array.from({ length: n }, () => 42);
    const bits = (vs: number[]) => ((encodeTimes(ts).length + encodeValues(vs).length) * 8) / n;
    assert.ok(bits(counter) < 2.5, `steady counter: ${bits(counter)} bits`);
    assert.ok(bits(constant) < 2.5, `constant gauge: ${bits(constant)} bits`);
  });

  it('rollup blocks round-trip with their sketches', () => {
    const bucket = fc.tuple(fc.array(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), { minLength: 1, maxLength: 30 }), fc.boolean());
    fc.assert(fc.property(fc.array(bucket, { minLength: 1, maxLength: 40 }), (spec) => {
      const bs: Bucket[] = spec.map(([vals, withSketch], i) => {
        const sk = withSketch ? new QuantileSketch() : undefined;
        vals.forEach((v) => sk?.add(v));
        return { t: i * 1000, count: vals.length, min: Math.min(...vals), max: Math.max(...vals), sum: vals.reduce((a, b) => a + b, 0), last: vals[vals.length - 1], sketch: sk };
      });
      const back = decodeBuckets(encodeBuckets(bs), bs.length, true);
      bs.forEach((b, i) => {
        for (const k of ['t', 'count', 'min', 'max', 'sum', 'last'] as const) assert.ok(Object.is(back[i][k], b[k]));
        if (b.sketch) for (const q of [0, 0.5, 0.99, 1]) assert.ok(Object.is(back[i].sketch!.quantile(q), b.sketch.quantile(q)));
      });
    }), { seed: SEED, numRuns: 100 });
  });
  it('packed 1 s buckets (BucketColumns) encode to the same bytes as the objects, and list by range', () => {
    const bucket = fc.array(fc.double({ noNaN: true, min: -1e9, max: 1e9 }), { minLength: 1, maxLength: 12 });
    fc.assert(fc.property(fc.array(bucket, { minLength: 1, maxLength: 200 }), (spec) => {
      const bs: Bucket[] = spec.map((vals, i) => ({ t: 1.7e12 + i * 1000, count: vals.length, min: Math.min(...vals), max: Math.max(...vals), sum: vals.reduce((a, b) => a + b, 0), last: vals[vals.length - 1] }));
      const cols = new BucketColumns();
      for (const b of bs) cols.push(b);
      assert.equal(cols.length, bs.length);
      assert.deepEqual(cols.encode(), encodeBuckets(bs));
      assert.deepEqual(cols.list(), bs);
      assert.equal(cols.firstT, bs[0].t);
      assert.equal(cols.lastT, bs[bs.length - 1].t);
      const mid = bs[bs.length >> 1].t;
      assert.deepEqual(cols.list(mid, mid + 2000), bs.filter((b) => b.t >= mid && b.t <= mid + 2000));
      cols.keepLast(3);
      assert.deepEqual(cols.list(), bs.slice(-3));
    }), { seed: SEED, numRuns: 100 });
  });
});

describe('quantile sketch', () => {
  const alpha = DEFAULT_RELATIVE_ACCURACY;
  const within = (est: number, exact: number) => {
    if (Math.abs(exact) < 1e-9) return Math.abs(est) < 1e-9;
    return Math.abs(est - exact) <= alpha * Math.abs(exact) * (1 + 1e-9);
  };

  it(`stays within ${alpha * 100}% relative error of the exact quantile (any data, merged or not)`, () => {
    const data = fc.array(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }), fc.double({ min: 1e-6, max: 10, noNaN: true }), fc.integer({ min: -100, max: 100 })), { minLength: 1, maxLength: 500 });
    fc.assert(fc.property(data, fc.integer({ min: 0, max: 500 }), (vs, cut) => {
      const a = new QuantileSketch();
      const b = new QuantileSketch();
      vs.forEach((v, i) => (i < cut ? a : b).add(v));
      a.merge(b);
      for (const q of [0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 1]) {
        const exact = exactQuantile(vs, q);
        const est = a.quantile(q);
        assert.ok(within(est, exact), `q=${q}: estimate ${est}, exact ${exact}`);
      }
    }), { seed: SEED, numRuns: 300 });
  });

  it('meets the bound on latency-like data (log-normal, 100k values)', () => {
    let x = 1;
    const rnd = () => ((x = (x * 48271) % 2147483647) / 2147483647);
    const vs: number[] = [];
    const s = new QuantileSketch();
    for (let i = 0; i < 100_000; i++) {
      const z = Math.sqrt(-2 * Math.log(rnd())) * Math.cos(2 * Math.PI * rnd());
      const v = 0.005 * Math.exp(0.8 * z);
      vs.push(v);
      s.add(v);
    }
    for (const q of [0.5, 0.9, 0.95, 0.99, 0.999]) assert.ok(within(s.quantile(q), exactQuantile(vs, q)), `q=${q}`);
    assert.ok(s.encode().length < 1200, `sketch of 100k latencies: ${s.encode().length} bytes`);
  });

  it('keeps infinities and ignores NaN', () => {
    const s = new QuantileSketch();
    [NaN, -Infinity, 1, 2, Infinity].forEach((v) => s.add(v));
    assert.equal(s.count, 4);
    assert.equal(s.quantile(0), -Infinity);
    assert.equal(s.quantile(1), Infinity);
    const back = QuantileSketch.decode(s.encode());
    assert.equal(back.count, 4);
    assert.equal(back.quantile(1), Infinity);
  });
});
