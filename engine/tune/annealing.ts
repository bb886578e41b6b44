/**
 * `annealing`: simulated annealing. Each trial is a Gaussian step from the current point
 * (every numeric coordinate, step size shrinking from 0.25 to 0.01 of the range over the
 * budget; each categorical redrawn with the same probability); the step is accepted if it is
 * better, or with probability exp(-delta / T). The start temperature is the spread (standard
 * deviation) of the first 10 values, and T falls geometrically to 1e-3 of that over the budget
 * (300 trials when no budget is given). The chain of acceptances is replayed from the history
 * with per-trial seeds, so it is the same on every ask and after a resume.
 */
import type { Rng } from '../util/rng';
import { rngFor, scalarValues } from './history';
import { designPoint } from './initialDesign';
import { SpaceCodec } from './space';
import type { Observation, Params, Sampler, SamplerFactory, SamplerOptions } from './types';

const WARMUP = 10;

export class AnnealingSampler implements Sampler {
  readonly name = 'annealing';
  private readonly codec: SpaceCodec;
  private readonly horizon: number;
  private note = 'Simulated annealing: sampling the first points to set the temperature.';
  constructor(private readonly options: SamplerOptions) {
    this.codec = new SpaceCodec(options.space);
    this.horizon = Math.max(options.budget ?? 300, WARMUP + 1);
  }
  explain(): string {
    return this.note;
  }
  private step(t: number): number {
    const f = Math.min(1, t / this.horizon);
    return 0.25 * Math.pow(0.04, f);
  }
  private neighbour(x: Float64Array, t: number, rng: Rng): Float64Array {
    const y = Float64Array.from(x);
    const s = this.step(t);
    for (const p of this.codec.params) {
      if (p.kind === 'categorical') {
        if (rng.next() < s) {
          y.fill(0, p.offset, p.offset + p.width);
          y[p.offset + rng.int(p.width)] = 1;
        }
      } else {
        let v = y[p.offset] + s * rng.normal();
        v = Math.abs(v) % 2;
        y[p.offset] = v > 1 ? 2 - v : v;
      }
    }
    return this.codec.project(y);
  }
  ask(history: readonly Observation[], pending: readonly Params[], n: number): Params[] {
    const codec = this.codec;
    const start = history.length + pending.length;
    const values = scalarValues(history, this.options.objectives);
    if (history.length < WARMUP) {
      return Array.from({ length: n }, (_, i) => codec.decode(designPoint(codec, this.options.seed, start + i)));
    }
    const warm = values.slice(0, WARMUP);
    const mean = warm.reduce((a, b) => a + b, 0) / WARMUP;
    const t0 = Math.sqrt(warm.reduce((a, b) => a + (b - mean) ** 2, 0) / WARMUP) || 1;
    let cur = 0;
    for (let i = 1; i < WARMUP; i++) if (values[i] < values[cur]) cur = i;
    let temp = t0;
    for (let t = WARMUP; t < history.length; t++) {
      temp = t0 * Math.pow(1e-3, Math.min(1, t / this.horizon));
      const delta = values[t] - values[cur];
      if (delta <= 0 || rngFor(this.options.seed, 0xacc, t).next() < Math.exp(-delta / temp)) cur = t;
    }
    const x = codec.encode(history[cur].params);
    this.note = `Simulated annealing: temperature ${temp.toPrecision(2)} (from ${t0.toPrecision(2)}), steps of ${this.step(start).toPrecision(2)} of the range around the current point (value ${values[cur].toPrecision(4)}).`;
    return Array.from({ length: n }, (_, i) => codec.decode(this.neighbour(x, start + i, rngFor(this.options.seed, 0xa77, start + i))));
  }
}

export const annealing: SamplerFactory = (o) => new AnnealingSampler(o);
