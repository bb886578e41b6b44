/**
 * Seasonal robust residual score: how many robust standard deviations the sample lies from
 * what the baseline (level + daily/weekly profile when the data has one) expected.
 */
import type { AnomalyResult } from './types';
import type { ContextDetector, SampleContext } from './context';
import { explain, fmt, squash } from './util';

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
    if (!c.ready || c.raw !== c.raw) return { score: 0 };
    const az = Math.abs(c.z);
    const score = squash(az, this.z0, this.halfAt);
    if (score === 0) return { score };
    const { model, raw, expected } = c;
    const above = c.z > 0;
    const message = () => `${fmt(raw)} is ${az < 1000 ? az.toFixed(1) : 'more than 1,000'} robust deviations ${above ? 'above' : 'below'} the expected ${fmt(expected)}${model === 'none' ? '' : ` (${model} profile)`}.`;
    return { score, explanation: explain(this.name, c, message, this.band) };
  }

  snapshot(): null {
    return null;
  }
  restore(): void {}
}
