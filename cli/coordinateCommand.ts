/**
 * `alluse-perf coordinate conflicts|allocate`: the editor's coordination on a workspace from a
 * terminal or CI. `conflicts` lists the studies' recommendations that conflict (same key, or
 * a shared resource over its total) and how each was resolved, with the explanation;
 * with the capacity plan's and the bottleneck predictions' recommendations when the monitor's
 * store is on disk and keys are declared for them (engine/coordinate/sources.ts);
 * `allocate` distributes the resource totals across the components by measuring the system
 * (`coordination.allocation`) and prints the change set (`--apply` writes it).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import { coordinationFrom } from '../engine/coordinate/config';
import { applyGuardrail, measurementFromMetrics, type ComponentSlos } from '../engine/coordinate/guardrail';
import { bottleneckRecommendations, capacityRecommendations } from '../engine/coordinate/sources';
import type { ConfigEdit, Recommendation } from '../engine/coordinate/types';
import { predictLimits } from '../engine/monitor/bottlenecks';
import { planCapacity } from '../engine/monitor/capacity';
import { resolveStorePath } from '../engine/monitor/createMonitor';
import { TimeSeriesStore } from '../engine/store/index';
import { allocateWorkspace, ConfigValues, coordinateRecommendations, studyRecommendations } from '../engine/coordinate/workspace';
import { applyEdits } from '../engine/tune/recommendation';
import { studiesFromYaml } from '../engine/tune/studyConfig';
import { studyLogPath } from '../engine/tune/studyLog';
import { loadWorkspaceConfig } from './workspaceFile';

export interface CoordinateOptions {
  workspace: string;
  json: boolean;
  measure?: boolean;
  budget?: string;
  apply?: boolean;
  /** The load (per second) or months of growth the capacity recommendations plan for (default: today's load). */
  load?: string;
  months?: string;
}

type Out = (s: string) => void;

function load(opts: CoordinateOptions, err: Out) {
  const loaded = loadWorkspaceConfig(opts.workspace, err);
  if (typeof loaded === 'number') return loaded;
  const root = (parse(readFileSync(join(loaded.dir, 'alluse-perf.yaml'), 'utf8')) ?? {}) as Record<string, unknown>;
  const coordination = coordinationFrom(root, loaded.dir, loaded.config.components);
  const files: Record<string, string[]> = {};
  for (const c of loaded.config.components) files[c.name] = c.configFiles.map((f) => (isAbsolute(f) ? f : resolve(loaded.dir, f)));
  for (const p of coordination.problems) err(`alluse-perf: ${p}`);
  return { ...loaded, coordination, files };
}

/** Capacity and bottleneck recommendations from the store on disk; none without a store or declared keys. */
async function storeRecommendations(w: Exclude<ReturnType<typeof load>, number>, plan: { load?: number; months?: number }, values: ConfigValues): Promise<Recommendation[]> {
  const storePath = resolveStorePath(w.config, w.dir);
  if (!w.coordination.declared.length || !existsSync(storePath)) return [];
  const store = await TimeSeriesStore.open({ dir: storePath });
  try {
    const now = Date.now();
    const plans = planCapacity(store, w.config.components, now, plan);
    const predictions = predictLimits(store, w.config.components, now);
    return [...capacityRecommendations(plans, w.coordination.declared, values.get), ...bottleneckRecommendations(predictions, w.coordination.declared, values.get)];
  } finally {
    await store.close();
  }
}

export async function coordinateConflicts(opts: CoordinateOptions, out: Out, err: Out): Promise<number> {
  const plan: { load?: number; months?: number } = {};
  for (const k of ['load', 'months'] as const) {
    if (opts[k] === undefined) continue;
    const n = Number(opts[k]);
    if (!(n > 0)) {
      err(`alluse-perf: --${k} must be a positive number (got "${opts[k]}").`);
      return 2;
    }
    plan[k] = n;
  }
  const w = load(opts, err);
  if (typeof w === 'number') return w;
  const defs = studiesFromYaml(w.config.tuning.studies, w.dir);
  const values = new ConfigValues();
  const all = studyRecommendations(w.dir, defs);
  // The SLO guardrail: a re-measured recommendation that broke a component's SLO is not offered.
  const slos: Record<string, ComponentSlos> = Object.fromEntries(w.config.components.map((c) => [c.name, c.slos]));
  const names = w.config.components.map((c) => c.name);
  const verdicts = applyGuardrail(
    all.map((r) => {
      try {
        const s = JSON.parse(readFileSync(studyLogPath(w.dir, r.origin ?? '').replace(/\.jsonl$/, '.remeasure.json'), 'utf8')) as { result: { effects: { metric: string; medianCurrent: number; medianRecommended: number }[] } };
        const med = (k: 'medianCurrent' | 'medianRecommended') => Object.fromEntries(s.result.effects.map((e) => [e.metric, e[k]]));
        return { recommendation: r, measured: measurementFromMetrics(med('medianRecommended'), r.component, names), baseline: measurementFromMetrics(med('medianCurrent'), r.component, names) };
      } catch {
        return { recommendation: r };
      }
    }),
    slos,
  );
  const recs = [...verdicts.filter((v) => v.offered).map((v) => v.recommendation), ...(await storeRecommendations(w, plan, values))];
  const withheld = verdicts.filter((v) => !v.offered).map((v) => ({ recommendation: v.recommendation, reason: v.reason ?? '' }));
  if (opts.measure && !w.coordination.allocation) err('alluse-perf: --measure needs coordination.allocation (its trial command and objective) in alluse-perf.yaml; undecided conflicts stay unresolved.');
  const report = await coordinateRecommendations(w.coordination, recs, w.files, { measure: opts.measure === true, values });
  const unresolved = report.resolutions.filter((r) => r.method === 'unresolved').length;
  if (opts.json) {
    out(JSON.stringify({ ...report, withheld, problems: w.coordination.problems }));
    return unresolved ? 1 : 0;
  }
  const bySource = (s: string) => report.recommendations.filter((r) => r.source === s).length;
  const others = (['capacity', 'bottleneck'] as const).filter((s) => bySource(s)).map((s) => `, ${bySource(s)} from the ${s === 'capacity' ? 'capacity plan' : 'bottleneck predictions'}`).join('');
  out(`${bySource('study')} recommendation(s) from ${defs.length} stud${defs.length === 1 ? 'y' : 'ies'}${others}; ${report.conflicts.length} conflict(s), ${unresolved} unresolved; ${report.offered.length} offered.`);
  for (const r of report.resolutions) out(`\n[${r.method}] ${r.explanation}`);
  for (const x of withheld) out(`\n[withheld] ${x.recommendation.component} ${x.recommendation.key} -> ${String(x.recommendation.to)}: ${x.reason}`);
  if (report.offered.length) out(`\nOffered:\n${report.offered.map((r) => `  ${r.component} ${relative(w.dir, r.file)} ${r.key}: ${String(r.from)} -> ${String(r.to)} (${r.source}${r.origin ? ` ${r.origin}` : ''})`).join('\n')}`);
  return unresolved ? 1 : 0;
}

/** Writes the edits into their files (each file once, from the end so ranges stay valid). */
function writeEdits(edits: readonly ConfigEdit[]): void {
  const byFile = new Map<string, ConfigEdit[]>();
  for (const e of edits) if (e.range) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
  for (const [file, list] of byFile) writeFileSync(file, applyEdits(readFileSync(file, 'utf8'), list.map((e) => ({ range: e.range!, newText: e.text }))));
}

export async function coordinateAllocate(opts: CoordinateOptions, out: Out, err: Out): Promise<number> {
  const w = load(opts, err);
  if (typeof w === 'number') return w;
  const budget = opts.budget === undefined ? undefined : Number(opts.budget);
  if (budget !== undefined && !(Number.isInteger(budget) && budget >= 1)) {
    err(`alluse-perf: --budget must be a whole number of assignments, 1 or more (got "${opts.budget}").`);
    return 2;
  }
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  try {
    const result = await allocateWorkspace(w.coordination, w.files, {
      signal: abort.signal,
      budget,
      onEvaluation: (n, total, score) => {
        if (!opts.json) err(`assignment ${n} of ${total}${score !== undefined ? `: score ${Number(score.toPrecision(5))}` : ': not measured'}`);
      },
    });
    if (opts.apply) writeEdits(result.edits);
    if (opts.json) out(JSON.stringify({ ...result, applied: opts.apply === true && result.edits.length > 0 }));
    else {
      out(result.explanation);
      for (const e of result.edits) out(`  ${relative(w.dir, e.file)} ${e.key}: ${String(e.from)} -> ${String(e.to)}`);
      if (result.edits.length) out(opts.apply ? 'Applied.' : 'Run again with --apply to write these edits (or use "Allocate Resources…" in the editor).');
    }
    return 0;
  } catch (e) {
    err(`alluse-perf: ${(e as Error).message}`);
    return 1;
  } finally {
    process.off('SIGINT', stop);
  }
}
