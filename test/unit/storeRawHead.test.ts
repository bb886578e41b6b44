/**
 * The raw head as two typed arrays kept from cut to cut (engine/store/rawHead.ts): it holds
 * exactly the samples pushed and not dropped, in order, whatever the pushes and drops; and a
 * store's cut leaves each series' arrays in place for the next head (no new head per cut).
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RawHead } from '../../engine/store/rawHead';
import type { SeriesState } from '../../engine/store/seriesState';
import { TimeSeriesStore } from '../../engine/store/store';
import { Rng } from '../../engine/util/rng';

describe('RawHead', () => {
  for (const seed of [1, 2, 3]) {
    it(`holds what a plain array holds through pushes and drops (seed ${seed})`, () => {
      const r = new Rng(seed);
      const head = new RawHead();
      const t: number[] = [];
      const v: number[] = [];
      let x = 0;
      for (let k = 0; k < 20_000; k++) {
        const op = r.next();
        if (op < 0.002) {
          const n = r.next() < 0.5 ? t.length : r.int(t.length + 1);
          head.dropFirst(n);
          t.splice(0, n);
          v.splice(0, n);
        } else {
          // Bursts now and then, so the arrays grow large and are made smaller again.
          const m = r.next() < 0.001 ? 3_000 : 1;
          for (let j = 0; j < m; j++) {
            x += 1 + r.int(100);
            const y = r.next() < 0.05 ? NaN : r.normal();
            head.push(x, y);
            t.push(x);
            v.push(y);
          }
        }
        if (k % 97 === 0) {
          assert.equal(head.length, t.length);
          assert.deepEqual(Array.from(head.times()), t);
          assert.deepEqual(Array.from(head.values()), v);
        }
      }
    });
  }

  it('keeps its arrays when emptied and when its first samples are dropped, once they fit a whole head', () => {
    const head = new RawHead();
    for (let i = 0; i < 1000; i++) head.push(i, i * 2);
    head.dropFirst(990); // the first cut: the arrays are made to fit a head of 1,000
    assert.deepEqual(Array.from(head.times()), [990, 991, 992, 993, 994, 995, 996, 997, 998, 999]);
    assert.deepEqual(Array.from(head.values()), [1980, 1982, 1984, 1986, 1988, 1990, 1992, 1994, 1996, 1998]);
    const { t, v } = head;
    assert.ok(t.length >= 1000 && t.length <= 1000 + 1000 / 16 + 32, `capacity ${t.length}`);
    for (let i = 1000; i < 1990; i++) head.push(i, i);
    head.dropFirst(995);
    assert.equal(head.t, t);
    for (let i = 1990; i < 2985; i++) head.push(i, i);
    head.clear();
    for (let i = 5000; i < 6000; i++) head.push(i, i);
    assert.equal(head.t, t);
    assert.equal(head.v, v);
  });

  it('holds times as 32-bit offsets from its first sample, exact to the millisecond, and answers index ranges', () => {
    const head = new RawHead();
    const T = Date.UTC(2026, 10, 27, 23, 59, 59, 999);
    const t = [T, T + 1, T + 999, T + 300_000, T + 2 ** 31, T + 2 ** 32 - 1];
    t.forEach((x, i) => head.push(x, i));
    assert.ok(head.t instanceof Uint32Array);
    assert.equal(head.base, T);
    assert.deepEqual(Array.from(head.times()), t);
    assert.deepEqual(t.map((_, i) => head.time(i)), t);
    assert.deepEqual(head.indexRange(T + 1, T + 999), [1, 3]);
    assert.deepEqual(head.indexRange(T + 2, T + 998), [2, 2]);
    assert.deepEqual(head.indexRange(-Infinity, Infinity), [0, 6]);
    head.dropFirst(2); // the rest is rebased on its first sample
    assert.equal(head.base, T + 999);
    assert.deepEqual(Array.from(head.times()), t.slice(2));
    assert.deepEqual(Array.from(head.timesView(1, 3)), t.slice(3, 5));
  });

  it('turns wide (absolute Float64 times) for a time that is no offset, and narrow again once emptied', () => {
    const head = new RawHead();
    const T = Date.UTC(2026, 10, 27);
    head.push(T, 1);
    head.push(T + 2 ** 32, 2); // 49.7 days after the first sample
    head.push(T + 2 ** 32 + 0.5, 3); // not a whole millisecond
    assert.ok(head.t instanceof Float64Array);
    assert.deepEqual(Array.from(head.times()), [T, T + 2 ** 32, T + 2 ** 32 + 0.5]);
    head.dropFirst(1);
    assert.deepEqual(Array.from(head.times()), [T + 2 ** 32, T + 2 ** 32 + 0.5]);
    assert.deepEqual(head.indexRange(T + 2 ** 32 + 0.25, Infinity), [1, 2]);
    head.clear();
    head.push(T + 5, 4);
    assert.ok(head.t instanceof Uint32Array);
    assert.deepEqual(Array.from(head.times()), [T + 5]);
  });

  it('keeps values as float32s while each is one exactly, then as float64s, and gives every value back as it came', () => {
    // The values' array type (a function: TypeScript would narrow `head.v` after one check).
    const kind = (h: RawHead) => h.v.constructor.name;
    const head = new RawHead();
    const exact = [0, -0, 1, 42, 0.5, 1e8 - 4096 * 3, 24684092 * 1024, 2 ** 100, -Infinity, NaN, 3.75];
    exact.forEach((v, i) => head.push(i, v));
    assert.equal(kind(head), 'Float32Array', 'all exact: float32s');
    assert.ok(Object.is(head.values()[1], -0));
    head.push(100, 0.1); // a float32 would change it
    assert.equal(kind(head), 'Float64Array', 'widened');
    head.push(101, 7);
    const want = [...exact, 0.1, 7];
    assert.deepEqual(Array.from(head.values()), want);
    head.clear(); // the arrays are kept: float64s from now on
    head.push(200, 1);
    assert.equal(kind(head), 'Float64Array');
    // A value past float32's range widens too, and a NaN never does.
    const big = new RawHead();
    big.push(0, NaN);
    assert.equal(kind(big), 'Float32Array');
    big.push(1, 1e300);
    assert.equal(kind(big), 'Float64Array');
    assert.deepEqual(Array.from(big.values()), [NaN, 1e300]);
  });

  it('is made to fit at a drop once it is more than an eighth larger than the head it held, and grows by an eighth after', () => {
    const head = new RawHead();
    for (let i = 0; i < 10_000; i++) head.push(i, i);
    assert.ok(head.t.length > 12_000, `grown by half while the first head fills: ${head.t.length}`);
    head.clear();
    const fit = head.t.length;
    assert.ok(fit >= 10_000 && fit <= 10_000 + 10_000 / 16 + 32, `capacity ${fit} after a head of 10,000`);
    for (let i = 0; i < 10_300; i++) head.push(i, i);
    assert.equal(head.t.length, fit, 'a head a few percent larger fits');
    for (let i = 10_300; i < 11_000; i++) head.push(i, i);
    assert.ok(head.t.length <= fit + fit / 8 + 16, `grown by an eighth: ${head.t.length}`);
    head.clear();
    for (let i = 0; i < 100; i++) head.push(i, i);
    head.dropFirst(90);
    assert.ok(head.t.length < 200, `capacity ${head.t.length} after a head of 100`);
    assert.deepEqual(Array.from(head.times()), [90, 91, 92, 93, 94, 95, 96, 97, 98, 99]);
  });
});

it("a store's cut leaves every series' head arrays for its next head", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alluse-raw-head-'));
  try {
    let now = Date.UTC(2026, 10, 27, 20, 0, 1);
    const store = await TimeSeriesStore.open({ dir, now: () => now, manualFlush: true, cutIntervalMs: 60_000, sealSliceMs: Infinity, encodeWorker: 'never' });
    const keys = Array.from({ length: 20 }, (_, i) => ({ name: 'g', labels: { i: String(i) } }));
    const states = () => (store as unknown as { series: Map<string, SeriesState> }).series;
    const appendFor = async (ms: number) => {
      for (const end = now + ms; now < end; now += 100) {
        store.append(keys.map((series, i) => ({ series, t: now, v: i + (now % 7) })));
        if (now % 1000 === 0) await store.flush();
      }
    };
    await appendFor(59_000); // the first head, up to just before the cut
    await appendFor(60_000); // the first cut (the arrays are made to fit a head), and a whole second head
    const before = new Map([...states()].map(([id, st]) => [id, st.head.t]));
    assert.equal(before.size, 20);
    for (const t of before.values()) assert.ok(t.length <= 600 + 600 / 16 + 32, `capacity ${t.length} for a head of 600`);
    await appendFor(30_000); // the second cut, and half a head after it
    await store.flush();
    for (const [id, st] of states()) {
      assert.equal(st.head.t, before.get(id), `series ${id} has new head arrays after the cut`);
      assert.ok(st.head.length > 0 && st.head.length < 350, `series ${id} holds ${st.head.length} samples after the cut`);
    }
    // Nothing lost: every sample of the 149 s is there once.
    const r = store.query({ name: 'g', labels: { i: '3' }, from: 0, to: now });
    assert.equal(r[0].points.length, 1490);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
