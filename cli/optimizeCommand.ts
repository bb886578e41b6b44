/**
 * `alluse-perf optimize`: runs a tuning study, either one of the workspace's
 * `tuning.studies` or (generic mode) any command over a JSON search space. The study's log
 * (`.alluse-perf/studies/<name>.jsonl`) makes a second run of the same command resume.
 *
 * Output: a progress bar on a terminal (stderr) and a summary on stdout; with --json one
 * line per trial {"trial","params","values","state",...} and a last line {"best": ...} or
 * {"pareto": [...]}. Exit codes: 0 a best (or Pareto front) was found, 1 no trial was
 * feasible, 2 the study could not start (usage, configuration), 130 stopped by Ctrl-C.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runStudy, type StudyEvent, type StudyResult, type StudyTrial } from '../engine/tune/study';
import { definitionHash, durationMs, genericStudy, parseConstraint, parseObjectiveFlag, spaceFromJson, StudyConfigError, studiesFromYaml, type StudyDefinition } from '../engine/tune/studyConfig';
import { StudyLog, studyLogPath } from '../engine/tune/studyLog';
import { createSampler } from '../engine/tune/samplerRegistry';
import { splitCommandLine } from '../engine/tune/trialCommandLine';
import { runTrial } from '../engine/tune/trialRunner';
import type { Params, Sampler } from '../engine/tune/types';
import { resolveStorePath } from '../engine/monitor/createMonitor';
import { TimeSeriesStore } from '../engine/store/index';
import { monitorReader, type MonitorReader } from '../engine/tune/trialMonitorMetrics';
import { loadWorkspaceConfig } from './workspaceFile';

export interface OptimizeOptions {
  workspace: string;
  study?: string;
  budget?: string;
  time?: string;
  algorithm?: string;
  seed?: string;
  concurrency?: string;
  timeout?: string;
  json: boolean;
  fresh: boolean;
  space?: string;
  command?: string;
  objective: string[];
  constraint: string[];
}

type Out = (s: string) => void;

class UsageError extends Error {}

function intFlag(v: string | undefined, flag: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v.trim()) || Number(v) < min) throw new UsageError(`${flag} must be a whole number of at least ${min}, not "${v}".`);
  return Number(v);
}

/** The study to run: from the workspace, or the generic mode's flags. */
function definitionFrom(o: OptimizeOptions, err: Out): { def: StudyDefinition; dir: string; storePath?: string } | number {
  const budget = intFlag(o.budget, '--budget', 1);
  const seed = intFlag(o.seed, '--seed', 0);
  const concurrency = intFlag(o.concurrency, '--concurrency', 1);
  const timeMs = durationMs(o.time, '--time', 60_000);
  const timeoutMs = durationMs(o.timeout, '--timeout', 1000);
  const generic = o.space !== undefined || o.command !== undefined;
  const dir = resolve(o.workspace);
  if (generic) {
    if (o.space === undefined) throw new UsageError('--command needs --space SPACE.json (the parameters: {"x": {"type": "float", "low": 0, "high": 1}}).');
    if (o.command === undefined) throw new UsageError('--space needs --command "PROGRAM ARGS" (the command that measures one point; {params} is replaced by the parameters as JSON).');
    if (!o.objective.length) throw new UsageError('give at least one --objective NAME:min|max (a key of the JSON object the command prints last).');
    let spaceJson: unknown;
    try {
      spaceJson = JSON.parse(readFileSync(o.space, 'utf8'));
    } catch (e) {
      throw new UsageError(`cannot read the search space ${o.space}: ${(e as Error).message}`);
    }
    const name = o.study ?? 'optimize';
    const def = genericStudy({
      name,
      space: spaceFromJson(spaceJson, o.space),
      argv: splitCommandLine(o.command),
      cwd: process.cwd(),
      objectives: o.objective.map(parseObjectiveFlag),
      constraints: o.constraint.map((c) => parseConstraint(c, '--constraint')),
      trials: budget ?? 30,
      timeMs,
      timeoutMs,
      concurrency,
      algorithm: o.algorithm ?? 'random',
      seed: seed ?? 0,
    });
    return { def, dir };
  }
  if (o.objective.length || o.constraint.length) throw new UsageError('--objective and --constraint belong to the generic mode (with --space and --command); a workspace study takes them from alluse-perf.yaml.');
  const loaded = loadWorkspaceConfig(o.workspace, err);
  if (typeof loaded === 'number') return loaded;
  const studies = studiesFromYaml(loaded.config.tuning.studies, loaded.dir);
  if (!studies.length) throw new UsageError(`alluse-perf.yaml in ${loaded.dir} has no tuning.studies. Add one (see docs/configuration.md) or use the generic mode: --space SPACE.json --command "..." --objective NAME:min.`);
  let def: StudyDefinition | undefined;
  if (o.study === undefined) {
    if (studies.length > 1) throw new UsageError(`the workspace has ${studies.length} studies; choose one with --study NAME (${studies.map((s) => s.name).join(', ')}).`);
    def = studies[0];
  } else {
    def = studies.find((s) => s.name === o.study);
    if (!def) throw new UsageError(`no study named "${o.study}" in ${loaded.dir}/alluse-perf.yaml (studies: ${studies.map((s) => s.name).join(', ')}).`);
  }
  def = {
    ...def,
    budget: { trials: budget ?? def.budget.trials, timeMs: timeMs ?? def.budget.timeMs },
    concurrency: concurrency ?? def.concurrency,
    algorithm: o.algorithm ?? def.algorithm,
    seed: seed ?? def.seed,
    trial: { ...def.trial, timeoutMs: timeoutMs ?? def.trial.timeoutMs },
  };
  if (def.configFile && !existsSync(def.configFile)) throw new UsageError(`the configuration file ${def.configFile} of study "${def.name}" does not exist; fix configFile in alluse-perf.yaml.`);
  return { def, dir: loaded.dir, storePath: resolveStorePath(loaded.config, loaded.dir) };
}

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : Math.abs(v) >= 100 ? v.toFixed(1) : Math.abs(v) >= 1 ? v.toFixed(3) : v.toPrecision(3));
const fmtParams = (p: Params) => Object.entries(p).map(([k, v]) => `${k}=${typeof v === 'number' ? fmt(v) : String(v)}`).join(' ');
const valuesObject = (def: StudyDefinition, t: StudyTrial) => (t.values ? Object.fromEntries(def.objectives.map((o, i) => [o.name, t.values![i]])) : null);

function trialJson(def: StudyDefinition, t: StudyTrial, resumed: boolean): Record<string, unknown> {
  return {
    trial: t.trial,
    params: t.params,
    values: valuesObject(def, t),
    state: t.state,
    feasible: t.feasible,
    ...(def.constraints.length && t.constraints ? { constraints: Object.fromEntries(def.constraints.map((c, i) => [`${c.metric} ${c.op} ${c.bound}`, t.constraints![i]])) } : {}),
    ...(t.spread ? { spread: t.spread } : {}),
    ...(t.reason ? { reason: t.reason } : {}),
    durationMs: t.durationMs,
    ...(resumed ? { resumed: true } : {}),
  };
}

function resultJson(def: StudyDefinition, r: StudyResult, logPath: string): Record<string, unknown> {
  const point = (t: StudyTrial) => ({ trial: t.trial, params: t.params, values: valuesObject(def, t) });
  const common = {
    study: def.name,
    stoppedBy: r.stoppedBy,
    trials: r.trials.length,
    failed: r.trials.filter((t) => t.state === 'failed').length,
    infeasible: r.trials.filter((t) => t.state === 'complete' && !t.feasible).length,
    cancelled: r.cancelled.length,
    log: logPath,
  };
  return def.objectives.length === 1 ? { best: r.best ? point(r.best) : null, ...common } : { pareto: r.pareto.map(point), ...common };
}

const STOP_TEXT: Record<StudyResult['stoppedBy'], string> = {
  'budget-trials': 'the trial budget is used',
  'budget-time': 'the time budget is used',
  cancelled: 'stopped by the user',
  exhausted: 'the sampler has no more points',
};

/** The progress bar on a terminal: one line on stderr, redrawn. */
class ProgressBar {
  private running = 0;
  private line = '';
  /** The best-so-far text, kept between trial ends. */
  private last = '';
  constructor(
    private readonly write: (s: string) => void,
    private readonly def: StudyDefinition,
  ) {}
  update(e: StudyEvent, finished: number): void {
    if (e.type === 'trial-started') this.running++;
    else this.running = Math.max(0, this.running - 1);
    const budget = this.def.budget.trials;
    const width = 24;
    const filled = Math.round((Math.min(finished, budget) / budget) * width);
    let best = '';
    if (e.type === 'trial-finished') {
      const b = e.best;
      if (b?.values) best = `  best #${b.trial}: ${this.def.objectives.map((o, i) => `${o.name}=${fmt(b.values![i])}`).join(' ')}`;
      else if (e.pareto.length) best = `  Pareto front: ${e.pareto.length} point(s)`;
      this.last = best;
    } else best = this.last;
    this.line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${finished}/${budget} trials, ${this.running} running${best}`;
    this.write(`\r\x1b[K${this.line.slice(0, (process.stderr.columns ?? 120) - 1)}`);
  }
  clear(): void {
    if (this.line) this.write('\r\x1b[K');
  }
}

/** Why there is no best point, and what to try. */
function noResultText(def: StudyDefinition, r: StudyResult): string {
  const complete = r.trials.filter((t) => t.state === 'complete');
  if (!complete.length) return r.trials.length ? 'No trial completed: see the failure reasons above (trial.timeout, the command\'s exit code and stderr, the objective names it prints).' : 'No trial finished.';
  const closest = def.constraints.map((c, i) => {
    const v = complete.map((t) => t.constraints?.[i]).filter((x): x is number => x !== undefined).reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
    return `${c.metric} ${c.op} ${c.bound} (closest seen: ${Number.isFinite(v) ? fmt(c.op === '<=' || c.op === '<' ? c.bound + v : c.bound - v) : 'never measured'})`;
  });
  return `No trial met the constraints ${closest.join(', ')}. Widen the constraints or the search space, or raise the budget.`;
}

export async function optimizeCommand(o: OptimizeOptions, out: Out, err: Out, io: { isTTY: boolean; writeErr: (s: string) => void; signal?: AbortSignal }): Promise<number> {
  let def: StudyDefinition;
  let dir: string;
  let storePath: string | undefined;
  let sampler: Sampler;
  try {
    const d = definitionFrom(o, err);
    if (typeof d === 'number') return d;
    ({ def, dir, storePath } = d);
    sampler = createSampler(def.algorithm, { space: def.space, objectives: def.objectives.length, constraints: def.constraints.length, seed: def.seed, budget: def.budget.trials });
  } catch (e) {
    // Usage, configuration, command-line and unknown-algorithm errors: each message says what to change.
    err(`alluse-perf optimize: ${(e as Error).message}`);
    return 2;
  }
  // objectiveSource: monitor reads the running monitor's store, read-only beside its writer.
  let store: TimeSeriesStore | undefined;
  let readMonitor: MonitorReader | undefined;
  if (def.objectiveSource === 'monitor' && storePath) {
    store = await TimeSeriesStore.open({ dir: storePath, refreshIntervalMs: 0 });
    if (!store.readOnly) {
      await store.close();
      err(`alluse-perf optimize: study "${def.name}" reads its objectives from the monitor (objectiveSource: monitor), but no monitor is writing to ${storePath}. Start one (alluse-perf monitor --workspace ${dir}, or open the workspace in the editor), then run optimize again.`);
      return 2;
    }
    readMonitor = monitorReader(store, { component: def.component! });
  }
  const hash = definitionHash(def, def.configFile ? readFileSync(def.configFile, 'utf8') : undefined);
  const logPath = studyLogPath(dir, def.name);
  const { log, state } = StudyLog.open(logPath, def.name, hash, { ...def, trial: { ...def.trial, env: Object.keys(def.trial.env) } }, { fresh: o.fresh });
  for (const n of state.notes) err(n);
  err(`Study "${def.name}": ${Object.keys(def.space).length} parameter(s), ${def.objectives.map((x) => `${x.direction} ${x.name}`).join(', ')}${def.constraints.length ? `, subject to ${def.constraints.map((c) => `${c.metric} ${c.op} ${c.bound}`).join(', ')}` : ''}; budget ${def.budget.trials} trials${def.budget.timeMs ? ` or ${Math.round(def.budget.timeMs / 1000)} s` : ''}, ${def.concurrency} at a time, ${def.repeats} repeat(s) each. Algorithm ${sampler.name}: ${sampler.explain()}`);

  const bar = !o.json && io.isTTY ? new ProgressBar(io.writeErr, def) : undefined;
  if (o.json) for (const t of state.finished) out(JSON.stringify(trialJson(def, t, true)));
  let finished = state.finished.length;
  const onEvent = (e: StudyEvent) => {
    if (e.type === 'trial-finished') finished = e.finished;
    if (o.json) {
      if (e.type === 'trial-finished') out(JSON.stringify(trialJson(def, e.record, false)));
      else if (e.type === 'trial-cancelled') out(JSON.stringify({ trial: e.trial, params: e.params, values: null, state: 'cancelled' }));
    } else if (bar) {
      if (e.type === 'trial-finished' && e.record.state === 'failed') {
        bar.clear();
        err(`trial #${e.record.trial} failed: ${e.record.reason}`);
      }
      bar.update(e, finished);
    } else if (e.type === 'trial-finished') {
      const t = e.record;
      err(`trial #${t.trial} ${t.state}${t.state === 'complete' && !t.feasible ? ' (infeasible)' : ''}: ${fmtParams(t.params)}${t.values ? ` -> ${def.objectives.map((x, i) => `${x.name}=${fmt(t.values![i])}`).join(' ')}` : ''}${t.reason ? ` (${t.reason})` : ''}`);
    }
  };

  let result: StudyResult;
  try {
    result = await runStudy(def, {
      sampler,
      runTrial: (params, n, signal) => runTrial(def, params, { trialNumber: n, signal, readMonitor }),
      log,
      resume: state,
      signal: io.signal,
      onEvent,
    });
  } catch (e) {
    bar?.clear();
    err(`alluse-perf optimize: the study stopped: ${(e as Error).message}. Its log ${logPath} is kept; run the same command again to resume.`);
    return 2;
  } finally {
    log.close();
    await store?.close();
  }
  bar?.clear();

  if (o.json) out(JSON.stringify(resultJson(def, result, logPath)));
  else {
    const failed = result.trials.filter((t) => t.state === 'failed').length;
    const infeasible = result.trials.filter((t) => t.state === 'complete' && !t.feasible).length;
    out(`Study "${def.name}": ${result.trials.length} trial(s) (${failed} failed, ${infeasible} infeasible); stopped because ${STOP_TEXT[result.stoppedBy]}.`);
    const show = (t: StudyTrial) => `  #${t.trial}: ${def.objectives.map((x, i) => `${x.name}=${fmt(t.values![i])}`).join(' ')}  <-  ${fmtParams(t.params)}`;
    const none = noResultText(def, result);
    if (def.objectives.length === 1) out(result.best ? `Best:\n${show(result.best)}` : none);
    else out(result.pareto.length ? `Pareto front (${result.pareto.length} point(s), no one better in every objective):\n${result.pareto.map(show).join('\n')}` : none);
    out(`Log: ${logPath}${result.stoppedBy !== 'budget-trials' && result.stoppedBy !== 'exhausted' ? ' (run the same command again to resume)' : ''}`);
  }
  if (result.stoppedBy === 'cancelled') return 130;
  return (def.objectives.length === 1 ? result.best : result.pareto.length) ? 0 : 1;
}
