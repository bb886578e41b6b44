/**
 * `random`: independent uniform points (log-scaled parameters uniform in log, every int and
 * categorical value equally likely). Point i of the study comes from its own seeded stream,
 * so batches, resumes and reruns give the same points.
 */
import { rngFor } from './history';
import { SpaceCodec } from './space';
import type { Sampler, SamplerFactory, SamplerOptions, Observation, Params } from './types';

export class RandomSampler implements Sampler {
  readonly name = 'random';
  private readonly codec: SpaceCodec;
  constructor(private readonly options: SamplerOptions) {
    this.codec = new SpaceCodec(options.space);
  }
  ask(history: readonly Observation[], pending: readonly Params[], n: number): Params[] {
    const start = history.length + pending.length;
    return Array.from({ length: n }, (_, i) => this.codec.decode(this.codec.sample(rngFor(this.options.seed, 0x7a, start + i))));
  }
  explain(): string {
    return 'Random search: independent uniform points, a baseline that ignores the results.';
  }
}

export const random: SamplerFactory = (o) => new RandomSampler(o);
