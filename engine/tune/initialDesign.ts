/**
 * Space-filling first points shared by the model-based and evolutionary samplers: the
 * scrambled Sobol point with the trial's index (so a batch and a resumed study continue the
 * same sequence), or a seeded uniform point beyond the Sobol table's 64 parameters.
 */
import { rngFor } from './history';
import { SOBOL_MAX_DIM, sobolPoint, sobolShift } from './sobolSequence';
import type { SpaceCodec } from './space';

export function designPoint(codec: SpaceCodec, seed: number, index: number): Float64Array {
  const m = codec.params.length;
  if (m === 0) return new Float64Array(0);
  if (m > SOBOL_MAX_DIM) return codec.sample(rngFor(seed, 0xd5, index));
  return codec.fromUnitParams(sobolPoint(index, m, sobolShift(seed, m)));
}
