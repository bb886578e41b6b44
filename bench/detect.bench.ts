/**
 * `npm run bench:detect`: cost of streaming anomaly detection.
 *
 * Method: 1,000 series, each with its own `createDefaultDetector()` (the configuration the
 * monitor and `alluse-perf detect` use), fed at 10 Hz for BENCH_SECONDS (default 30) of
 * simulated time: 300,000 updates. Shapes are those of monitored metrics: noisy CPU ratios,
 * latencies with spikes, rates with slow waves, integer queue lengths, with level shifts.
 * The values are generated before timing; the timed loop is only the `update` calls, in
 * collection order (every series at each 100 ms tick). Cost = CPU time of the process during
 * the loop (process.cpuUsage, user + system) / simulated seconds, as a % of one core, and the
 * mean per update. A warm-up pass of 5 simulated seconds on other detectors runs first (JIT).
 * Target: under 5% of one core.
 *
 * BENCH_CONFIG='{…}' merges a partial configuration into DEFAULT_DETECTOR_CONFIG (to compare
 * configurations on the same machine, under the same load).
 */
import { createDefaultDetector, createDetector, DEFAULT_DETECTOR_CONFIG } from '../engine/anomaly/index';
import { mergeConfig } from './nab/tune';
import { Rng } from '../engine/util/rng';

const SERIES = Number(process.env.BENCH_SERIES ?? 1000);
const HZ = 10;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const T0 = Date.UTC(2026, 10, 2);

function generate(seconds: number, seed: number): Float64Array[] {
  const rng = new Rng(seed);
  const n = seconds * HZ;
  const out: Float64Array[] = [];
  for (let s = 0; s < SERIES; s++) {
    const v = new Float64Array(n);
    const kind = s % 4;
    const shiftAt = rng.int(n);
    for (let i = 0; i < n; i++) {
      const shift = i >= shiftAt ? 1 : 0;
      if (kind === 0) v[i] = Math.min(1, Math.max(0, 0.3 + 0.2 * shift + 0.05 * rng.normal())); // cpu ratio
      else if (kind === 1) v[i] = 0.02 * Math.exp(0.3 * rng.normal()) * (rng.next() < 0.002 ? 20 : 1); // latency s
      else if (kind === 2) v[i] = 500 + 100 * Math.sin((2 * Math.PI * i) / (HZ * 60)) + 20 * rng.normal() + 200 * shift; // rate
      else v[i] = Math.max(0, Math.round(3 + 2 * rng.normal() + 5 * shift)); // queue length
    }
    out.push(v);
  }
  return out;
}

function runOnce(seconds: number, seed: number): { cpuMs: number; wallMs: number; updates: number; alarms: number } {
  const data = generate(seconds, seed);
  const patch = process.env.BENCH_CONFIG;
  const make = patch ? () => createDetector(mergeConfig(DEFAULT_DETECTOR_CONFIG, JSON.parse(patch) as Record<string, unknown>)) : createDefaultDetector;
  const detectors = Array.from({ length: SERIES }, () => make());
  const n = seconds * HZ;
  let alarms = 0;
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  for (let i = 0; i < n; i++) {
    const t = T0 + i * (1000 / HZ);
    for (let s = 0; s < SERIES; s++) if (detectors[s].update(t, data[s][i]).score >= 0.5) alarms++;
  }
  const wallMs = performance.now() - w0;
  const c = process.cpuUsage(c0);
  return { cpuMs: (c.user + c.system) / 1000, wallMs, updates: n * SERIES, alarms };
}

runOnce(5, 1);
const r = runOnce(SECONDS, 2);
const pct = (r.cpuMs / (SECONDS * 1000)) * 100;
console.log(`streaming anomaly detection: ${SERIES} series × ${HZ} Hz × ${SECONDS} s simulated = ${r.updates.toLocaleString('en-US')} updates (${process.env.BENCH_CONFIG ? `default + ${process.env.BENCH_CONFIG}` : 'createDefaultDetector'})`);
console.log(`CPU time ${r.cpuMs.toFixed(0)} ms (wall ${r.wallMs.toFixed(0)} ms) → ${((r.cpuMs * 1000) / r.updates).toFixed(2)} µs per update`);
console.log(`cost at ${(SERIES * HZ).toLocaleString('en-US')} updates/s: ${pct.toFixed(2)}% of one core (target < 5%)`);
console.log(`alarms (score ≥ 0.5): ${r.alarms}`);
console.log(`heap used ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB for ${SERIES} detectors`);
process.exitCode = pct < 5 ? 0 : 1;
