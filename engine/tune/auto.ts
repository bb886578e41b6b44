/**
 * `auto`: picks an algorithm from what is known before the study (the space, the budget, the
 * number of objectives) and what the history shows, and says why in explain().
 *
 * Rules (first match):
 * 1. several objectives: ParEGO (GP) for budgets up to 300 with at most 20 dimensions,
 *    NSGA-II otherwise;
 * 2. mostly categorical parameters (more than half): the genetic algorithm, whose crossover
 *    recombines good choices where a GP on one-hot codes is weak;
 * 3. more than 30 encoded dimensions, or a budget above 500: CMA-ES (a GP's cubic cost and
 *    thin data in many dimensions stop paying off);
 * 4. otherwise Gaussian-process BO; it hands over to CMA-ES, started at the GP's best point
 *    with a step size of the GP's median length scale (clamped to 0.02..0.2), when
 *    - the history reaches `gpLimit` trials (the GP's cost grows with n^3), or
 *    - (with `switchOnStall: true`) the GP has stalled: its last `stall` proposals (default max(25, 3D), and at least half
 *      of the trials so far) did not improve the best value at all (beyond 1e-9 relative).
 *    The switch point is computed from the history alone, so it is the same on every ask and
 *    after a resume.
 */
import { BayesianSampler, type Recommender } from './bayesian';
import { CmaesSampler } from './cmaes';
import { GeneticSampler } from './genetic';
import { isComplete, scalarValues } from './history';
import { Nsga2Sampler } from './nsga2';
import { SpaceCodec } from './space';
import type { Observation, Params, Sampler, SamplerFactory, SamplerOptions } from './types';

export interface AutoOptions extends SamplerOptions {
  /** Trials after which the GP hands over to CMA-ES (default 250). */
  gpLimit?: number;
  /**
   * Also hand over when the GP stalls (off by default: at a budget of 100 it cost more than it
   * gained on every benchmark function, because CMA-ES needs many trials to pay off).
   */
  switchOnStall?: boolean;
  stall?: number;
}

export class AutoSampler implements Sampler, Recommender {
  readonly name = 'auto';
  private readonly codec: SpaceCodec;
  private readonly first: Sampler;
  private readonly reason: string;
  private readonly gp: BayesianSampler | null;
  private note: string;

  constructor(private readonly options: AutoOptions) {
    this.codec = new SpaceCodec(options.space);
    const D = this.codec.dim;
    const budget = options.budget;
    const budgetText = budget ? `a budget of ${budget}` : 'no budget given';
    if (options.objectives > 1) {
      if ((budget ?? Infinity) <= 300 && D <= 20) {
        this.gp = new BayesianSampler(options);
        Object.defineProperty(this.gp, 'name', { value: 'parego' });
        this.first = this.gp;
        this.reason = `${options.objectives} objectives, ${D} dimensions and ${budgetText}: ParEGO (a GP on random Chebyshev scalarizations) makes the most of few trials`;
      } else {
        this.gp = null;
        this.first = new Nsga2Sampler(options);
        this.reason = `${options.objectives} objectives with ${budgetText} and ${D} dimensions: NSGA-II spreads a Pareto front cheaply over many trials`;
      }
    } else if (this.codec.categoricalShare > 0.5) {
      this.gp = null;
      this.first = new GeneticSampler(options);
      this.reason = `${Math.round(this.codec.categoricalShare * 100)}% of the parameters are categorical: a genetic algorithm recombines good choices`;
    } else if (D > 30 || (budget ?? 0) > 500) {
      this.gp = null;
      this.first = new CmaesSampler(options);
      this.reason = `${D} dimensions and ${budgetText}: CMA-ES scales where a Gaussian process gets slow and thin`;
    } else {
      this.gp = new BayesianSampler(options);
      this.first = this.gp;
      this.reason = `${D} dimensions and ${budgetText}: Gaussian-process Bayesian optimization needs the fewest trials`;
    }
    this.note = `auto: ${this.reason}.`;
  }

  explain(): string {
    return this.note;
  }

  /** Index of the trial from which CMA-ES takes over, or -1 while the GP keeps going. */
  switchPoint(history: readonly Observation[]): number {
    if (!this.gp || this.options.objectives > 1) return -1;
    const limit = this.options.gpLimit ?? 250;
    const D = this.codec.dim;
    const stall = this.options.stall ?? Math.max(25, 3 * D);
    const values = scalarValues(history, 1);
    let best = Infinity;
    let lastImprove = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (let t = 0; t < history.length; t++) {
      if (t >= limit) return t;
      const v = values[t];
      if (isComplete(history[t])) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      if (v < best - 1e-9 * Math.max(hi - lo, Math.abs(best), 1e-12)) lastImprove = t;
      best = Math.min(best, v);
      const n = t + 1;
      if (this.options.switchOnStall === true && n > this.gp.initialPoints && n - 1 - lastImprove >= Math.max(stall, 0.5 * n)) return n;
    }
    return -1;
  }

  ask(history: readonly Observation[], pending: readonly Params[], n: number): Params[] {
    const s = this.switchPoint(history);
    if (s < 0) {
      const out = this.first.ask(history, pending, n);
      this.note = `auto: ${this.reason}. ${this.first.explain()}`;
      return out;
    }
    const cma = this.cmaFrom(history.slice(0, s));
    const out = cma.ask(history.slice(s), pending, n);
    this.note =
      `auto: ${this.reason}; after ${s} trials it handed over to CMA-ES started at the best point so far, ` +
      `because ${s >= (this.options.gpLimit ?? 250) ? 'the GP grows slow with that many trials' : 'the GP stopped finding improvements'}. ${cma.explain()}`;
    return out;
  }

  recommend(history: readonly Observation[]): Params | null {
    const s = this.switchPoint(history);
    if (this.gp && s < 0) return this.gp.recommend(history);
    const values = scalarValues(history, this.options.objectives);
    let b = -1;
    values.forEach((v, i) => {
      if (b < 0 || v < values[b]) b = i;
    });
    return b >= 0 ? history[b].params : null;
  }

  private cmaFrom(before: readonly Observation[]): CmaesSampler {
    const values = scalarValues(before, 1);
    let b = 0;
    for (let i = 1; i < values.length; i++) if (values[i] < values[b]) b = i;
    const mean = this.codec.encode(before[b].params);
    let sigma = 0.1;
    try {
      const complete = before.filter((o) => isComplete(o));
      const gpNote = this.gp!.lengthScalesFor(complete);
      const sorted = [...gpNote].sort((a, c) => a - c);
      sigma = Math.min(0.2, Math.max(0.02, sorted[Math.floor(sorted.length / 2)] / 2));
    } catch {
      // keep the default step size
    }
    return new CmaesSampler({ ...this.options, initialMean: mean, initialSigma: sigma });
  }
}

export const auto: SamplerFactory = (o) => new AutoSampler(o);
