/**
 * The dynamic baseline of one series, learned online: a robust level and spread
 * (`RobustStats`), plus daily and weekly seasonal profiles that are used only when the data
 * has that seasonality. Each candidate model (none, daily, weekly) predicts every sample
 * before seeing it; a long-memory average of each model's absolute error decides which one
 * the baseline uses (a seasonal model must beat the simpler one by a clear margin, after at
 * least two whole periods of data). Profiles are time-based (phase of the day or week), so
 * the data's own sampling interval decides whether a period is resolvable at all.
 *
 * `snapshot()` / `restore()` give the whole state as plain JSON so the monitor can persist it
 * in the store and resume after a restart.
 */
import { RobustStats, type RobustStatsState } from './robustStats';
import { SeasonalProfile, type SeasonalProfileState } from './seasonalProfile';

export const DAY_MS = 86_400_000;
export const WEEK_MS = 7 * DAY_MS;

export type SeasonModel = 'none' | 'daily' | 'weekly';
const MODELS: readonly SeasonModel[] = ['none', 'daily', 'weekly'];

export interface BaselineEstimate {
  /** What the baseline expects at this time. */
  expected: number;
  /** Robust standard deviation of the residual (> 0). */
  spread: number;
  model: SeasonModel;
  /** False until enough samples were seen for the estimate to mean something. */
  ready: boolean;
}

export interface BaselineOptions {
  /** Forgetting rate of level and spread per sample (default 0.01). */
  alpha?: number;
  /** Samples before the baseline reports itself ready (default 30). */
  warmup?: number;
  /** A seasonal model must have at most this fraction of the simpler model's error (0.8). */
  seasonalGain?: number;
  /** Bins of the daily profile (default 48: half-hours). */
  dailyBins?: number;
  /**
   * The spread is at least this many times the series' resolution, the smallest non-zero
   * step seen between consecutive values (default 0.5): an integer gauge moving by 1 or 2 is
   * a few deviations, not thousands.
   */
  resolutionFloor?: number;
}

export interface BaselineState {
  v: 1;
  n: number;
  t0: number;
  lastT: number;
  model: number;
  stats: RobustStatsState[];
  dt: RobustStatsState;
  err: number[];
  meanAbs: number;
  profiles: SeasonalProfileState[];
  /** Smallest non-zero step seen (null: none yet). */
  res?: number | null;
  last?: number | null;
  integral?: boolean;
}

export class RobustBaseline {
  private n = 0;
  private t0 = NaN;
  private lastT = NaN;
  private model = 0;
  /** Level/spread of x − (0, daily profile, weekly profile). */
  private readonly stats: RobustStats[];
  private readonly dt = new RobustStats(0.01, 16);
  private readonly err = [0, 0, 0];
  private meanAbs = 0;
  private readonly profiles: SeasonalProfile[];
  private readonly warmup: number;
  private readonly gain: number;
  private readonly alpha: number;
  private readonly resFloor: number;
  private res = Infinity;
  private last = NaN;
  private integral = true;

  constructor(opts: BaselineOptions = {}) {
    this.alpha = opts.alpha ?? 0.01;
    this.warmup = opts.warmup ?? 30;
    this.gain = opts.seasonalGain ?? 0.8;
    this.resFloor = opts.resolutionFloor ?? 0.5;
    this.stats = [new RobustStats(this.alpha), new RobustStats(this.alpha), new RobustStats(this.alpha)];
    this.profiles = [new SeasonalProfile(DAY_MS, opts.dailyBins ?? 48), new SeasonalProfile(WEEK_MS, 7 * 48)];
  }

  get count(): number {
    return this.n;
  }
  /** The seasonal model in use. */
  get seasonModel(): SeasonModel {
    return MODELS[this.model];
  }
  /** Median sampling interval in ms (NaN before two samples). */
  get intervalMs(): number {
    return this.dt.count > 0 ? this.dt.level : NaN;
  }

  private predict(m: number, t: number): number {
    if (m === 0) return this.stats[0].level;
    const p = this.profiles[m - 1].expected(t);
    return p === p ? p + this.stats[m].level : NaN;
  }

  private spreadOf(m: number, expected: number): number {
    const s = this.stats[m].sigma;
    let floor = Math.max(0.2 * this.meanAbs, 1e-9 * (1 + Math.abs(expected)));
    // A series that only ever held integers has a resolution of at most 1, even while flat.
    const res = this.res < Infinity ? this.res : this.integral && this.n > 0 ? 1 : Infinity;
    if (res < Infinity && this.resFloor * res > floor) floor = this.resFloor * res;
    return s > floor ? s : floor;
  }

  /** The baseline's expectation at time `t`, from the past only. */
  estimate(t: number): BaselineEstimate {
    let m = this.model;
    let e = this.predict(m, t);
    if (e !== e) {
      m = 0;
      e = this.predict(0, t);
    }
    return { expected: e, spread: this.spreadOf(m, e), model: MODELS[m], ready: this.n >= this.warmup };
  }

  /** Scores nothing; learns the finite sample `x` at time `t`. Call `estimate` first to score. */
  update(t: number, x: number): void {
    if (!Number.isFinite(x) || !Number.isFinite(t)) return;
    if (this.n === 0) this.t0 = t;
    else if (t > this.lastT) this.dt.update(t - this.lastT);
    this.n++;
    this.lastT = t;
    const step = Math.abs(x - this.last);
    if (step > 1e-12 * Math.abs(x) && step < this.res) this.res = step;
    this.last = x;
    if (this.integral && !Number.isInteger(x)) this.integral = false;
    const dt = this.dt.count > 0 ? this.dt.level : NaN;
    const covered = t - this.t0;
    const errRate = dt > 0 ? Math.min(0.05, Math.max(1e-7, dt / DAY_MS)) : 0.05;
    // 1. Each model's error on this sample, before learning it.
    for (let m = 0; m < 3; m++) {
      const e = this.predict(m, t);
      if (e !== e) continue;
      const cap = 4 * this.spreadOf(m, e);
      const a = Math.min(Math.abs(x - e), cap);
      this.err[m] += errRate * (a - this.err[m]);
    }
    if (m0(this.n)) this.meanAbs = Math.abs(x - this.stats[0].level);
    else this.meanAbs += 0.01 * (Math.min(Math.abs(x - this.stats[0].level), 10 * this.meanAbs + 1e-300) - this.meanAbs);
    // 2. Learn.
    this.stats[0].update(x);
    for (let k = 0; k < 2; k++) {
      const prof = this.profiles[k];
      if (!(dt > 0) || dt > prof.binMs * 2) continue; // the period is not resolvable at this rate
      const p = prof.expected(t);
      if (p === p) this.stats[k + 1].update(x - p);
      prof.update(t, x - (this.stats[k + 1].count > 0 ? this.stats[k + 1].level : 0), prof.binMs / dt);
    }
    // 3. Choose the model: seasonal only with two whole periods seen and a clear gain.
    let best = 0;
    if (covered >= 2 * DAY_MS && this.stats[1].count > 0 && this.err[1] < this.gain * this.err[0]) best = 1;
    if (covered >= 2 * WEEK_MS && this.stats[2].count > 0 && this.err[2] < this.gain * this.err[best]) best = 2;
    this.model = best;
  }

  snapshot(): BaselineState {
    return {
      v: 1,
      n: this.n,
      t0: this.t0,
      lastT: this.lastT,
      model: this.model,
      stats: this.stats.map((s) => s.snapshot()),
      dt: this.dt.snapshot(),
      err: [...this.err],
      meanAbs: this.meanAbs,
      profiles: this.profiles.map((p) => p.snapshot()),
      res: Number.isFinite(this.res) ? this.res : null,
      last: Number.isFinite(this.last) ? this.last : null,
      integral: this.integral,
    };
  }

  restore(s: BaselineState): void {
    if (!s || s.v !== 1) return;
    this.n = s.n;
    this.t0 = s.t0 ?? NaN;
    this.lastT = s.lastT ?? NaN;
    this.model = s.model;
    s.stats.forEach((st, i) => this.stats[i]?.restore(st));
    this.dt.restore(s.dt);
    s.err.forEach((e, i) => (this.err[i] = e));
    this.meanAbs = s.meanAbs;
    s.profiles.forEach((p, i) => this.profiles[i]?.restore(p));
    this.res = s.res ?? Infinity;
    this.last = s.last ?? NaN;
    this.integral = s.integral ?? false;
  }
}

function m0(n: number): boolean {
  return n === 1;
}
