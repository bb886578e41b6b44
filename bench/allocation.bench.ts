/**
 * Resource allocation on synthetic systems with a known optimum (enumerated): how many
 * measurements each search needs to reach it, over 10 seeds. The objective is cheap, so this
 * measures the search, not the system. Method: 2 to 4 components share C cores (one per
 * thread); throughput Σ a_i·ln(1 + x_i), a concave separable objective whose integer optimum
 * on Σ x_i ≤ C is found by enumeration. Per seed: the measurements until the best so far is
 * within 0.5% of the optimum (or "not reached" within the budget), and the CPU time.
 *
 *   node --import tsx bench/allocation.bench.ts
 */
import { allocate } from '../engine/coordinate/allocation';
import type { AllocationVariable } from '../engine/coordinate/types';

interface Case {
  name: string;
  weights: number[];
  max: number;
  cores: number;
}

const CASES: Case[] = [
  { name: '2 components, 8 cores', weights: [120, 50], max: 8, cores: 8 },
  { name: '3 components, 12 cores', weights: [120, 50, 80], max: 8, cores: 12 },
  { name: '4 components, 16 cores', weights: [120, 50, 80, 30], max: 8, cores: 16 },
];

function optimum(c: Case): number {
  let best = -Infinity;
  const rec = (i: number, left: number, acc: number) => {
    if (i === c.weights.length) {
      best = Math.max(best, acc);
      return;
    }
    for (let x = 1; x <= Math.min(c.max, left - (c.weights.length - i - 1)); x++) rec(i + 1, left - x, acc + c.weights[i] * Math.log(1 + x));
  };
  rec(0, c.cores, 0);
  return best;
}

async function main(): Promise<void> {
  const budget = 40;
  console.log(`allocation search, budget ${budget} measurements, 10 seeds each; target: within 0.5% of the enumerated optimum`);
  for (const algorithm of ['auto', 'random']) {
    for (const c of CASES) {
      const vars: AllocationVariable[] = c.weights.map((_, i) => ({ component: `c${i}`, file: `/f${i}`, key: 'threads', resource: 'cpu-cores', per: 1, min: 1, max: c.max, integer: true, current: 1 }));
      const opt = optimum(c);
      const reached: (number | undefined)[] = [];
      let cpu = 0;
      for (let seed = 1; seed <= 10; seed++) {
        let n = 0;
        let hit: number | undefined;
        const t0 = process.cpuUsage();
        await allocate({
          variables: vars,
          totals: [{ resource: 'cpu-cores', total: c.cores, from: 'config' }],
          objective: async (v) => {
            n++;
            const score = c.weights.reduce((s, a, i) => s + a * Math.log(1 + v[`c${i}/threads`]), 0);
            if (hit === undefined && score >= opt * 0.995) hit = n;
            return { score, feasible: true };
          },
          budget,
          seed,
          algorithm,
          readText: () => 'threads: 1\n',
        });
        const u = process.cpuUsage(t0);
        cpu += (u.user + u.system) / 1e6;
        reached.push(hit);
      }
      const ok = reached.filter((x): x is number => x !== undefined).sort((a, b) => a - b);
      const median = ok.length ? ok[Math.floor((ok.length - 1) / 2)] : NaN;
      console.log(`${algorithm.padEnd(6)} ${c.name.padEnd(24)} reached ${ok.length}/10, median ${median} measurements (incl. the baseline), CPU ${(cpu / 10).toFixed(2)} s per run`);
    }
  }
}

void main();
