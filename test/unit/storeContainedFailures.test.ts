/**
 * A bug in the store that throws inside a cut's slice or inside `append` must not end the
 * process: a cut's slice runs in a timer callback (an unhandled rejection ends node), and
 * `append` runs in the monitor's round. The failing cut is reported as an `internal` problem,
 * the WAL is flushed and the store goes on in memory only (its files and WAL then hold every
 * sample, which a reopen recovers); a sample whose append throws is reported and the batch goes
 * on. The failures are injected by replacing a method for the test (a bug has no other trigger).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { seriesId, type SeriesKey } from '../../engine/metrics/series';
import { TimeSeriesStore } from '../../engine/store/index';
import { SecondBuckets } from '../../engine/store/secondBuckets';
import { SeriesState } from '../../engine/store/seriesState';

const T0 = Date.UTC(2026, 10, 1, 10);
const dirs: string[] = [];
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'alluse-store-contained-'));
  dirs.push(d);
  return d;
};
const keys: SeriesKey[] = [0, 1, 2].map((i) => ({ name: 'contained_value', labels: { series: String(i) } }));
const ids = keys.map(seriesId);

it('a cut that throws is reported, the WAL keeps every sample, and the store goes on in memory', async (t) => {
  const dir = tempDir();
  let now = T0;
  const store = await TimeSeriesStore.open({ dir, now: () => now, manualFlush: true, cutIntervalMs: 1000, encodeWorker: 'never', cutShare: 1 });
  const rejections: unknown[] = [];
  const onRejection = (e: unknown) => rejections.push(e);
  process.on('unhandledRejection', onRejection);
  t.after(() => process.off('unhandledRejection', onRejection));
  const real = SecondBuckets.prototype.encode;
  t.after(() => { SecondBuckets.prototype.encode = real; });
  for (let ms = 0; ms < 3000; ms += 100) store.append(keys.map((series, i) => ({ series, t: T0 + ms, v: ms + i })));
  now = T0 + 3000;
  SecondBuckets.prototype.encode = function () { throw new Error('injected: encode failed'); };
  await store.flush(); // the cut throws in its slice
  SecondBuckets.prototype.encode = real;
  const internal = store.problems.filter((p) => p.kind === 'internal');
  assert.equal(internal.length, 1, JSON.stringify(store.problems));
  assert.match(internal[0].message, /a cut of the store failed: injected: encode failed \(at .+\)\. This is a bug/);
  assert.match(internal[0].message, /kept in memory only from now on/);
  // Collection goes on, and cuts run again (in memory).
  for (let ms = 3000; ms < 5000; ms += 100) store.append(keys.map((series, i) => ({ series, t: T0 + ms, v: ms + i })));
  now = T0 + 6000;
  await store.flush();
  for (const id of ids) assert.equal(store.query({ series: [id], from: T0, to: Infinity })[0].points.length, 50, id);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(rejections, []);
  await store.close();
  // The files and the WAL hold everything appended before the failed cut.
  const back = await TimeSeriesStore.open({ dir, now: () => now, manualFlush: true });
  try {
    for (const [i, id] of ids.entries()) {
      const pts = back.query({ series: [id], from: T0, to: Infinity })[0].points;
      assert.equal(pts.length, 30, id);
      assert.deepEqual(pts.map((p) => p.v), pts.map((_, k) => k * 100 + i));
    }
  } finally {
    await back.close();
  }
});

it('a sample whose append throws is reported and the rest of the batch is stored', async (t) => {
  const store = await TimeSeriesStore.open({ dir: tempDir(), now: () => T0 + 10_000, manualFlush: true });
  t.after(() => store.close());
  const real = SeriesState.prototype.ingest;
  t.after(() => { SeriesState.prototype.ingest = real; });
  SeriesState.prototype.ingest = function (this: SeriesState, time: number, v: number) {
    if (this.id === ids[1]) throw new Error('injected: ingest failed');
    return real.call(this, time, v);
  };
  assert.doesNotThrow(() => store.append(keys.map((series, i) => ({ series, t: T0, v: i }))));
  SeriesState.prototype.ingest = real;
  const internal = store.problems.filter((p) => p.kind === 'internal');
  assert.equal(internal.length, 1, JSON.stringify(store.problems));
  assert.match(internal[0].message, /a sample could not be stored: injected: ingest failed/);
  assert.deepEqual(store.query({ series: [ids[0]], from: T0, to: Infinity })[0].points.map((p) => p.v), [0]);
  assert.deepEqual(store.query({ series: [ids[2]], from: T0, to: Infinity })[0].points.map((p) => p.v), [2]);
});
