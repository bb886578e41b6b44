/**
 * The study loop and its result: the Pareto front and best trial against hand-checked
 * points, what the sampler is told (minimization, constraints, failures, pending), the
 * concurrency limit, the trial and time budgets, cancel, and an exhausted sampler.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { observationOf, runStudy, type StudyEvent } from '../../engine/tune/study';
import type { StudyDefinition } from '../../engine/tune/studyConfig';
import { bestTrial, dominates, paretoFront, type ScoredTrial } from '../../engine/tune/studyResult';
import type { TrialOutcome } from '../../engine/tune/trialRunner';
import type { ObjectiveSpec, Params, Sampler } from '../../engine/tune/types';
import { randomSampler } from '../helpers/tuneTestSampler';

const objs2: ObjectiveSpec[] = [
  { name: 'tps', direction: 'maximize' },
  { name: 'p95', direction: 'minimize' },
];
const t = (trial: number, values: number[] | undefined, feasible = true, state: 'complete' | 'failed' = 'complete'): ScoredTrial => ({ trial, values, feasible, state });

describe('Pareto front and best trial', () => {
  it('keeps the feasible points no other beats in both objectives (max tps, min p95)', () => {
    const trials = [
      t(0, [100, 20]), // front: highest tps among p95 <= 20
      t(1, [80, 10]), // front: lowest p95
      t(2, [90, 25]), // dominated by 0 (less tps, more latency)
      t(3, [120, 40]), // front: most tps
      t(4, [200, 5], false), // infeasible: would dominate everything, must not count
      t(5, undefined, false, 'failed'),
      t(6, [80, 10]), // equal to 1: both kept
      t(7, [60, 10]), // dominated by 1
    ];
    assert.deepEqual(paretoFront(trials, objs2).map((x) => x.trial), [0, 1, 3, 6]);
    assert.deepEqual(paretoFront([t(0, [1, 1], false)], objs2), []);
    assert.ok(dominates([1, 1], [1, 2]));
    assert.ok(!dominates([1, 1], [1, 1]));
    assert.ok(!dominates([0, 2], [1, 1]));
  });

  it('picks the best feasible value of one objective, the earliest on ties, never a failed or infeasible trial', () => {
    const min: ObjectiveSpec[] = [{ name: 'y', direction: 'minimize' }];
    const max: ObjectiveSpec[] = [{ name: 'y', direction: 'maximize' }];
    const trials = [t(0, [3]), t(1, [1]), t(2, [0], false), t(3, undefined, false, 'failed'), t(4, [1]), t(5, [7])];
    assert.equal(bestTrial(trials, min)!.trial, 1);
    assert.equal(bestTrial(trials, max)!.trial, 5);
    assert.equal(bestTrial([t(0, [0], false)], min), undefined);
  });
});

const def = (extra: Partial<StudyDefinition> = {}): StudyDefinition => ({
  name: 'loop',
  space: { x: { type: 'float', low: 0, high: 1 }, n: { type: 'int', low: 1, high: 3 } },
  keys: { x: 'x', n: 'n' },
  objectives: objs2,
  constraints: [{ metric: 'p95', op: '<=', bound: 50 }],
  trial: { command: 'unused', args: [], cwd: '/', env: {}, timeoutMs: 1000 },
  budget: { trials: 7 },
  repeats: 1,
  concurrency: 1,
  algorithm: 'random',
  seed: 9,
  ...extra,
});

/** tps = 100 x, p95 = 100 x^2; x > 0.9 fails; each trial waits for release() so concurrency can be observed. */
function executor() {
  let running = 0;
  let maxRunning = 0;
  const waiting: (() => void)[] = [];
  const run = async (params: Params, _n: number, signal: AbortSignal): Promise<TrialOutcome> => {
    running++;
    maxRunning = Math.max(maxRunning, running);
    const cancelled = await new Promise<boolean>((resolve) => {
      waiting.push(() => resolve(false));
      signal.addEventListener('abort', () => resolve(true), { once: true });
      // Let the loop start everything it may before any trial ends.
      setImmediate(() => waiting.shift()?.());
    });
    running--;
    if (cancelled) return { state: 'cancelled', repeats: 0, durationMs: 0 };
    const x = params.x as number;
    if (x > 0.9) return { state: 'failed', reason: 'too hot', repeats: 1, durationMs: 1 };
    return { state: 'complete', values: [100 * x, 100 * x * x], metrics: { tps: 100 * x, p95: 100 * x * x }, repeats: 1, durationMs: 1 };
  };
  return { run, max: () => maxRunning };
}

describe('the study loop', () => {
  it('runs the budget, tells the sampler minimized values, constraints, failures and pending points, and reports the front', async () => {
    const d = def({ budget: { trials: 12 }, concurrency: 3 });
    const sampler = randomSampler(d.space, d.seed);
    const ex = executor();
    const events: StudyEvent[] = [];
    const r = await runStudy(d, { sampler, runTrial: ex.run, onEvent: (e) => events.push(e) });
    assert.equal(r.trials.length, 12);
    assert.equal(r.stoppedBy, 'budget-trials');
    assert.deepEqual(r.trials.map((x) => x.trial), [...Array(12).keys()]);
    assert.equal(ex.max(), 3, 'three trials at a time, never more');
    assert.ok(sampler.calls.some((c) => c.pending.length > 0), 'running trials are passed as pending');
    assert.ok(sampler.calls.every((c) => c.n <= 3));
    const last = sampler.calls.at(-1)!;
    for (const o of last.history) {
      const tr = r.trials.find((x) => x.params === o.params || JSON.stringify(x.params) === JSON.stringify(o.params))!;
      if (tr.state === 'failed') assert.deepEqual(o, { params: tr.params, state: 'failed' });
      else assert.deepEqual(o, { params: tr.params, state: 'complete', values: [-tr.values![0], tr.values![1]], constraints: [tr.values![1] - 50] });
    }
    // With p95 = tps^2 / 100 every feasible trial is on the front (more tps costs latency),
    // except those with p95 > 50 (x > 0.707), which break the constraint.
    const feasible = r.trials.filter((x) => x.state === 'complete' && (x.metrics!.p95 as number) <= 50);
    assert.ok(feasible.length > 0);
    assert.deepEqual(r.pareto.map((x) => x.trial), feasible.map((x) => x.trial));
    assert.ok(r.trials.some((x) => x.state === 'complete' && !x.feasible) || r.trials.every((x) => (x.params.x as number) <= 0.707));
    assert.equal(events.filter((e) => e.type === 'trial-started').length, 12);
    const fin = events.filter((e): e is Extract<StudyEvent, { type: 'trial-finished' }> => e.type === 'trial-finished');
    assert.deepEqual(fin.map((e) => e.finished), [...Array(12).keys()].map((i) => i + 1));
    assert.deepEqual(fin.at(-1)!.pareto.map((x) => x.trial), r.pareto.map((x) => x.trial));
  });

  it('single objective: the best so far in each event, failures never best', async () => {
    const d = def({ objectives: [{ name: 'p95', direction: 'minimize' }], constraints: [], budget: { trials: 6 } });
    const bests: (number | undefined)[] = [];
    const ex = executor();
    const r = await runStudy(d, { sampler: randomSampler(d.space, 3), runTrial: (p, n, s) => ex.run(p, n, s).then((o) => (o.values ? { ...o, values: [o.values[1]] } : o)), onEvent: (e) => e.type === 'trial-finished' && bests.push(e.best?.trial) });
    const ok = r.trials.filter((x) => x.state === 'complete');
    const expected = ok.reduce((a, b) => (b.values![0] < a.values![0] ? b : a));
    assert.equal(r.best!.trial, expected.trial);
    assert.equal(bests.at(-1), expected.trial);
  });

  it('stops on cancel: running trials are cancelled, not counted, and the study says so', async () => {
    const ac = new AbortController();
    const d = def({ concurrency: 2, budget: { trials: 50 } });
    let started = 0;
    const r = await runStudy(d, {
      sampler: randomSampler(d.space, 1),
      signal: ac.signal,
      runTrial: (_p, _n, signal) =>
        new Promise<TrialOutcome>((resolve) => {
          // Trials 0-2 finish; from the fourth start on the study is cancelled mid-trial.
          if (++started <= 3) return resolve({ state: 'complete', values: [1, 1], metrics: { tps: 1, p95: 1 }, repeats: 1, durationMs: 1 });
          signal.addEventListener('abort', () => resolve({ state: 'cancelled', repeats: 0, durationMs: 0 }), { once: true });
          if (started === 5) ac.abort();
        }),
    });
    assert.equal(r.stoppedBy, 'cancelled');
    assert.equal(r.trials.length, 3);
    assert.deepEqual(r.cancelled, [3, 4]);
  });

  it('stops at the time budget, cancelling what runs', async () => {
    let clock = 0;
    const d = def({ budget: { trials: 100, timeMs: 50 } });
    const r = await runStudy(d, {
      sampler: randomSampler(d.space, 1),
      now: () => clock,
      runTrial: (_p, _n, signal) =>
        new Promise<TrialOutcome>((resolve) => {
          signal.addEventListener('abort', () => resolve({ state: 'cancelled', repeats: 0, durationMs: 0 }), { once: true });
          clock += 10; // the clock only matters at the start: the timer measures real time from there
        }),
    });
    assert.equal(r.stoppedBy, 'budget-time');
    assert.equal(r.trials.length, 0);
    assert.deepEqual(r.cancelled, [0]);
  });

  it('ends when the sampler has no more points, and passes a sampler error on after stopping the trials', async () => {
    const d = def();
    const once: Sampler = { name: 'once', ask: (h, p, n) => (h.length + p.length === 0 ? [{ x: 0.5, n: 1 }].slice(0, n) : []), explain: () => '' };
    const ex = executor();
    const r = await runStudy(d, { sampler: once, runTrial: ex.run });
    assert.equal(r.stoppedBy, 'exhausted');
    assert.equal(r.trials.length, 1);
    const broken: Sampler = { name: 'broken', ask: () => { throw new Error('singular matrix'); }, explain: () => '' };
    await assert.rejects(runStudy(d, { sampler: broken, runTrial: ex.run }), /singular matrix/);
  });

  it('gives the sampler failed trials without values and infeasible ones with their constraint values', () => {
    const d = def();
    const base = { type: 'trial-finished' as const, repeats: 1, durationMs: 1, at: '' };
    assert.deepEqual(observationOf({ ...base, trial: 0, params: { x: 1 }, state: 'failed', feasible: false, reason: 'x' }, d), { params: { x: 1 }, state: 'failed' });
    assert.deepEqual(observationOf({ ...base, trial: 1, params: { x: 1 }, state: 'complete', values: [10, 60], metrics: { tps: 10, p95: 60 }, constraints: [10], feasible: false }, d), {
      params: { x: 1 },
      state: 'complete',
      values: [-10, 60],
      constraints: [10],
    });
  });
});
