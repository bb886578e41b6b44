/**
 * A series whose first samples all fall in one second when a cut comes has no finished 1 s
 * bucket to take: the cut seals its samples into a raw block, and the bucket still open finishes
 * later. That bucket's samples have left the head, so it must be kept as numbers, not rolled up
 * from the head (engine/store/seriesState.ts, dropHeadFirst). Before the fix the store counted it
 * as rolled up, and the next checkpoint or cut threw "1 s buckets: 0 rolled up where 1 were
 * asked for" inside the cut's slice: the process died (test/integration/storeCrash.test.ts's
 * writer, about one run in three).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { seriesId, type SeriesKey } from '../../engine/metrics/series';
import { TimeSeriesStore } from '../../engine/store/index';

const T0 = Date.UTC(2026, 10, 1, 10); // a whole second
const dirs: string[] = [];
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

for (const sealSliceMs of [Infinity, 0]) {
  it(`a bucket open at a cut that took no 1 s bucket of its series is written with its samples counted once (sealSliceMs ${sealSliceMs})`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alluse-store-untaken-'));
    dirs.push(dir);
    let now = T0;
    const store = await TimeSeriesStore.open({ dir, now: () => now, manualFlush: true, cutIntervalMs: 1000, sealSliceMs, cutShare: 1, encodeWorker: 'never' });
    const key: SeriesKey = { name: 'untaken_value', labels: {} };
    const id = seriesId(key);
    // Second 0: samples at 100..500 ms; the cut at 600 ms finds no finished 1 s bucket.
    for (let ms = 100; ms <= 500; ms += 100) store.append([{ series: key, t: T0 + ms, v: ms }]);
    now = T0 + 1000;
    await store.flush();
    // Seconds 1 and 2 (9 and 6 samples): second 0 finishes (its samples are in the raw block), then second 1.
    for (let ms = 1100; ms <= 2500; ms += 100) store.append([{ series: key, t: T0 + ms, v: ms }]);
    now = T0 + 3000;
    await store.flush(); // the cut that takes seconds 0 and 1 (and checkpoints the series)
    now = T0 + 4000;
    await store.flush();
    assert.deepEqual(store.problems, []);
    const raw = store.query({ series: [id], from: T0, to: Infinity })[0].points;
    assert.equal(raw.length, 20);
    const counts = store.query({ series: [id], from: T0, to: T0 + 2000, stepMs: 1000, agg: 'count' })[0].points;
    assert.deepEqual(counts.map((p) => [p.t - T0, p.v]), [[0, 5], [1000, 9], [2000, 6]]);
    const sums = store.query({ series: [id], from: T0, to: T0 + 1000, stepMs: 1000, agg: 'sum' })[0].points;
    assert.deepEqual(sums.map((p) => p.v), [1500, 13_500]);
    await store.close();
    // And the same from the files.
    const back = await TimeSeriesStore.open({ dir, now: () => now, manualFlush: true });
    try {
      const c = back.query({ series: [id], from: T0, to: T0 + 2000, stepMs: 1000, agg: 'count' })[0].points;
      assert.deepEqual(c.map((p) => [p.t - T0, p.v]), [[0, 5], [1000, 9], [2000, 6]]);
    } finally {
      await back.close();
    }
  });
}
