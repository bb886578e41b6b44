/**
 * The tuning engine's shared vocabulary: search spaces, observations and the sampler
 * interface every algorithm implements. The study runner (engine/tune/study*.ts), the CLI,
 * the benchmarks and the server all speak only these types, so an algorithm can be swapped
 * without touching them.
 *
 * Conventions
 * - Samplers always MINIMIZE. Callers turn "maximize" objectives into minimization by
 *   negating the value before it reaches a sampler (see `toMinimization`).
 * - Constraints are given as values c_i where c_i <= 0 means "satisfied" (Optuna's
 *   convention), so "p95_latency_ms <= 50" becomes p95 - 50.
 * - A sampler is rebuilt from the history on resume: `ask` must depend only on the seed,
 *   the space, the history (in trial order) and the pending trials, never on wall-clock
 *   time or on how many times it was called before. That makes a resumed study continue
 *   without re-running or forgetting a finished trial.
 */

export type ParamValue = number | string | boolean;
export type Params = Record<string, ParamValue>;

/** A parameter is only active when another (categorical or int) parameter has one of these values. */
export interface ParamCondition {
  param: string;
  in: ParamValue[];
}

export type ParamSpec =
  | { type: 'float'; low: number; high: number; log?: boolean; step?: number; condition?: ParamCondition }
  | { type: 'int'; low: number; high: number; log?: boolean; step?: number; condition?: ParamCondition }
  | { type: 'categorical'; choices: ParamValue[]; condition?: ParamCondition };

/** Parameter name -> spec. Key order is the dimension order. */
export type SearchSpace = Record<string, ParamSpec>;

export type Direction = 'minimize' | 'maximize';

export interface ObjectiveSpec {
  name: string;
  direction: Direction;
}

export type ConstraintOp = '<=' | '<' | '>=' | '>';

export interface ConstraintSpec {
  metric: string;
  op: ConstraintOp;
  bound: number;
}

export type TrialState = 'complete' | 'failed' | 'running';

/** One finished (or failed) evaluation, as samplers see it: already in minimization form. */
export interface Observation {
  params: Params;
  state: TrialState;
  /** One value per objective, to be minimized. Absent unless state is 'complete'. */
  values?: number[];
  /** One value per constraint, <= 0 means satisfied. Absent when the study has no constraints. */
  constraints?: number[];
}

export interface SamplerOptions {
  space: SearchSpace;
  /** Number of objectives (1 for single-objective). */
  objectives: number;
  /** Number of constraints (0 when none). */
  constraints: number;
  seed: number;
  /** Total evaluations the study may use, when known: lets `auto` and schedules plan. */
  budget?: number;
}

export interface Sampler {
  /** Algorithm name as written in alluse-perf.yaml (`bayesian`, `cmaes`, ...). */
  readonly name: string;
  /**
   * Propose `n` parameter sets (n > 1 for parallel trials). `history` holds every finished
   * or failed trial in trial order; `pending` the parameters of trials still running, so a
   * batch does not propose the same point twice.
   */
  ask(history: readonly Observation[], pending: readonly Params[], n: number): Params[];
  /** One sentence for the user on what the sampler does now and why (auto explains its choice here). */
  explain(): string;
}

export type SamplerFactory = (options: SamplerOptions) => Sampler;

/** Turn raw objective values into the minimization form samplers expect. */
export function toMinimization(values: readonly number[], objectives: readonly ObjectiveSpec[]): number[] {
  return values.map((v, i) => (objectives[i]?.direction === 'maximize' ? -v : v));
}

/** Turn measured metrics into constraint values (<= 0 satisfied). */
export function constraintValues(metrics: Readonly<Record<string, number>>, constraints: readonly ConstraintSpec[]): number[] {
  return constraints.map((c) => {
    const v = metrics[c.metric];
    if (v === undefined || !Number.isFinite(v)) return Number.POSITIVE_INFINITY;
    return c.op === '<=' || c.op === '<' ? v - c.bound : c.bound - v;
  });
}
