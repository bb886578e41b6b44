/**
 * What every per-series detector sees of one sample: the sample, the baseline's expectation
 * from past data only, the standardized residual and the value normalized by the series'
 * own range so far. Built once per sample and shared by the detectors of a series (one
 * baseline per series, not one per detector).
 */
import type { AnomalyResult, StreamingDetector } from './types';
import { NO_SCORE, plainExplanation } from './util';
import { RobustBaseline, type BaselineOptions, type BaselineState, type SeasonModel } from './baseline';

export interface SampleContext {
  t: number;
  /** The sample as given (may be NaN or ±Infinity). */
  raw: number;
  /** The sample clipped to ±1e150; only meaningful when `finite`. */
  x: number;
  finite: boolean;
  expected: number;
  spread: number;
  /** (x − expected) / spread, signed. */
  z: number;
  model: SeasonModel;
  /** Baseline warmed up. */
  ready: boolean;
  /** x mapped by the range seen before it: 0 = min, 1 = max (may leave [0, 1]). */
  norm: number;
  /** Samples seen before this one. */
  index: number;
  /** Every finite sample before this one had the same value (a point mass, e.g. all zeros). */
  flat: boolean;
}

/** A detector that scores shared sample contexts. */
export interface ContextDetector {
  readonly name: string;
  /** Samples it learns before it scores anything (its learning phase), when it has one. */
  readonly warmup?: number;
  /**
   * A result without explanation may be an object the detector reuses on its next call
   * (the combiner reads it before scoring the next sample): copy it to keep it.
   */
  score(ctx: SampleContext): AnomalyResult;
  snapshot(): unknown;
  restore(state: unknown): void;
}

export interface ContextState {
  baseline: BaselineState;
  lo: number | null;
  hi: number | null;
  n: number;
}

const LIMIT = 1e150;

export class ContextBuilder {
  readonly baseline: RobustBaseline;
  private lo = Infinity;
  private hi = -Infinity;
  private n = 0;
  /** Reused: callers must not keep it across samples. */
  private readonly ctx: SampleContext = {
    t: 0, raw: 0, x: 0, finite: false, expected: 0, spread: 1, z: 0, model: 'none', ready: false, norm: 0, index: 0, flat: false,
  };

  constructor(opts?: BaselineOptions) {
    this.baseline = new RobustBaseline(opts);
  }

  /** Builds the context of (t, v) from the past, then learns the sample. */
  next(t: number, v: number): SampleContext {
    const c = this.ctx;
    c.t = t;
    c.raw = v;
    c.index = this.n;
    c.flat = this.n > 0 && this.hi === this.lo;
    c.finite = Number.isFinite(v) && Number.isFinite(t);
    const x = v > LIMIT ? LIMIT : v < -LIMIT ? -LIMIT : v;
    c.x = x;
    const est = this.baseline.estimate(t);
    c.expected = est.expected;
    c.spread = est.spread;
    c.model = est.model;
    c.ready = est.ready;
    if (!c.finite) {
      c.z = v !== v ? 0 : v > 0 ? Infinity : -Infinity;
      c.norm = 0.5;
      return c;
    }
    c.z = this.n > 0 ? (x - est.expected) / est.spread : 0;
    if (c.z !== c.z) c.z = 0;
    const range = this.hi - this.lo;
    c.norm = range > 0 && Number.isFinite(range) ? (x - this.lo) / range : 0.5;
    if (!Number.isFinite(c.norm)) c.norm = 0.5;
    this.n++;
    if (x < this.lo) this.lo = x;
    if (x > this.hi) this.hi = x;
    this.baseline.update(t, x);
    return c;
  }

  snapshot(): ContextState {
    return {
      baseline: this.baseline.snapshot(),
      lo: Number.isFinite(this.lo) ? this.lo : null,
      hi: Number.isFinite(this.hi) ? this.hi : null,
      n: this.n,
    };
  }

  restore(s: ContextState): void {
    this.baseline.restore(s.baseline);
    this.lo = s.lo ?? Infinity;
    this.hi = s.hi ?? -Infinity;
    this.n = s.n;
  }
}

/** Runs one context detector on its own baseline, as a `StreamingDetector`. */
export class StandaloneDetector implements StreamingDetector {
  readonly context: ContextBuilder;
  constructor(
    readonly detector: ContextDetector,
    baselineOptions?: BaselineOptions,
  ) {
    this.context = new ContextBuilder(baselineOptions);
  }
  update(t: number, v: number): AnomalyResult {
    const r = this.detector.score(this.context.next(t, v));
    return r.explanation ? { score: r.score, explanation: plainExplanation(r.explanation) } : r.score === 0 ? NO_SCORE : { score: r.score };
  }
  snapshot(): { context: ContextState; detector: unknown } {
    return { context: this.context.snapshot(), detector: this.detector.snapshot() };
  }
  restore(s: { context: ContextState; detector: unknown }): void {
    this.context.restore(s.context);
    this.detector.restore(s.detector);
  }
}
