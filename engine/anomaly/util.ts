/** Small numeric helpers shared by the anomaly detectors. */
import type { SampleContext } from './context';
import type { AnomalyExplanation } from './types';

/** An explanation with the baseline's expectation and a band of `width` spreads around it. */
export function explain(detector: string, c: SampleContext, message: string, width = 3): AnomalyExplanation {
  return { detector, expected: c.expected, lower: c.expected - width * c.spread, upper: c.expected + width * c.spread, observed: c.raw, message };
}

/** A number as people read it: 4 significant digits, exponents only for the very large or small. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a !== 0 && (a >= 1e6 || a < 1e-3) ? x.toExponential(3) : String(Number(x.toPrecision(4)));
}

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
