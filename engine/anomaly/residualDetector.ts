/**
 * Seasonal robust residual score: how many robust standard deviations the sample lies from
 * what the baseline (level + daily/weekly profile when the data has one) expected.
 */
import type { AnomalyResult } from './types';
import type { ContextDetector, SampleContext } from './context';
import { explainWith, fmt, squash, NO_SCORE } from './util';

export interface ResidualOptions {
  /** |z| at or below this scores 0 (default 3). */
  z0?: number;
  /** |z| − z0 at which the score is 0.5 (default 3). */
  halfAt?: number;
  /** Width of the drawn band in spreads (default 3). */
  band?: number;
}

export class SeasonalResidualDetector implements ContextDetector {
  readonly name = 'seasonal-residual';
  private readonly z0: number;
  private readonly halfAt: number;
  private readonly band: number;

  constructor(opts: ResidualOptions = {}) {
    this.z0 = opts.z0 ?? 3;
    this.halfAt = opts.halfAt ?? 3;
    this.band = opts.band ?? 3;
  }

  score(c: SampleContext): AnomalyResult {
    if (!c.ready || c.raw !== c.raw) return NO_SCORE;
    const az = Math.abs(c.z);
    const score = squash(az, this.z0, this.halfAt);
    if (score === 0) return NO_SCORE;
    return { score, explanation: explainWith(this.name, c, residualMessage, c.raw, c.z, c.expected, c.model, this.band) };
  }

  snapshot(): null {
    return null;
  }
  restore(): void {}
}

/** "x is N robust deviations above the expected e (daily profile)." */
function residualMessage(raw: number, z: number, expected: number, model: string): string {
  const az = Math.abs(z);
  return `${fmt(raw)} is ${az < 1000 ? az.toFixed(1) : 'more than 1,000'} robust deviations ${z > 0 ? 'above' : 'below'} the expected ${fmt(expected)}${model === 'none' ? '' : ` (${model} profile)`}.`;
}
