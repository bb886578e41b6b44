/**
 * The tuning engine: search spaces, samplers and the registry that builds a sampler by the
 * name written in alluse-perf.yaml. Pure TypeScript, no editor imports.
 */
import { annealing } from './annealing';
import { auto } from './auto';
import { bayesian, parego } from './bayesian';
import { cmaes } from './cmaes';
import { genetic } from './genetic';
import { nelderMead } from './nelderMead';
import { nsga2 } from './nsga2';
import { pso } from './pso';
import { random } from './random';
import { sobol } from './sobol';
import { spsa } from './spsa';
import type { Sampler, SamplerFactory, SamplerOptions } from './types';

export * from './types';
export { SpaceCodec } from './space';
export { sobolPoint, sobolShift, SOBOL_MAX_DIM } from './sobolSequence';
export { BayesianSampler, type Recommender } from './bayesian';
export { AutoSampler } from './auto';
export { CmaesSampler } from './cmaes';
export { CmaEs } from './cmaesCore';
export { GeneticSampler } from './genetic';
export { Nsga2Sampler, nonDominatedSort, crowdingDistance, constrainedDominates } from './nsga2';
export { PsoSampler } from './pso';
export { AnnealingSampler } from './annealing';
export { NelderMeadSampler } from './nelderMead';
export { SpsaSampler } from './spsa';
export { RandomSampler } from './random';
export { SobolSampler } from './sobol';
export { Gp, fitGp, matern52, negLogPosterior } from './gp';
export { logEI, logNormCdf, normCdf, normPdf, erf, erfc, erfcx } from './normal';

export const SAMPLERS: Readonly<Record<string, SamplerFactory>> = Object.freeze({
  auto,
  bayesian,
  parego,
  cmaes,
  genetic,
  pso,
  annealing,
  'nelder-mead': nelderMead,
  spsa,
  random,
  sobol,
  nsga2,
});

export type SamplerName = keyof typeof SAMPLERS;

/** Build a sampler by name; the error lists the names that exist. */
export function createSampler(name: string, options: SamplerOptions & Record<string, unknown>): Sampler {
  const f = SAMPLERS[name];
  if (!f) throw new Error(`unknown tuning algorithm "${name}"; use one of: ${Object.keys(SAMPLERS).join(', ')}`);
  return f(options);
}

/** True when the sampler can recommend a point other than the best observed (e.g. under noise). */
export function canRecommend(s: Sampler): s is Sampler & { recommend(h: readonly import('./types').Observation[]): import('./types').Params | null } {
  return typeof (s as { recommend?: unknown }).recommend === 'function';
}
