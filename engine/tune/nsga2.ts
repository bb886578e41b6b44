/**
 * `nsga2`: NSGA-II (Deb et al. 2002) for several objectives: fast non-dominated sorting,
 * crowding distance, constraint-domination (a feasible trial dominates an infeasible one; two
 * infeasible trials compare by total violation), binary tournaments on (rank, crowding), SBX
 * crossover and polynomial mutation. Elitist and stateless: the parent population is the best
 * `popsize` trials of the whole history by (rank, crowding), recomputed on every ask.
 */
import { isComplete, rngFor, violation } from './history';
import { designPoint } from './initialDesign';
import { SpaceCodec } from './space';
import type { Observation, Params, Sampler, SamplerFactory, SamplerOptions } from './types';
import { polynomialMutation, sbxCrossover } from './variation';

export interface Nsga2Options extends SamplerOptions {
  popsize?: number;
}

/** a constraint-dominates b (all objectives minimized). */
export function constrainedDominates(a: readonly number[], va: number, b: readonly number[], vb: number): boolean {
  if (va === 0 && vb > 0) return true;
  if (va > 0 && vb === 0) return false;
  if (va > 0 && vb > 0) return va < vb;
  let better = false;
  for (let k = 0; k < a.length; k++) {
    if (a[k] > b[k]) return false;
    if (a[k] < b[k]) better = true;
  }
  return better;
}

/** Fronts of indices, best first. */
export function nonDominatedSort(values: readonly (readonly number[])[], violations?: readonly number[]): number[][] {
  const n = values.length;
  const v = violations ?? new Array(n).fill(0);
  const dominatedBy = new Array<number>(n).fill(0);
  const dominates: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (constrainedDominates(values[i], v[i], values[j], v[j])) {
        dominates[i].push(j);
        dominatedBy[j]++;
      } else if (constrainedDominates(values[j], v[j], values[i], v[i])) {
        dominates[j].push(i);
        dominatedBy[i]++;
      }
    }
  }
  const fronts: number[][] = [];
  let current = [...Array(n).keys()].filter((i) => dominatedBy[i] === 0);
  while (current.length > 0) {
    fronts.push(current);
    const next: number[] = [];
    for (const i of current) for (const j of dominates[i]) if (--dominatedBy[j] === 0) next.push(j);
    current = next;
  }
  return fronts;
}

/** Crowding distance of each member of one front (Infinity at the extremes of each objective). */
export function crowdingDistance(values: readonly (readonly number[])[], front: readonly number[]): Map<number, number> {
  const d = new Map<number, number>(front.map((i) => [i, 0]));
  if (front.length === 0) return d;
  const m = values[front[0]].length;
  for (let k = 0; k < m; k++) {
    const sorted = [...front].sort((a, b) => values[a][k] - values[b][k]);
    const lo = values[sorted[0]][k];
    const hi = values[sorted[sorted.length - 1]][k];
    d.set(sorted[0], Infinity);
    d.set(sorted[sorted.length - 1], Infinity);
    if (hi - lo <= 0) continue;
    for (let i = 1; i < sorted.length - 1; i++) {
      d.set(sorted[i], d.get(sorted[i])! + (values[sorted[i + 1]][k] - values[sorted[i - 1]][k]) / (hi - lo));
    }
  }
  return d;
}

export class Nsga2Sampler implements Sampler {
  readonly name = 'nsga2';
  private readonly codec: SpaceCodec;
  readonly popsize: number;
  private note = 'NSGA-II: filling the first population with Sobol points.';
  constructor(private readonly options: Nsga2Options) {
    this.codec = new SpaceCodec(options.space);
    this.popsize = options.popsize ?? Math.min(100, Math.max(20, 4 * this.codec.params.length));
  }
  explain(): string {
    return this.note;
  }
  ask(history: readonly Observation[], pending: readonly Params[], n: number): Params[] {
    const codec = this.codec;
    const m = this.options.objectives;
    const start = history.length + pending.length;
    const complete = history.filter((o) => isComplete(o, m));
    if (complete.length < this.popsize) {
      return Array.from({ length: n }, (_, i) => codec.decode(designPoint(codec, this.options.seed, start + i)));
    }
    const vals = complete.map((o) => o.values!.slice(0, m));
    const viol = complete.map(violation);
    const fronts = nonDominatedSort(vals, viol);
    const rank = new Array<number>(complete.length);
    const crowd = new Array<number>(complete.length);
    const parents: number[] = [];
    fronts.forEach((f, r) => {
      const cd = crowdingDistance(vals, f);
      for (const i of f) {
        rank[i] = r;
        crowd[i] = cd.get(i)!;
      }
      if (parents.length >= this.popsize) return;
      const sorted = [...f].sort((a, b) => crowd[b] - crowd[a]);
      parents.push(...sorted.slice(0, this.popsize - parents.length));
    });
    const xs = parents.map((i) => codec.encode(complete[i].params));
    this.note = `NSGA-II: ${fronts[0].length} non-dominated trials of ${complete.length}; children of a population of ${this.popsize} chosen by rank and crowding distance.`;
    return Array.from({ length: n }, (_, k) => {
      const rng = rngFor(this.options.seed, 0x25a, start + k);
      const pick = () => {
        const a = rng.int(parents.length);
        const b = rng.int(parents.length);
        const ia = parents[a];
        const ib = parents[b];
        const aWins = rank[ia] < rank[ib] || (rank[ia] === rank[ib] && crowd[ia] >= crowd[ib]);
        return xs[aWins ? a : b];
      };
      return codec.decode(polynomialMutation(codec, sbxCrossover(codec, pick(), pick(), rng, 20), rng));
    });
  }
}

export const nsga2: SamplerFactory = (o) => new Nsga2Sampler(o);
