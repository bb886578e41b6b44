/**
 * A large cut encodes its raw head and 1 s buckets on a worker thread (engine/store/
 * cutEncoder.ts): at 10,000 series the in-thread encoding, even in slices, held the server's
 * timers up for a second every 20 s (bench/load.bench.ts). The worker must change nothing
 * but the thread: the same query answers at every moment (the samples stay in the series
 * until their block is back), the same chunk files byte for byte, checkpoints that reopen to
 * the same data (their entries are encoded after the cut), and after a reopen the same data. A worker that dies mid-cut loses nothing (the cut encodes the rest
 * itself and says so); a small cut never starts one.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { seriesId, type SeriesKey } from '../../engine/metrics/series';
import { BlockKind, GroupBuilder } from '../../engine/store/chunkFile';
import { CutEncoder, POOLED_VALUES } from '../../engine/store/cutEncoder';
import { TimeSeriesStore } from '../../engine/store/index';
import { askReopenedCopy } from '../helpers/storeReopen';
import { BucketColumns } from '../../engine/store/rollup';
import { encodeBatch, encodeBucketColsPayload, type EncodeBatch } from '../../engine/store/sealBatch';
import type { Aggregation, StoreOptions } from '../../engine/store/types';

const T0 = Date.UTC(2026, 10, 1, 10); // on the hour
const STEP_MS = 100;
const dirs: string[] = [];
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

const keysOf = (n: number): SeriesKey[] => Array.from({ length: n }, (_, i) => ({ name: 'load_value', labels: { slot: String(i) } }));
// Seeded, varied values: a wave plus a per-series hash, some integers, some not.
const value = (k: number, j: number) => (k % 3 === 0 ? Math.round(Math.sin(k + j / 9) * 1000) : Math.round((Math.sin(k * 0.7 + j / 13) * 500 + ((k * 7919 + j * 104_729) % 97)) * 10) / 10);

interface Internals { sealing?: Promise<unknown>; encoder?: CutEncoder }
const internals = (s: TimeSeriesStore) => s as unknown as Internals;

function answers(store: TimeSeriesStore, ids: string[], to: number): unknown {
  const views: { stepMs?: number; agg?: Aggregation }[] = [{}, { stepMs: 1000 }, { stepMs: 1000, agg: 'max' }, { stepMs: 60_000, agg: 'p95' }, { stepMs: 60_000, agg: 'count' }];
  return views.map((v) => store.query({ series: ids, from: T0, to, ...v }).map((r) => ({ id: r.id, res: r.resolution, points: r.points })));
}

function files(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const sub of ['raw', '1s', '1m', '1h']) for (const n of readdirSync(join(dir, sub))) out.set(`${sub}/${n}`, readFileSync(join(dir, sub, n)));
  out.set('head.ckpt', readFileSync(join(dir, 'head.ckpt')));
  return out;
}

async function openPair(extra: Partial<StoreOptions>, clock: () => number) {
  const open = (o: Partial<StoreOptions>) => {
    const dir = mkdtempSync(join(tmpdir(), 'alluse-store-worker-'));
    dirs.push(dir);
    return TimeSeriesStore.open({ dir, now: clock, manualFlush: true, cutIntervalMs: 60_000, ...o }).then((store) => ({ dir, store }));
  };
  return { inThread: await open({ encodeWorker: 'never', sealSliceMs: Infinity }), worker: await open({ encodeWorker: 'always', ...extra }) };
}

function assertSameFiles(a: string, b: string): void {
  const fa = files(a);
  const fb = files(b);
  assert.deepEqual([...fb.keys()].sort(), [...fa.keys()].sort());
  for (const [name, bytes] of fa) assert.ok(bytes.equals(fb.get(name)!), `${name} differs between the worker's cut and the in-thread one`);
}

describe('store: cuts encoded on a worker thread', () => {
  it('answers, writes and reopens exactly like a cut encoded in one step in this thread', async () => {
    const keys = keysOf(300);
    const probe = [0, 1, 150, 299].map((k) => seriesId(keys[k]));
    let now = T0;
    const { inThread, worker } = await openPair({}, () => now);
    const append = (j: number) => {
      const batch = keys.map((series, k) => ({ series, t: T0 + j * STEP_MS, v: value(k, j) }));
      inThread.store.append(batch);
      worker.store.append(batch);
    };
    const perMinute = 60_000 / STEP_MS;
    let inFlightChecks = 0;
    let laterEntries = 0;
    for (let j = 0; j < 3 * perMinute; j++) {
      now = T0 + j * STEP_MS + 10;
      const cutting = j > 0 && j % perMinute === 0;
      append(j);
      if (!cutting) continue;
      assert.ok(internals(worker.store).sealing, 'the worker\'s cut is in flight after its append');
      assert.deepEqual(answers(worker.store, probe, now), answers(inThread.store, probe, now), `answers while the worker encodes, minute ${j / perMinute}`);
      // Samples appended while the batches are out belong to the next cut, and are seen at once.
      for (let k = 0; k < 3; k++) {
        await new Promise<void>((r) => setImmediate(r));
        append(++j);
        now += STEP_MS;
        if (internals(worker.store).sealing) inFlightChecks++;
        assert.deepEqual(answers(worker.store, probe, now), answers(inThread.store, probe, now), `answers a few turns in, minute ${Math.floor(j / perMinute)}`);
      }
      await Promise.all([inThread.store.flush(), worker.store.flush()]);
      assert.deepEqual(answers(worker.store, probe, now), answers(inThread.store, probe, now), `answers after the cut, minute ${Math.floor(j / perMinute)}`);
      // Its checkpoint (entries encoded after the cut) plus its WAL reopen to the same data.
      const ckpt = (d: string) => readFileSync(join(d, 'head.ckpt'));
      if (!ckpt(worker.dir).equals(ckpt(inThread.dir))) laterEntries++;
      const reopened = await askReopenedCopy(worker.dir, () => now, (s) => answers(s, probe, now));
      assert.deepEqual(reopened, answers(inThread.store, probe, now), `a reopen after the cut at minute ${Math.floor(j / perMinute)}`);
    }
    assert.ok(inFlightChecks >= 2, `queries ran while the worker's batches were out (${inFlightChecks} times)`);
    assert.ok(laterEntries >= 1, `some checkpoint entries held samples appended after their cut (${laterEntries} cuts)`);
    assert.equal(internals(worker.store).encoder?.running, true, 'the worker ran');
    assert.deepEqual(worker.store.problems, []);
    const end = now;
    await Promise.all([inThread.store.close(), worker.store.close()]);
    assert.equal(internals(worker.store).encoder?.running, false, 'the worker ends with the store');
    assertSameFiles(inThread.dir, worker.dir);

    const again = await Promise.all([inThread.dir, worker.dir].map((dir) => TimeSeriesStore.open({ dir, now: () => now, manualFlush: true, cutIntervalMs: 60_000, encodeWorker: 'never' })));
    try {
      const [x, y] = again.map((s) => answers(s, probe, end)) as unknown[][];
      assert.deepEqual(y, x);
      const raw = (x[0] as { points: unknown[] }[])[0].points;
      assert.ok(raw.length >= 3 * perMinute, `every raw sample of a series after the reopen (${raw.length})`);
    } finally {
      await Promise.all(again.map((s) => s.close()));
    }
  });

  it('a worker killed in the middle of a cut loses nothing: the cut is finished in this thread, and says so', async () => {
    const keys = keysOf(1000);
    const probe = [0, 499, 999].map((k) => seriesId(keys[k]));
    let now = T0;
    // Small batches (a yield after each series): many of them are out when the worker is killed.
    const { inThread, worker } = await openPair({ sealSliceMs: 0 }, () => now);
    const append = (j: number) => {
      const batch = keys.map((series, k) => ({ series, t: T0 + j * STEP_MS, v: value(k, j) }));
      inThread.store.append(batch);
      worker.store.append(batch);
    };
    for (let j = 0; j < 300; j++) { now = T0 + j * STEP_MS + 10; append(j); }
    // Two cuts: the first on the worker, killed while its batches are out; the second after it.
    now = T0 + 61_000;
    append(300);
    await new Promise<void>((r) => setImmediate(r)); // the cut's slices start on the next turn
    const encoder = internals(worker.store).encoder;
    assert.ok(encoder?.running && internals(worker.store).sealing, 'the cut\'s batches are out on the worker');
    await encoder!.kill();
    assert.deepEqual(answers(worker.store, probe, now), answers(inThread.store, probe, now), 'answers right after the kill');
    await Promise.all([inThread.store.flush(), worker.store.flush()]);
    assert.deepEqual(answers(worker.store, probe, now), answers(inThread.store, probe, now), 'answers after the cut');
    const said = worker.store.problems.filter((p) => p.kind === 'worker');
    assert.equal(said.length, 1, JSON.stringify(worker.store.problems));
    assert.match(said[0].message, /encoding worker stopped .*encoded in this thread/);
    for (let j = 301; j < 600; j++) { now = T0 + j * STEP_MS + 61_000; append(j); }
    now = T0 + 121_000 + 61_000;
    append(600);
    await Promise.all([inThread.store.flush(), worker.store.flush()]);
    assert.equal(encoder!.running, false, 'no new worker after a failure');
    const end = now;
    await Promise.all([inThread.store.close(), worker.store.close()]);
    assertSameFiles(inThread.dir, worker.dir);
    const reopened = await TimeSeriesStore.open({ dir: worker.dir, now: () => end, manualFlush: true, encodeWorker: 'never' });
    try {
      for (const r of reopened.query({ series: probe, from: T0, to: end })) assert.equal(r.points.length, 601, `${r.id}: every sample once after the reopen`);
    } finally {
      await reopened.close();
    }
  });

  it('a small cut stays in this thread (no worker\'s memory for a small monitor); a large one starts the worker', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alluse-store-worker-auto-'));
    dirs.push(dir);
    let now = T0;
    const store = await TimeSeriesStore.open({ dir, now: () => now, manualFlush: true, cutIntervalMs: 300_000 });
    try {
      // The demo monitor's cut (issue 4): about 900 samples/s for 5 minutes, here 450 series at 2 Hz
      // (270,000 samples and 135,000 1 s buckets).
      let keys = keysOf(450);
      for (let j = 0; j < 600; j++) { now = T0 + j * 500; store.append(keys.map((series, k) => ({ series, t: now, v: value(k, j) }))); }
      now = T0 + 301_000;
      store.append([{ series: keys[0], t: now, v: 1 }]);
      await store.flush();
      assert.equal(internals(store).encoder, undefined, 'no worker for a small cut');
      // The load benchmark's cut: 10,000 series of 100 samples at 10 Hz (a million samples, 100,000 1 s buckets).
      keys = keysOf(10_000);
      for (let j = 1; j <= 100; j++) { now = T0 + 301_000 + j * 100; store.append(keys.map((series, k) => ({ series, t: now, v: value(k, j) }))); }
      now = T0 + 601_000;
      store.append([{ series: keys[0], t: now, v: 2 }]);
      await new Promise<void>((r) => setImmediate(r)); // the cut's slices start on the next turn
      assert.equal(internals(store).encoder?.running, true, 'a worker for a large cut');
      await store.flush();
      assert.deepEqual(store.problems, []);
      assert.equal(store.query({ series: [seriesId(keys[9999])], from: T0, to: now })[0].points.length, 100);
    } finally {
      await store.close();
    }
  });
});

describe('store: the cut encoder', () => {
  const batch = (): EncodeBatch => {
    const id = new TextEncoder().encode('x{a="1"}');
    return { kinds: new Uint8Array([BlockKind.Raw]), counts: new Uint32Array([3]), ids: id, idEnds: new Uint32Array([id.length]), data: new Float64Array([T0, T0 + 100, T0 + 200, 1, 2.5, NaN]) };
  };

  it('makes the records the group builder makes, and the 1 s payload of BucketColumns', () => {
    const cols = new BucketColumns();
    const vals = [1.5, -0, Infinity, NaN, 3, 1e-300, -2.25];
    vals.forEach((v, i) => cols.push({ t: T0 + i * 1000, count: i + 1, min: v, max: v * 2, sum: v + i, last: -v }));
    const c = cols.cols();
    const payload = encodeBucketColsPayload(c.t as Float64Array, c.count as Float64Array, c.min as Float64Array, c.max as Float64Array, c.sum as Float64Array, c.last as Float64Array);
    assert.ok(Buffer.from(payload).equals(Buffer.from(cols.encode())), 'the 1 s payload');

    const b = batch();
    const out = encodeBatch(b);
    const g = new GroupBuilder(0, 1, undefined);
    g.add({ kind: BlockKind.Raw, seriesId: 'x{a="1"}', count: 3, tmin: T0, tmax: T0 + 200, payload: out.bytes.subarray(out.payloadStarts[0], out.ends[0]) });
    const built = g.finish();
    assert.ok(Buffer.from(built.bytes.subarray(0, built.entries[0].length)).equals(Buffer.from(out.bytes)), 'the block record');
  });

  it('a worker that cannot start, throws or exits rejects its batches and reports once', async () => {
    for (const [script, why] of [
      [null, /was not found/],
      [{ file: 'process.exit(3)', options: { eval: true } }, /stopped \(exit code 3\)/],
      [{ file: 'throw new Error("boom")', options: { eval: true } }, /failed \(boom\)/],
    ] as const) {
      const told: string[] = [];
      const enc = new CutEncoder((m) => told.push(m), script);
      await assert.rejects(enc.encode(batch()), /encoding worker|not found|stopped|boom/);
      await assert.rejects(enc.encode(batch()));
      assert.equal(told.length, 1, JSON.stringify(told));
      assert.match(told[0], why);
      assert.ok(enc.failure);
      await enc.close();
    }
  });

  it('the real worker encodes a batch as this thread does', async () => {
    const enc = new CutEncoder(() => assert.fail('no failure expected'));
    try {
      const expected = encodeBatch(batch());
      const got = await enc.encode(batch());
      assert.deepEqual([...got.ends], [...expected.ends]);
      assert.deepEqual([...got.payloadStarts], [...expected.payloadStarts]);
      assert.ok(Buffer.from(got.bytes).equals(Buffer.from(expected.bytes)));
      // A batch's column buffer comes back for the next one (no fresh 2 MiB per batch).
      const pooled = batch();
      pooled.data = enc.columns(6);
      pooled.data.set(batch().data);
      assert.equal(enc.pooledBuffers, 0);
      const again = await enc.encode(pooled);
      assert.equal(pooled.data.length, 0, 'the columns were transferred, not copied');
      assert.ok(Buffer.from(again.bytes).equals(Buffer.from(expected.bytes)));
      assert.equal(enc.pooledBuffers, 1, 'the buffer is back in the pool');
      assert.equal(enc.columns(10).buffer.byteLength, POOLED_VALUES * 8);
      assert.equal(enc.pooledBuffers, 0, 'and is used for the next batch');
    } finally {
      await enc.close();
    }
  });
});
