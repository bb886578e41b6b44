/**
 * CMA-ES (Hansen, "The CMA Evolution Strategy: A Tutorial", 2016): rank-mu and rank-one
 * covariance updates, cumulative step-size adaptation, the default strategy parameters, and
 * an eigen-decomposition of C (ml-matrix) after every generation. Unbounded; the sampler
 * (cmaes.ts) reflects points into the unit cube and handles restarts.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { Rng } from '../util/rng';

export class CmaEs {
  readonly n: number;
  readonly lambda: number;
  readonly mu: number;
  readonly weights: Float64Array;
  readonly mueff: number;
  private readonly cc: number;
  private readonly cs: number;
  private readonly c1: number;
  private readonly cmu: number;
  private readonly damps: number;
  private readonly chiN: number;
  mean: Float64Array;
  sigma: number;
  private C: Float64Array;
  private pc: Float64Array;
  private ps: Float64Array;
  private B: Float64Array;
  private Dv: Float64Array;
  generation = 0;
  /** Best value of each generation (for stopping on a flat history). */
  readonly bestPerGeneration: number[] = [];

  constructor(mean: ArrayLike<number>, sigma: number, lambda?: number) {
    const n = mean.length;
    this.n = n;
    this.lambda = lambda ?? 4 + Math.floor(3 * Math.log(n));
    this.mu = Math.floor(this.lambda / 2);
    const w = Float64Array.from({ length: this.mu }, (_, i) => Math.log(this.mu + 0.5) - Math.log(i + 1));
    const sw = w.reduce((a, b) => a + b, 0);
    for (let i = 0; i < w.length; i++) w[i] /= sw;
    this.weights = w;
    this.mueff = 1 / w.reduce((a, b) => a + b * b, 0);
    const me = this.mueff;
    this.cc = (4 + me / n) / (n + 4 + (2 * me) / n);
    this.cs = (me + 2) / (n + me + 5);
    this.c1 = 2 / ((n + 1.3) ** 2 + me);
    this.cmu = Math.min(1 - this.c1, (2 * (me - 2 + 1 / me)) / ((n + 2) ** 2 + me));
    this.damps = 1 + 2 * Math.max(0, Math.sqrt((me - 1) / (n + 1)) - 1) + this.cs;
    this.chiN = Math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n));
    this.mean = Float64Array.from(mean);
    this.sigma = sigma;
    this.C = new Float64Array(n * n);
    this.B = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      this.C[i * n + i] = 1;
      this.B[i * n + i] = 1;
    }
    this.Dv = new Float64Array(n).fill(1);
    this.pc = new Float64Array(n);
    this.ps = new Float64Array(n);
  }

  /** One sample m + sigma B D z, z ~ N(0, I). */
  sample(rng: Rng): Float64Array {
    const n = this.n;
    const z = Float64Array.from({ length: n }, (_, i) => this.Dv[i] * rng.normal());
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += this.B[i * n + j] * z[j];
      x[i] = this.mean[i] + this.sigma * s;
    }
    return x;
  }

  /** Update from a full generation of (point, value) pairs; values are minimized. */
  tell(xs: readonly ArrayLike<number>[], fs: readonly number[]): void {
    const n = this.n;
    const order = fs.map((f, i) => [f, i] as const).sort((a, b) => a[0] - b[0]).map((p) => p[1]);
    this.bestPerGeneration.push(fs[order[0]]);
    const old = this.mean;
    const mean = new Float64Array(n);
    const mu = Math.min(this.mu, order.length);
    for (let k = 0; k < mu; k++) {
      const x = xs[order[k]];
      for (let i = 0; i < n; i++) mean[i] += this.weights[k] * x[i];
    }
    const yw = Float64Array.from(mean, (v, i) => (v - old[i]) / this.sigma);
    // C^{-1/2} yw = B D^{-1} B^T yw
    const t = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += this.B[i * n + j] * yw[i];
      t[j] = s / this.Dv[j];
    }
    const csn = Math.sqrt(this.cs * (2 - this.cs) * this.mueff);
    let psNorm = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += this.B[i * n + j] * t[j];
      this.ps[i] = (1 - this.cs) * this.ps[i] + csn * s;
      psNorm += this.ps[i] ** 2;
    }
    psNorm = Math.sqrt(psNorm);
    this.generation++;
    const hsig = psNorm / Math.sqrt(1 - (1 - this.cs) ** (2 * this.generation)) / this.chiN < 1.4 + 2 / (n + 1) ? 1 : 0;
    const ccn = Math.sqrt(this.cc * (2 - this.cc) * this.mueff);
    for (let i = 0; i < n; i++) this.pc[i] = (1 - this.cc) * this.pc[i] + hsig * ccn * yw[i];
    const c1 = this.c1;
    const cmu = this.cmu;
    const art = order.slice(0, mu).map((idx) => Float64Array.from(xs[idx], (v, i) => (v - old[i]) / this.sigma));
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        let rankMu = 0;
        for (let k = 0; k < mu; k++) rankMu += this.weights[k] * art[k][i] * art[k][j];
        const v =
          (1 - c1 - cmu) * this.C[i * n + j] +
          c1 * (this.pc[i] * this.pc[j] + (1 - hsig) * this.cc * (2 - this.cc) * this.C[i * n + j]) +
          cmu * rankMu;
        this.C[i * n + j] = v;
        this.C[j * n + i] = v;
      }
    }
    this.sigma *= Math.exp((this.cs / this.damps) * (psNorm / this.chiN - 1));
    this.sigma = Math.min(this.sigma, 1e6);
    this.mean = mean;
    this.decompose();
  }

  private decompose(): void {
    const n = this.n;
    const rows = Array.from({ length: n }, (_, i) => Array.from(this.C.subarray(i * n, i * n + n)));
    const e = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
    const V = e.eigenvectorMatrix;
    for (let i = 0; i < n; i++) {
      this.Dv[i] = Math.sqrt(Math.max(e.realEigenvalues[i], 1e-300));
      for (let j = 0; j < n; j++) this.B[i * n + j] = V.get(i, j);
    }
  }

  /** Largest and smallest axis of the search distribution's standard deviation. */
  get axisRatio(): number {
    let lo = Infinity;
    let hi = 0;
    for (const d of this.Dv) {
      lo = Math.min(lo, d);
      hi = Math.max(hi, d);
    }
    return hi / lo;
  }

  get maxStd(): number {
    let hi = 0;
    for (const d of this.Dv) hi = Math.max(hi, d);
    return this.sigma * hi;
  }

  /** Hansen's restart criteria: a collapsed or degenerate distribution, or a flat history. */
  shouldStop(tolX = 1e-11): boolean {
    if (this.maxStd < tolX) return true;
    if (this.axisRatio > 1e7) return true;
    const k = 10 + Math.ceil((30 * this.n) / this.lambda);
    const h = this.bestPerGeneration;
    if (h.length >= k) {
      const tail = h.slice(-k);
      if (Math.max(...tail) - Math.min(...tail) < 1e-12 * Math.max(1, Math.abs(Math.min(...tail)))) return true;
    }
    return false;
  }
}
