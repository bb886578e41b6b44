/**
 * `nelder-mead`: the Nelder-Mead simplex method with the dimension-adaptive coefficients of
 * Gao & Han 2012 (reflection 1, expansion 1 + 2/D, contraction 0.75 - 1/(2D), shrink
 * 1 - 1/D), points kept in the unit cube by clipping. A local method: it starts from the
 * seeded first Sobol point with a simplex of 0.25 of the range and restarts around its best point with a smaller
 * simplex (0.1, then 0.05, ...) once the simplex has collapsed. Trials beyond the one the
 * method waits for (parallel trials) are small perturbations of the best point.
 */
import { bestIndex, rngFor, scalarValues } from './history';
import { replayAsk, type BatchAlgorithm, type Evaluated } from './replay';
import { designPoint } from './initialDesign';
import { clipToUnitCube as clip, SpaceCodec } from './space';
import type { Observation, Params, Sampler, SamplerFactory, SamplerOptions } from './types';

export class NelderMeadSampler implements Sampler {
  readonly name = 'nelder-mead';
  private readonly codec: SpaceCodec;
  private note = 'Nelder-Mead simplex: evaluating the first simplex.';
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
    const r = replayAsk(
      () => this.run(),
      done,
      pending.length,
      n,
      rngFor(this.options.seed, 0x4e4d, history.length + pending.length),
      (rng) => codec.project(clip(Float64Array.from(around, (v) => v + 0.02 * rng.normal()))),
    );
    return r.points.map((x) => codec.decode(x));
  }

  private *run(): BatchAlgorithm {
    const codec = this.codec;
    const D = codec.dim;
    const alpha = 1;
    const gamma = 1 + 2 / D;
    const rho = 0.75 - 1 / (2 * D);
    const shrink = 1 - 1 / D;
    // Start at the seeded first Sobol point, not the centre: many test functions have their
    // optimum at the centre, and a start there would flatter the method.
    let start = designPoint(codec, this.options.seed, 0);
    let scale = 0.25;
    const evalOne = function* (x: Float64Array): Generator<{ points: Float64Array[] }, Evaluated, Evaluated[]> {
      const [e] = yield { points: [codec.project(clip(x))] };
      return e;
    };
    for (let restart = 0; ; restart++) {
      this.note = `Nelder-Mead simplex (run ${restart + 1}, initial size ${scale} of the range).`;
      const init: Float64Array[] = [codec.project(clip(Float64Array.from(start)))];
      for (let d = 0; d < D; d++) {
        const x = Float64Array.from(start);
        x[d] = x[d] + scale <= 1 ? x[d] + scale : x[d] - scale;
        init.push(codec.project(clip(x)));
      }
      let simplex: Evaluated[] = yield { points: init };
      for (let iter = 0; iter < 200 * D; iter++) {
        simplex.sort((a, b) => a.y - b.y);
        const best = simplex[0];
        const worst = simplex[D];
        let diam = 0;
        for (let i = 1; i <= D; i++) for (let d = 0; d < D; d++) diam = Math.max(diam, Math.abs(simplex[i].x[d] - best.x[d]));
        if (diam < 1e-7 || Math.abs(worst.y - best.y) < 1e-12 * Math.max(1, Math.abs(best.y))) break;
        const c = new Float64Array(D);
        for (let i = 0; i < D; i++) for (let d = 0; d < D; d++) c[d] += simplex[i].x[d] / D;
        const r = yield* evalOne(Float64Array.from(c, (v, d) => v + alpha * (v - worst.x[d])));
        if (r.y < best.y) {
          const e = yield* evalOne(Float64Array.from(c, (v, d) => v + gamma * (r.x[d] - v)));
          simplex[D] = e.y < r.y ? e : r;
        } else if (r.y < simplex[D - 1].y) {
          simplex[D] = r;
        } else {
          const outside = r.y < worst.y;
          const target = outside ? r.x : worst.x;
          const k = yield* evalOne(Float64Array.from(c, (v, d) => v + rho * (target[d] - v)));
          if (k.y < (outside ? r.y : worst.y)) simplex[D] = k;
          else {
            const pts = simplex.slice(1).map((s) => codec.project(clip(Float64Array.from(s.x, (v, d) => best.x[d] + shrink * (v - best.x[d])))));
            const shrunk: Evaluated[] = yield { points: pts };
            simplex = [best, ...shrunk];
          }
        }
      }
      simplex.sort((a, b) => a.y - b.y);
      start = Float64Array.from(simplex[0].x);
      scale = Math.max(scale / 2, 0.01);
    }
  }
}

export const nelderMead: SamplerFactory = (o) => new NelderMeadSampler(o);
