/**
 * Change-point detection by CUSUM on the standardized residuals: two one-sided sums for a
 * shift of the level up or down, and two for the variance rising or falling (on z² − 1).
 * A sum crossing `h` is a change point: score 1 at that sample, and the sums restart.
 * Between alarms the score is the largest sum as a fraction of `h`, squared and halved, so
 * it stays low until a change is nearly certain.
 */
import type { AnomalyResult } from './types';
import type { ContextDetector, SampleContext } from './context';
import { explainWith, fmt, NO_SCORE } from './util';

export interface CusumOptions {
  /** Allowance per sample for the level sums, in spreads (default 0.5). */
  k?: number;
  /** Threshold of the level sums (default 8). */
  h?: number;
  /** Allowance and threshold of the variance sums (defaults 1 and 12). */
  kVar?: number;
  hVar?: number;
  /** Residuals are clipped to ±clip spreads so one outlier cannot trip it alone (default 4). */
  clip?: number;
}

export interface CusumState {
  up: number;
  down: number;
  varUp: number;
  varDown: number;
  since: number;
  n: number;
}

export class CusumDetector implements ContextDetector {
  readonly name = 'change-point';
  private up = 0;
  private down = 0;
  private varUp = 0;
  private varDown = 0;
  /** Index where the current excursion began (for the explanation). */
  private since = 0;
  private n = 0;
  /** Index of the last alarm, for tests and callers. */
  lastAlarm = -1;
  private readonly k: number;
  private readonly h: number;
  private readonly kVar: number;
  private readonly hVar: number;
  private readonly clip: number;
  /** The result below the alarm, reused by every call (see `ContextDetector.score`): one object per sample was most of the detectors' garbage. */
  private readonly below: { score: number } = { score: 0 };

  constructor(opts: CusumOptions = {}) {
    this.k = opts.k ?? 0.5;
    this.h = opts.h ?? 8;
    this.kVar = opts.kVar ?? 1;
    this.hVar = opts.hVar ?? 12;
    this.clip = opts.clip ?? 4;
  }

  score(c: SampleContext): AnomalyResult {
    const i = this.n++;
    if (!c.ready || !c.finite) return NO_SCORE;
    const z = c.z > this.clip ? this.clip : c.z < -this.clip ? -this.clip : c.z;
    const z2 = z * z;
    if (this.up === 0 && this.down === 0 && this.varUp === 0 && this.varDown === 0) this.since = i;
    this.up = Math.max(0, this.up + z - this.k);
    this.down = Math.max(0, this.down - z - this.k);
    this.varUp = Math.max(0, this.varUp + z2 - 1 - this.kVar);
    this.varDown = Math.max(0, this.varDown + 1 - z2 - this.kVar * 0.5);
    const lv = Math.max(this.up, this.down) / this.h;
    const vv = Math.max(this.varUp, this.varDown) / this.hVar;
    if (lv < 1 && vv < 1) {
      const f = Math.max(lv, vv);
      this.below.score = 0.5 * f * f;
      return this.below;
    }
    const kind = lv >= 1 ? (this.up >= this.h ? 'level rose' : 'level fell') : this.varUp >= this.hVar ? 'variance rose' : 'variance fell';
    const since = this.since;
    this.up = this.down = this.varUp = this.varDown = 0;
    this.lastAlarm = i;
    return {
      score: 1,
      explanation: explainWith(this.name, c, changeMessage, i - since, c.expected, c.raw, kind),
    };
  }

  snapshot(): CusumState {
    return { up: this.up, down: this.down, varUp: this.varUp, varDown: this.varDown, since: this.since, n: this.n };
  }

  restore(s: unknown): void {
    const st = s as CusumState;
    if (!st) return;
    this.up = st.up;
    this.down = st.down;
    this.varUp = st.varUp;
    this.varDown = st.varDown;
    this.since = st.since;
    this.n = st.n;
  }
}

function changeMessage(samplesAgo: number, expected: number, observed: number, kind: string): string {
  return `Change point: the ${kind} (from about ${samplesAgo} samples ago); expected ${fmt(expected)}, observed ${fmt(observed)}.`;
}
