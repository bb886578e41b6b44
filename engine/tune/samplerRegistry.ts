/**
 * The samplers the CLI can name. TEMPORARY: the algorithms are written on another branch
 * (engine/tune/index.ts will export `createSampler`); until it is merged only `random` is
 * here, and every other name says it is not available yet. The lead reconciles the two.
 */
import { Rng } from '../util/rng';
import type { ParamSpec, Params, ParamValue, Sampler, SamplerOptions, SearchSpace } from './types';

export const ALGORITHM_NAMES = ['auto', 'bayesian', 'genetic', 'pso', 'annealing', 'cmaes', 'nelder-mead', 'spsa', 'nsga2', 'random', 'sobol'] as const;

/** Mixes the seed and an index into a 32-bit seed (splitmix-like), so point i never depends on how many asks came before. */
function mix(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

function draw(spec: ParamSpec, rng: Rng): ParamValue {
  if (spec.type === 'categorical') return spec.choices[rng.int(spec.choices.length)];
  const u = rng.next();
  let x = spec.log ? Math.exp(Math.log(spec.low) + u * (Math.log(spec.high) - Math.log(spec.low))) : spec.low + u * (spec.high - spec.low);
  if (spec.type === 'int') {
    const step = spec.step ?? 1;
    x = spec.low + Math.round((x - spec.low) / step) * step;
    return Math.min(spec.high, Math.max(spec.low, x));
  }
  if (spec.step) x = Math.min(spec.high, spec.low + Math.round((x - spec.low) / spec.step) * spec.step);
  return x;
}

/** Drops the parameters whose condition does not hold (parents come first in the space). */
export function activeParams(space: SearchSpace, full: Params): Params {
  const out: Params = {};
  for (const [name, spec] of Object.entries(space)) {
    const c = spec.condition;
    if (c && !(c.param in out && c.in.some((v) => String(v) === String(out[c.param])))) continue;
    out[name] = full[name];
  }
  return out;
}

/** Uniform random search: point i of the study is a function of (seed, i) only. */
export function randomSampler(o: SamplerOptions): Sampler {
  return {
    name: 'random',
    ask(history, pending, n) {
      const first = history.length + pending.length;
      return Array.from({ length: n }, (_, i) => {
        const rng = new Rng(mix(o.seed, first + i));
        const full: Params = {};
        for (const [name, spec] of Object.entries(o.space)) full[name] = draw(spec, rng);
        return activeParams(o.space, full);
      });
    },
    explain: () => 'Random search: every point drawn uniformly (log-uniformly on log scales) from the space, independently of the results.',
  };
}

export class UnknownAlgorithmError extends Error {}

/** The sampler for an algorithm name of alluse-perf.yaml or `--algorithm`. */
export function createSampler(name: string, options: SamplerOptions): Sampler {
  if (name === 'random') return randomSampler(options);
  if ((ALGORITHM_NAMES as readonly string[]).includes(name)) {
    throw new UnknownAlgorithmError(`the algorithm "${name}" is not available yet in this build; use --algorithm random (the other algorithms are being added).`);
  }
  throw new UnknownAlgorithmError(`unknown algorithm "${name}"; the algorithms are ${ALGORITHM_NAMES.join(', ')}.`);
}
