/**
 * Tuning studies in the editor: runs a workspace study (the same loop, trial runner and log
 * as `alluse-perf optimize`, so the CLI and the editor continue each other's studies),
 * re-measures its recommendation against the current configuration file, builds the study
 * view's data, and shows each recommended change as an information diagnostic on the key
 * in the component's configuration file with a quick fix (a text edit on the value's exact
 * range: comments and formatting stay). A thin adapter: the analysis is in engine/tune.
 *
 * Nothing runs unless the client says the workspace is trusted.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CodeAction, CodeActionKind, DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import { workspaceConfigFrom } from '../../engine/workspace/config';
import { paramImportance } from '../../engine/tune/importance';
import { createSampler } from '../../engine/tune/index';
import { changeMessage, recommendationFor, recommendedTrial, type KeyChange } from '../../engine/tune/recommendation';
import { remeasure, type RemeasureResult } from '../../engine/tune/remeasure';
import { runStudy, type StudyTrial } from '../../engine/tune/study';
import { definitionHash, studiesFromYaml, type StudyDefinition } from '../../engine/tune/studyConfig';
import { parseStudyLog, resumeState, StudyLog, studyLogPath } from '../../engine/tune/studyLog';
import { bestTrial, paretoFront } from '../../engine/tune/studyResult';
import { runTrial } from '../../engine/tune/trialRunner';
import type { Params } from '../../engine/tune/types';
import type { Scheduler } from '../../engine/coordinate/scheduler';
import { applyGuardrail, measurementFromMetrics } from '../../engine/coordinate/guardrail';
import type { JobProgress } from '../../engine/coordinate/types';
import {
  TUNING_RECOMMENDATION_CODE,
  type StudyCodeActionsRequest,
  type StudyEditsRequest,
  type StudyInfo,
  type StudyPhase,
  type StudyProgressNotification,
  type StudyViewData,
} from '../../protocol/index';
import type { CachedAnalysis } from './workspaceDocuments';

export interface StudyServiceHooks {
  analysis(uri: string): CachedAnalysis | undefined;
  progress(p: StudyProgressNotification.Params): void;
  diagnostics(uri: string, diagnostics: Diagnostic[]): void;
  error(message: string): void;
  /** The coordination job queue; without it a study starts at once. */
  scheduler?: Scheduler;
  /** Cores a job of this many concurrent trials takes from the trial CPU budget. */
  jobCpu?(trials: number): number;
}

interface Work {
  phase: Exclude<StudyPhase, 'idle'>;
  abort: AbortController;
  done: number;
  total: number;
  message: string;
  /** The coordination queue's job, when the study went through it. */
  jobId?: string;
}

/** What is kept of a re-measurement: `.alluse-perf/studies/<name>.remeasure.json`. */
interface StoredRemeasure {
  trial: number;
  params: Params;
  result: RemeasureResult;
  at: string;
}

const key = (uri: string, study: string) => `${uri}\u0000${study}`;

function logTrials(path: string): StudyTrial[] {
  if (!existsSync(path)) return [];
  const { records } = parseStudyLog(readFileSync(path, 'utf8'));
  return resumeState(records.slice(1)).finished.map((t) => ({ ...t, params: t.params ?? {} })) as StudyTrial[];
}

export class StudyService {
  private readonly work = new Map<string, Work>();
  /** Configuration file URI -> the changes shown on it, per study. */
  private readonly shown = new Map<string, Map<string, { changes: KeyChange[]; study: string }>>();
  private importanceCache: { stamp: string; value: StudyViewData['importance'] } | undefined;

  constructor(private readonly hooks: StudyServiceHooks) {}

  private definitions(uri: string): { defs: StudyDefinition[]; dir: string } | string {
    const cached = this.hooks.analysis(uri);
    if (!cached?.analysis.doc) return 'Open alluse-perf.yaml first: the studies are read from it.';
    if (!uri.startsWith('file:')) return 'Tuning needs a workspace file on the local disk.';
    const errors = cached.analysis.findings.filter((f) => f.severity === 'error').length;
    if (errors) return `alluse-perf.yaml has ${errors} error(s); fix them (see the Problems panel) to run its studies.`;
    const dir = dirname(fileURLToPath(uri));
    try {
      return { defs: studiesFromYaml(workspaceConfigFrom(cached.analysis.doc).tuning.studies, dir), dir };
    } catch (e) {
      return (e as Error).message;
    }
  }

  private find(uri: string, study: string): { def: StudyDefinition; dir: string } | string {
    const d = this.definitions(uri);
    if (typeof d === 'string') return d;
    const def = d.defs.find((s) => s.name === study);
    return def ? { def, dir: d.dir } : `No study named "${study}" in alluse-perf.yaml (studies: ${d.defs.map((s) => s.name).join(', ') || 'none'}).`;
  }

  list(uri: string): { studies: StudyInfo[]; message?: string } {
    const d = this.definitions(uri);
    if (typeof d === 'string') return { studies: [], message: d };
    const studies = d.defs.map((def) => ({
      name: def.name,
      component: def.component,
      configFile: def.configFile,
      parameters: Object.keys(def.space),
      objectives: def.objectives,
      constraints: def.constraints.map((c) => `${c.metric} ${c.op} ${c.bound}`),
      budget: def.budget.trials,
      finished: logTrials(studyLogPath(d.dir, def.name)).length,
      running: this.work.has(key(uri, def.name)),
    }));
    this.refreshDiagnostics(uri);
    return { studies, ...(studies.length ? {} : { message: 'alluse-perf.yaml has no tuning.studies; add one (see docs/tuning.md).' }) };
  }

  private progress(uri: string, study: string, w: Work | undefined, ended?: StudyProgressNotification.Params['ended'], message?: string): void {
    this.hooks.progress({ uri, study, phase: w?.phase ?? 'idle', done: w?.done ?? 0, total: w?.total ?? 0, message: message ?? w?.message ?? '', ...(ended ? { ended } : {}) });
  }

  run(uri: string, study: string, trusted: boolean, budget?: number, force?: boolean): { started: boolean; message: string } {
    if (!trusted) return { started: false, message: 'This workspace is not trusted: a study runs its trial command, so it needs a trusted workspace. Trust the folder (Manage Workspace Trust) and run the study again.' };
    const f = this.find(uri, study);
    if (typeof f === 'string') return { started: false, message: f };
    if (this.work.has(key(uri, study))) return { started: false, message: `Study "${study}" is already running; cancel it first.` };
    let def = f.def;
    if (budget) def = { ...def, budget: { ...def.budget, trials: budget } };
    if (def.objectiveSource === 'monitor') return { started: false, message: `Study "${study}" reads its objectives from the monitor's store (objectiveSource: monitor); run it with \`alluse-perf optimize --workspace ${f.dir} --study ${study}\` beside a running monitor.` };
    if (def.configFile && !existsSync(def.configFile)) return { started: false, message: `The configuration file ${def.configFile} of study "${study}" does not exist; fix configFile in alluse-perf.yaml.` };
    let sampler;
    try {
      sampler = createSampler(def.algorithm, { space: def.space, objectives: def.objectives.length, constraints: def.constraints.length, seed: def.seed, budget: def.budget.trials });
    } catch (e) {
      return { started: false, message: (e as Error).message };
    }
    const w: Work = { phase: 'running', abort: new AbortController(), done: 0, total: def.budget.trials, message: `Study "${study}" queued.` };
    this.work.set(key(uri, study), w);
    const fmt = (t: StudyTrial) => (t.values ? def.objectives.map((o, i) => `${o.name}=${Number(t.values![i].toPrecision(4))}`).join(' ') : t.reason ?? t.state);
    const start = (report?: (p: JobProgress) => void): Promise<void> => {
      const hash = definitionHash(def, def.configFile ? readFileSync(def.configFile, 'utf8') : undefined);
      const { log, state } = StudyLog.open(studyLogPath(f.dir, def.name), def.name, hash, { ...def, trial: { ...def.trial, env: Object.keys(def.trial.env) } });
      w.done = state.finished.length;
      w.message = state.notes.join(' ') || `Study "${study}" started.`;
      const tell = () => {
        this.progress(uri, study, w);
        report?.({ done: w.done, total: w.total, message: w.message });
      };
      tell();
      return runStudy(def, {
        sampler,
        runTrial: (params, n, signal) => runTrial(def, params, { trialNumber: n, signal }),
        log,
        resume: state,
        signal: w.abort.signal,
        onEvent: (e) => {
          if (e.type === 'trial-started') w.message = `Trial #${e.trial} running: ${Object.entries(e.params).map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toPrecision(4)) : v}`).join(' ')}`;
          else if (e.type === 'trial-finished') {
            w.done = e.finished;
            w.message = `Trial #${e.record.trial} ${e.record.state}${e.record.state === 'complete' && !e.record.feasible ? ' (infeasible)' : ''}: ${fmt(e.record)}`;
          } else w.message = `Trial #${e.trial} cancelled.`;
          tell();
        },
      })
        .then((r) => {
          this.work.delete(key(uri, study));
          const rec = recommendedTrial(r.trials, def);
          const ended = r.stoppedBy === 'cancelled' ? 'cancelled' : 'finished';
          this.refreshDiagnostics(uri);
          this.progress(uri, study, undefined, ended, `Study "${study}" ${ended === 'cancelled' ? 'cancelled' : 'finished'} after ${r.trials.length} trial(s)${rec ? `; recommended: trial #${rec.trial} (${fmt(rec)})` : '; no feasible trial'}.`);
        })
        .catch((e: unknown) => {
          this.work.delete(key(uri, study));
          this.hooks.error(`Study ${study} failed: ${(e as Error).stack ?? String(e)}`);
          this.progress(uri, study, undefined, 'failed', `Study "${study}" stopped: ${(e as Error).message}. Its log is kept; run it again to resume.`);
        })
        .finally(() => log.close());
    };
    const scheduler = this.hooks.scheduler;
    if (!scheduler) {
      void start();
      return { started: true, message: w.message };
    }
    // Through the one job queue: one study per component, the trial budgets, no start during an alert unless forced.
    const job = scheduler.submit({ kind: 'study', component: def.component ?? study, label: `Study ${study}`, trials: def.concurrency, cpuCores: this.hooks.jobCpu?.(def.concurrency) ?? def.concurrency, ...(force ? { force: true } : {}) }, (_job, ctx) => {
      if (ctx.signal.aborted) w.abort.abort();
      ctx.signal.addEventListener('abort', () => w.abort.abort());
      return start(ctx.progress);
    });
    w.jobId = job.id;
    if (job.state === 'running') return { started: true, message: w.message };
    w.message = `Study "${study}" queued: ${job.reason ?? 'waiting for its turn'}.`;
    this.progress(uri, study, w);
    return { started: true, message: w.message };
  }

  cancel(uri: string, study: string): boolean {
    const w = this.work.get(key(uri, study));
    const job = w?.jobId ? this.hooks.scheduler?.job(w.jobId) : undefined;
    if (w && job && (job.state === 'queued' || job.state === 'held')) {
      // Never started: nothing to stop, it leaves the queue.
      this.hooks.scheduler!.cancel(job.id);
      this.work.delete(key(uri, study));
      this.progress(uri, study, undefined, 'cancelled', `${w.phase === 'remeasuring' ? 'The re-measurement of' : 'Study'} "${study}" cancelled before it started.`);
      return true;
    }
    w?.abort.abort();
    return !!w;
  }

  cancelAll(): void {
    for (const w of this.work.values()) w.abort.abort();
  }

  private remeasurePath(dir: string, study: string): string {
    return studyLogPath(dir, study).replace(/\.jsonl$/, '.remeasure.json');
  }

  private storedRemeasure(dir: string, study: string, rec: StudyTrial | undefined): StoredRemeasure | undefined {
    const p = this.remeasurePath(dir, study);
    if (!rec || !existsSync(p)) return undefined;
    try {
      const s = JSON.parse(readFileSync(p, 'utf8')) as StoredRemeasure;
      // Only for the current recommendation.
      return JSON.stringify(s.params) === JSON.stringify(rec.params) ? s : undefined;
    } catch {
      return undefined;
    }
  }

  remeasure(uri: string, study: string, trusted: boolean, pairs = 5): { started: boolean; message: string } {
    if (!trusted) return { started: false, message: 'This workspace is not trusted: re-measuring runs the trial command, so it needs a trusted workspace. Trust the folder (Manage Workspace Trust) and try again.' };
    const f = this.find(uri, study);
    if (typeof f === 'string') return { started: false, message: f };
    if (this.work.has(key(uri, study))) return { started: false, message: `Study "${study}" is busy; cancel it first.` };
    const rec = recommendedTrial(logTrials(studyLogPath(f.dir, study)), f.def);
    if (!rec) return { started: false, message: `Study "${study}" has no feasible trial yet: nothing to re-measure. Run the study first.` };
    const w: Work = { phase: 'remeasuring', abort: new AbortController(), done: 0, total: pairs * 2, message: `Re-measuring trial #${rec.trial} against the current ${f.def.configFile ?? 'configuration'} (${pairs} interleaved pairs).` };
    this.work.set(key(uri, study), w);
    this.progress(uri, study, w);
    const start = (report?: (p: JobProgress) => void): Promise<void> =>
      remeasure(f.def, rec.params, {
      pairs,
      signal: w.abort.signal,
      onRun: (run, done, total) => {
        w.done = done;
        w.total = total;
        const v = run.outcome.values?.[0];
        w.message = `Re-measurement run ${done} of ${total} (${run.arm}${v !== undefined ? `: ${f.def.objectives[0].name}=${Number(v.toPrecision(4))}` : ''})`;
        this.progress(uri, study, w);
        report?.({ done: w.done, total: w.total, message: w.message });
      },
    })
      .then((result) => {
        this.work.delete(key(uri, study));
        const p = this.remeasurePath(f.dir, study);
        mkdirSync(dirname(p), { recursive: true });
        const stored: StoredRemeasure = { trial: rec.trial, params: rec.params, result: { ...result, runs: result.runs.map((r) => ({ ...r, outcome: { ...r.outcome, metrics: undefined } })) }, at: new Date().toISOString() };
        writeFileSync(p + '.tmp', JSON.stringify(stored, null, 1));
        renameSync(p + '.tmp', p);
        this.refreshDiagnostics(uri);
        const first = result.effects[0];
        this.progress(uri, study, undefined, result.cancelled ? 'cancelled' : 'finished', result.problem && !result.pairs ? `Re-measurement stopped: ${result.problem}` : `Re-measured (${result.pairs} pairs): ${first ? `${first.metric} ${(first.improvement * 100).toFixed(1)}% (95% CI ${(first.ci95[0] * 100).toFixed(1)}% to ${(first.ci95[1] * 100).toFixed(1)}%), ${first.verdict}` : 'no comparable runs'}${result.problem ? ` (${result.problem})` : ''}.`);
      })
      .catch((e: unknown) => {
        this.work.delete(key(uri, study));
        this.hooks.error(`Re-measurement of ${study} failed: ${(e as Error).stack ?? String(e)}`);
        this.progress(uri, study, undefined, 'failed', `Re-measurement failed: ${(e as Error).message}`);
      });
    const scheduler = this.hooks.scheduler;
    if (!scheduler) {
      void start();
      return { started: true, message: w.message };
    }
    // A re-measurement is a benchmark of the component: it waits like any job of the queue.
    const job = scheduler.submit({ kind: 'benchmark', component: f.def.component ?? study, label: `Re-measure ${study}`, trials: 1, cpuCores: this.hooks.jobCpu?.(1) ?? 1 }, (_job, ctx) => {
      if (ctx.signal.aborted) w.abort.abort();
      ctx.signal.addEventListener('abort', () => w.abort.abort());
      return start(ctx.progress);
    });
    w.jobId = job.id;
    if (job.state !== 'running') {
      w.message = `Re-measurement of "${study}" queued: ${job.reason ?? 'waiting for its turn'}.`;
      this.progress(uri, study, w);
    }
    return { started: true, message: w.message };
  }

  /** The study view's data, from the study's log. */
  result(uri: string, study: string): StudyViewData | null {
    const f = this.find(uri, study);
    if (typeof f === 'string') return null;
    const { def, dir } = f;
    const trials = logTrials(studyLogPath(dir, study));
    const w = this.work.get(key(uri, study));
    const bestSoFar: StudyViewData['bestSoFar'] = [];
    let best: number | undefined;
    const sign = def.objectives[0].direction === 'maximize' ? -1 : 1;
    for (const t of trials) {
      if (t.state === 'complete' && t.feasible && t.values && Number.isFinite(t.values[0]) && (best === undefined || sign * t.values[0] < sign * best)) best = t.values[0];
      if (best !== undefined) bestSoFar.push({ trial: t.trial, value: best });
    }
    const complete = trials.filter((t) => t.state === 'complete' && t.values);
    // The forest costs ~25-115 ms of CPU for 20-300 trials: computed again only when a trial was added.
    const stamp = `${key(uri, study)}\u0000${complete.length}\u0000${complete.at(-1)?.trial ?? -1}`;
    if (this.importanceCache?.stamp !== stamp) this.importanceCache = { stamp, value: paramImportance(def.space, complete.map((t) => t.params), complete.map((t) => t.values![0]), { seed: def.seed }) };
    const importance = this.importanceCache.value;
    const front = def.objectives.length > 1 ? paretoFront(trials, def.objectives) : [bestTrial(trials, def.objectives)].filter((t): t is StudyTrial => !!t);
    const rec = recommendedTrial(trials, def);
    let recommendation: StudyViewData['recommendation'];
    if (rec && def.configFile && existsSync(def.configFile)) {
      const r = recommendationFor(readFileSync(def.configFile, 'utf8'), rec.params, def.keys);
      recommendation = { trial: rec.trial, changes: r.changes.map((c) => ({ key: c.key, oldValue: c.oldValue, newValue: c.newValue, ...(c.missing ? { missing: true } : {}) })), unchanged: r.unchanged };
    }
    const stored = this.storedRemeasure(dir, study, rec);
    return {
      study,
      component: def.component,
      configFile: def.configFile,
      phase: w?.phase ?? 'idle',
      parameters: Object.keys(def.space),
      objectives: def.objectives,
      constraints: def.constraints.map((c) => `${c.metric} ${c.op} ${c.bound}`),
      budget: def.budget.trials,
      trials: trials.map((t) => ({ trial: t.trial, state: t.state, feasible: t.feasible, params: t.params, ...(t.values ? { values: t.values } : {}), ...(t.reason ? { reason: t.reason } : {}) })),
      bestSoFar,
      importance,
      importanceTrials: complete.length,
      pareto: front.map((t) => t.trial),
      ...(recommendation ? { recommendation } : {}),
      ...(stored ? { remeasure: { pairs: stored.result.pairs, effects: stored.result.effects, feasible: stored.result.feasible, ...(stored.result.problem ? { problem: stored.result.problem } : {}), at: stored.at } } : {}),
      ...(w ? { message: w.message } : {}),
    };
  }

  /**
   * Publishes the recommendation diagnostics of every study of the workspace file on its
   * configuration file (and clears files that no longer have any).
   */
  refreshDiagnostics(uri: string): void {
    const d = this.definitions(uri);
    if (typeof d === 'string') return;
    const next = new Map<string, Map<string, { changes: KeyChange[]; study: string }>>();
    const messages = new Map<string, Diagnostic[]>();
    for (const def of d.defs) {
      if (!def.configFile || !existsSync(def.configFile)) continue;
      const rec = recommendedTrial(logTrials(studyLogPath(d.dir, def.name)), def);
      if (!rec) continue;
      const r = recommendationFor(readFileSync(def.configFile, 'utf8'), rec.params, def.keys);
      const changes = r.changes.filter((c) => !c.missing);
      if (!changes.length) continue;
      const cfgUri = pathToFileURL(def.configFile).toString();
      const stored = this.storedRemeasure(d.dir, def.name, rec);
      const studyValues = rec.values ? def.objectives.map((o, i) => `${o.name}=${Number(rec.values![i].toPrecision(4))}`).join(', ') + ` (trial #${rec.trial})` : undefined;
      // Withheld by the SLO guardrail: still shown, with why, but without a quick fix.
      const withheld = this.withheldBySlo(uri, def, stored);
      if (!next.has(cfgUri)) next.set(cfgUri, new Map());
      if (!withheld) next.get(cfgUri)!.set(def.name, { changes, study: def.name });
      const list = messages.get(cfgUri) ?? [];
      for (const c of changes) {
        const message = changeMessage(c, def.name, stored?.result.effects, studyValues) + (withheld ? ` It is ${withheld.replace(/^not offered/, 'not offered (SLO guardrail)')}.` : '');
        list.push({ range: c.range, severity: DiagnosticSeverity.Information, code: TUNING_RECOMMENDATION_CODE, source: 'alluse-perf', message, data: { study: def.name, key: c.key } });
      }
      messages.set(cfgUri, list);
    }
    // Files this workspace showed before and shows nothing on now are cleared.
    for (const old of this.shown.keys()) if (!next.has(old)) this.hooks.diagnostics(old, []);
    this.shown.clear();
    for (const [u, m] of next) this.shown.set(u, m);
    for (const [u, list] of messages) this.hooks.diagnostics(u, list);
  }

  /**
   * The SLO guardrail: why a re-measured recommendation is not offered (it broke a component's
   * SLO in its re-measurement), or undefined when it may be offered.
   */
  private withheldBySlo(uri: string, def: StudyDefinition, stored: StoredRemeasure | undefined): string | undefined {
    const doc = stored && def.component ? this.hooks.analysis(uri)?.analysis.doc : undefined;
    if (!stored || !doc) return undefined;
    const comps = workspaceConfigFrom(doc).components;
    const names = comps.map((c) => c.name);
    const med = (k: 'medianCurrent' | 'medianRecommended') => Object.fromEntries(stored.result.effects.map((e) => [e.metric, e[k]]));
    const [v] = applyGuardrail(
      [{ recommendation: { id: def.name, source: 'study', component: def.component!, file: def.configFile ?? '', key: '', to: 0 }, measured: measurementFromMetrics(med('medianRecommended'), def.component!, names), baseline: measurementFromMetrics(med('medianCurrent'), def.component!, names) }],
      Object.fromEntries(comps.map((c) => [c.name, c.slos])),
    );
    return v.offered ? undefined : v.reason;
  }

  /** Quick fixes for `tuning-recommendation` diagnostics of a configuration file. */
  codeActions(p: StudyCodeActionsRequest.Params): CodeAction[] {
    const studies = this.shown.get(p.uri);
    if (!studies) return [];
    const actions: CodeAction[] = [];
    const same = (a: KeyChange['range'], b: KeyChange['range']) => a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
    for (const d of p.diagnostics) {
      if (d.code !== TUNING_RECOMMENDATION_CODE) continue;
      for (const { changes, study } of studies.values()) {
        const c = changes.find((x) => same(x.range, d.range));
        if (!c?.edit) continue;
        const one = CodeAction.create(`Set ${c.key} to ${c.edit.newText} (tuning study "${study}")`, { changes: { [p.uri]: [c.edit] } }, CodeActionKind.QuickFix);
        one.diagnostics = [d as Diagnostic];
        one.isPreferred = true;
        actions.push(one);
        if (changes.length > 1) {
          const all = CodeAction.create(`Apply all ${changes.length} recommendations of "${study}"`, { changes: { [p.uri]: changes.map((x) => x.edit!) } }, CodeActionKind.QuickFix);
          all.diagnostics = [d as Diagnostic];
          actions.push(all);
        }
      }
    }
    return actions;
  }

  /** Every edit of a study's recommendation, for "Apply All Recommendations". */
  edits(uri: string, study: string): StudyEditsRequest.Result {
    const f = this.find(uri, study);
    if (typeof f === 'string') return { edits: [], message: f };
    if (!f.def.configFile || !existsSync(f.def.configFile)) return { edits: [], message: `Study "${study}" has no configuration file to change.` };
    const rec = recommendedTrial(logTrials(studyLogPath(f.dir, study)), f.def);
    if (!rec) return { edits: [], message: `Study "${study}" has no feasible trial yet: nothing to apply.` };
    const withheld = this.withheldBySlo(uri, f.def, this.storedRemeasure(f.dir, study, rec));
    if (withheld) return { edits: [], message: `Trial #${rec.trial} of "${study}" is ${withheld.replace(/^not offered/, 'not offered (SLO guardrail)')}.` };
    const r = recommendationFor(readFileSync(f.def.configFile, 'utf8'), rec.params, f.def.keys);
    const edits = r.changes.filter((c) => c.edit).map((c) => c.edit!);
    const missing = r.changes.filter((c) => c.missing).map((c) => c.key);
    const summary = r.changes.filter((c) => c.edit).map((c) => `${c.key}: ${String(c.oldValue)} -> ${String(c.newValue)}`).join(', ');
    return {
      configUri: pathToFileURL(f.def.configFile).toString(),
      edits,
      message: edits.length ? `Trial #${rec.trial}: ${summary}${missing.length ? `; not in the file (add by hand): ${missing.join(', ')}` : ''}.` : `${f.def.configFile} already has the recommended values.`,
    };
  }

  /**
   * A file was saved or changed by a fix: re-publishes the recommendation diagnostics of the
   * open workspace files (a reverted file may need them back, so not only files showing some).
   */
  recheck(workspaceUris: readonly string[]): void {
    for (const u of workspaceUris) this.refreshDiagnostics(u);
  }
}

