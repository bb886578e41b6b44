/**
 * `npm run bench:optimize`: every sampler on the test functions of problems.ts, in-process,
 * 100 evaluations and 10 seeds each (BUDGET=, SEEDS=, ALGOS=a,b, PROBLEMS=substring[,substring] to narrow).
 *
 * Method
 * - Simple regret = f(recommended point) - f*, on the TRUE function. The recommended point is
 *   the best observed trial; on the noisy problem the optimizer sees f + N(0, sd^2) and a
 *   sampler that can recommend (bayesian, auto: the observed point of lowest GP posterior
 *   mean) names the point instead of the best noisy observation.
 * - Regret after 25, 50 and 100 evaluations: median and interquartile range over seeds.
 * - CPU time per suggestion: process CPU time (user + system) around each ask(), median over
 *   all asks and over the asks made with >= 90 observations ("at 100").
 * - Sequential asks (n = 1), no pending trials.
 * Prints a markdown table per problem and a summary of auto against Optuna 5.0's best sampler
 * (figures from the task, see problems.ts), and writes the raw numbers to
 * out/bench-optimize.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { canRecommend, createSampler, SAMPLERS } from '../../engine/tune/index';
import type { Observation } from '../../engine/tune/types';
import { Rng } from '../../engine/util/rng';
import { OPTUNA, PROBLEMS, type Problem } from './problems';

const BUDGET = Number(process.env.BUDGET ?? 100);
const SEEDS = Number(process.env.SEEDS ?? 10);
const ALGOS = (process.env.ALGOS ?? Object.keys(SAMPLERS).filter((a) => a !== 'parego' && a !== 'nsga2').join(',')).split(',');
const FILTER = process.env.PROBLEMS;
const CHECKPOINTS = [25, 50, 100].filter((c) => c <= BUDGET);

interface RunResult {
  regret: Record<number, number>;
  askMs: number[];
  askMsLate: number[];
}

function cpuMs(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

function runOne(p: Problem, algo: string, seed: number): RunResult {
  const keys = Object.keys(p.space);
  const sampler = createSampler(algo, { space: p.space, objectives: 1, constraints: 0, seed, budget: BUDGET });
  const noise = new Rng(seed * 7919 + 17);
  const history: Observation[] = [];
  const truth: number[] = [];
  const askMs: number[] = [];
  const askMsLate: number[] = [];
  const regret: Record<number, number> = {};
  for (let t = 0; t < BUDGET; t++) {
    const c0 = process.cpuUsage();
    const [params] = sampler.ask(history, [], 1);
    const ms = cpuMs(c0);
    askMs.push(ms);
    if (t >= BUDGET - 10) askMsLate.push(ms);
    const x = keys.map((k) => params[k] as number);
    const f = p.f(x);
    truth.push(f);
    history.push({ params, state: 'complete', values: [f + (p.noise > 0 ? p.noise * noise.normal() : 0)] });
    if (CHECKPOINTS.includes(t + 1)) {
      let idx = 0;
      for (let i = 1; i < history.length; i++) if (history[i].values![0] < history[idx].values![0]) idx = i;
      if (p.noise > 0 && canRecommend(sampler)) {
        const rec = sampler.recommend(history);
        if (rec) idx = history.findIndex((o) => o.params === rec);
      }
      regret[t + 1] = Math.max(0, truth[idx] - p.optimum);
    }
  }
  return { regret, askMs, askMsLate };
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (pos - lo);
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1000) return `${(v / 1000).toPrecision(3)}k`;
  if (a >= 0.01) return v.toPrecision(3);
  return v.toExponential(1);
}

function main(): void {
  console.log(`bench:optimize: budget ${BUDGET}, ${SEEDS} seeds, algorithms ${ALGOS.join(', ')}`);
  console.log('regret = f(recommended) - f* on the true function; median [IQR]; CPU ms per ask (median all / median with >= 90 observations)\n');
  const results: Record<string, Record<string, { med: Record<number, number>; q1: Record<number, number>; q3: Record<number, number>; ms: number; msLate: number }>> = {};
  for (const p of PROBLEMS) {
    if (FILTER && !FILTER.split(',').some((f) => p.name.toLowerCase().includes(f.toLowerCase()))) continue;
    results[p.name] = {};
    console.log(`### ${p.name}${p.holdout ? ' (generalization check)' : ''}${p.noise ? ` (noise sd ${p.noise})` : ''}\n`);
    console.log(`| algorithm | ${CHECKPOINTS.map((c) => `regret @${c}`).join(' | ')} | ms/ask | ms/ask @100 |`);
    console.log(`|---|${CHECKPOINTS.map(() => '---|').join('')}---|---|`);
    for (const algo of ALGOS) {
      const runs: RunResult[] = [];
      for (let s = 0; s < SEEDS; s++) runs.push(runOne(p, algo, s + 1));
      const med: Record<number, number> = {};
      const q1: Record<number, number> = {};
      const q3: Record<number, number> = {};
      for (const c of CHECKPOINTS) {
        const r = runs.map((x) => x.regret[c]);
        med[c] = quantile(r, 0.5);
        q1[c] = quantile(r, 0.25);
        q3[c] = quantile(r, 0.75);
      }
      const ms = quantile(runs.flatMap((r) => r.askMs), 0.5);
      const msLate = quantile(runs.flatMap((r) => r.askMsLate), 0.5);
      results[p.name][algo] = { med, q1, q3, ms, msLate };
      console.log(`| ${algo} | ${CHECKPOINTS.map((c) => `${fmt(med[c])} [${fmt(q1[c])}, ${fmt(q3[c])}]`).join(' | ')} | ${ms.toFixed(1)} | ${msLate.toFixed(1)} |`);
    }
    const o = OPTUNA[p.name];
    if (o) console.log(`| Optuna 5.0 (GP / TPE / CMA-ES / random) | | | ${fmt(o.gp)} / ${fmt(o.tpe)} / ${fmt(o.cmaes)} / ${fmt(o.random)} | 70-165 (GP) | |`);
    console.log('');
  }
  if (ALGOS.includes('auto') && BUDGET >= 100) {
    let wins = 0;
    let rows = 0;
    console.log('### auto against the best Optuna sampler (median regret at 100)\n');
    for (const [name, o] of Object.entries(OPTUNA)) {
      const r = results[name]?.auto;
      if (!r) continue;
      rows++;
      const best = Math.min(o.gp, o.tpe, o.cmaes, o.random);
      const ok = r.med[100] <= best;
      if (ok) wins++;
      console.log(`- ${name}: auto ${fmt(r.med[100])} vs Optuna best ${fmt(best)}: ${ok ? 'at or below' : 'above'}`);
    }
    const late = Object.values(results).map((r) => r.auto?.msLate).filter((v): v is number => v !== undefined);
    console.log(`\nauto at or below Optuna's best on ${wins} of ${rows} rows; median CPU ms per ask at 100 observations per problem: ${late.map((v) => v.toFixed(1)).join(', ')}`);
  }
  mkdirSync('out', { recursive: true });
  const file = `out/bench-optimize${FILTER ? `-${FILTER.replace(/\W+/g, '_')}` : ''}${process.env.ALGOS ? `-${ALGOS.join('_')}` : ''}.json`;
  writeFileSync(file, JSON.stringify({ budget: BUDGET, seeds: SEEDS, results }, null, 1));
  console.log(`\nraw numbers: ${file}`);
}

main();
