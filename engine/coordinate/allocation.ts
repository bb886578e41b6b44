/**
 * Resource allocation: given totals (cores, memory, connection pools) and the keys that take
 * a share of them (`coordination.resources`), find the values that maximise a system
 * objective (say, end-to-end throughput at the latency SLO) without using more than the
 * totals. The search is the tuning engine's (`createSampler`): each resource is a constraint
 * `use - total <= 0`, and the objective's own verdict (an SLO broken in measurement) is one
 * more. An assignment over a total is never measured (it could not run as configured); it
 * is told to the sampler as infeasible with the worst score seen, so the search learns where
 * the boundary is without spending a measurement there.
 *
 * Today's values are measured first as the baseline: the allocation is offered only when it
 * measured better. The result is one change set: an edit per key whose value changes.
 */
import { createSampler } from '../tune/index';
import { recommendationFor } from '../tune/recommendation';
import type { Observation, Params, SearchSpace } from '../tune/types';
import { fmt } from './conflicts';
import type { AllocationObjective, AllocationResult, AllocationVariable, CombinationMeasurement, ConfigEdit, ResourceTotal } from './types';

export interface AllocateOptions {
  variables: readonly AllocationVariable[];
  totals: readonly ResourceTotal[];
  objective: AllocationObjective;
  /** Assignments to measure (the baseline not counted). */
  budget: number;
  seed: number;
  /** A tuning algorithm name (`auto`, `bayesian`, `cmaes`, ...). */
  algorithm?: string;
  signal?: AbortSignal;
  /** Reads a configuration file's text, for the edits. */
  readText(file: string): string;
  onEvaluation?(n: number, values: Readonly<Record<string, number>>, m: CombinationMeasurement): void;
}

export const variableId = (v: Pick<AllocationVariable, 'component' | 'key'>) => `${v.component}/${v.key}`;

/** Each resource's use by an assignment. */
export function usage(variables: readonly AllocationVariable[], totals: readonly ResourceTotal[], values: Readonly<Record<string, number>>): { resource: string; used: number; total: number }[] {
  return totals
    .filter((t) => variables.some((v) => v.resource === t.resource))
    .map((t) => ({ resource: t.resource, used: Math.round(variables.filter((v) => v.resource === t.resource).reduce((s, v) => s + (values[variableId(v)] ?? 0) * v.per, 0) * 1e9) / 1e9, total: t.total }));
}

function space(variables: readonly AllocationVariable[]): SearchSpace {
  const s: SearchSpace = {};
  for (const v of variables) {
    if (!(v.max >= v.min)) throw new Error(`allocation: ${v.component}.${v.key} has min ${v.min} above max ${v.max}; fix its min/max in coordination.resources.`);
    s[variableId(v)] = v.integer ? { type: 'int', low: Math.ceil(v.min), high: Math.floor(v.max) } : { type: 'float', low: v.min, high: v.max };
  }
  return s;
}

/** The change set that turns today's files into the assignment: one edit per changed key. */
export function allocationEdits(variables: readonly AllocationVariable[], values: Readonly<Record<string, number>>, readText: (file: string) => string): ConfigEdit[] {
  const edits: ConfigEdit[] = [];
  const byFile = new Map<string, AllocationVariable[]>();
  for (const v of variables) byFile.set(v.file, [...(byFile.get(v.file) ?? []), v]);
  for (const [file, vars] of byFile) {
    const params: Params = {};
    const keys: Record<string, string> = {};
    for (const v of vars) {
      params[variableId(v)] = values[variableId(v)];
      keys[variableId(v)] = v.key;
    }
    const rec = recommendationFor(readText(file), params, keys);
    for (const c of rec.changes) {
      const v = vars.find((x) => variableId(x) === c.param)!;
      edits.push({ component: v.component, file, key: v.key, ...(c.oldValue !== undefined ? { from: c.oldValue } : {}), to: c.newValue, ...(c.edit ? { range: c.edit.range, text: c.edit.newText } : { text: String(c.newValue) }) });
    }
  }
  return edits;
}

export async function allocate(o: AllocateOptions): Promise<AllocationResult> {
  const vars = o.variables;
  if (!vars.length) throw new Error('allocation: no keys to allocate; declare them under coordination.resources in alluse-perf.yaml (e.g. workers: {resource: cpu-cores, per: 1}).');
  const totals = o.totals.filter((t) => vars.some((v) => v.resource === t.resource));
  for (const v of vars) if (!totals.some((t) => t.resource === v.resource)) throw new Error(`allocation: no total for resource "${v.resource}" (${v.component}.${v.key}); give it under coordination.totals.`);
  const sampler = createSampler(o.algorithm ?? 'auto', { space: space(vars), objectives: 1, constraints: totals.length + 1, seed: o.seed, budget: o.budget });
  const history: Observation[] = [];
  const cache = new Map<string, CombinationMeasurement>();
  let evaluations = 0;
  let best: { values: Record<string, number>; score: number } | undefined;
  const excess = (values: Record<string, number>) => usage(vars, totals, values).map((u) => u.used - u.total);

  const measure = async (values: Record<string, number>): Promise<CombinationMeasurement> => {
    const k = JSON.stringify(vars.map((v) => values[variableId(v)]));
    const hit = cache.get(k);
    if (hit) return hit;
    let m: CombinationMeasurement;
    try {
      m = await o.objective(values, o.signal);
    } catch (e) {
      m = { feasible: false, reason: (e as Error).message };
    }
    evaluations++;
    cache.set(k, m);
    o.onEvaluation?.(evaluations, values, m);
    if (m.feasible && m.score !== undefined && (!best || m.score > best.score)) best = { values: { ...values }, score: m.score };
    return m;
  };

  // Baseline: today's values, when all are known and fit.
  const current: Record<string, number> = {};
  for (const v of vars) if (v.current !== undefined) current[variableId(v)] = v.current;
  let baseline: CombinationMeasurement | undefined;
  const currentKnown = Object.keys(current).length === vars.length;
  if (currentKnown && excess(current).every((e) => e <= 1e-9)) baseline = await measure(current);
  const baselineBest = best;

  let worst = 0;
  for (let i = 0; i < o.budget && !o.signal?.aborted; i++) {
    const [p] = sampler.ask(history, [], 1);
    if (!p) break; // the sampler has nothing left to propose
    const values: Record<string, number> = {};
    for (const v of vars) values[variableId(v)] = Number(p[variableId(v)]);
    const over = excess(values);
    if (over.some((e) => e > 1e-9)) {
      history.push({ params: p, state: 'complete', values: [worst], constraints: [...over, 1] });
      continue;
    }
    const m = await measure(values);
    if (m.score === undefined) {
      history.push({ params: p, state: 'failed' });
      continue;
    }
    worst = Math.max(worst, -m.score);
    history.push({ params: p, state: 'complete', values: [-m.score], constraints: [...over, m.feasible ? -1 : 1] });
  }

  const describe = (values: Record<string, number>) => vars.map((v) => `${v.component}.${v.key}=${fmt(values[variableId(v)])}`).join(', ');
  const totalsText = totals.map((t) => `${t.resource} ${fmt(t.total)}${t.from === 'host' ? " (the host's)" : ''}`).join(', ');
  if (!best) {
    return {
      values: { ...current },
      usage: usage(vars, totals, current),
      evaluations,
      edits: [],
      explanation: `No assignment within ${totalsText} measured as feasible in ${evaluations} evaluation(s); nothing is changed. Raise the budget, widen min/max in coordination.resources, or check the objective's measurement.`,
    };
  }
  const improved = !baselineBest || best !== baselineBest;
  const chosen = improved ? best.values : current;
  const edits = improved ? allocationEdits(vars, chosen, o.readText) : [];
  const use = usage(vars, totals, chosen);
  const base = baseline?.score !== undefined ? `today's ${describe(current)} scored ${fmt(baseline.score)}${baseline.feasible ? '' : ` but is infeasible${baseline.reason ? ` (${baseline.reason})` : ''}`}` : currentKnown ? "today's values are over the totals and were not measured" : "today's values are not all known";
  return {
    values: chosen,
    score: improved ? best.score : baseline?.score,
    usage: use,
    evaluations,
    edits,
    explanation: improved
      ? `Best of ${evaluations} measured assignment(s) within ${totalsText} (${sampler.name}): ${describe(chosen)}, score ${fmt(best.score)}; ${base}. Uses ${use.map((u) => `${fmt(u.used)} of ${fmt(u.total)} ${u.resource}`).join(', ')}. ${edits.length} key(s) change.`
      : `Today's ${describe(current)} measured best (score ${fmt(baselineBest!.score)}) among ${evaluations} assignment(s) within ${totalsText}; nothing to change.`,
  };
}
