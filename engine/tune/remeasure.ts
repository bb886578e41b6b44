/**
 * Re-measurement of a recommendation: the trial command is run for the current
 * configuration (A) and the recommended one (B) in interleaved order, A B A B ..., so slow
 * drifts of a shared machine (other load, thermal state, caches) hit both alike. Each
 * objective's effect is the relative change of the median, B against A, with a 95%
 * bootstrap confidence interval that resamples the A/B *pairs* (a pair ran back to back, so
 * it shares the machine's state at that moment). A measured claim, not a model's prediction:
 * when the interval covers 0 the verdict is "no detectable difference".
 */
import type { StudyDefinition } from './studyConfig';
import { median, runTrial, type TrialContext, type TrialOutcome } from './trialRunner';
import type { Direction, Params } from './types';
import { Rng } from '../util/rng';

export type Verdict = 'better' | 'worse' | 'no detectable difference';

export interface Effect {
  metric: string;
  direction: Direction;
  /** Median of the current configuration's runs (A) and of the recommended one's (B). */
  medianCurrent: number;
  medianRecommended: number;
  /**
   * Relative improvement of the median, positive when B is better in the objective's
   * direction: (B - A) / |A| for maximize, (A - B) / |A| for minimize.
   */
  improvement: number;
  /** 95% percentile-bootstrap interval of `improvement`. */
  ci95: [number, number];
  verdict: Verdict;
  /** Number of pairs the comparison used. */
  n: number;
}

export interface CompareOptions {
  direction: Direction;
  /** Bootstrap resamples (default 4000). */
  resamples?: number;
  seed?: number;
  /** Confidence level (default 0.95). */
  level?: number;
}

/** Quantile of sorted values with linear interpolation (type 7, like R's default and numpy). */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (!sorted.length) return Number.NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

function relative(a: number, b: number, direction: Direction): number {
  if (a === 0) return b === 0 ? 0 : Number.NaN;
  return direction === 'maximize' ? (b - a) / Math.abs(a) : (a - b) / Math.abs(a);
}

/**
 * Compares paired samples a[i] (current) and b[i] (recommended) of one metric. The pairs
 * are resampled together; unpaired leftovers (a cancelled last run) are dropped.
 */
export function compareSamples(metric: string, a: readonly number[], b: readonly number[], o: CompareOptions): Effect {
  const n = Math.min(a.length, b.length);
  const A = a.slice(0, n);
  const B = b.slice(0, n);
  const level = o.level ?? 0.95;
  const medianCurrent = n ? median(A) : Number.NaN;
  const medianRecommended = n ? median(B) : Number.NaN;
  const improvement = relative(medianCurrent, medianRecommended, o.direction);
  if (n < 2 || !Number.isFinite(improvement)) {
    return { metric, direction: o.direction, medianCurrent, medianRecommended, improvement, ci95: [Number.NaN, Number.NaN], verdict: 'no detectable difference', n };
  }
  const rng = new Rng(o.seed ?? 1);
  const R = o.resamples ?? 4000;
  const stats: number[] = [];
  const ra = new Array<number>(n);
  const rb = new Array<number>(n);
  for (let r = 0; r < R; r++) {
    for (let i = 0; i < n; i++) {
      const k = rng.int(n);
      ra[i] = A[k];
      rb[i] = B[k];
    }
    const s = relative(median(ra), median(rb), o.direction);
    if (Number.isFinite(s)) stats.push(s);
  }
  stats.sort((x, y) => x - y);
  const ci95: [number, number] = [quantileSorted(stats, (1 - level) / 2), quantileSorted(stats, 1 - (1 - level) / 2)];
  const verdict: Verdict = ci95[0] > 0 ? 'better' : ci95[1] < 0 ? 'worse' : 'no detectable difference';
  return { metric, direction: o.direction, medianCurrent, medianRecommended, improvement, ci95, verdict, n };
}

export interface RemeasureRun {
  arm: 'current' | 'recommended';
  pair: number;
  outcome: TrialOutcome;
}

export interface RemeasureResult {
  recommended: Params;
  pairs: number;
  /** One effect per objective, then per constraint metric that is not an objective. */
  effects: Effect[];
  runs: RemeasureRun[];
  /** Whether the recommended config met every constraint at its median. */
  feasible: boolean;
  /** Set when a run failed or the re-measurement was cancelled; the effects use the complete pairs. */
  problem?: string;
  cancelled: boolean;
}

export type RunOnce = (arm: 'current' | 'recommended', params: Params, index: number, signal?: AbortSignal) => Promise<TrialOutcome>;

export interface RemeasureOptions {
  /** A/B pairs (default 5). */
  pairs?: number;
  signal?: AbortSignal;
  onRun?: (run: RemeasureRun, done: number, total: number) => void;
  /** Runs one measurement (default: the study's trial command once, through runTrial). */
  runOnce?: RunOnce;
  seed?: number;
  /** Failed runs tolerated (each loses its pair) before the re-measurement stops (default: half the pairs). */
  maxFailures?: number;
  /** Passed to runTrial (temporary folder root, monitor reader). */
  context?: Omit<TrialContext, 'trialNumber' | 'signal'>;
}

/**
 * Runs A B A B ... `pairs` times: A is the configuration file as it is (no parameter written),
 * B the file with the recommended values written in. Each run is one execution of the trial
 * command (the study's `repeats` are replaced by the pairs).
 */
export async function remeasure(def: StudyDefinition, recommended: Params, o: RemeasureOptions = {}): Promise<RemeasureResult> {
  const pairs = o.pairs ?? 5;
  const once: StudyDefinition = { ...def, repeats: 1 };
  const runOnce: RunOnce = o.runOnce ?? ((arm, params, index, signal) => runTrial(once, params, { ...o.context, trialNumber: -1 - index, signal }));
  const runs: RemeasureRun[] = [];
  const failures: string[] = [];
  const maxFailures = o.maxFailures ?? Math.max(1, Math.floor(pairs / 2));
  let problem: string | undefined;
  let cancelled = false;
  outer: for (let p = 0; p < pairs; p++) {
    for (const arm of ['current', 'recommended'] as const) {
      if (o.signal?.aborted) {
        cancelled = true;
        break outer;
      }
      const outcome = await runOnce(arm, arm === 'current' ? {} : recommended, runs.length, o.signal);
      const run = { arm, pair: p, outcome };
      if (outcome.state === 'cancelled') {
        cancelled = true;
        break outer;
      }
      runs.push(run);
      o.onRun?.(run, runs.length, pairs * 2);
      if (outcome.state === 'failed') {
        // A failed run loses its pair (a shared machine has hiccups); too many failures stop.
        failures.push(`the ${arm} configuration's run ${p + 1} failed: ${outcome.reason ?? 'no reason given'}`);
        if (failures.length > maxFailures) break outer;
        break;
      }
    }
  }
  if (failures.length) problem = `${failures.length} run(s) failed${failures.length > maxFailures ? ' (too many: stopped)' : ' (their pairs are left out)'}; ${failures[0]}`;
  if (cancelled) problem = problem ? `the re-measurement was cancelled; ${problem}` : 'the re-measurement was cancelled';
  // Only complete pairs count.
  const complete = new Map<number, { current?: TrialOutcome; recommended?: TrialOutcome }>();
  for (const r of runs) if (r.outcome.state === 'complete') complete.set(r.pair, { ...complete.get(r.pair), [r.arm]: r.outcome });
  const full = [...complete.values()].filter((x) => x.current && x.recommended);
  const metricsOf = (name: string, arm: 'current' | 'recommended') => full.map((x) => x[arm]!.metrics?.[name]).filter((v): v is number => v !== undefined);
  const effects: Effect[] = [];
  const seen = new Set<string>();
  const add = (metric: string, direction: Direction) => {
    if (seen.has(metric)) return;
    seen.add(metric);
    const a = metricsOf(metric, 'current');
    const b = metricsOf(metric, 'recommended');
    if (a.length && b.length) effects.push(compareSamples(metric, a, b, { direction, seed: o.seed ?? def.seed }));
  };
  for (const ob of def.objectives) add(ob.name, ob.direction);
  for (const c of def.constraints) add(c.metric, c.op === '<=' || c.op === '<' ? 'minimize' : 'maximize');
  const feasible =
    full.length > 0 &&
    def.constraints.every((c) => {
      const v = median(metricsOf(c.metric, 'recommended'));
      return c.op === '<=' ? v <= c.bound : c.op === '<' ? v < c.bound : c.op === '>=' ? v >= c.bound : v > c.bound;
    });
  return { recommended, pairs: full.length, effects, runs, feasible, ...(problem ? { problem } : {}), cancelled };
}

/**
 * One line for people: "throughput_tps up +31.2% (95% CI ...): better"; the sign is in the
 * objective's good direction, so "p95_latency_ms down +80%" means 80% lower.
 */
export function describeEffect(e: Effect): string {
  const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
  if (!Number.isFinite(e.ci95[0])) return `${e.metric}: ${Number.isFinite(e.improvement) ? pct(e.improvement) : 'n/a'} (too few runs for an interval)`;
  return `${e.metric} ${e.direction === 'maximize' ? 'up' : 'down'} ${pct(e.improvement)} (95% CI ${pct(e.ci95[0])} to ${pct(e.ci95[1])}; median ${fmt(e.medianCurrent)} -> ${fmt(e.medianRecommended)}, ${e.n} pairs): ${e.verdict}`;
}

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(3));
