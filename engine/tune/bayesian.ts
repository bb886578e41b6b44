/**
 * `bayesian`: Gaussian-process Bayesian optimization.
 *
 * - First points: scrambled Sobol (min(10, max(5, D + 1)) of them, fewer for small budgets).
 * - Model: GP (gp.ts) on the encoded unit cube (ints at slice centres, categoricals one-hot),
 *   outputs power-transformed and standardized (outputWarp.ts), hyper-parameters refitted by
 *   MAP at every ask.
 * - Acquisition: log EI against the best observed feasible value, times the probability of feasibility of a GP per constraint.
 * - Batches: kriging believer: running trials and points already chosen in this batch are
 *   added to the GPs with their posterior mean as value, which flattens EI there.
 * - Several objectives: ParEGO (Knowles 2006): each ask draws a weight vector (seeded by the
 *   trial index) and models the augmented Chebyshev scalarization of the normalized objectives.
 */
import { maximizeAcquisition, type AcqModel } from './acquisition';
import { fitGp, Gp, type GpHyper } from './gp';
import { isComplete, rngFor, violation } from './history';
import { designPoint } from './initialDesign';
import { fitOutputWarp } from './outputWarp';
import { SpaceCodec } from './space';
import type { Observation, Params, Sampler, SamplerFactory, SamplerOptions } from './types';

/** Trials up to which the hyper-parameters are refitted at every ask, and the refit period after. */
const REFIT_ALWAYS = 20;
const REFIT_EVERY = 4;

export interface BayesianOptions extends SamplerOptions {
  /** Number of space-filling points before the GP takes over. */
  initialPoints?: number;
}

/** A sampler that can name its recommended point (e.g. the posterior-mean minimizer under noise). */
export interface Recommender {
  recommend(history: readonly Observation[]): Params | null;
}

interface Fitted {
  model: AcqModel;
  X: Float64Array[];
  z: Float64Array;
  feasible: boolean[];
  summary: string;
}

export class BayesianSampler implements Sampler, Recommender {
  readonly name: string = 'bayesian';
  readonly codec: SpaceCodec;
  readonly initialPoints: number;
  private note = 'Gaussian-process Bayesian optimization: waiting for the first trials.';
  /** Milliseconds the last ask took (for auto's time-per-suggestion rule). */
  lastAskMs = 0;

  constructor(readonly options: BayesianOptions) {
    this.codec = new SpaceCodec(options.space);
    const D = this.codec.dim;
    const byDim = Math.min(10, Math.max(5, D + 1));
    this.initialPoints = options.initialPoints ?? (options.budget ? Math.max(2, Math.min(byDim, Math.floor(options.budget / 4))) : byDim);
  }

  explain(): string {
    return this.note;
  }

  ask(history: readonly Observation[], pending: readonly Params[], n: number): Params[] {
    const start = process.hrtime.bigint();
    try {
      return this.askInner(history, pending, n);
    } finally {
      this.lastAskMs = Number(process.hrtime.bigint() - start) / 1e6;
    }
  }

  private askInner(history: readonly Observation[], pending: readonly Params[], n: number): Params[] {
    const codec = this.codec;
    const trialIndex = history.length + pending.length;
    const complete = history.filter((o) => isComplete(o, this.options.objectives));
    const out: Params[] = [];
    if (complete.length < this.initialPoints || codec.dim === 0) {
      for (let i = 0; i < n; i++) out.push(codec.decode(designPoint(codec, this.options.seed, trialIndex + i)));
      this.note = `Gaussian-process Bayesian optimization: space-filling Sobol point ${Math.min(trialIndex + 1, this.initialPoints)} of ${this.initialPoints} before the model takes over.`;
      return out;
    }
    const rng = rngFor(this.options.seed, 0xb0, trialIndex);
    const fitted = this.fit(complete, trialIndex);
    let model = fitted.model;
    const taken = history.map((o) => codec.encode(o.params));
    const fantasy = (x: Float64Array) => {
      model = {
        objective: model.objective.withPoints([x], [model.objective.predict(x).mean]),
        best: model.best,
        constraints: model.constraints.map((c) => ({ gp: c.gp.withPoints([x], [c.gp.predict(x).mean]), threshold: c.threshold })),
      };
    };
    const pendingX = pending.map((p) => codec.encode(p));
    for (const x of pendingX) {
      fantasy(x);
      taken.push(x);
    }
    const anchors = this.anchors(fitted);
    for (let i = 0; i < n; i++) {
      const r = maximizeAcquisition(model, { codec, rng, anchors, taken });
      out.push(codec.decode(r.x));
      taken.push(r.x);
      if (i < n - 1) fantasy(r.x);
    }
    this.note = fitted.summary;
    return out;
  }

  private readonly hyperMemo = new Map<string, GpHyper>();

  /**
   * The objective's GP. Hyper-parameters are refitted by MAP at every ask up to 20 trials and
   * then every 4 trials; in between they are the ones fitted on the first m trials (m the last
   * refit count: a pure function of the history, memoized, so a resumed study computes the same
   * thing) and only the posterior is recomputed on all n. The fit is more than half the cost of
   * a late ask, and a few new points barely move the MAP hyper-parameters.
   */
  private objectiveGp(X: Float64Array, z: Float64Array, n: number, D: number, y: Float64Array): Gp {
    const m = n <= REFIT_ALWAYS ? n : REFIT_ALWAYS + REFIT_EVERY * Math.floor((n - REFIT_ALWAYS) / REFIT_EVERY);
    const key = `${m}:${Array.from(y.subarray(0, m)).join(',')}:${Array.from(X.subarray(0, m * D)).join(',')}`;
    const known = this.hyperMemo.get(key);
    if (known) return new Gp(X, z, n, D, known);
    const gp = m === n ? fitGp(X, z, n, D, { minNoise: 1e-8 }) : null;
    const hyper = gp ? gp.hyper : fitGp(X.subarray(0, m * D), fitOutputWarp(y.subarray(0, m)).z, m, D, { minNoise: 1e-8 }).hyper;
    if (this.hyperMemo.size > 8) this.hyperMemo.clear();
    this.hyperMemo.set(key, hyper);
    return gp ?? new Gp(X, z, n, D, hyper);
  }

  private readonly lsMemo = new Map<string, Float64Array>();

  /** Fitted length scales on these (complete) trials; memoized by content, so a pure function. */
  lengthScalesFor(complete: readonly Observation[]): Float64Array {
    const key = JSON.stringify(complete.map((o) => [o.params, o.values]));
    let ls = this.lsMemo.get(key);
    if (!ls) {
      ls = this.fit(complete, complete.length).model.objective.hyper.lengthScales;
      this.lsMemo.clear();
      this.lsMemo.set(key, ls);
    }
    return ls;
  }

  /** The observed feasible point with the lowest posterior mean (robust to noise), or null. */
  recommend(history: readonly Observation[]): Params | null {
    const complete = history.filter((o) => isComplete(o, this.options.objectives));
    if (complete.length === 0) return null;
    if (complete.length < Math.max(3, this.initialPoints) || this.options.objectives > 1) {
      let b = -1;
      complete.forEach((o, i) => {
        const better = b < 0 || violation(o) < violation(complete[b]) || (violation(o) === violation(complete[b]) && o.values![0] < complete[b].values![0]);
        if (better) b = i;
      });
      return complete[b].params;
    }
    const f = this.fit(complete, history.length);
    let best = -1;
    let bestMean = Infinity;
    f.X.forEach((x, i) => {
      if (!f.feasible[i]) return;
      const m = f.model.objective.predict(x).mean;
      if (m < bestMean) {
        bestMean = m;
        best = i;
      }
    });
    return best >= 0 ? complete[best].params : complete[0].params;
  }

  private fit(complete: readonly Observation[], trialIndex: number): Fitted {
    const codec = this.codec;
    const D = codec.dim;
    const n = complete.length;
    const Xs = complete.map((o) => codec.encode(o.params));
    const X = new Float64Array(n * D);
    Xs.forEach((x, i) => X.set(x, i * D));
    const y = this.scalarObjective(complete, trialIndex);
    const warp = fitOutputWarp(y);
    const gp = this.objectiveGp(X, warp.z, n, D, y);
    const constraints: { gp: Gp; threshold: number }[] = [];
    for (let k = 0; k < this.options.constraints; k++) {
      const c = complete.map((o) => {
        const v = o.constraints?.[k];
        return v === undefined || !Number.isFinite(v) ? 1e6 : v;
      });
      const mean = c.reduce((a, b) => a + b, 0) / n;
      const sd = Math.sqrt(c.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(n - 1, 1)) || 1;
      const cz = Float64Array.from(c, (v) => (v - mean) / sd);
      constraints.push({ gp: fitGp(X, cz, n, D, { minNoise: 1e-6 }), threshold: (0 - mean) / sd });
    }
    const feasible = complete.map((o) => violation(o) === 0);
    let best: number | null = null;
    Xs.forEach((x, i) => {
      if (!feasible[i]) return;
      // The incumbent is the best observed (transformed) value, as in Optuna: under noise it is
      // optimistic, which keeps EI exploring instead of re-sampling around the posterior minimum.
      if (best === null || warp.z[i] < best) best = warp.z[i];
    });
    const ls = Array.from(gp.hyper.lengthScales, (l) => l.toPrecision(2)).join(', ');
    const summary =
      `Gaussian-process Bayesian optimization on ${n} trials (Matern 5/2, length scales ${ls}; ` +
      `noise ${gp.hyper.noise.toExponential(1)} of the signal ${gp.hyper.signal.toPrecision(2)}; output ${warp.method}` +
      `${warp.method === 'none' ? '' : ` lambda ${warp.lambda.toFixed(1)}`}): proposing the point of highest log expected improvement` +
      (constraints.length ? ' times the probability of meeting the constraints.' : '.');
    return { model: { objective: gp, best, constraints }, X: Xs, z: warp.z, feasible, summary };
  }

  /** Objective 0, or ParEGO's augmented Chebyshev scalarization with per-ask random weights. */
  private scalarObjective(complete: readonly Observation[], trialIndex: number): Float64Array {
    const m = this.options.objectives;
    if (m <= 1) return Float64Array.from(complete, (o) => o.values![0]);
    const rng = rngFor(this.options.seed, 0xa9e, trialIndex);
    const w = Array.from({ length: m }, () => -Math.log(Math.max(rng.next(), 1e-12)));
    const sw = w.reduce((a, b) => a + b, 0);
    const lo = new Array(m).fill(Infinity);
    const hi = new Array(m).fill(-Infinity);
    for (const o of complete) for (let k = 0; k < m; k++) {
      lo[k] = Math.min(lo[k], o.values![k]);
      hi[k] = Math.max(hi[k], o.values![k]);
    }
    return Float64Array.from(complete, (o) => {
      let mx = -Infinity;
      let sum = 0;
      for (let k = 0; k < m; k++) {
        const f = ((w[k] / sw) * (o.values![k] - lo[k])) / Math.max(hi[k] - lo[k], 1e-12);
        mx = Math.max(mx, f);
        sum += f;
      }
      return mx + 0.05 * sum;
    });
  }

  /** The best observed points by posterior mean (feasible ones first): centres of the local candidates. */
  private anchors(f: Fitted): Float64Array[] {
    const scored = f.X.map((x, i) => ({ x, m: f.model.objective.predict(x).mean, ok: f.feasible[i] }));
    scored.sort((a, b) => (a.ok === b.ok ? a.m - b.m : a.ok ? -1 : 1));
    return scored.slice(0, 5).map((s) => s.x);
  }
}

export const bayesian: SamplerFactory = (o) => new BayesianSampler(o);

/** ParEGO under its own name: the Bayesian sampler is ParEGO whenever there are several objectives. */
export const parego: SamplerFactory = (o) => {
  const s = new BayesianSampler(o);
  Object.defineProperty(s, 'name', { value: 'parego' });
  return s;
};

