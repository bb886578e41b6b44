/**
 * Coordination in the editor: the one job queue (studies go through it, see studyService.ts),
 * the recommendations' conflicts and their resolutions, and resource allocation. A thin
 * adapter over engine/coordinate: it reads the analysed workspace file, asks the engine, and
 * sends the queue to the client whenever it changes.
 */
import { isTrusted, untrustedMessage } from './trust';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connection } from 'vscode-languageserver/node';
import { coordinationFrom, jobCpu, type Coordination } from '../../engine/coordinate/config';
import { applyGuardrail, measurementFromMetrics, type ComponentSlos, type GuardrailInput } from '../../engine/coordinate/guardrail';
import { DEFAULT_BUDGET, Scheduler } from '../../engine/coordinate/scheduler';
import type { JobRequest, Recommendation, ScheduledJob } from '../../engine/coordinate/types';
import { bottleneckRecommendations, capacityRecommendations } from '../../engine/coordinate/sources';
import { planCapacity } from '../../engine/monitor/capacity';
import type { MetricStore } from '../../engine/monitor/storeApi';
import type { LimitPrediction } from '../../engine/monitor/types';
import { allocateWorkspace, ConfigValues, coordinateRecommendations, studyRecommendations, type ComponentFiles } from '../../engine/coordinate/workspace';
import { studiesFromYaml } from '../../engine/tune/studyConfig';
import { studyLogPath } from '../../engine/tune/studyLog';
import { workspaceConfigFrom, type WorkspaceConfig } from '../../engine/workspace/config';
import {
  CoordinationAllocateRequest,
  CoordinationCancelJobRequest,
  CoordinationConflictsRequest,
  CoordinationQueueNotification,
  CoordinationQueueRequest,
} from '../../protocol/index';
import type { CachedAnalysis } from './workspaceDocuments';

export interface CoordinationHooks {
  analysis(uri: string): CachedAnalysis | undefined;
  /** Names of the alerts firing on a component now, over the monitored workspaces; `system` means any. */
  firingAlerts(component: string): string[];
  /** The running monitor's store and latest limit predictions for this workspace file, when it runs (capacity and bottleneck recommendations). */
  monitorData?(uri: string): { store: MetricStore; predictions: LimitPrediction[] } | undefined;
  queueChanged(): void;
  error(message: string): void;
}

interface Workspace {
  dir: string;
  config: WorkspaceConfig;
  coordination: Coordination;
  files: ComponentFiles;
}

export class CoordinationService {
  readonly scheduler: Scheduler;
  private cpuPerTrial = 1;

  constructor(private readonly hooks: CoordinationHooks) {
    this.scheduler = new Scheduler({ budget: DEFAULT_BUDGET, firingAlerts: (c) => hooks.firingAlerts(c) });
    this.scheduler.onEvent(() => hooks.queueChanged());
  }

  /** Cores a job of `trials` concurrent trials takes (coordination.trials.cpuPerTrial). */
  jobCpu = (trials: number) => jobCpu({ cpuPerTrial: this.cpuPerTrial }, trials);

  private workspace(uri: string): Workspace | string {
    const cached = this.hooks.analysis(uri);
    if (!cached?.analysis.doc) return 'Open alluse-perf.yaml first: coordination is read from it.';
    if (!uri.startsWith('file:')) return 'Coordination needs a workspace file on the local disk.';
    const errors = cached.analysis.findings.filter((f) => f.severity === 'error').length;
    if (errors) return `alluse-perf.yaml has ${errors} error(s); fix them (see the Problems panel) first.`;
    const dir = dirname(fileURLToPath(uri));
    const config = workspaceConfigFrom(cached.analysis.doc);
    const root = cached.analysis.doc.toJS({ maxAliasCount: 1000 }) as Record<string, unknown>;
    const coordination = coordinationFrom(root ?? {}, dir, config.components);
    const files: Record<string, string[]> = {};
    for (const c of config.components) files[c.name] = c.configFiles.map((f) => (isAbsolute(f) ? f : resolve(dir, f)));
    return { dir, config, coordination, files };
  }

  /** The workspace file was analysed: take its queue budget. */
  workspaceChanged(uri: string): void {
    const w = this.workspace(uri);
    if (typeof w === 'string') return;
    this.cpuPerTrial = w.coordination.cpuPerTrial;
    const b = this.scheduler.state().budget;
    const n = w.coordination.budget;
    if (b.maxConcurrentTrials !== n.maxConcurrentTrials || b.trialCpuCores !== n.trialCpuCores || b.allowRunDuringAlert !== n.allowRunDuringAlert) this.scheduler.setBudget(n);
  }

  queue(): CoordinationQueueRequest.Result {
    return this.scheduler.state();
  }

  cancelJob(id: string): boolean {
    return this.scheduler.cancel(id);
  }

  /** Study recommendations with their guardrail verdicts (re-measured ones are checked against every component's SLOs). */
  private recommendations(w: Workspace): { recs: Recommendation[]; withheld: { recommendation: Recommendation; reason: string }[]; problems: string[] } {
    const problems: string[] = [];
    let defs: ReturnType<typeof studiesFromYaml> = [];
    try {
      defs = studiesFromYaml(w.config.tuning.studies, w.dir);
    } catch (e) {
      problems.push((e as Error).message);
    }
    const recs = studyRecommendations(w.dir, defs);
    const slos: Record<string, ComponentSlos> = {};
    for (const c of w.config.components) slos[c.name] = c.slos;
    const names = w.config.components.map((c) => c.name);
    const inputs: GuardrailInput[] = recs.map((r) => {
      const stored = this.storedRemeasure(w.dir, r.origin ?? '');
      if (!stored) return { recommendation: r };
      const med = (arm: 'current' | 'recommended') => Object.fromEntries(stored.result.effects.map((e) => [e.metric, arm === 'current' ? e.medianCurrent : e.medianRecommended]));
      return { recommendation: r, measured: measurementFromMetrics(med('recommended'), r.component, names), baseline: measurementFromMetrics(med('current'), r.component, names) };
    });
    const verdicts = applyGuardrail(inputs, slos);
    return { recs: verdicts.filter((v) => v.offered).map((v) => v.recommendation), withheld: verdicts.filter((v) => !v.offered).map((v) => ({ recommendation: v.recommendation, reason: v.reason ?? 'broke an SLO' })), problems };
  }

  private storedRemeasure(dir: string, study: string): { result: { effects: { metric: string; medianCurrent: number; medianRecommended: number }[] } } | undefined {
    const p = studyLogPath(dir, study).replace(/\.jsonl$/, '.remeasure.json');
    if (!study || !existsSync(p)) return undefined;
    try {
      return JSON.parse(readFileSync(p, 'utf8'));
    } catch {
      return undefined;
    }
  }

  /**
   * Capacity recommendations (the plan at `p.load`/`p.months`, else today's load) and
   * bottleneck ones (the monitor's latest predictions), from the running monitor; none when
   * it is not running or no key is declared for them under coordination.resources.
   */
  private monitorRecommendations(p: CoordinationConflictsRequest.Params, w: Workspace, values: ConfigValues, problems: string[]): Recommendation[] {
    if (!w.coordination.declared.length) return [];
    const m = this.hooks.monitorData?.(p.uri);
    if (!m) return [];
    try {
      const plans = planCapacity(m.store, w.config.components, Date.now(), { ...(p.load !== undefined ? { load: p.load } : {}), ...(p.months !== undefined ? { months: p.months } : {}) });
      return [...capacityRecommendations(plans, w.coordination.declared, values.get), ...bottleneckRecommendations(m.predictions, w.coordination.declared, values.get)];
    } catch (e) {
      problems.push(`Capacity and bottleneck recommendations failed: ${(e as Error).message}`);
      return [];
    }
  }

  async conflicts(p: CoordinationConflictsRequest.Params, signal?: AbortSignal): Promise<CoordinationConflictsRequest.Result> {
    const w = this.workspace(p.uri);
    if (typeof w === 'string') return { recommendations: [], conflicts: [], resolutions: [], offered: [], problems: [w], withheld: [] };
    const { recs, withheld, problems } = this.recommendations(w);
    const values = new ConfigValues();
    const all = [...recs, ...this.monitorRecommendations(p, w, values, problems), ...(p.extra ?? [])];
    const measure = p.measure === true && isTrusted(p) && !!w.coordination.allocation;
    if (p.measure && !isTrusted(p)) problems.push('Measuring combinations runs the allocation trial command: it needs a trusted workspace.');
    if (p.measure && !w.coordination.allocation) problems.push('Measuring combinations needs coordination.allocation (its trial command and objective) in alluse-perf.yaml.');
    const report = await coordinateRecommendations(w.coordination, all, w.files, { measure, signal, values });
    return { ...report, problems: [...w.coordination.problems, ...problems], withheld };
  }

  /**
   * Runs `work` as a job of the queue (visible in the Queue view, under its policy); resolves
   * with its value, or without one when the job was cancelled before it started or failed.
   */
  async asJob<T>(request: JobRequest, work: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<{ value?: T; job: ScheduledJob }> {
    let value: T | undefined;
    const job = this.scheduler.submit(request, async (_job, ctx) => {
      value = await work(ctx.signal);
    });
    const cancel = () => this.scheduler.cancel(job.id);
    signal?.addEventListener('abort', cancel);
    const ended = await this.scheduler.whenEnded(job.id);
    signal?.removeEventListener('abort', cancel);
    return { value, job: ended ?? job };
  }

  /** Runs the allocation as a job of the queue (it measures the whole system) and answers with its change set. */
  async allocate(p: CoordinationAllocateRequest.Params, signal?: AbortSignal): Promise<CoordinationAllocateRequest.Result> {
    if (!isTrusted(p)) return { message: untrustedMessage('allocation', 'runs the trial command of coordination.allocation') };
    const w = this.workspace(p.uri);
    if (typeof w === 'string') return { message: w };
    if (!w.coordination.allocation) return { message: 'No coordination.allocation in alluse-perf.yaml: give the system objective and the trial command that measures an assignment (docs/configuration.md).' };
    if (!w.coordination.resources.length) return { message: 'No keys to allocate: declare them under coordination.resources in alluse-perf.yaml (e.g. workers: {resource: cpu-cores, per: 1}).' };
    let answer: CoordinationAllocateRequest.Result = { message: 'Allocation was cancelled before it started.' };
    const job = this.scheduler.submit(
      { kind: 'benchmark', component: 'system', label: 'Allocate resources', trials: 1, cpuCores: this.jobCpu(1), ...(p.force ? { force: true } : {}) },
      async (_job, ctx) => {
        const abort = new AbortController();
        ctx.signal.addEventListener('abort', () => abort.abort());
        signal?.addEventListener('abort', () => abort.abort());
        const result = await allocateWorkspace(w.coordination, w.files, {
          signal: abort.signal,
          budget: p.budget,
          onEvaluation: (n, total, score) => ctx.progress({ done: n, total, message: `assignment ${n} of ${total}${score !== undefined ? `: score ${Number(score.toPrecision(4))}` : ''}` }),
        });
        answer = abort.signal.aborted ? { result, message: 'Allocation was cancelled; the result is the best of what was measured.' } : { result };
      },
    );
    signal?.addEventListener('abort', () => this.scheduler.cancel(job.id));
    const ended = await this.scheduler.whenEnded(job.id);
    if (ended?.state === 'failed') return { message: `Allocation failed: ${ended.reason}` };
    return answer;
  }
}

/** Registers the coordination requests (kept out of server.ts, which only wires services). */
export function registerCoordination(connection: Connection, hooks: Omit<CoordinationHooks, 'queueChanged' | 'error'>): CoordinationService {
  let pending = false;
  const service: CoordinationService = new CoordinationService({
    ...hooks,
    // Coalesce a burst of queue events into one notification.
    queueChanged: () => {
      if (pending) return;
      pending = true;
      setImmediate(() => {
        pending = false;
        void connection.sendNotification(CoordinationQueueNotification.method, service.queue());
      });
    },
    error: (m) => connection.console.error(m),
  });
  // A client that sends no token (or params as a list, where the token slot is null) still gets an answer.
  const cancellable = (token: { onCancellationRequested(f: () => void): unknown } | null | undefined) => {
    const abort = new AbortController();
    token?.onCancellationRequested(() => abort.abort());
    return abort.signal;
  };
  connection.onRequest(CoordinationQueueRequest.method, (): CoordinationQueueRequest.Result => service.queue());
  connection.onRequest(CoordinationCancelJobRequest.method, (p: CoordinationCancelJobRequest.Params): CoordinationCancelJobRequest.Result => ({ cancelled: service.cancelJob(p.id) }));
  connection.onRequest(CoordinationConflictsRequest.method, async (p: CoordinationConflictsRequest.Params, token) => {
    try {
      return await service.conflicts(p, cancellable(token));
    } catch (e) {
      connection.console.error(`conflicts failed: ${(e as Error).stack ?? String(e)}`);
      return { recommendations: [], conflicts: [], resolutions: [], offered: [], withheld: [], problems: [`The conflict check failed: ${(e as Error).message}`] };
    }
  });
  connection.onRequest(CoordinationAllocateRequest.method, async (p: CoordinationAllocateRequest.Params, token) => {
    try {
      return await service.allocate(p, cancellable(token));
    } catch (e) {
      connection.console.error(`allocate failed: ${(e as Error).stack ?? String(e)}`);
      return { message: `Allocation failed: ${(e as Error).message}` };
    }
  });
  return service;
}
