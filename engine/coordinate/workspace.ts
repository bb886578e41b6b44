/**
 * Coordination over a real workspace: today's values of the configuration keys, the
 * recommendations the studies' logs hold, and a measurement that runs a trial command with
 * every component's configuration file (the combination or assignment written in) in one
 * folder. The server and the CLI both use it; the decisions are in conflicts.ts, resolve.ts
 * and allocation.ts.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument, isScalar } from 'yaml';
import { recommendationFor, recommendedTrial } from '../tune/recommendation';
import type { Effect } from '../tune/remeasure';
import type { StudyTrial } from '../tune/study';
import type { StudyDefinition } from '../tune/studyConfig';
import { parseStudyLog, resumeState, studyLogPath } from '../tune/studyLog';
import { writeTrialConfig } from '../tune/trialConfigFile';
import { flattenMetrics, lastJsonLine, substituteArg } from '../tune/trialRunner';
import { runProcess } from '../tune/trialProcess';
import { constraintValues, type ParamValue, type Params } from '../tune/types';
import { allocate } from './allocation';
import { sameKeyConflicts, sharedResourceConflicts } from './conflicts';
import type { AllocationStudy, Coordination } from './config';
import { offered, resolveConflicts } from './resolve';
import type { AllocationResult, AllocationVariable, CombinationMeasurement, Conflict, Recommendation, Resolution } from './types';

/** Reads scalar values of YAML/JSON configuration files by dotted key; each file is read once. */
export class ConfigValues {
  private readonly docs = new Map<string, ReturnType<typeof parseDocument> | null>();

  constructor(private readonly readText: (file: string) => string | undefined = (f) => (existsSync(f) ? readFileSync(f, 'utf8') : undefined)) {}

  text(file: string): string | undefined {
    return this.readText(file);
  }

  get = (file: string, key: string): ParamValue | undefined => {
    if (!this.docs.has(file)) {
      const t = this.readText(file);
      this.docs.set(file, t === undefined ? null : parseDocument(t)); // JSON is YAML
    }
    const doc = this.docs.get(file);
    const node = doc?.getIn(key.split('.'), true);
    const v = isScalar(node) ? node.value : undefined;
    return typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' ? v : undefined;
  };
}

function studyTrials(path: string): StudyTrial[] {
  if (!existsSync(path)) return [];
  const { records } = parseStudyLog(readFileSync(path, 'utf8'));
  return resumeState(records.slice(1)).finished.map((t) => ({ ...t, params: t.params ?? {} })) as StudyTrial[];
}

/** Each study's recommendation (best feasible trial in its log) as one recommendation per changed key, with its re-measured effects. */
export function studyRecommendations(workspaceDir: string, defs: readonly StudyDefinition[]): Recommendation[] {
  const out: Recommendation[] = [];
  for (const def of defs) {
    if (!def.configFile || !def.component || !existsSync(def.configFile)) continue;
    const rec = recommendedTrial(studyTrials(studyLogPath(workspaceDir, def.name)), def);
    if (!rec) continue;
    let effects: Effect[] | undefined;
    const rp = studyLogPath(workspaceDir, def.name).replace(/\.jsonl$/, '.remeasure.json');
    try {
      const stored = JSON.parse(readFileSync(rp, 'utf8')) as { params: Params; result: { effects: Effect[] } };
      if (JSON.stringify(stored.params) === JSON.stringify(rec.params)) effects = stored.result.effects;
    } catch {
      /* not re-measured */
    }
    const { changes } = recommendationFor(readFileSync(def.configFile, 'utf8'), rec.params, def.keys);
    for (const c of changes) {
      out.push({
        id: `study:${def.name}:${c.key}`,
        source: 'study',
        origin: def.name,
        component: def.component,
        file: def.configFile,
        key: c.key,
        ...(c.oldValue !== undefined ? { from: c.oldValue } : {}),
        to: c.newValue,
        ...(effects ? { measured: effects.map((e) => ({ metric: e.metric, relative: e.improvement, low: e.ci95[0], high: e.ci95[1], higherIsBetter: e.direction === 'maximize' })) } : {}),
        reason: `best feasible trial #${rec.trial} of study "${def.name}"`,
      });
    }
  }
  return out;
}

/** Component name -> its configuration files (absolute). */
export type ComponentFiles = Readonly<Record<string, readonly string[]>>;

/**
 * Runs the allocation study's trial command once with `edits` (file -> key -> value) written
 * into copies of every component's configuration files, all in one folder (`${trialConfigDir}`).
 * Score: the objective (negated when minimized); feasible when every constraint holds.
 */
export async function measureFiles(study: AllocationStudy, files: ComponentFiles, edits: ReadonlyMap<string, Readonly<Record<string, ParamValue>>>, signal?: AbortSignal): Promise<CombinationMeasurement> {
  const dir = mkdtempSync(join(tmpdir(), 'alluse-coordinate-'));
  try {
    for (const file of new Set(Object.values(files).flat())) {
      if (!existsSync(file)) return { feasible: false, reason: `configuration file ${file} does not exist` };
      const kv = edits.get(file) ?? {};
      writeTrialConfig(file, dir, { ...kv }, Object.fromEntries(Object.keys(kv).map((k) => [k, k])));
    }
    const params: Params = {};
    for (const [file, kv] of edits) for (const [k, v] of Object.entries(kv)) params[`${file.split('/').pop()}:${k}`] = v;
    const vars = { '${trialConfigDir}': dir, '{params}': JSON.stringify(params) };
    const run = await runProcess(study.trial.command, study.trial.args.map((a) => substituteArg(a, vars)), {
      cwd: study.trial.cwd,
      env: { ...process.env, ...study.trial.env, ALLUSE_TRIAL_CONFIG_DIR: dir, ALLUSE_PARAMS: JSON.stringify(params) },
      timeoutMs: study.trial.timeoutMs,
      signal,
    });
    if (run.cancelled) return { feasible: false, reason: 'cancelled' };
    if (run.spawnError) return { feasible: false, reason: `the trial command could not start: ${run.spawnError}` };
    if (run.timedOut) return { feasible: false, reason: `timed out after ${Math.round(study.trial.timeoutMs / 1000)} s (coordination.allocation.trial.timeout)` };
    if (run.code !== 0) return { feasible: false, reason: `the trial command exited with code ${run.code}: ${run.stderrTail.trim().split('\n').slice(-2).join(' | ')}` };
    const line = lastJsonLine(run.stdout);
    if (!line) return { feasible: false, reason: 'the trial command printed no JSON object line on stdout' };
    const metrics = flattenMetrics(line);
    const v = metrics[study.objective.name];
    if (v === undefined) return { feasible: false, metrics, reason: `the result has no "${study.objective.name}"` };
    const cv = constraintValues(metrics, study.constraints);
    const broken = study.constraints.filter((_, i) => cv[i] > 0).map((c) => `${c.metric} ${c.op} ${c.bound} (measured ${metrics[c.metric] ?? 'nothing'})`);
    return { score: study.objective.direction === 'maximize' ? v : -v, feasible: !broken.length, metrics, ...(broken.length ? { reason: `broke ${broken.join(', ')}` } : {}) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Recommendations as file -> key -> value edits. */
export function editsOf(recs: readonly Recommendation[]): Map<string, Record<string, ParamValue>> {
  const m = new Map<string, Record<string, ParamValue>>();
  for (const r of recs) m.set(r.file, { ...(m.get(r.file) ?? {}), [r.key]: r.to });
  return m;
}

export interface CoordinationReport {
  recommendations: Recommendation[];
  conflicts: Conflict[];
  resolutions: Resolution[];
  offered: Recommendation[];
}

/** Finds and settles the conflicts; measures undecided ones when `measure` is true and an allocation study is configured. */
export async function coordinateRecommendations(c: Coordination, recs: readonly Recommendation[], files: ComponentFiles, o: { measure?: boolean; values?: ConfigValues; signal?: AbortSignal } = {}): Promise<CoordinationReport> {
  const values = o.values ?? new ConfigValues();
  const study = c.allocation;
  const options = {
    rules: c.priorities,
    declarations: c.resources,
    current: values.get,
    signal: o.signal,
    ...(o.measure && study ? { measure: (combo: readonly Recommendation[], signal?: AbortSignal) => measureFiles(study, files, editsOf(combo), signal) } : {}),
  };
  // Same keys first: the shared resources are then checked with the values that survived.
  const sameKey = sameKeyConflicts(recs);
  const first = await resolveConflicts(sameKey, options);
  const survivors = offered(recs, first);
  const shared = sharedResourceConflicts(survivors, c.resources, c.totalList, values.get);
  const second = await resolveConflicts(shared, options);
  const resolutions = [...first, ...second];
  return { recommendations: [...recs], conflicts: [...sameKey, ...shared], resolutions, offered: offered(recs, resolutions) };
}

/** The allocation variables from `coordination.resources`, bounded by min/max and the resource's total. */
export function allocationVariables(c: Coordination, values: ConfigValues): AllocationVariable[] {
  return c.resources.map((r) => {
    const total = c.totalList.find((t) => t.resource === r.resource)?.total ?? r.min * r.per;
    const cur = values.get(r.file, r.key);
    const max = Math.max(r.min, r.max ?? Math.floor(total / r.per));
    return { component: r.component, file: r.file, key: r.key, resource: r.resource, per: r.per, min: r.min, max, integer: typeof cur !== 'number' || Number.isInteger(cur), ...(typeof cur === 'number' ? { current: cur } : {}) };
  });
}

/** Runs the allocation study of `coordination.allocation` on the workspace. */
export async function allocateWorkspace(c: Coordination, files: ComponentFiles, o: { values?: ConfigValues; signal?: AbortSignal; budget?: number; onEvaluation?: (n: number, total: number, score?: number) => void } = {}): Promise<AllocationResult> {
  const study = c.allocation;
  if (!study) throw new Error('No coordination.allocation in alluse-perf.yaml: give the objective and the trial command that measures an assignment (see docs/configuration.md).');
  const values = o.values ?? new ConfigValues();
  const variables = allocationVariables(c, values);
  const budget = o.budget ?? study.budget;
  return allocate({
    variables,
    totals: c.totalList,
    budget,
    seed: study.seed,
    algorithm: study.algorithm,
    signal: o.signal,
    readText: (f) => values.text(f) ?? '',
    objective: (assignment, signal) => {
      const edits = new Map<string, Record<string, ParamValue>>();
      for (const v of variables) edits.set(v.file, { ...(edits.get(v.file) ?? {}), [v.key]: assignment[`${v.component}/${v.key}`] });
      return measureFiles(study, files, edits, signal);
    },
    onEvaluation: (n, _v, m) => o.onEvaluation?.(n, budget + 1, m.score),
  });
}
