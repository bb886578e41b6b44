/**
 * Sequential algorithms (CMA-ES, Nelder-Mead, SPSA) are written as generators that yield a
 * batch of points in the unit cube and receive the evaluated batch back. `replayAsk` rebuilds
 * such an algorithm's state from the history on every `ask`: it runs the generator from its
 * start, feeding it the history's trials in order, until the history is used up; the points
 * of the current batch that are neither finished nor pending are the answer. This is what
 * makes a resumed study continue exactly where it stopped, with no state stored anywhere.
 */
import type { Rng } from '../util/rng';

export interface Evaluated {
  /** The point as it was run (re-encoded from the trial's parameters). */
  x: Float64Array;
  y: number;
}

export interface Batch {
  points: Float64Array[];
  /** Extra points from the same search distribution, when more are asked for than the batch holds. */
  more?: (rng: Rng) => Float64Array;
}

export type BatchAlgorithm = Generator<Batch, never, Evaluated[]>;

export interface ReplayResult {
  points: Float64Array[];
  /** The batch the algorithm is in (for explain()). */
  batches: number;
}

/**
 * @param start  creates the algorithm afresh (it must be deterministic).
 * @param done   finished trials in order (encoded point and scalar value).
 * @param pending number of trials still running (they hold the next points of the batch).
 * @param extra  fallback for points beyond the current batch without a `more` sampler.
 */
export function replayAsk(
  start: () => BatchAlgorithm,
  done: readonly Evaluated[],
  pending: number,
  n: number,
  rng: Rng,
  extra: (rng: Rng) => Float64Array,
): ReplayResult {
  const gen = start();
  let batch = gen.next(undefined as unknown as Evaluated[]).value;
  let used = 0;
  let batches = 1;
  while (done.length - used >= batch.points.length) {
    const take = done.slice(used, used + batch.points.length);
    used += batch.points.length;
    batch = gen.next(take).value;
    batches++;
  }
  const inBatch = done.length - used + pending;
  const out: Float64Array[] = [];
  for (let i = inBatch; i < batch.points.length && out.length < n; i++) out.push(Float64Array.from(batch.points[i]));
  while (out.length < n) out.push(batch.more ? batch.more(rng) : extra(rng));
  return { points: out, batches };
}
