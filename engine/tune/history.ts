/**
 * What the samplers read from a history: encoded points, one scalar to minimize per trial
 * (failures and constraint violations folded in), and seeded random streams keyed by trial
 * index so that `ask` depends only on seed, space, history and pending.
 */
import { Rng } from '../util/rng';
import type { Observation, Params } from './types';
import type { SpaceCodec } from './space';

/** A 32-bit mix of a seed and keys (lowbias32 chained), for independent per-trial streams. */
export function mixSeed(seed: number, ...keys: number[]): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const k of keys) {
    h ^= (k + 0x7f4a7c15 + (h << 6) + (h >>> 2)) >>> 0;
    h ^= h >>> 16;
    h = Math.imul(h, 0x7feb352d);
    h ^= h >>> 15;
    h = Math.imul(h, 0x846ca68b);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

export function rngFor(seed: number, ...keys: number[]): Rng {
  return new Rng(mixSeed(seed, ...keys));
}

/** Total constraint violation (0 when feasible or when there are no constraints). */
export function violation(o: Observation): number {
  if (!o.constraints) return 0;
  let v = 0;
  for (const c of o.constraints) v += Number.isFinite(c) ? Math.max(0, c) : 1e300;
  return v;
}

export function isComplete(o: Observation, objectives = 1): boolean {
  return o.state === 'complete' && !!o.values && o.values.length >= objectives && o.values.slice(0, objectives).every(Number.isFinite);
}

/**
 * One scalar per trial (in trial order) for single-objective algorithms that have no model of
 * failures or constraints: objective 0 (or, with several objectives, the sum of objectives
 * scaled to [0, 1] over the history); feasible trials keep their value; an infeasible trial
 * ranks after every feasible one, ordered by its violation; a failed trial ranks last.
 * Only order-preserving for the algorithms' comparisons; SPSA and annealing also use differences,
 * which stay meaningful among feasible trials.
 */
export function scalarValues(history: readonly Observation[], objectives: number): number[] {
  const raw = history.map((o) => (isComplete(o, objectives) ? scalarize(o.values!, history, objectives) : NaN));
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < raw.length; i++) {
    if (Number.isFinite(raw[i])) {
      lo = Math.min(lo, raw[i]);
      hi = Math.max(hi, raw[i]);
    }
  }
  if (!Number.isFinite(lo)) {
    lo = 0;
    hi = 1;
  }
  const span = Math.max(hi - lo, 1e-12);
  return history.map((o, i) => {
    if (!Number.isFinite(raw[i])) return hi + 10 * span;
    const v = violation(o);
    return v > 0 ? hi + span * (1 + Math.min(v, 1e6) / (1 + Math.min(v, 1e6))) : raw[i];
  });
}

const normCache = new WeakMap<readonly Observation[], { lo: number[]; hi: number[] }>();

function scalarize(values: number[], history: readonly Observation[], objectives: number): number {
  if (objectives <= 1) return values[0];
  let n = normCache.get(history);
  if (!n) {
    const lo = new Array(objectives).fill(Infinity);
    const hi = new Array(objectives).fill(-Infinity);
    for (const o of history) {
      if (!isComplete(o, objectives)) continue;
      for (let k = 0; k < objectives; k++) {
        lo[k] = Math.min(lo[k], o.values![k]);
        hi[k] = Math.max(hi[k], o.values![k]);
      }
    }
    n = { lo, hi };
    normCache.set(history, n);
  }
  let s = 0;
  for (let k = 0; k < objectives; k++) s += (values[k] - n.lo[k]) / Math.max(n.hi[k] - n.lo[k], 1e-12);
  return s;
}

/** Encoded points of a history (every trial, including failed ones). */
export function encodeAll(codec: SpaceCodec, params: readonly Params[]): Float64Array[] {
  return params.map((p) => codec.encode(p));
}

/** Index of the best trial by `scalarValues` (or -1 when the history is empty). */
export function bestIndex(values: readonly number[]): number {
  let b = -1;
  for (let i = 0; i < values.length; i++) if (b < 0 || values[i] < values[b]) b = i;
  return b;
}
