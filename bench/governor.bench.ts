/**
 * `node --import tsx bench/governor.bench.ts`: the cost of one governor evaluation, what the
 * language server does every 2 s for each change it watches.
 *
 * Method: a fresh embedded store (engine/store) in a temporary folder holds one component's
 * four service series (p95 latency, throughput, error ratio, queue depth) at one sample a
 * second for the last 40 minutes, noisy, with a latency step of +50% 1 minute before now.
 * `governorDecide` then runs 20 times (after 2 warm-ups) for a change 30 s, 2 min and 9 min
 * ago (1 s, 1 s and 10 s steps), with the governor's level counterfactual and, for
 * comparison, the engine's CV-weighted auto forecaster; the figure is the process CPU time
 * (process.cpuUsage, user + system) per evaluation, median and maximum.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_GOVERNOR, governorDecide, levelForecaster, watchedSeries } from '../engine/coordinate/governor';
import { autoForecaster } from '../engine/forecast/autoForecaster';
import { TimeSeriesStore } from '../engine/store/index';
import { Rng } from '../engine/util/rng';
import type { ComponentConfig } from '../engine/workspace/config';

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
  console.log(`${name.padEnd(58)} median ${xs[RUNS >> 1].toFixed(1).padStart(7)} ms CPU   max ${xs[RUNS - 1].toFixed(1).padStart(7)} ms`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'alluse-bench-governor-'));
  const store = await TimeSeriesStore.open({ dir, rawRetentionMs: 86_400_000, rollupRetentionMs: 86_400_000 });
  const now = Math.floor(Date.now() / 1000) * 1000;
  const r = new Rng(1);
  const labels = { component: 'engine' };
  const c: ComponentConfig = {
    name: 'engine',
    kind: 'node',
    process: {},
    configFiles: [],
    limits: {},
    slos: { severity: 'critical', forMs: 10_000 },
    metrics: { url: 'x', timeoutMs: 1, latency: 'lat_seconds', throughput: 'ticks_total', errors: 'errors_total', queueDepth: 'queue_depth' },
  };
  for (let t = now - 40 * 60_000; t <= now; t += 1000) {
    store.append([
      { series: { name: 'lat_seconds_p95', labels }, t, v: (t >= now - 60_000 ? 0.015 : 0.01) * (1 + 0.1 * r.normal()) },
      { series: { name: 'ticks_total_rate', labels }, t, v: 200 + 10 * r.normal() },
      { series: { name: 'slo_error_ratio', labels }, t, v: Math.max(0, 0.001 + 0.0005 * r.normal()) },
      { series: { name: 'queue_depth', labels }, t, v: Math.max(0, 5 + 2 * r.normal()) },
    ]);
  }
  const series = watchedSeries(c);
  console.log(`# ${series.length} watched series: ${series.map((s) => s.name).join(', ')}; 4 × 2,401 samples`);
  for (const [label, agoMs] of [['30 s', 30_000], ['2 min', 120_000], ['9 min', 540_000]] as const) {
    for (const [fname, forecaster] of [['level', levelForecaster], ['auto', autoForecaster]] as const) {
      const d = governorDecide({ change: { time: now - agoMs, component: 'engine' }, series, store, now, alerts: [], options: DEFAULT_GOVERNOR, forecaster });
      measure(`change ${label} ago, ${fname} counterfactual (${d.state}, ${d.effects.filter((e) => e.verdict === 'worse').length} worse)`, () =>
        governorDecide({ change: { time: now - agoMs, component: 'engine' }, series, store, now, alerts: [], options: DEFAULT_GOVERNOR, forecaster }),
      );
    }
  }
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

void main();
