/**
 * A writing store forgets, at a cut, a series that has nothing left in memory (no raw head, no
 * open or waiting bucket) and whose last sample is older than the rollups keep (store.ts
 * startCut's one pass over the series); a series still appended to, or with buckets still
 * waiting, stays.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { seriesId } from '../../engine/metrics/series';
import { TimeSeriesStore } from '../../engine/store/index';

const dirs: string[] = [];
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

it('forgets a series whose last sample is older than the rollup retention once nothing of it waits, and keeps the live one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alluse-store-prune-'));
  dirs.push(dir);
  const T0 = Date.UTC(2026, 10, 1, 10);
  let now = T0;
  const HOUR = 3_600_000;
  const store = await TimeSeriesStore.open({ dir, now: () => now, manualFlush: true, cutIntervalMs: 60_000, rollupRetentionMs: 2 * HOUR, rawRetentionMs: 2 * HOUR });
  const gone = { name: 'gone', labels: {} };
  const live = { name: 'live', labels: {} };
  const inMemory = (k: { name: string; labels: Record<string, string> }) => (store as unknown as { series: Map<string, unknown> }).series.has(seriesId(k));
  store.append([{ series: gone, t: now, v: 1 }, { series: live, t: now, v: 1 }]);
  await store.flush();
  // Two days in steps of 30 min: the 1 min tier is written hourly, the 1 h tier daily.
  let goneAt = -1;
  for (let step = 1; step <= 96; step++) {
    now = T0 + step * 30 * 60_000;
    store.append([{ series: live, t: now, v: step }]);
    await store.flush();
    if (goneAt < 0 && !inMemory(gone)) goneAt = now - T0;
    assert.ok(inMemory(live), `the live series stays (step ${step})`);
  }
  assert.ok(goneAt > 2 * HOUR, `not forgotten within the retention (at ${goneAt / HOUR} h)`);
  assert.ok(goneAt > 0, 'forgotten once older than the retention with nothing waiting');
  await store.close();
});
