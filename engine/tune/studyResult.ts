/**
 * What a study found: the best feasible trial of a single-objective study, or the Pareto
 * front of the feasible trials of a multi-objective one. Feasible means complete and every
 * constraint satisfied (constraint value <= 0); a failed trial is never a candidate.
 */
import type { ObjectiveSpec } from './types';
import { toMinimization } from './types';

export interface ScoredTrial {
  trial: number;
  state: 'complete' | 'failed';
  values?: number[];
  feasible: boolean;
}

/** a dominates b (minimization): no worse in every objective and better in one. */
export function dominates(a: readonly number[], b: readonly number[]): boolean {
  let better = false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] > b[i]) return false;
    if (a[i] < b[i]) better = true;
  }
  return better;
}

const candidates = <T extends ScoredTrial>(trials: readonly T[]) => trials.filter((t) => t.state === 'complete' && t.feasible && t.values && t.values.every(Number.isFinite));

/** The feasible trials no other feasible trial dominates, in trial order. Ties (equal values) are all kept. */
export function paretoFront<T extends ScoredTrial>(trials: readonly T[], objectives: readonly ObjectiveSpec[]): T[] {
  const c = candidates(trials).map((t) => ({ t, v: toMinimization(t.values!, objectives) }));
  return c.filter((x) => !c.some((y) => y !== x && dominates(y.v, x.v))).map((x) => x.t).sort((a, b) => a.trial - b.trial);
}

/** The best feasible trial of the first objective (the earliest on ties); undefined when none is feasible. */
export function bestTrial<T extends ScoredTrial>(trials: readonly T[], objectives: readonly ObjectiveSpec[]): T | undefined {
  let best: { t: T; v: number } | undefined;
  for (const t of candidates(trials)) {
    const v = toMinimization(t.values!, objectives)[0];
    if (!best || v < best.v || (v === best.v && t.trial < best.t.trial)) best = { t, v };
  }
  return best?.t;
}
