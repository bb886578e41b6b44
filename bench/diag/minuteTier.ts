/**
 * What the 1 min tier's write interval costs queries (engine/store/rollup.ts, TIERS): each
 * write adds a block per series to its file, so a query of a day at a 1 min step reads more
 * blocks the more often the tier is written. What it saves in memory: bench/storeHourMemory.ts
 * with the same MINUTE_EVERY_MIN and MINUTE_FILE_H.
 *
 * 100 series at one sample every 10 s for a simulated day, then `query` of the whole day at a
 * 1 min step (mean), 20 times: median and fastest. For the current interval, or another one
 * (TIERS is changed in this process only, before the store opens):
 *
 *   node --import tsx bench/diag/minuteTier.ts
 *   MINUTE_EVERY_MIN=60 MINUTE_FILE_H=24 node --import tsx bench/diag/minuteTier.ts   (the interval before session 15)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seriesId, type SeriesKey } from '../../engine/metrics/series';
import { TimeSeriesStore } from '../../engine/store/index';
import { TIERS, type Tier } from '../../engine/store/rollup';

const tier = TIERS[1] as Tier;
if (process.env.MINUTE_EVERY_MIN) tier.writeEveryMs = Number(process.env.MINUTE_EVERY_MIN) * 60_000;
if (process.env.MINUTE_FILE_H) tier.fileMs = Number(process.env.MINUTE_FILE_H) * 3_600_000;

const keys = (name: string, n: number): SeriesKey[] => Array.from({ length: n }, (_, i) => ({ name, labels: { i: String(i) } }));

async function query(): Promise<{ median: number; min: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'alluse-minute-query-'));
  const start = Date.UTC(2026, 10, 1, 0, 0, 1);
  let now = start;
  const store = await TimeSeriesStore.open({ dir, now: () => now, manualFlush: true, cutIntervalMs: 300_000 });
  const list = keys('q', 100);
  let seed = 1;
  const r = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  for (let t = start; t < start + 86_400_000; t += 10_000) {
    now = t;
    store.append(list.map((series) => ({ series, t, v: Math.round(r() * 100) })));
    if ((t - start) % 300_000 === 0) await store.flush();
  }
  await store.flush();
  const ids = list.map(seriesId);
  const times: number[] = [];
  for (let k = 0; k < 20; k++) {
    const t0 = performance.now();
    const res = store.query({ series: ids, from: start, to: start + 86_400_000, stepMs: 60_000, agg: 'mean' });
    times.push(performance.now() - t0);
    if (res.length !== 100 || res[0].points.length < 1400) throw new Error(`the query found ${res.length} series, ${res[0]?.points.length} points in the first`);
  }
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  times.sort((a, b) => a - b);
  return { median: times[10], min: times[0] };
}

async function main(): Promise<void> {
  console.log(`1 min tier written every ${tier.writeEveryMs / 60_000} min into files of ${tier.fileMs / 3_600_000} h`);
  const q = await query();
  console.log(`query of a day at 1 min, 100 series (20 runs): median ${q.median.toFixed(1)} ms, fastest ${q.min.toFixed(1)} ms`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
