/**
 * One queue for everything that measures the system (tuning studies, profiling sessions,
 * benchmarks), run under one policy, because two of them at once disturb each other's numbers
 * and the system itself:
 * - never two studies on one component at once (their trials would measure each other);
 * - a global budget of concurrent trials and of CPU (cores) given to trials;
 * - nothing starts while its component has a firing alert, unless the job says `force`
 *   (or `allowRunDuringAlert`): a study would pile load on a component already in trouble.
 *
 * Jobs start in the order they were submitted. A job waiting for budget keeps later jobs
 * that need budget waiting too (no starvation of a large study by a stream of small ones);
 * a job waiting for its component (a study running there, an alert) does not block others.
 * A job that asks for more than the whole budget runs alone, when nothing else runs.
 *
 * The scheduler owns no work: each job's `run` function does it and reports progress; the
 * scheduler gives it an AbortSignal for cancel. Time comes from `now` so tests are exact.
 */
import type { JobProgress, JobRequest, QueueState, ScheduledJob, SchedulerBudget } from './types';

export interface JobContext {
  signal: AbortSignal;
  progress(p: JobProgress): void;
}

/** The job's work; resolves when it ends. A rejection or `{ failed }` marks the job failed. */
export type RunJob = (job: Readonly<ScheduledJob>, ctx: JobContext) => Promise<void | { failed: string }>;

export type SchedulerEvent =
  | { type: 'queued' | 'held' | 'started' | 'progress' | 'ended'; job: ScheduledJob }
  | { type: 'budget'; budget: SchedulerBudget };

export interface SchedulerOptions {
  budget: SchedulerBudget;
  /** The names of the alerts firing on a component now (empty when none). */
  firingAlerts(component: string): readonly string[];
  now?: () => number;
  /** Ended jobs kept in the state for the views (the newest). */
  keepEnded?: number;
}

interface Entry {
  job: ScheduledJob;
  run: RunJob;
  abort: AbortController;
  done?: Promise<void>;
}

export const DEFAULT_BUDGET: SchedulerBudget = { maxConcurrentTrials: 2, trialCpuCores: 2, allowRunDuringAlert: false };

export class Scheduler {
  private readonly entries: Entry[] = [];
  private readonly ended: ScheduledJob[] = [];
  private readonly listeners = new Set<(e: SchedulerEvent) => void>();
  private budget: SchedulerBudget;
  private seq = 0;
  private readonly now: () => number;

  constructor(private readonly o: SchedulerOptions) {
    this.budget = { ...o.budget };
    this.now = o.now ?? Date.now;
  }

  /** Subscribe to queue events; returns the unsubscribe function. */
  onEvent(listener: (e: SchedulerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: SchedulerEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        /* a listener's bug must not stop the queue */
      }
    }
  }

  /** Queue a job; it starts at once when the policy allows. Returns the job as queued (a copy). */
  submit(request: JobRequest, run: RunJob): ScheduledJob {
    if (!(request.trials >= 0)) throw new Error(`a job's trial count must be 0 or more (got ${request.trials})`);
    if (!(request.cpuCores >= 0)) throw new Error(`a job's CPU must be 0 cores or more (got ${request.cpuCores})`);
    const job: ScheduledJob = { ...request, id: `job-${++this.seq}`, state: 'queued', queuedAt: this.now() };
    this.entries.push({ job, run, abort: new AbortController() });
    this.pump();
    return { ...job };
  }

  /** Change the budget (the workspace file changed); waiting jobs are re-checked. */
  setBudget(budget: SchedulerBudget): void {
    this.budget = { ...budget };
    this.emit({ type: 'budget', budget: { ...budget } });
    this.pump();
  }

  /** Alerts fired or resolved: held jobs are re-checked. */
  alertsChanged(): void {
    this.pump();
  }

  /**
   * Cancel a job: a waiting one ends at once, a running one is aborted and ends when its work
   * returns. False when there is no such job or it already ended.
   */
  cancel(id: string): boolean {
    const e = this.entries.find((x) => x.job.id === id);
    if (!e) return false;
    if (e.job.state === 'running') {
      e.abort.abort();
      return true;
    }
    this.finish(e, 'cancelled', 'cancelled before it started');
    this.pump();
    return true;
  }

  /** Cancel everything (server shutdown); resolves when the running jobs have ended. */
  async cancelAll(): Promise<void> {
    const running = this.entries.filter((e) => e.job.state === 'running').map((e) => e.done);
    for (const e of [...this.entries]) this.cancel(e.job.id);
    await Promise.all(running);
  }

  job(id: string): ScheduledJob | undefined {
    const j = this.entries.find((e) => e.job.id === id)?.job ?? this.ended.find((x) => x.id === id);
    return j && { ...j };
  }

  /** Resolves when the job has ended (at once if it has). */
  async whenEnded(id: string): Promise<ScheduledJob | undefined> {
    const e = this.entries.find((x) => x.job.id === id);
    if (e?.done) await e.done;
    else if (e) {
      await new Promise<void>((res) => {
        const off = this.onEvent((ev) => {
          if (ev.type === 'ended' && ev.job.id === id) {
            off();
            res();
          }
        });
      });
    }
    return this.job(id);
  }

  state(): QueueState {
    const used = this.used();
    return { jobs: [...this.entries.map((e) => ({ ...e.job })), ...this.ended.map((j) => ({ ...j }))], budget: { ...this.budget }, used };
  }

  private used(): { trials: number; cpuCores: number } {
    let trials = 0;
    let cpuCores = 0;
    for (const e of this.entries) {
      if (e.job.state !== 'running') continue;
      trials += e.job.trials;
      cpuCores += e.job.cpuCores;
    }
    return { trials, cpuCores: Math.round(cpuCores * 1000) / 1000 };
  }

  /** Why the job cannot start now (and whether that blocks later jobs), or undefined when it can. */
  private blocker(job: ScheduledJob, used: { trials: number; cpuCores: number }): { reason: string; held: boolean; blocksBudget: boolean } | undefined {
    if (job.kind === 'study') {
      const other = this.entries.find((e) => e.job !== job && e.job.state === 'running' && e.job.kind === 'study' && e.job.component === job.component);
      if (other) return { reason: `waits for ${other.job.label} on ${job.component} to end: one study per component at a time`, held: false, blocksBudget: false };
    }
    const alerts = this.o.firingAlerts(job.component);
    if (alerts.length && !job.force && !this.budget.allowRunDuringAlert) {
      return { reason: `held: ${job.component} has a firing alert (${alerts.join(', ')}); it starts when the alert resolves, or run it with force`, held: true, blocksBudget: false };
    }
    const nothingRuns = used.trials === 0 && used.cpuCores === 0;
    if (nothingRuns) return undefined; // a job larger than the budget runs alone
    if (used.trials + job.trials > this.budget.maxConcurrentTrials) {
      return { reason: `waits for trial budget: ${used.trials} of ${this.budget.maxConcurrentTrials} concurrent trials in use, it needs ${job.trials}`, held: false, blocksBudget: true };
    }
    if (used.cpuCores + job.cpuCores > this.budget.trialCpuCores + 1e-9) {
      return { reason: `waits for CPU budget: ${used.cpuCores} of ${this.budget.trialCpuCores} trial cores in use, it needs ${job.cpuCores}`, held: false, blocksBudget: true };
    }
    return undefined;
  }

  /** Start every waiting job the policy allows, in submission order. */
  private pump(): void {
    let budgetBlocked = false;
    for (const e of this.entries) {
      const job = e.job;
      if (job.state !== 'queued' && job.state !== 'held') continue;
      const b = this.blocker(job, this.used());
      const blocked = b ?? (budgetBlocked ? { reason: 'waits its turn: an earlier job is waiting for the trial budget', held: false, blocksBudget: true } : undefined);
      if (blocked) {
        if (blocked.blocksBudget) budgetBlocked = true;
        const state = blocked.held ? 'held' : 'queued';
        if (job.state !== state || job.reason !== blocked.reason) {
          job.state = state;
          job.reason = blocked.reason;
          this.emit({ type: state, job: { ...job } });
        }
        continue;
      }
      this.start(e);
    }
  }

  private start(e: Entry): void {
    const job = e.job;
    job.state = 'running';
    job.reason = undefined;
    job.startedAt = this.now();
    this.emit({ type: 'started', job: { ...job } });
    const ctx: JobContext = {
      signal: e.abort.signal,
      progress: (p) => {
        if (job.state !== 'running') return;
        job.progress = { ...p };
        this.emit({ type: 'progress', job: { ...job } });
      },
    };
    let work: Promise<void | { failed: string }>;
    try {
      work = Promise.resolve(e.run({ ...job }, ctx));
    } catch (err) {
      work = Promise.reject(err);
    }
    e.done = work.then(
      (r) => {
        if (r && typeof r === 'object' && 'failed' in r) this.finish(e, 'failed', r.failed);
        else this.finish(e, e.abort.signal.aborted ? 'cancelled' : 'done');
      },
      (err: unknown) => this.finish(e, e.abort.signal.aborted ? 'cancelled' : 'failed', (err as Error)?.message ?? String(err)),
    ).then(() => this.pump());
  }

  private finish(e: Entry, state: 'done' | 'failed' | 'cancelled', reason?: string): void {
    const i = this.entries.indexOf(e);
    if (i < 0) return;
    this.entries.splice(i, 1);
    e.job.state = state;
    e.job.reason = reason;
    e.job.endedAt = this.now();
    this.ended.unshift(e.job);
    this.ended.splice(this.o.keepEnded ?? 20);
    this.emit({ type: 'ended', job: { ...e.job } });
  }
}
