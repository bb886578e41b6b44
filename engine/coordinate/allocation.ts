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

/**
 * An assignment brought within every total: for each resource over its total, the keys using
 * it keep their min and give up the rest in proportion (whole numbers by largest remainder).
 */
export function repair(variables: readonly AllocationVariable[], totals: readonly ResourceTotal[], values: Readonly<Record<string, number>>): Record<string, number> {
  const out = { ...values };
  for (const t of totals) {
    const vs = variables.filter((v) => v.resource === t.resource);
    const used = vs.reduce((s, v) => s + out[variableId(v)] * v.per, 0);
    if (used <= t.total + 1e-9) continue;
    const floor = vs.reduce((s, v) => s + v.min * v.per, 0);
    const above = used - floor;
    const factor = above > 0 ? Math.max(0, (t.total - floor) / above) : 0;
    const exact = vs.map((v) => v.min + (out[variableId(v)] - v.min) * factor);
    vs.forEach((v, i) => (out[variableId(v)] = v.integer ? Math.max(Math.ceil(v.min), Math.floor(exact[i] + 1e-9)) : Math.max(v.min, exact[i])));
    // Whole numbers: the units rounding left over go to the largest remainders (as far as they fit).
    let left = t.total - vs.reduce((s, v) => s + out[variableId(v)] * v.per, 0);
    const order = vs.map((v, i) => ({ v, r: exact[i] - out[variableId(v)] })).filter((x) => x.v.integer && x.r > 1e-9).sort((a, b) => b.r - a.r);
    for (const { v } of order) {
      if (v.per <= left + 1e-9 && out[variableId(v)] + 1 <= v.max) {
        out[variableId(v)] += 1;
        left -= v.per;
      }
    }
  }
  return out;
}

export async function allocate(o: AllocateOptions): Promise<AllocationResult> {
  const vars = o.variables;
  if (!vars.length) throw new Error('allocation: no keys to allocate; declare them under coordination.resources in alluse-perf.yaml (e.g. workers: {resource: cpu-cores, per: 1}).');
  const totals = o.totals.filter((t) => vars.some((v) => v.resource === t.resource));
  for (const v of vars) if (!totals.some((t) => t.resource === v.resource)) throw new Error(`allocation: no total for resource "${v.resource}" (${v.component}.${v.key}); give it under coordination.totals.`);
  for (const t of totals) {
    const floor = vars.filter((v) => v.resource === t.resource).reduce((s, v) => s + v.min * v.per, 0);
    if (floor > t.total + 1e-9) throw new Error(`allocation: the smallest values of the keys using ${t.resource} (their min in coordination.resources) already take ${fmt(floor)} of its ${fmt(t.total)}; lower a min or raise coordination.totals.${t.resource}.`);
  }
  const sampler = createSampler(o.algorithm ?? 'auto', { space: space(vars), objectives: 1, constraints: 1, seed: o.seed, budget: o.budget });
  const history: Observation[] = [];
  const cache = new Map<string, CombinationMeasurement>();
  let evaluations = 0;
  /** Why measurements were infeasible, with how often: told when nothing was feasible. */
  const reasons = new Map<string, { text: string; n: number }>();
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
    if (!m.feasible && m.reason) {
      // Counted by their words: ports, temporary folders and numbers differ from run to run.
      const kind = m.reason.replace(/\/tmp\/\S*/g, '…').replace(/\d+(\.\d+)?/g, '#');
      const seen = reasons.get(kind);
      reasons.set(kind, { text: seen?.text ?? m.reason, n: (seen?.n ?? 0) + 1 });
    }
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

  // Proposals over a total are repaired onto it (the objective of a proposal is that of its
  // repair, a fixed function, so every sampler sees consistent data): no proposal is wasted,
  // nothing over a total is measured. Repeats of a measured assignment cost no measurement.
  // The search has converged when it proposes only measured assignments 10 times in a row.
  const first = evaluations;
  let repeats = 0;
  for (let asked = 0; evaluations - first < o.budget && asked < o.budget * 4 && repeats < 10 && !o.signal?.aborted; asked++) {
    const [p] = sampler.ask(history, [], 1);
    if (!p) break; // the sampler has nothing left to propose
    const proposed: Record<string, number> = {};
    for (const v of vars) proposed[variableId(v)] = Number(p[variableId(v)]);
    const before = evaluations;
    const m = await measure(repair(vars, totals, proposed));
    repeats = evaluations === before ? repeats + 1 : 0;
    if (m.score === undefined) {
      history.push({ params: p, state: 'failed' });
      continue;
    }
    history.push({ params: p, state: 'complete', values: [-m.score], constraints: [m.feasible ? -1 : 1] });
  }

  const describe = (values: Record<string, number>) => vars.map((v) => `${v.component}.${v.key}=${fmt(values[variableId(v)])}`).join(', ');
  const totalsText = totals.map((t) => `${t.resource} ${fmt(t.total)}${t.from === 'host' ? " (the host's)" : ''}`).join(', ');
  if (!best) {
    return {
      values: { ...current },
      usage: usage(vars, totals, current),
      evaluations,
      edits: [],
      explanation: `No assignment within ${totalsText} measured as feasible in ${evaluations} evaluation(s); nothing is changed.${reasons.size ? ` The measurements said: ${[...reasons.values()].sort((a, b) => b.n - a.n).slice(0, 2).map((r) => `${r.text} (${r.n}×)`).join('; ')}.` : ''} Raise the budget, widen min/max in coordination.resources, or check the objective's measurement.`,
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
