/**
 * `genetic`: a steady elitist real-coded genetic algorithm. The population is the best
 * `popsize` trials so far (failed and infeasible ones rank last); each new trial is a child of
 * two binary-tournament winners by SBX crossover and polynomial mutation. The population is
 * recomputed from the history on every ask, so the algorithm has no state to lose.
 */
import { isComplete, rngFor, scalarValues } from './history';
import { designPoint } from './initialDesign';
import { SpaceCodec } from './space';
import type { Observation, Params, Sampler, SamplerFactory, SamplerOptions } from './types';
import { polynomialMutation, sbxCrossover } from './variation';

export interface GeneticOptions extends SamplerOptions {
  popsize?: number;
}

export class GeneticSampler implements Sampler {
  readonly name = 'genetic';
  private readonly codec: SpaceCodec;
  readonly popsize: number;
  private note = 'Genetic algorithm: filling the first population with Sobol points.';
  constructor(private readonly options: GeneticOptions) {
    this.codec = new SpaceCodec(options.space);
    this.popsize = options.popsize ?? Math.min(50, Math.max(16, 2 * this.codec.params.length + 4));
  }
  explain(): string {
    return this.note;
  }
  ask(history: readonly Observation[], pending: readonly Params[], n: number): Params[] {
    const codec = this.codec;
    const start = history.length + pending.length;
    const complete = history.filter((o) => isComplete(o, this.options.objectives)).length;
    if (complete < this.popsize) {
      return Array.from({ length: n }, (_, i) => codec.decode(designPoint(codec, this.options.seed, start + i)));
    }
    const values = scalarValues(history, this.options.objectives);
    const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]).slice(0, this.popsize);
    const pop = order.map(([v, i]) => ({ x: codec.encode(history[i].params), v }));
    this.note = `Genetic algorithm: children of the best ${this.popsize} trials (best value ${pop[0].v.toPrecision(4)}) by SBX crossover and polynomial mutation.`;
    return Array.from({ length: n }, (_, k) => {
      const rng = rngFor(this.options.seed, 0x6e, start + k);
      const pick = () => {
        const a = rng.int(pop.length);
        const b = rng.int(pop.length);
        return pop[Math.min(a, b)].x; // pop is sorted: the smaller index wins the tournament
      };
      return codec.decode(polynomialMutation(codec, sbxCrossover(codec, pick(), pick(), rng), rng));
    });
  }
}

export const genetic: SamplerFactory = (o) => new GeneticSampler(o);
