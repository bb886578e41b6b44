/**
 * The longest synchronous step of the store's cut at the load benchmark's scale (10,000
 * series, a raw head of 2,000,000 samples, 1 s rollups, 1 min and 1 h sketches), sliced
 * (default) against one step (`sealSliceMs: Infinity`). Measured in CPU time of this process
 * (the machine is shared): the append that starts the cut, and the longest gap between two
 * turns of the event loop until the cut is written. `node --import tsx bench/cutStall.ts`
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SeriesKey } from '../engine/metrics/series';
import { TimeSeriesStore } from '../engine/store/index';

const SERIES = Number(process.argv[2] ?? 10_000);
const PER_SERIES = 200; // 20 s at 100 ms
const T0 = Date.UTC(2026, 10, 1, 10, 20);
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

async function run(sealSliceMs: number | undefined): Promise<{ startMs: number; maxTurnMs: number; totalMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'alluse-cut-stall-'));
  let now = T0;
  const store = await TimeSeriesStore.open({ dir, now: () => now, manualFlush: true, cutIntervalMs: 60_000, sealSliceMs });
  const keys: SeriesKey[] = Array.from({ length: SERIES }, (_, i) => ({ name: 'load_gauge', labels: { component: `c${i % 50}`, i: String(i) } }));
  for (let j = 0; j < PER_SERIES; j++) {
    now = T0 + j * 100;
    store.append(keys.map((series, k) => ({ series, t: now, v: Math.round(Math.sin(k + j / 9) * 1000 + ((k * 31 + j * 17) % 13)) })));
  }
  now = T0 + 61_000; // past the boundary: the next append starts the cut
  let maxTurn = 0;
  let last = cpuMs();
  let running = true;
  const tick = () => { const c = cpuMs(); maxTurn = Math.max(maxTurn, c - last); last = c; if (running) setImmediate(tick); };
  const c0 = cpuMs();
  store.append([{ series: keys[0], t: now, v: 1 }]);
  const startMs = cpuMs() - c0;
  last = cpuMs();
  setImmediate(tick);
  await store.flush();
  running = false;
  const totalMs = cpuMs() - c0;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return { startMs, maxTurnMs: Math.max(maxTurn, startMs), totalMs };
}

async function main(): Promise<void> {
  console.log(`cut of ${SERIES} series x ${PER_SERIES} samples (CPU ms of this process; Node ${process.version})`);
  for (const [name, slice] of [['one step', Infinity], ['sliced (8 ms)', undefined], ['one step', Infinity], ['sliced (8 ms)', undefined]] as const) {
  const r = await run(slice);
  console.log(`${name.padEnd(14)} append that starts the cut ${r.startMs.toFixed(0).padStart(5)} ms; longest turn of the loop ${r.maxTurnMs.toFixed(0).padStart(5)} ms; whole cut ${r.totalMs.toFixed(0).padStart(5)} ms`);
}
}

void main();
