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
  /** NSGA-II environmental selection: the best `popsize` by (front, crowding distance). */
  private select(pool: readonly Observation[]): { chosen: Observation[]; rank: number[]; crowd: number[]; fronts: number[][] } {
    const m = this.options.objectives;
    const vals = pool.map((o) => o.values!.slice(0, m));
    const fronts = nonDominatedSort(vals, pool.map(violation));
    const chosen: Observation[] = [];
    const rank: number[] = [];
    const crowd: number[] = [];
    fronts.forEach((f, r) => {
      if (chosen.length >= this.popsize) return;
      const cd = crowdingDistance(vals, f);
      const sorted = [...f].sort((a, b) => cd.get(b)! - cd.get(a)!);
      for (const i of sorted.slice(0, this.popsize - chosen.length)) {
        chosen.push(pool[i]);
        rank.push(r);
        crowd.push(cd.get(i)!);
      }
    });
    return { chosen, rank, crowd, fronts };
  }

  ask(history: readonly Observation[], pending: readonly Params[], n: number): Params[] {
    const codec = this.codec;
    const m = this.options.objectives;
    const start = history.length + pending.length;
    const complete = history.filter((o) => isComplete(o, m));
    if (complete.length < this.popsize) {
      return Array.from({ length: n }, (_, i) => codec.decode(designPoint(codec, this.options.seed, start + i)));
    }
    // Generational replay: generation g is the g-th chunk of `popsize` complete trials; the
    // population after it is the best `popsize` of the previous population and the chunk.
    let pop = complete.slice(0, this.popsize);
    let g = 1;
    for (; (g + 1) * this.popsize <= complete.length; g++) {
      pop = this.select([...pop, ...complete.slice(g * this.popsize, (g + 1) * this.popsize)]).chosen;
    }
    const sel = this.select(pop);
    const parents = sel.chosen.map((_, i) => i);
    const rank = sel.rank;
    const crowd = sel.crowd;
    const fronts = sel.fronts;
    const xs = sel.chosen.map((o) => codec.encode(o.params));
    this.note = `NSGA-II: generation ${g}, ${fronts[0].length} non-dominated trials in the population of ${this.popsize}; children by tournaments on rank and crowding distance.`;
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
