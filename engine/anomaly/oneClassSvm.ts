/**
 * An online One-Class SVM (Schölkopf et al.) with an RBF kernel approximated by random
 * Fourier features (Rahimi & Recht): φ(x) = √(2/D)·cos(Ωx + b), Ω ~ N(0, 2γ), so
 * φ(x)·φ(y) ≈ exp(−γ‖x − y‖²). The primal problem
 *   min ½‖w‖² − ρ + (1/ν)·max(0, ρ − w·φ(x))   (per sample)
 * is solved by stochastic gradient descent, one step per sample. The decision value
 * w·φ(x) − ρ is negative outside the learned support; `novelty` maps it to [0, 1].
 * The random features come from a seed, so a snapshot keeps only w, ρ and the step count.
 */
import { Rng } from '../util/rng';
import { plainArray } from './plainArray';

export interface OcsvmOptions {
  /** Input dimension. */
  dim: number;
  /** Random features (default 32). */
  features?: number;
  /** RBF γ in exp(−γ‖x − y‖²) (default 10). */
  gamma?: number;
  /** Upper bound on the fraction of outliers ν (default 0.1). */
  nu?: number;
  /** Smallest learning rate (default 0.01 ≈ the last 100 samples). */
  minRate?: number;
  seed?: number;
}

export interface OcsvmState {
  w: number[];
  rho: number;
  n: number;
}

export class OnlineOneClassSvm {
  readonly dim: number;
  readonly features: number;
  private readonly omega: Float64Array;
  private readonly phase: Float64Array;
  private readonly phi: Float64Array;
  private readonly w: Float64Array;
  private rho = 0;
  private n = 0;
  private readonly nu: number;
  private readonly minRate: number;
  private readonly amp: number;

  constructor(opts: OcsvmOptions) {
    this.dim = opts.dim;
    this.features = opts.features ?? 32;
    this.nu = opts.nu ?? 0.1;
    this.minRate = opts.minRate ?? 0.01;
    const gamma = opts.gamma ?? 10;
    const rng = new Rng(opts.seed ?? 7);
    const D = this.features;
    this.omega = new Float64Array(D * this.dim);
    this.phase = new Float64Array(D);
    const sd = Math.sqrt(2 * gamma);
    for (let i = 0; i < this.omega.length; i++) this.omega[i] = sd * rng.normal();
    for (let j = 0; j < D; j++) this.phase[j] = 2 * Math.PI * rng.next();
    this.phi = new Float64Array(D);
    this.w = new Float64Array(D);
    this.amp = Math.sqrt(2 / D);
  }

  get count(): number {
    return this.n;
  }

  private embed(x: ArrayLike<number>): void {
    const { omega, phase, phi, dim, features } = this;
    for (let j = 0, o = 0; j < features; j++, o += dim) {
      let s = phase[j];
      for (let i = 0; i < dim; i++) s += omega[o + i] * x[i];
      phi[j] = this.amp * Math.cos(s);
    }
  }

  /** w·φ(x) (the last embedded vector is kept for `learnLast`). */
  private dot(x: ArrayLike<number>): number {
    this.embed(x);
    let d = 0;
    for (let j = 0; j < this.features; j++) d += this.w[j] * this.phi[j];
    return d;
  }

  /** Decision value w·φ(x) − ρ: negative means outside the support. */
  decision(x: ArrayLike<number>): number {
    return this.dot(x) - this.rho;
  }

  /** 0 inside the support, rising to 1 for a point with no kernel mass at all. */
  novelty(x: ArrayLike<number>): number {
    const f = this.dot(x);
    if (!(this.rho > 0)) return 0;
    const r = 1 - f / this.rho;
    return r > 0 ? (r < 1 ? r : 1) : 0;
  }

  /** One SGD step on x. */
  learn(x: ArrayLike<number>): void {
    const f = this.dot(x);
    this.step(f);
  }

  /** Scores x then learns it, embedding it once: returns the novelty before learning. */
  scoreAndLearn(x: ArrayLike<number>): number {
    const f = this.dot(x);
    let nov = 0;
    if (this.rho > 0) {
      const r = 1 - f / this.rho;
      nov = r > 0 ? (r < 1 ? r : 1) : 0;
    }
    this.step(f);
    return nov;
  }

  private step(f: number): void {
    this.n++;
    const eta = Math.max(1 / (this.n + 1), this.minRate);
    const violated = f < this.rho;
    const { w, phi } = this;
    const decay = 1 - eta;
    if (violated) {
      const g = eta / this.nu;
      for (let j = 0; j < this.features; j++) w[j] = decay * w[j] + g * phi[j];
      this.rho += eta * (1 - 1 / this.nu);
    } else {
      for (let j = 0; j < this.features; j++) w[j] *= decay;
      this.rho += eta;
    }
  }

  snapshot(): OcsvmState {
    return { w: plainArray(this.w), rho: this.rho, n: this.n };
  }

  restore(s: OcsvmState): void {
    if (!s || s.w.length !== this.features) return;
    this.w.set(s.w);
    this.rho = s.rho;
    this.n = s.n;
  }
}
