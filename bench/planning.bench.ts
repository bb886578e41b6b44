/**
 * `node --import tsx bench/planning.bench.ts`: the cost of the planning queries on a real store.
 *
 * Method: a fresh embedded store (engine/store) in a temporary folder is filled with 90 days
 * of one component at one sample a minute (load with growth and a daily cycle, CPU, memory;
 * 3 × 129,600 samples) plus a file system's used ratio every 10 s over the last 6 hours.
 * Each query then runs 20 times (after 2 warm-up runs) and the process CPU time
 * (process.cpuUsage, user + system) per run is reported as the median and the maximum:
 * `estimateGrowth` (90 days of hourly rollups), `planCapacity` for 6 months with the chart
 * data, `assessImpactInStore` of a change 2 h ago (1 min step, 480 steps before it) and
 * `predictLimits` with the store's file system watched (what the monitor adds every 5 s).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diskWatches, predictLimits } from '../engine/monitor/bottlenecks';
import { planCapacity } from '../engine/monitor/capacity';
import { estimateGrowth } from '../engine/monitor/growth';
import { assessImpactInStore } from '../engine/monitor/impactQuery';
import { TimeSeriesStore } from '../engine/store/index';
import { Rng } from '../engine/util/rng';
import type { ComponentConfig } from '../engine/workspace/config';

const DAY = 86_400_000;
const RUNS = 20;

function cpuMs(f: () => unknown): number {
  const a = process.cpuUsage();
  f();
  const d = process.cpuUsage(a);
  return (d.user + d.system) / 1000;
}

function measure(name: string, f: () => unknown): void {
  for (let i = 0; i < 2; i++) f();
  const xs = Array.from({ length: RUNS }, () => cpuMs(f)).sort((a, b) => a - b);
  console.log(`${name.padEnd(50)} median ${xs[RUNS >> 1].toFixed(1).padStart(7)} ms CPU   max ${xs[RUNS - 1].toFixed(1).padStart(7)} ms`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'alluse-bench-planning-'));
  const store = await TimeSeriesStore.open({ dir, rawRetentionMs: 100 * DAY, rollupRetentionMs: 365 * DAY });
  const now = Date.now();
  const r = new Rng(1);
  const labels = { component: 'engine' };
  const keys = { load: { name: 'ticks_total_rate', labels }, cpu: { name: 'process_cpu_ratio', labels }, mem: { name: 'process_resident_memory_bytes', labels }, fs: { name: 'system_filesystem_used_ratio', labels: { mount: '/' } } };
  const t0 = performance.now();
  for (let t = now - 90 * DAY; t <= now; t += 60_000) {
    const load = 100 * 1.1 ** ((t - now) / (30 * DAY)) * (1 + 0.3 * Math.sin((2 * Math.PI * t) / DAY)) * (1 + 0.05 * r.normal());
    const cpu = 0.05 + 0.002 * load + 0.01 * r.normal() + (t >= now - 2 * 3_600_000 ? 0.05 : 0);
    store.append([
      { series: keys.load, t, v: load },
      { series: keys.cpu, t, v: cpu },
      { series: keys.mem, t, v: 1e8 + 1e6 * load + 1e6 * r.normal() },
    ]);
  }
  for (let t = now - 6 * 3_600_000; t <= now; t += 10_000) store.append([{ series: keys.fs, t, v: 0.5 + ((t - now) / 3_600_000) * 0.01 }]);
  console.log(`# store filled with ${3 * 129_601 + 2161} samples in ${((performance.now() - t0) / 1000).toFixed(1)} s (${dir})`);

  const c: ComponentConfig = { name: 'engine', kind: 'node', process: {}, configFiles: [], limits: { cpuCores: 1, memoryBytes: 400e6 }, slos: { severity: 'critical', forMs: 0 }, metrics: { url: 'x', timeoutMs: 1, throughput: 'ticks_total' } };
  measure('estimateGrowth (90 d of hourly rollups)', () => estimateGrowth(store, c, now));
  measure('planCapacity months=6, withChart', () => planCapacity(store, [c], now, { months: 6, withChart: true }));
  measure('assessImpactInStore (change 2 h ago, 1 min step)', () => assessImpactInStore(store, { name: 'process_cpu_ratio', labels, at: now - 2 * 3_600_000, now }));
  const disks = diskWatches([c], dir, dir);
  measure('predictLimits without file systems', () => predictLimits(store, [c], now));
  measure('predictLimits with the store file system', () => predictLimits(store, [c], now, { disks }));
  const g = estimateGrowth(store, c, now);
  console.log(`# growth measured: ${g.ok ? `${g.perMonth.toFixed(4)}/month (80%: ${g.perMonthLo80.toFixed(4)} to ${g.perMonthHi80.toFixed(4)}; truth 1.1000)` : g.reason}`);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
