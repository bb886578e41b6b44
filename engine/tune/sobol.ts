/**
 * `sobol`: the scrambled Sobol sequence (Joe-Kuo direction numbers, sobolSequence.ts), one
 * coordinate per parameter. Trial i gets point i, so the first 2^k trials are a
 * (t, k, s)-net: more even than random points. Scrambling is a seeded random digital shift
 * and no points are skipped (the unscrambled first points are the corner and the centre,
 * which would be an unfair start); `scramble: false` gives the published sequence.
 */
import { sobolPoint, sobolShift, SOBOL_MAX_DIM } from './sobolSequence';
import { rngFor } from './history';
import { SpaceCodec } from './space';
import type { Observation, Params, Sampler, SamplerFactory, SamplerOptions } from './types';

export interface SobolOptions extends SamplerOptions {
  scramble?: boolean;
}

export class SobolSampler implements Sampler {
  readonly name = 'sobol';
  private readonly codec: SpaceCodec;
  private readonly shift?: Uint32Array;
  constructor(private readonly options: SobolOptions) {
    this.codec = new SpaceCodec(options.space);
    const m = this.codec.params.length;
    if (options.scramble !== false && m <= SOBOL_MAX_DIM) this.shift = sobolShift(options.seed, m);
  }
  ask(history: readonly Observation[], pending: readonly Params[], n: number): Params[] {
    const m = this.codec.params.length;
    const start = history.length + pending.length;
    return Array.from({ length: n }, (_, i) =>
      this.codec.decode(
        m > SOBOL_MAX_DIM
          ? this.codec.sample(rngFor(this.options.seed, 0x50b, start + i))
          : this.codec.fromUnitParams(sobolPoint(start + i, m, this.shift)),
      ),
    );
  }
  explain(): string {
    return `Sobol quasi-random sequence${this.shift ? ' (seeded digital-shift scramble)' : ''}: evenly spread points that ignore the results.`;
  }
}

export const sobol: SamplerFactory = (o) => new SobolSampler(o);
