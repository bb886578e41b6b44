/**
 * What the 1 min tier's write interval trades (engine/store/rollup.ts, TIERS): its finished
 * buckets wait in memory (and in every checkpoint) until the tier is written, and each write
 * adds a block per series to its file, so a query of a day at a 1 min step reads more blocks.
 * For the current interval, or another one given here (EVERY_MIN, FILE_H: TIERS is changed in
 * this process only, before the store opens), in-process on a simulated clock:
 *
 * - memory: 70 series at 10 Hz and 400 at 1 Hz (what `bench:monitor` stores on the demo; values
 *   uniform 0–100, so the sketches are at the large end) for HOURS (2) hours, heap + array
 *   buffers after a full collection halfway between cuts: the highest, and the 1 min files' size;
 * - query: 100 series at one sample every 10 s for a day, then `query` of the whole day at a
 *   1 min step (mean), 20 times: median and fastest.
 *
 *   node --no-concurrent-array-buffer-sweeping --expose-gc --import tsx bench/diag/minuteTier.ts
 *   EVERY_MIN=60 FILE_H=24 node …   (hourly writes into daily files: the interval before session 15)
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seriesId, type SeriesKey } from '../../engine/metrics/series';
import { TimeSeriesStore } from '../../engine/store/index';
import { TIERS, type Tier } from '../../engine/store/rollup';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const tier = TIERS[1] as Tier;
if (process.env.EVERY_MIN) tier.writeEveryMs = Number(process.env.EVERY_MIN) * 60_000;
if (process.env.FILE_H) tier.fileMs = Number(process.env.FILE_H) * 3_600_000;
const HOURS = Number(process.env.HOURS ?? 2);

const bytesIn = (dir: string) => readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
const keys = (name: string, n: number): SeriesKey[] => Array.from({ length: n }, (_, i) => ({ name, labels: { i: String(i) } }));

async function memory(): Promise<{ peakMiB: number; fileKiB: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'alluse-minute-tier-'));
  const start = Math.floor(Date.now() / 3_600_000) * 3_600_000 + 1000;
  let now = start;
  const store = await TimeSeriesStore.open({ dir, now: () => now, sealSliceMs: Infinity });
  const fast = keys('fast', 70);
  const slow = keys('slow', 400);
  let seed = 1;
  const r = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  let peak = 0;
  for (let step = 0; step < 36_000 * HOURS; step++) {
    now = start + step * 100;
    const s = fast.map((series) => ({ series, t: now, v: Math.round(r() * 1000) / 10 }));
    if (step % 10 === 0) for (const series of slow) s.push({ series, t: now, v: Math.round(r() * 100) });
    store.append(s);
    if (step % 10 === 0) await store.flush();
    if ((step + 1500) % 3000 === 0) {
      await store.flush();
      await new Promise((res) => setTimeout(res, 50));
      gc!();
      const m = process.memoryUsage();
      peak = Math.max(peak, (m.heapUsed + m.arrayBuffers) / 1048576);
    }
  }
  await store.flush();
  const fileKiB = bytesIn(join(dir, '1m')) / 1024;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return { peakMiB: peak, fileKiB };
}

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
  const m = await memory();
  console.log(`memory (${HOURS} simulated h, 70 series at 10 Hz + 400 at 1 Hz): highest heap + array buffers ${m.peakMiB.toFixed(1)} MiB; 1 min files ${m.fileKiB.toFixed(0)} KiB`);
  const q = await query();
  console.log(`query of a day at 1 min, 100 series (20 runs): median ${q.median.toFixed(1)} ms, fastest ${q.min.toFixed(1)} ms`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
