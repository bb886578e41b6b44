/**
 * The CPU cost of one round of time-to-limit predictions (`predictLimits`, every 5 s in the
 * monitor) as the store's history grows, this checkout against another build, in one process.
 *
 * Method: a store (this checkout's) is filled with MINUTES of history at the demo's shape
 * (4 components; memory and CPU every 100 ms, 60 system series every 100 ms, 2 x 102 slow
 * series every 1 s) with an injected clock; then CALLS rounds follow, 5 s apart, each
 * appending the 5 s of samples in between (so cuts seal blocks as in the monitor) and
 * calling the old and the new `predictLimits` at the same `now` (alternating which goes
 * first). The CPU time (process.cpuUsage, user + system) of each call is summed per side,
 * the first call apart (the new one reads whole windows then, as the old one always does);
 * the predictions of both are compared (JSON) on every call.
 *
 * Run: node --import tsx bench/predictCost.ts [MINUTES=3,12,60] [CALLS=120] [OLD=/tmp/oldmain/engine]
 * (e.g. `MINUTES=3,12,60 node --import tsx bench/predictCost.ts`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TimeSeriesStore } from '../engine/store';
import { predictLimits } from '../engine/monitor/bottlenecks';
import type { ComponentConfig } from '../engine/workspace/config';
import type { SeriesSample } from '../engine/metrics/series';
import { bundleEngine } from './bundleEngine';

const OLD = resolve(process.env.OLD ?? '/tmp/oldmain/engine');
const CALLS = Number(process.env.CALLS ?? 120);

const comps = ['a', 'b', 'c', 'd'].map((name, i) => ({
  name,
  limits: { memoryBytes: 512 * 2 ** 20, cpuCores: 1, queueCapacity: i === 1 ? 5000 : undefined },
  slos: { latency: i < 2 ? { p95Ms: 50 } : undefined },
  metrics: { queueDepth: 'queue_depth', latency: 'lat' },
})) as unknown as ComponentConfig[];
const fast = comps.flatMap((c) => [{ name: 'process_resident_memory_bytes', labels: { component: c.name } }, { name: 'process_cpu_ratio', labels: { component: c.name } }]);
const other = Array.from({ length: 60 }, (_, i) => ({ name: `sys_${i}`, labels: {} }));
const slow = comps.flatMap((c) => [{ name: 'queue_depth', labels: { component: c.name } }, { name: 'lat_p95', labels: { component: c.name } }, ...Array.from({ length: 100 }, (_, i) => ({ name: `app_${i}`, labels: { component: c.name } }))]);

/** The samples of tick k (every 100 ms): memory grows slowly with a sawtooth, the slow series cycle. */
function tick(k: number, now: number): SeriesSample[] {
  const s: SeriesSample[] = [...fast, ...other].map((series, i) => ({ series, t: now, v: 1e8 + i * 1000 + k * 37 + (k % 7) }));
  if (k % 10 === 0) for (const [i, series] of slow.entries()) s.push({ series, t: now, v: i + (k % 13) });
  return s;
}

async function run(minutes: number, oldPredict: typeof predictLimits): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'predcost-'));
  let now = Date.UTC(2026, 10, 27, 10, 0, 0) + 137; // not on a step: the windows' first steps are cut, as with Date.now()
  const store = await TimeSeriesStore.open({ dir, now: () => now, manualFlush: true });
  let k = 0;
  const advance = async (ticks: number) => {
    for (let i = 0; i < ticks; i++, k++) {
      now += 100;
      store.append(tick(k, now));
      if (k % 600 === 0) await store.flush();
    }
    await store.flush();
  };
  await advance(minutes * 600);
  let oldCpu = 0;
  let newCpu = 0;
  let differ = 0;
  let count = 0;
  let firstOld = 0;
  let firstNew = 0;
  for (let i = 0; i < CALLS; i++) {
    await advance(50);
    const side = (f: typeof predictLimits) => {
      const c0 = process.cpuUsage();
      const out = f(store, comps, now, {});
      const c = process.cpuUsage(c0);
      return { out, us: c.user + c.system };
    };
    const [a, b] = i % 2 ? [side(oldPredict), side(predictLimits)] : (() => { const n = side(predictLimits); return [side(oldPredict), n]; })();
    if (i === 0) {
      firstOld = a.us;
      firstNew = b.us;
    } else {
      oldCpu += a.us;
      newCpu += b.us;
    }
    count = b.out.length;
    if (JSON.stringify(a.out) !== JSON.stringify(b.out)) differ++;
  }
  const ms = (us: number) => (us / 1000).toFixed(2);
  console.log(`${String(minutes).padStart(3)} min of history: old ${ms(oldCpu / (CALLS - 1))} ms, new ${ms(newCpu / (CALLS - 1))} ms CPU per call after the first (first call: old ${ms(firstOld)}, new ${ms(firstNew)} ms; ${CALLS} calls 5 s apart, ${count} predictions; calls whose predictions differ: ${differ})`);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), 'predcost-bundle-'));
  const old = await bundleEngine(OLD, 'oldPredict', out, { 'monitor/bottlenecks': ['predictLimits'] });
  console.log(`predictLimits CPU per call, old (${OLD}) vs new (this checkout), in one process on one store; the store's shape: 4 components, 11 limited series, 372 series`);
  for (const m of (process.env.MINUTES ?? '3,12,60').split(',').map(Number)) await run(m, old.predictLimits);
  rmSync(out, { recursive: true, force: true });
}
void main();
