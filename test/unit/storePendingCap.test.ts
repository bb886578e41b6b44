/**
 * The 1 min rollup tier is written every 30 minutes; with many series its finished buckets
 * (each with a quantile sketch) would fill memory and every checkpoint until then. Past 50,000
 * waiting buckets it is written at the next cut, and its data stays queryable.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { seriesId } from '../../engine/metrics/series';
import { TimeSeriesStore } from '../../engine/store/index';

const T0 = Date.UTC(2026, 10, 1, 10); // on the hour
const dirs: string[] = [];
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

async function run(series: number, minutes: number): Promise<{ files: string[]; points: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'alluse-store-pending-'));
  dirs.push(dir);
  let now = T0;
  const store = await TimeSeriesStore.open({ dir, now: () => now, manualFlush: true, cutIntervalMs: 5 * 60_000 });
  const keys = Array.from({ length: series }, (_, k) => ({ name: 'v', labels: { slot: String(k) } }));
  for (let m = 0; m < minutes; m++) {
    now = T0 + m * 60_000 + 500;
    store.append(keys.map((s, k) => ({ series: s, t: now, v: k + m })));
    if (m % 5 === 4) await store.flush();
  }
  await store.flush();
  const files = existsSync(join(dir, '1m')) ? readdirSync(join(dir, '1m')) : [];
  const q = store.query({ series: [seriesId(keys[0])], from: T0, to: T0 + 3_600_000, stepMs: 60_000 });
  await store.close();
  return { files, points: q[0]?.points.length ?? 0 };
}

it('writes the 1 min tier before its 30 minutes once more than 50,000 buckets wait', async () => {
  // 2,500 series x 27 minutes: past 50,000 finished 1 min buckets at the 10:25 cut, before 10:30.
  const many = await run(2500, 27);
  assert.ok(many.files.length > 0, 'a 1 min chunk file was written before 10:30');
  assert.ok(many.points >= 25, `1 min points of a series: ${many.points}`);
  // A few series: nothing is written before 10:30 (the usual write every 30 minutes).
  const few = await run(10, 27);
  assert.equal(few.files.length, 0, `no early write with 270 buckets waiting: ${few.files.join(', ')}`);
});

it('writes the 1 min tier every 30 minutes, and its buckets stay queryable', async () => {
  // The 10:30 cut writes 10:00-10:29; the minutes after it wait in memory.
  const few = await run(10, 34);
  assert.equal(few.files.length, 1, `one 1 min chunk file by 10:34: ${few.files.join(', ')}`);
  assert.ok(few.points >= 32, `1 min points of a series, from the file and from memory: ${few.points}`);
});
