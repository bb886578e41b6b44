/**
 * The study loop: asks the sampler for up to `concurrency` points, runs them as parallel
 * trials, tells the sampler the results (through the history it is given), and stops at the
 * trial budget, the time budget, when the sampler has nothing left, or on cancel. The sampler
 * and the trial executor are passed in, so any algorithm and any way of measuring (a real
 * command, a test function) run through the same loop.
 *
 * With a log, every start and end is written as it happens and a resumed study continues
 * where the log ends (see studyLog.ts): finished trials are history, not re-run.
 */
import type { StudyDefinition } from './studyConfig';
import type { FinishedTrialRecord, StudyLog, StudyLogState } from './studyLog';
import { bestTrial, paretoFront } from './studyResult';
import type { TrialOutcome } from './trialRunner';
import { constraintValues, toMinimization, type Observation, type Params, type Sampler } from './types';

/** A finished trial with its parameters. */
export type StudyTrial = FinishedTrialRecord & { params: Params };

export type StudyEvent =
  | { type: 'trial-started'; trial: number; params: Params; rerun: boolean }
  | { type: 'trial-finished'; record: StudyTrial; finished: number; budget: number; best?: StudyTrial; pareto: StudyTrial[] }
  | { type: 'trial-cancelled'; trial: number; params: Params };

export type StopReason = 'budget-trials' | 'budget-time' | 'cancelled' | 'exhausted';

export interface StudyResult {
  /** Every finished trial (resumed ones included), in trial order. */
  trials: StudyTrial[];
  /** Single objective: the best feasible trial. */
  best?: StudyTrial;
  /** Several objectives: the feasible non-dominated trials (for one objective: the best, or empty). */
  pareto: StudyTrial[];
  stoppedBy: StopReason;
  /** Trials stopped by a cancel or the time budget: not counted, run again on resume. */
  cancelled: number[];
  /** The sampler's own account of what it does. */
  explain: string;
}

export type TrialExecutor = (params: Params, trialNumber: number, signal: AbortSignal) => Promise<TrialOutcome>;

export interface StudyRunOptions {
  sampler: Sampler;
  runTrial: TrialExecutor;
  log?: StudyLog;
  /** What the log said to resume (from StudyLog.open). */
  resume?: StudyLogState;
  signal?: AbortSignal;
  onEvent?: (e: StudyEvent) => void;
  /** Clock in ms, for the time budget (tests). */
  now?: () => number;
}

/** The sampler's view of a finished trial: minimization form, constraints <= 0 satisfied. */
export function observationOf(t: StudyTrial, def: StudyDefinition): Observation {
  if (t.state !== 'complete' || !t.values) return { params: t.params, state: 'failed' };
  return {
    params: t.params,
    state: 'complete',
    values: toMinimization(t.values, def.objectives),
    ...(def.constraints.length ? { constraints: t.constraints ?? constraintValues(t.metrics ?? {}, def.constraints) } : {}),
  };
}

/** The log record of an outcome: constraints evaluated on the measured metrics, feasibility decided. */
export function recordOf(trial: number, params: Params, o: TrialOutcome, def: StudyDefinition, at: Date): StudyTrial {
  const complete = o.state === 'complete';
  const constraints = complete && def.constraints.length ? constraintValues(o.metrics ?? {}, def.constraints) : undefined;
  return {
    type: 'trial-finished',
    trial,
    state: complete ? 'complete' : 'failed',
    ...(complete ? { values: o.values, metrics: o.metrics } : {}),
    ...(constraints ? { constraints } : {}),
    feasible: complete && (constraints ?? []).every((c) => c <= 0),
    ...(o.spread ? { spread: o.spread } : {}),
    ...(o.reason ? { reason: o.reason } : {}),
    repeats: o.repeats,
    durationMs: o.durationMs,
    at: at.toISOString(),
    params,
  };
}

function summarize(trials: StudyTrial[], def: StudyDefinition): { best?: StudyTrial; pareto: StudyTrial[] } {
  const pareto = paretoFront(trials, def.objectives);
  return { best: def.objectives.length === 1 ? bestTrial(trials, def.objectives) : undefined, pareto };
}

function logRecord(t: StudyTrial): FinishedTrialRecord {
  const { params: _params, ...rest } = t;
  return rest;
}

export async function runStudy(def: StudyDefinition, o: StudyRunOptions): Promise<StudyResult> {
  const now = o.now ?? Date.now;
  const t0 = now();
  const budget = def.budget.trials;
  const history: StudyTrial[] = [...(o.resume?.finished ?? [])].sort((a, b) => a.trial - b.trial);
  const emit = (e: StudyEvent) => o.onEvent?.(e);

  // Trials interrupted twice are counted failed rather than risk a third crash.
  for (const a of o.resume?.abandoned ?? []) {
    const rec = recordOf(a.trial, a.params, { state: 'failed', reason: `interrupted ${a.interruptions} times (the study process was stopped while it ran); not run again`, repeats: 0, durationMs: 0 }, def, new Date());
    o.log?.append(logRecord(rec));
    history.push(rec);
    history.sort((a, b) => a.trial - b.trial);
    emit({ type: 'trial-finished', record: rec, finished: history.length, budget, ...summarize(history, def) });
  }
  const queue = [...(o.resume?.rerun ?? [])];
  let nextTrial = Math.max(o.resume?.nextTrial ?? 0, ...history.map((t) => t.trial + 1));

  const stop = new AbortController();
  let stoppedBy: StopReason | undefined;
  const onAbort = () => {
    stoppedBy ??= 'cancelled';
    stop.abort();
  };
  if (o.signal?.aborted) onAbort();
  else o.signal?.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  if (def.budget.timeMs !== undefined) {
    timer = setTimeout(() => {
      stoppedBy ??= 'budget-time';
      stop.abort();
    }, Math.max(0, def.budget.timeMs - (now() - t0)));
  }

  type Done = { trial: number; params: Params; outcome: TrialOutcome };
  const running = new Map<number, { params: Params; done: Promise<Done> }>();
  const cancelled: number[] = [];

  const start = (trial: number, params: Params, rerun: boolean) => {
    o.log?.append({ type: 'trial-started', trial, params, at: new Date().toISOString() });
    emit({ type: 'trial-started', trial, params, rerun });
    const done = o
      .runTrial(params, trial, stop.signal)
      .catch((e: unknown): TrialOutcome => ({ state: 'failed', reason: `the trial runner failed: ${(e as Error)?.message ?? String(e)}`, repeats: 0, durationMs: 0 }))
      .then((outcome) => ({ trial, params, outcome }));
    running.set(trial, { params, done });
  };

  let failure: unknown;
  try {
    for (;;) {
      if (!stop.signal.aborted) {
        // Re-runs of interrupted trials first, with their own numbers and parameters.
        while (queue.length && running.size < def.concurrency && history.length + running.size < budget) {
          const p = queue.shift()!;
          start(p.trial, p.params, true);
        }
        const room = Math.min(def.concurrency - running.size, budget - history.length - running.size);
        if (room > 0 && !queue.length) {
          const pending = [...running.values()].map((r) => r.params);
          let points: Params[];
          try {
            points = o.sampler.ask(history.map((t) => observationOf(t, def)), pending, room);
          } catch (e) {
            failure = e;
            stop.abort();
            points = [];
          }
          for (const p of points.slice(0, room)) start(nextTrial++, p, false);
          if (!points.length && !running.size && !failure) stoppedBy ??= 'exhausted';
        }
      }
      if (!running.size) break;
      const d = await Promise.race([...running.values()].map((r) => r.done));
      running.delete(d.trial);
      if (d.outcome.state === 'cancelled') {
        o.log?.append({ type: 'trial-cancelled', trial: d.trial, at: new Date().toISOString() });
        cancelled.push(d.trial);
        emit({ type: 'trial-cancelled', trial: d.trial, params: d.params });
        continue;
      }
      const rec = recordOf(d.trial, d.params, d.outcome, def, new Date());
      o.log?.append(logRecord(rec));
      history.push(rec);
      history.sort((a, b) => a.trial - b.trial);
      emit({ type: 'trial-finished', record: rec, finished: history.length, budget, ...summarize(history, def) });
    }
  } finally {
    if (timer) clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
  }
  if (failure) throw failure;
  const { best, pareto } = summarize(history, def);
  return { trials: history, best, pareto, stoppedBy: stoppedBy ?? 'budget-trials', cancelled: cancelled.sort((a, b) => a - b), explain: o.sampler.explain() };
}
