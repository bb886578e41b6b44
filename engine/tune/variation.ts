/**
 * Variation operators of the evolutionary samplers (genetic, nsga2), per parameter:
 * simulated binary crossover (SBX, Deb & Agrawal 1995) and polynomial mutation on numeric
 * coordinates of the unit cube; uniform crossover and random reset on categoricals.
 */
import type { Rng } from '../util/rng';
import type { SpaceCodec } from './space';

export function sbxCrossover(codec: SpaceCodec, a: Float64Array, b: Float64Array, rng: Rng, eta = 15, prob = 0.9): Float64Array {
  const child = Float64Array.from(a);
  if (rng.next() >= prob) return child;
  for (const p of codec.params) {
    if (p.kind === 'categorical') {
      if (rng.next() < 0.5) for (let i = 0; i < p.width; i++) child[p.offset + i] = b[p.offset + i];
      continue;
    }
    const i = p.offset;
    if (rng.next() >= 0.5 || Math.abs(a[i] - b[i]) < 1e-14) continue;
    const u = rng.next();
    const beta = u <= 0.5 ? Math.pow(2 * u, 1 / (eta + 1)) : Math.pow(1 / (2 * (1 - u)), 1 / (eta + 1));
    const sign = rng.next() < 0.5 ? 1 : -1;
    const c = 0.5 * (a[i] + b[i]) + sign * 0.5 * beta * (a[i] - b[i]);
    child[i] = Math.min(1, Math.max(0, c));
  }
  return child;
}

export function polynomialMutation(codec: SpaceCodec, x: Float64Array, rng: Rng, eta = 20, prob?: number): Float64Array {
  const pm = prob ?? 1 / Math.max(1, codec.params.length);
  for (const p of codec.params) {
    if (rng.next() >= pm) continue;
    if (p.kind === 'categorical') {
      x.fill(0, p.offset, p.offset + p.width);
      x[p.offset + rng.int(p.width)] = 1;
      continue;
    }
    const i = p.offset;
    const u = rng.next();
    const d = u < 0.5 ? Math.pow(2 * u, 1 / (eta + 1)) - 1 : 1 - Math.pow(2 * (1 - u), 1 / (eta + 1));
    x[i] = Math.min(1, Math.max(0, x[i] + d));
  }
  return codec.project(x);
}
