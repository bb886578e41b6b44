/**
 * Bayesian online change-point detection (Adams & MacKay, 2007) on the standardized
 * residuals, with a Normal–Gamma model (unknown mean and variance, Student-t predictive) and
 * a constant hazard. The run-length distribution is truncated at `maxRun` slots (the last
 * slot holds every longer run), so one update costs O(maxRun).
 *
 * Score: the posterior probability that the current run is shorter than `recent` samples,
 * i.e. that a change happened within the last few samples.
 */
import type { AnomalyResult } from './types';
import type { ContextDetector, SampleContext } from './context';
import { explain, fmt } from './util';
import { plainArray } from './plainArray';

export interface BocpdOptions {
  /** Expected run length between changes (hazard = 1 / this; default 250). */
  expectedRun?: number;
  /** Run-length slots kept (default 32). */
  maxRun?: number;
  /** Runs shorter than this count as "recent change" (default 5). */
  recent?: number;
  /** Inputs are clipped to ±clip (default 8). */
  clip?: number;
}

export interface BocpdState {
  p: number[];
  mu: number[];
  kappa: number[];
  beta: number[];
  n: number;
}

const A0 = 1;
const B0 = 1;
const K0 = 1;
const M0 = 0;

function lgamma(x: number): number {
  // Lanczos approximation (g = 7), accurate to ~1e-13 for x > 0.
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lgamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

export class BocpdDetector implements ContextDetector {
  readonly name = 'change-point';
  private readonly R: number;
  private readonly hazard: number;
  private readonly recent: number;
  private readonly clip: number;
  private p: Float64Array;
  private mu: Float64Array;
  private kappa: Float64Array;
  private beta: Float64Array;
  private readonly next: Float64Array;
  /** lgamma(a + 1/2) − lgamma(a) for the a of each slot. */
  private readonly lgDiff: Float64Array;
  private n = 0;

  constructor(opts: BocpdOptions = {}) {
    this.R = Math.max(2, opts.maxRun ?? 32);
    this.hazard = 1 / (opts.expectedRun ?? 250);
    this.recent = opts.recent ?? 5;
    this.clip = opts.clip ?? 8;
    this.p = new Float64Array(this.R);
    this.mu = new Float64Array(this.R);
    this.kappa = new Float64Array(this.R);
    this.beta = new Float64Array(this.R);
    this.next = new Float64Array(this.R);
    this.lgDiff = new Float64Array(this.R);
    for (let r = 0; r < this.R; r++) {
      const a = A0 + r / 2;
      this.lgDiff[r] = lgamma(a + 0.5) - lgamma(a);
    }
    this.reset();
  }

  private reset(): void {
    this.p.fill(0);
    this.p[0] = 1;
    this.mu.fill(M0);
    this.kappa.fill(K0);
    this.beta.fill(B0);
  }

  /** The most probable run length (samples since the last change, capped at maxRun − 1). */
  get mapRunLength(): number {
    let best = 0;
    for (let r = 1; r < this.R; r++) if (this.p[r] > this.p[best]) best = r;
    return best;
  }

  /** Feeds one value (already standardized); returns P(run < recent). */
  observe(x: number): number {
    const R = this.R;
    const H = this.hazard;
    const { p, mu, kappa, beta, next, lgDiff } = this;
    let cp = 0;
    next[0] = 0;
    for (let r = 0; r < R; r++) {
      if (p[r] === 0) {
        if (r + 1 < R) next[r + 1] = 0;
        continue;
      }
      const a = A0 + r / 2;
      const s2 = (beta[r] * (kappa[r] + 1)) / (a * kappa[r]);
      const d = x - mu[r];
      const logPdf = lgDiff[r] - 0.5 * Math.log(2 * a * Math.PI * s2) - (a + 0.5) * Math.log(1 + (d * d) / (2 * a * s2));
      const w = p[r] * Math.exp(logPdf);
      cp += w * H;
      if (r + 1 < R) next[r + 1] = w * (1 - H);
      else next[R - 1] += w * (1 - H);
    }
    next[0] = cp;
    let total = 0;
    for (let r = 0; r < R; r++) total += next[r];
    if (!(total > 0) || !Number.isFinite(total)) {
      this.reset();
      return 1;
    }
    // Sufficient statistics move one slot along (updated with x); slot 0 is a fresh run.
    // The last slot keeps whichever of the longest runs carries more mass.
    const lastFrom = p[R - 1] >= p[R - 2] ? R - 1 : R - 2;
    for (let r = R - 1; r >= 1; r--) {
      const src = r === R - 1 ? lastFrom : r - 1;
      const m0 = mu[src];
      let k0 = kappa[src];
      let b0 = beta[src];
      if (r === R - 1 && k0 >= K0 + R - 1) {
        // The slot's Gamma shape is fixed, so its statistics forget to stay at R − 1 samples.
        const f = (R - 2) / (R - 1);
        k0 = K0 + (k0 - K0) * f;
        b0 = B0 + (b0 - B0) * f;
      }
      const d = x - m0;
      beta[r] = b0 + (k0 * d * d) / (2 * (k0 + 1));
      mu[r] = (k0 * m0 + x) / (k0 + 1);
      kappa[r] = k0 + 1;
    }
    mu[0] = M0;
    kappa[0] = K0;
    beta[0] = B0;
    let recentMass = 0;
    for (let r = 0; r < R; r++) {
      p[r] = next[r] / total;
      if (r < this.recent) recentMass += p[r];
    }
    return recentMass;
  }

  score(c: SampleContext): AnomalyResult {
    this.n++;
    if (!c.ready || !c.finite) return { score: 0 };
    const z = c.z > this.clip ? this.clip : c.z < -this.clip ? -this.clip : c.z;
    const m = this.observe(z);
    const score = m > 0.5 ? (m - 0.5) * 2 : 0;
    if (score === 0) return { score };
    return {
      score,
      explanation: explain(this.name, c, `Change point: ${(m * 100).toFixed(0)}% probability that the series changed within the last ${this.recent} samples; expected ${fmt(c.expected)}, observed ${fmt(c.raw)}.`),
    };
  }

  snapshot(): BocpdState {
    return { p: plainArray(this.p), mu: plainArray(this.mu), kappa: plainArray(this.kappa), beta: plainArray(this.beta), n: this.n };
  }

  restore(s: unknown): void {
    const st = s as BocpdState;
    if (!st || st.p.length !== this.R) return;
    this.p.set(st.p);
    this.mu.set(st.mu);
    this.kappa.set(st.kappa);
    this.beta.set(st.beta);
    this.n = st.n;
  }
}
