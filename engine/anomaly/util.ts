/** Small numeric helpers shared by the anomaly detectors. */
import type { SampleContext } from './context';
import type { AnomalyExplanation, AnomalyResult } from './types';

/**
 * An explanation with the baseline's expectation and a band of `width` spreads around it.
 * `message` may be a function, called once when the message is first read: detectors score
 * every sample and most explanations are never shown, so formatting numbers eagerly is most
 * of their cost. A lazy message must capture the values it prints, not the shared context
 * `c`, which the next sample overwrites. Whoever hands an explanation on (the combiner, the
 * standalone runner) passes it through `plainExplanation` first, so what leaves the detector
 * is a plain object.
 */
export function explain(detector: string, c: SampleContext, message: string | (() => string), width = 3): AnomalyExplanation {
  return new LazyExplanation(detector, c.expected, c.expected - width * c.spread, c.expected + width * c.spread, c.raw, message);
}

class LazyExplanation implements AnomalyExplanation {
  constructor(
    readonly detector: string,
    readonly expected: number,
    readonly lower: number,
    readonly upper: number,
    readonly observed: number,
    private text: string | (() => string),
  ) {}
  get message(): string {
    if (typeof this.text !== 'string') this.text = this.text();
    return this.text;
  }
}

/** Formats a message from the numbers and text an `explainWith` call captured. */
export type MessageFormat = (x: number, y: number, z: number, s: string) => string;

/**
 * `explain` with a message formatted later by a module-level `format` from the given values:
 * no closure is allocated per sample.
 */
export function explainWith(detector: string, c: SampleContext, format: MessageFormat, x: number, y: number, z: number, s: string, width = 3): AnomalyExplanation {
  return new FormattedExplanation(detector, c.expected, c.expected - width * c.spread, c.expected + width * c.spread, c.raw, format, x, y, z, s);
}

class FormattedExplanation implements AnomalyExplanation {
  private text?: string;
  constructor(
    readonly detector: string,
    readonly expected: number,
    readonly lower: number,
    readonly upper: number,
    readonly observed: number,
    private readonly format: MessageFormat,
    private readonly x: number,
    private readonly y: number,
    private readonly z: number,
    private readonly s: string,
  ) {}
  get message(): string {
    return (this.text ??= this.format(this.x, this.y, this.z, this.s));
  }
}

/** The explanation as a plain object (the lazy message formatted now). */
export function plainExplanation(e: AnomalyExplanation): AnomalyExplanation {
  if (!(e instanceof LazyExplanation) && !(e instanceof FormattedExplanation)) return e;
  return { detector: e.detector, expected: e.expected, lower: e.lower, upper: e.upper, observed: e.observed, message: e.message };
}

/** A number as people read it: 4 significant digits, exponents only for the very large or small. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a !== 0 && (a >= 1e6 || a < 1e-3) ? x.toExponential(3) : String(Number(x.toPrecision(4)));
}

/** A score of 0 without explanation, shared: results are read, never changed, by callers. */
export const NO_SCORE: AnomalyResult = Object.freeze({ score: 0 });

/** Clamps to [0, 1]; NaN becomes 0. */
export function clamp01(x: number): number {
  return x > 0 ? (x < 1 ? x : 1) : 0;
}

/**
 * Maps a non-negative deviation (in units of spread) to [0, 1): 0 up to `z0`, then rising
 * smoothly, reaching 0.5 at `z0 + halfAt`.
 */
export function squash(z: number, z0: number, halfAt: number): number {
  if (!(z > z0)) return 0;
  const e = (z - z0) / halfAt;
  return e === Infinity ? 1 : e / (1 + e);
}

/** Replaces NaN with the fallback and clips ±Infinity / huge magnitudes to ±1e300. */
export function sanitize(v: number, fallback: number): number {
  if (v !== v) return fallback;
  if (v > 1e300) return 1e300;
  if (v < -1e300) return -1e300;
  return v;
}

/** Rounds for JSON snapshots only when needed: keeps numbers exact (JSON round-trips doubles). */
export function finiteOr(x: number, fallback: number): number {
  return Number.isFinite(x) ? x : fallback;
}
