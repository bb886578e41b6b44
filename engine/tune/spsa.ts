/**
 * `spsa`: simultaneous perturbation stochastic approximation (Spall 1998), a local method for
 * noisy objectives: each iteration evaluates x + c_k Delta and x - c_k Delta for a random
 * +-1 vector Delta and steps against the two-point gradient estimate. Gains follow Spall's
 * recommendations a_k = a / (k + 1 + A)^0.602, c_k = c / (k + 1)^0.101, with A = 10% of the
 * iterations, c = 0.05 of the range, and a set from the first gradient estimate so that the
 * first step moves at most 0.05 of the range. Starts at the seeded first Sobol point; steps are clipped to 0.1.
 */
import { bestIndex, rngFor, scalarValues } from './history';
import { replayAsk, type BatchAlgorithm } from './replay';
import { designPoint } from './initialDesign';
import { clipToUnitCube as clip, SpaceCodec } from './space';
import type { Observation, Params, Sampler, SamplerFactory, SamplerOptions } from './types';

export class SpsaSampler implements Sampler {
  readonly name = 'spsa';
  private readonly codec: SpaceCodec;
  private note = 'SPSA: evaluating the first perturbation pair.';
  constructor(private readonly options: SamplerOptions) {
    this.codec = new SpaceCodec(options.space);
  }
  explain(): string {
    return this.note;
  }
  ask(history: readonly Observation[], pending: readonly Params[], n: number): Params[] {
    const codec = this.codec;
    const values = scalarValues(history, this.options.objectives);
    const done = history.map((o, i) => ({ x: codec.encode(o.params), y: values[i] }));
    const b = bestIndex(values);
    const around = b >= 0 ? done[b].x : new Float64Array(codec.dim).fill(0.5);
    const r = replayAsk(() => this.run(), done, pending.length, n, rngFor(this.options.seed, 0x595a, history.length + pending.length), (rng) =>
      codec.project(clip(Float64Array.from(around, (v) => v + 0.02 * rng.normal()))),
    );
    return r.points.map((x) => codec.decode(x));
  }

  private *run(): BatchAlgorithm {
    const codec = this.codec;
    const D = codec.dim;
    const iterations = Math.max(10, Math.floor((this.options.budget ?? 200) / 2));
    const A = 0.1 * iterations;
    const c = 0.05;
    let a = 0;
    // Start at the seeded first Sobol point, not the centre: many test functions have their
    // optimum at the centre, and a start there would flatter the method.
    const x = designPoint(codec, this.options.seed, 0);
    for (let k = 0; ; k++) {
      const rng = rngFor(this.options.seed, 0x595b, k);
      const delta = Float64Array.from({ length: D }, () => (rng.next() < 0.5 ? -1 : 1));
      const ck = c / Math.pow(k + 1, 0.101);
      const plus = codec.project(clip(Float64Array.from(x, (v, d) => v + ck * delta[d])));
      const minus = codec.project(clip(Float64Array.from(x, (v, d) => v - ck * delta[d])));
      const [ep, em] = yield { points: [plus, minus] };
      const g = new Float64Array(D);
      let gmax = 0;
      for (let d = 0; d < D; d++) {
        const dx = ep.x[d] - em.x[d];
        g[d] = Math.abs(dx) > 1e-12 ? (ep.y - em.y) / dx : 0;
        gmax = Math.max(gmax, Math.abs(g[d]));
      }
      if (k === 0) a = gmax > 0 ? (0.05 * Math.pow(1 + A, 0.602)) / gmax : 0.05;
      const ak = a / Math.pow(k + 1 + A, 0.602);
      for (let d = 0; d < D; d++) x[d] -= Math.max(-0.1, Math.min(0.1, ak * g[d]));
      clip(x);
      this.note = `SPSA iteration ${k + 1}: two-point gradient estimates with perturbation ${ck.toPrecision(2)} and gain ${ak.toExponential(1)}.`;
    }
  }
}

export const spsa: SamplerFactory = (o) => new SpsaSampler(o);
