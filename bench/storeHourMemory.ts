/**
 * The store's memory over a simulated hour at the monitor's scale on the demo (70 series at
 * 10 Hz, 400 at 1 Hz: what `bench:monitor` stores), in-process with a simulated clock: the
 * heap and array buffers after a full collection every 5 simulated minutes, just after each
 * cut. The 1 min buckets wait for the hourly write (and the 1 h buckets for the daily one), so
 * what they hold shows as a climb over the hour that the 5-minute `bench:monitor` never sees.
 *
 *   node --no-concurrent-array-buffer-sweeping --expose-gc --import tsx bench/storeHourMemory.ts
 *   ENGINE=/tmp/old/engine node … bench/storeHourMemory.ts   (another engine folder, A/B)
 *   BENCH_HOURS=24 BENCH_EVERY_MIN=60 node … bench/storeHourMemory.ts   (a simulated day, about 4
 *     minutes: the in-memory indexes of the files being written, the 1 h buckets waiting for their write)
 *   MINUTE_EVERY_MIN=60 MINUTE_FILE_H=24 node … bench/storeHourMemory.ts   (the 1 min tier written
 *     at another interval into files of another window: TIERS changed in this process only; the
 *     interval before session 15. bench/diag/minuteTier.ts measures what it costs queries)
 *
 * `--no-concurrent-array-buffer-sweeping`, as the monitor's worker runs (cli/monitorLauncher.ts):
 * without it the array-buffer column also counts buffers freed but not yet swept (14–35 MiB from
 * one hour to the next in a simulated day). Each row is taken halfway between two cuts.
 *
 * Values are seeded: uniform 0–100 (one decimal for the fast series), wider than most real
 * series, so the sketches are at the large end (docs/performance.md, "Monitoring").
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TimeSeriesStore as Store } from '../engine/store/index';
import type { Tier } from '../engine/store/rollup';

const engine = resolve(process.env.ENGINE ?? join(__dirname, '..', 'engine'));
const { TimeSeriesStore } = require(join(engine, 'store', 'index')) as { TimeSeriesStore: typeof Store };
const minuteTier = (require(join(engine, 'store', 'rollup')) as { TIERS: Tier[] }).TIERS[1];
if (process.env.MINUTE_EVERY_MIN) minuteTier.writeEveryMs = Number(process.env.MINUTE_EVERY_MIN) * 60_000;
if (process.env.MINUTE_FILE_H) minuteTier.fileMs = Number(process.env.MINUTE_FILE_H) * 3_600_000;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'alluse-store-hour-'));
  const start = Math.floor(Date.now() / 3_600_000) * 3_600_000 + 1000;
  let now = start;
  const store = await TimeSeriesStore.open({ dir, now: () => now, sealSliceMs: Infinity });
  const fast = Array.from({ length: 70 }, (_, i) => ({ name: 'fast', labels: { i: String(i) } }));
  const slow = Array.from({ length: 400 }, (_, i) => ({ name: 'slow', labels: { i: String(i) } }));
  let seed = 1;
  const r = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const hours = Number(process.env.BENCH_HOURS ?? 1);
  const everyMin = Number(process.env.BENCH_EVERY_MIN ?? 5);
  console.log(`Store memory over ${hours} simulated hour(s) (70 series at 10 Hz, 400 at 1 Hz; after a full GC every ${everyMin} min; the 1 min tier written every ${minuteTier.writeEveryMs / 60_000} min into files of ${minuteTier.fileMs / 3_600_000} h)`);
  console.log('| minute | heap used | array buffers |');
  console.log('|---|---|---|');
  let highest = 0;
  for (let step = 0; step < 36_000 * hours; step++) {
    now = start + step * 100;
    const s = fast.map((series) => ({ series, t: now, v: Math.round(r() * 1000) / 10 }));
    if (step % 10 === 0) for (const series of slow) s.push({ series, t: now, v: r() * 100 });
    store.append(s);
    if (step % 10 === 0) await store.flush();
    // Halfway between two cuts (2.5 min before a boundary): no cut in flight, the waiting minutes near their most.
    if ((step + 1500) % (600 * everyMin) === 0) {
      await store.flush();
      await new Promise((res) => setTimeout(res, 50));
      gc!();
      const m = process.memoryUsage();
      highest = Math.max(highest, m.heapUsed + m.arrayBuffers);
      console.log(`| ${((now - start) / 60_000).toFixed(0)} | ${(m.heapUsed / 1048576).toFixed(1)} MiB | ${(m.arrayBuffers / 1048576).toFixed(1)} MiB |`);
    }
  }
  await store.flush();
  const minuteFiles = !existsSync(join(dir, '1m')) ? 0 : readdirSync(join(dir, '1m')).reduce((n, f) => n + statSync(join(dir, '1m', f)).size, 0);
  console.log(`highest heap + array buffers ${(highest / 1048576).toFixed(1)} MiB; the 1 min tier's files ${(minuteFiles / 1024).toFixed(0)} KiB`);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
