/**
 * A seasonal profile: the typical value at each phase of a period (a day, a week), learned
 * online as an exponentially weighted mean per phase bin, read with linear interpolation
 * between bin centres. Time-based, so it works the same for 10 Hz and 5-minute data.
 */
import { plainArray } from './plainArray';

export interface SeasonalProfileState {
  periodMs: number;
  values: number[];
  counts: number[];
}

export class SeasonalProfile {
  private readonly values: Float64Array;
  private readonly counts: Float64Array;

  constructor(
    readonly periodMs: number,
    readonly bins: number,
    /** Weight of one whole visit of a bin: 0.25 ≈ the last 4 periods. */
    readonly visitRate = 0.25,
  ) {
    this.values = new Float64Array(bins);
    this.counts = new Float64Array(bins);
  }

  get binMs(): number {
    return this.periodMs / this.bins;
  }

  private pos(t: number): number {
    let p = (t % this.periodMs) / this.binMs - 0.5;
    if (p < 0) p += this.bins;
    return p;
  }

  /** Whether both bins around `t` have been learned. */
  ready(t: number): boolean {
    const p = this.pos(t);
    const i = Math.floor(p) % this.bins;
    return this.counts[i] > 0 && this.counts[(i + 1) % this.bins] > 0;
  }

  /** The expected value at time `t` (NaN when not learned yet). */
  expected(t: number): number {
    const p = this.pos(t);
    const i = Math.floor(p) % this.bins;
    const j = (i + 1) % this.bins;
    const f = p - Math.floor(p);
    if (!(this.counts[i] > 0 && this.counts[j] > 0)) return NaN;
    return this.values[i] * (1 - f) + this.values[j] * f;
  }

  /** Learns `x` at time `t`; `samplesPerBin` = bin width / sampling interval. */
  update(t: number, x: number, samplesPerBin: number): void {
    const p = this.pos(t);
    const i = Math.floor(p) % this.bins;
    const j = (i + 1) % this.bins;
    const f = p - Math.floor(p);
    const rate = this.visitRate / Math.max(1, samplesPerBin);
    this.learn(i, x, (1 - f) * rate, 1 - f);
    this.learn(j, x, f * rate, f);
  }

  private learn(i: number, x: number, rate: number, w: number): void {
    if (w <= 0) return;
    const c = (this.counts[i] += w);
    const r = Math.max(rate, w / c);
    this.values[i] += r * (x - this.values[i]);
  }

  snapshot(): SeasonalProfileState {
    return { periodMs: this.periodMs, values: plainArray(this.values), counts: plainArray(this.counts) };
  }

  restore(s: SeasonalProfileState): void {
    if (s.values.length !== this.bins) return;
    this.values.set(s.values);
    this.counts.set(s.counts);
  }
}
