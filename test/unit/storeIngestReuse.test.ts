/**
 * The store's per-sample path reuses objects and buffers (seriesState.ts: the 1 s bucket
 * object; wal.ts: the WAL's entry buffer). What it stores must be what a fresh object per
 * bucket and a fresh buffer per record gave: checked here against references computed from
 * the samples alone, on seeded inputs with NaN, gaps and repeated values.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ByteWriter } from '../../engine/store/bytes';
import { crc32 } from '../../engine/store/crc32';
import { SeriesState } from '../../engine/store/seriesState';
import { readWal, WalBuffer } from '../../engine/store/wal';
import { Rng } from '../../engine/util/rng';

const T0 = Date.UTC(2026, 10, 27, 10, 0, 0);

/** Seeded samples of one series: 100 ms steps with jitter and gaps, NaN now and then, repeats. */
function samples(seed: number, n: number): { t: number; v: number }[] {
  const r = new Rng(seed);
  const out: { t: number; v: number }[] = [];
  let t = T0 + r.int(1000);
  let v = 0;
  for (let i = 0; i < n; i++) {
    t += r.next() < 0.02 ? 1000 + r.int(120_000) : 90 + r.int(20);
    if (r.next() < 0.3) v = r.next() < 0.5 ? Math.round(r.normal() * 100) : r.normal() * 1e6;
    out.push({ t, v: r.next() < 0.03 ? NaN : v });
  }
  return out;
}

interface RefBucket { t: number; count: number; min: number; max: number; sum: number; last: number }

/** Buckets of `ms` from the finite samples, in order, summed in sample order (as the store does). */
function referenceBuckets(xs: { t: number; v: number }[], ms: number): RefBucket[] {
  const out: RefBucket[] = [];
  for (const { t, v } of xs) {
    if (v !== v) continue;
    const start = Math.floor(t / ms) * ms;
    const b = out[out.length - 1];
    if (b && b.t === start) {
      b.count++;
      if (v < b.min) b.min = v;
      if (v > b.max) b.max = v;
      b.sum += v;
      b.last = v;
    } else out.push({ t: start, count: 1, min: v, max: v, sum: v, last: v });
  }
  return out;
}

const plain = (b: RefBucket | undefined) => b && { t: b.t, count: b.count, min: b.min, max: b.max, sum: b.sum, last: b.last };

describe('SeriesState: the 1 s bucket object reused', () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`finished and open 1 s and 1 min buckets equal the reference (seed ${seed})`, () => {
      const xs = samples(seed, 20_000);
      const st = new SeriesState('s', { name: 's', labels: {} });
      const taken: RefBucket[] = [];
      let k = 0;
      for (const { t, v } of xs) {
        st.ingest(t, v);
        // A cut now and then: close ended buckets, take the finished 1 s ones.
        if (++k % 2999 === 0) {
          st.closeBuckets(t);
          taken.push(...st.pending[0].list());
          st.pending[0].clear();
        }
        // Queries read the open bucket between samples: it must be the current one.
        if (k % 97 === 0) {
          const ref = referenceBuckets(xs.slice(0, k), 1000);
          const last = ref[ref.length - 1];
          const open = st.openBucket(0);
          if (open) assert.deepEqual(plain(open), plain(last));
        }
      }
      taken.push(...st.pending[0].list());
      const open = st.openBucket(0);
      if (open) taken.push(open);
      assert.deepEqual(taken.map(plain), referenceBuckets(xs, 1000));
      const minutes = [...st.pending[1].list()];
      const m = st.openBucket(1);
      if (m) minutes.push(m);
      assert.deepEqual(minutes.map(plain), referenceBuckets(xs, 60_000));
      assert.deepEqual(Array.from(st.head.times()), xs.map((x) => x.t));
      assert.deepEqual(Array.from(st.head.values()), xs.map((x) => x.v));
    });
  }
});

/** A record as the WAL format (wal.ts) defines it, from its entries alone, in a fresh buffer. */
function referenceRecord(entries: ({ def: string; ref: number } | { ref: number; t: number; v: number })[], baseT: number): Uint8Array {
  const body = new ByteWriter(16);
  body.f64(baseT);
  body.uvar(entries.length);
  for (const e of entries) {
    if ('def' in e) { body.u8(0); body.uvar(e.ref); body.str(e.def); } else { body.u8(1); body.uvar(e.ref); body.svar(e.t - baseT); body.f64(e.v); }
  }
  const out = new ByteWriter(body.len + 8);
  out.u32(body.len);
  out.u32(crc32(body.buf, 0, body.len));
  out.bytes(body.result());
  return out.result().slice();
}

describe('WalBuffer: the entries buffer reused between records', () => {
  for (const seed of [7, 8, 9]) {
    it(`each record is the reference record and stays so after later ones (seed ${seed})`, () => {
      const r = new Rng(seed);
      const wal = new WalBuffer();
      const records: Uint8Array[] = [];
      const copies: Uint8Array[] = [];
      const expected: [string, number, number][] = [];
      let refs = new Map<string, number>();
      let t = T0;
      for (let rec = 0; rec < 60; rec++) {
        if (rec % 17 === 16) { wal.newSegment(); refs = new Map(); }
        // Mostly about a second's worth; now and then a burst that grows the buffer past what is kept.
        const n = r.next() < 0.1 ? 5000 + r.int(10_000) : r.int(1200);
        const entries: Parameters<typeof referenceRecord>[0] = [];
        let baseT = NaN;
        for (let i = 0; i < n; i++) {
          const id = `series_${r.int(300)}{component="c${r.int(4)}"}`;
          t += r.int(3);
          const v = r.next() < 0.05 ? NaN : r.normal() * 10 ** r.int(9);
          if (baseT !== baseT) baseT = t;
          let ref = refs.get(id);
          if (ref === undefined) { refs.set(id, (ref = refs.size)); entries.push({ def: id, ref }); }
          entries.push({ ref, t, v });
          wal.add(id, t, v);
          expected.push([id, t, v]);
        }
        const got = wal.take();
        if (n === 0) { assert.equal(got, undefined); continue; }
        assert.ok(got);
        assert.deepEqual(got, referenceRecord(entries, baseT));
        records.push(got);
        copies.push(got.slice());
      }
      assert.equal(wal.take(), undefined);
      // Records are written later, asynchronously: none may change under a later record.
      for (let i = 0; i < records.length; i++) assert.deepEqual(records[i], copies[i], `record ${i} changed`);
      // Replayed as one file per segment... or as one stream here: the refs are redefined at each segment start.
      const all = new Uint8Array(records.reduce((a, x) => a + x.length, 0));
      let pos = 0;
      for (const x of records) { all.set(x, pos); pos += x.length; }
      const replayed: [string, number, number][] = [];
      const res = readWal(all, (id, tt, v) => replayed.push([id, tt, v]));
      assert.equal(res.problem, undefined);
      assert.equal(res.validEnd, all.length);
      assert.deepEqual(replayed, expected);
    });
  }
});
