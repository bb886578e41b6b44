/**
 * `npm run bench:compare`: how often the A/B comparison and the gate are right, on seeded
 * synthetic benchmarks with latency-like noise (lognormal, σ = 0.1 of log: about ±10% run to
 * run), and what the analysis costs in CPU time.
 * - False difference rate: A and B from the same distribution; share of comparisons whose
 *   verdict is not "no detectable difference" (should be ≤ 5%).
 * - Power: B's median 10% and 20% higher; share called "worse".
 * - Gate: budget +10%; false failures on noise (same distribution), and failures of a real
 *   +30% regression.
 * - CPU time of compareMetric and gateMetric per metric (process.cpuUsage).
 */
import { compareMetric } from '../engine/validate/compare';
import { gateMetric } from '../engine/validate/gate';
import { Rng } from '../engine/util/rng';

const TRIALS = 200;
const budget = { amount: 0.1, relative: true, text: '+10%' };

function sample(rng: Rng, n: number, median: number): number[] {
  return Array.from({ length: n }, () => median * Math.exp(0.1 * rng.normal()));
}

console.log(`Method: ${TRIALS} seeded comparisons per cell; runs are lognormal around the median (sigma 0.1 of log); 4000 bootstrap resamples (1000 for the rates); 95% level.`);
console.log('\nruns per arm | false difference | power +10% | power +20% | gate false fail (noise) | gate fails +30% | gate fails +15%');
for (const n of [5, 10, 20, 40]) {
  let falseDiff = 0;
  let p10 = 0;
  let p20 = 0;
  let gateNoise = 0;
  let gate30 = 0;
  let gate15 = 0;
  for (let t = 0; t < TRIALS; t++) {
    const rng = new Rng(10_000 * n + t);
    const a = sample(rng, n, 10);
    const o = { resamples: 1000, seed: t };
    if (compareMetric('x_ms', a, sample(rng, n, 10), 'minimize', o).verdict !== 'no detectable difference') falseDiff++;
    if (compareMetric('x_ms', a, sample(rng, n, 11), 'minimize', o).verdict === 'worse') p10++;
    if (compareMetric('x_ms', a, sample(rng, n, 12), 'minimize', o).verdict === 'worse') p20++;
    if (gateMetric('x_ms', a, sample(rng, n, 10), 'minimize', budget, o).status === 'fail') gateNoise++;
    if (gateMetric('x_ms', a, sample(rng, n, 13), 'minimize', budget, o).status === 'fail') gate30++;
    if (gateMetric('x_ms', a, sample(rng, n, 11.5), 'minimize', budget, o).status === 'fail') gate15++;
  }
  const pct = (k: number) => `${((100 * k) / TRIALS).toFixed(1)}%`.padStart(6);
  console.log(`${String(n).padStart(12)} | ${pct(falseDiff).padStart(16)} | ${pct(p10).padStart(10)} | ${pct(p20).padStart(10)} | ${pct(gateNoise).padStart(23)} | ${pct(gate30).padStart(15)} | ${pct(gate15).padStart(15)}`);
}

console.log('\nCPU time per metric (mean of 20, 4000 resamples):');
const rng = new Rng(3);
for (const n of [10, 30, 100]) {
  const a = sample(rng, n, 10);
  const b = sample(rng, n, 11);
  compareMetric('x_ms', a, b, 'minimize');
  let c0 = process.cpuUsage();
  for (let i = 0; i < 20; i++) compareMetric('x_ms', a, b, 'minimize', { seed: i });
  let c = process.cpuUsage(c0);
  const cmp = (c.user + c.system) / 1000 / 20;
  c0 = process.cpuUsage();
  for (let i = 0; i < 20; i++) gateMetric('x_ms', a, b, 'minimize', budget, { seed: i });
  c = process.cpuUsage(c0);
  console.log(`  ${n} runs per arm: compare ${cmp.toFixed(1)} ms, gate ${((c.user + c.system) / 1000 / 20).toFixed(1)} ms`);
}
