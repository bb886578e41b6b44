/**
 * Novelty of short contexts: the last `window` values, normalized by the series' own range
 * so far, form a point; an online One-Class SVM learns the region such points usually fall
 * in, and a point far outside it (a shape never seen before) scores high.
 */
import type { AnomalyResult } from './types';
import type { ContextDetector, SampleContext } from './context';
import { OnlineOneClassSvm, type OcsvmOptions, type OcsvmState } from './oneClassSvm';
import { explain, fmt } from './util';
import { plainArray } from './plainArray';

export interface OcsvmDetectorOptions extends Omit<OcsvmOptions, 'dim'> {
  /** Context length in samples (default 6). */
  window?: number;
  /** Novelty at or below this scores 0 (default 0.5). */
  threshold?: number;
  /** Samples learned before scoring (default 100). */
  warmup?: number;
}

export interface OcsvmDetectorState {
  svm: OcsvmState;
  ring: number[];
  n: number;
}

export class OcsvmDetector implements ContextDetector {
  readonly name = 'one-class-svm';
  private readonly svm: OnlineOneClassSvm;
  private readonly ring: Float64Array;
  private readonly vec: Float64Array;
  private n = 0;
  private readonly threshold: number;
  /** Samples learned before it scores. */
  readonly warmup: number;

  constructor(opts: OcsvmDetectorOptions = {}) {
    const window = opts.window ?? 6;
    this.svm = new OnlineOneClassSvm({ ...opts, dim: window });
    this.ring = new Float64Array(window);
    this.vec = new Float64Array(window);
    this.threshold = opts.threshold ?? 0.5;
    this.warmup = opts.warmup ?? 100;
  }

  score(c: SampleContext): AnomalyResult {
    if (!c.finite) return { score: 0 };
    const k = this.ring.length;
    const v = c.norm < -1 ? -1 : c.norm > 2 ? 2 : c.norm;
    const pos = this.n % k;
    this.ring[pos] = v;
    this.n++;
    if (this.n < k) return { score: 0 };
    // Oldest first, so the same shape maps to the same point wherever the ring starts.
    for (let i = 0; i < k; i++) this.vec[i] = this.ring[(pos + 1 + i) % k];
    const nov = this.svm.scoreAndLearn(this.vec);
    if (this.n < this.warmup || !c.ready) return { score: 0 };
    const score = nov > this.threshold ? (nov - this.threshold) / (1 - this.threshold) : 0;
    if (score === 0) return { score };
    return {
      score,
      explanation: explain(this.name, c, `The last ${k} samples (ending at ${fmt(c.raw)}) form a pattern unlike the series' usual ones (novelty ${nov.toFixed(2)}).`),
    };
  }

  snapshot(): OcsvmDetectorState {
    return { svm: this.svm.snapshot(), ring: plainArray(this.ring), n: this.n };
  }

  restore(s: unknown): void {
    const st = s as OcsvmDetectorState;
    if (!st || st.ring.length !== this.ring.length) return;
    this.svm.restore(st.svm);
    this.ring.set(st.ring);
    this.n = st.n;
  }
}
