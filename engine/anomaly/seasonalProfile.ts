/**
 * A seasonal profile: the typical value at each phase of a period (a day, a week), learned
 * online as an exponentially weighted mean per phase bin, read with linear interpolation
 * between bin centres. Time-based, so it works the same for 10 Hz and 5-minute data.
 */

export interface SeasonalProfileState {
  periodMs: number;
  values: number[];
  counts: number[];
}

export class SeasonalProfile {
  /**
   * Per bin its value then its count, as float32s: 8 bytes a bin in one buffer. As two
   * Float64Arrays they took 16 bytes a bin and two ArrayBuffers: the default baseline has a
   * daily and a weekly profile (48 + 336 bins), so 6.1 kB per scored series, 2.8 MB of the
   * monitor's memory at the demo's 461 (docs/performance.md, "Monitoring"). A value is a mean
   * of residuals from the series' level, so float32's 7 digits are relative to the seasonal
   * swing, not to the series' size; a count past 2^24 no longer grows by fractions, where
   * `learn` uses the fixed rate anyway. NAB's scores are unchanged by it.
   */
  private readonly cells: Float32Array;

  constructor(
    readonly periodMs: number,
    readonly bins: number,
    /** Weight of one whole visit of a bin: 0.25 ≈ the last 4 periods. */
    readonly visitRate = 0.25,
  ) {
    this.cells = new Float32Array(2 * bins);
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
    return this.cells[2 * i + 1] > 0 && this.cells[2 * ((i + 1) % this.bins) + 1] > 0;
  }

  /** The expected value at time `t` (NaN when not learned yet). */
  expected(t: number): number {
    const p = this.pos(t);
    const i = Math.floor(p) % this.bins;
    const j = (i + 1) % this.bins;
    const f = p - Math.floor(p);
    const b = this.cells;
    if (!(b[2 * i + 1] > 0 && b[2 * j + 1] > 0)) return NaN;
    return b[2 * i] * (1 - f) + b[2 * j] * f;
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
    const b = this.cells;
    b[2 * i + 1] += w;
    const c = b[2 * i + 1];
    const r = Math.max(rate, w / c);
    b[2 * i] += r * (x - b[2 * i]);
  }

  snapshot(): SeasonalProfileState {
    const values: number[] = new Array(this.bins);
    const counts: number[] = new Array(this.bins);
    for (let i = 0; i < this.bins; i++) {
      values[i] = this.cells[2 * i];
      counts[i] = this.cells[2 * i + 1];
    }
    return { periodMs: this.periodMs, values, counts };
  }

  restore(s: SeasonalProfileState): void {
    if (s.values.length !== this.bins) return;
    for (let i = 0; i < this.bins; i++) {
      this.cells[2 * i] = s.values[i];
      this.cells[2 * i + 1] = s.counts[i];
    }
  }
}
