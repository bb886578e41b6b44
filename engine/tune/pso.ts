/**
 * `pso`: particle swarm optimization (constriction coefficients of Clerc & Kennedy 2002:
 * w = 0.7298, c1 = c2 = 1.49618). Trial t is particle t mod S at iteration floor(t / S); a
 * particle's velocity is the difference of its last two positions and its personal best is
 * its best trial, all read from the history, so the swarm has no hidden state.
 */
import { bestIndex, rngFor, scalarValues } from './history';
import { designPoint } from './initialDesign';
import { SpaceCodec } from './space';
import type { Observation, Params, Sampler, SamplerFactory, SamplerOptions } from './types';

export interface PsoOptions extends SamplerOptions {
  swarm?: number;
}

const W = 0.7298;
const C = 1.49618;
const VMAX = 0.25;

export class PsoSampler implements Sampler {
  readonly name = 'pso';
  private readonly codec: SpaceCodec;
  readonly swarm: number;
  constructor(private readonly options: PsoOptions) {
    this.codec = new SpaceCodec(options.space);
    this.swarm = options.swarm ?? Math.min(40, Math.max(10, 2 * this.codec.params.length));
  }
  explain(): string {
    return `Particle swarm: ${this.swarm} particles, each pulled toward its own best and the swarm's best trial.`;
  }
  ask(history: readonly Observation[], pending: readonly Params[], n: number): Params[] {
    const codec = this.codec;
    const S = this.swarm;
    const start = history.length + pending.length;
    const values = scalarValues(history, this.options.objectives);
    const xs = history.map((o) => codec.encode(o.params));
    const g = bestIndex(values);
    return Array.from({ length: n }, (_, k) => {
      const t = start + k;
      if (t < S || g < 0) return codec.decode(designPoint(codec, this.options.seed, t));
      const rng = rngFor(this.options.seed, 0x9a0, t);
      const prev = t - S;
      if (prev >= xs.length) {
        // The particle's last position is still running: explore around the swarm's best instead.
        const x = Float64Array.from(xs[g], (v) => Math.min(1, Math.max(0, v + 0.05 * rng.normal())));
        return codec.decode(codec.project(x));
      }
      const x = xs[prev];
      const before = prev - S >= 0 ? xs[prev - S] : x;
      let pb = prev;
      for (let i = prev % S; i < xs.length; i += S) if (values[i] < values[pb]) pb = i;
      const out = new Float64Array(codec.dim);
      for (let d = 0; d < codec.dim; d++) {
        let v = W * (x[d] - before[d]) + C * rng.next() * (xs[pb][d] - x[d]) + C * rng.next() * (xs[g][d] - x[d]);
        v = Math.max(-VMAX, Math.min(VMAX, v));
        let p = x[d] + v;
        if (p < 0) p = -p;
        if (p > 1) p = 2 - p;
        out[d] = Math.min(1, Math.max(0, p));
      }
      return codec.decode(codec.project(out));
    });
  }
}

export const pso: SamplerFactory = (o) => new PsoSampler(o);
