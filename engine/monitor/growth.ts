/**
 * Growth of a component's load: how fast its throughput rises, measured from the store's
 * hourly rollups, so capacity can be planned "after M months of the current growth".
 *
 * The trend is the seasonal Sen slope (Hirsch, Slack & Smith 1982) of the logarithm of the
 * hourly mean load: the median of the slopes between hours *of the same hour of day* on
 * different days. Growth compounds (hence the logarithm); pairing equal hours cancels the
 * daily cycle exactly, and the median shrugs off spikes and outages. Its 80% interval is
 * the seasonal Kendall rank interval, widened for the day-to-day autocorrelation of the
 * residuals. A month is 30 days. Less than `minHistoryMs` of history
 * (2 days by default: a daily cycle must be seen twice before its rise and fall stop
 * looking like growth) gives no estimate, and says so.
 */
import type { ComponentConfig } from '../workspace/config';
import { formatDurationMs } from './bottlenecks';
import type { MetricStore } from './storeApi';

const DAY_MS = 86_400_000;
export const MONTH_MS = 30 * DAY_MS;

export interface GrowthOptions {
  /** How far back to look (default 90 days). */
  historyMs?: number;
  /** Less history than this gives no estimate (default 2 days). */
  minHistoryMs?: number;
  /** The rollup step (default 1 h). */
  stepMs?: number;
}

export interface GrowthFound {
  ok: true;
  component: string;
  /** The load series, `<throughput>_rate`. */
  series: string;
  /** The trend's load now, per second. */
  loadNow: number;
  /** The load's factor per 30 days (1.1 = 10% a month), with its 80% interval. */
  perMonth: number;
  perMonthLo80: number;
  perMonthHi80: number;
  /** The history behind the estimate and its number of steps. */
  historyMs: number;
  points: number;
  stepMs: number;
}

export interface GrowthUnknown {
  ok: false;
  component: string;
  series?: string;
  /** Why there is no estimate, in words a user can act on. */
  reason: string;
  historyMs: number;
}

export type GrowthEstimate = GrowthFound | GrowthUnknown;

/** The growth of a component's load (its `metrics.throughput`, as a rate) over the stored history. */
export function estimateGrowth(store: MetricStore, c: ComponentConfig, now: number, opts: GrowthOptions = {}): GrowthEstimate {
  const tput = c.metrics?.throughput;
  if (!tput) return { ok: false, component: c.name, reason: 'it names no throughput series (metrics.throughput), so its load is unknown', historyMs: 0 };
  const series = `${tput}_rate`;
  const stepMs = opts.stepMs ?? 3_600_000;
  const minHistoryMs = opts.minHistoryMs ?? 2 * DAY_MS;
  // Several label sets (ticks by outcome): the component's load is their sum per step.
  const byT = new Map<number, number>();
  for (const r of store.query({ name: series, labels: { component: c.name }, from: now - (opts.historyMs ?? 90 * DAY_MS), to: now, stepMs, agg: 'mean' })) {
    for (const p of r.points) if (Number.isFinite(p.v)) byT.set(p.t, (byT.get(p.t) ?? 0) + p.v);
  }
  // The first and the last (current) hours are usually partial: with a daily cycle, a part of
  // an hour is not comparable to the whole same hour on another day, so both are left out.
  const all = [...byT.keys()].sort((a, b) => a - b);
  const ts = all.slice(1, -1);
  // The history starts at the first minute with load, inside the first hour.
  const firstMinute = all.length ? store.query({ name: series, labels: { component: c.name }, from: all[0], to: all[0] + stepMs, stepMs: 60_000, agg: 'mean' }).flatMap((r) => r.points.map((p) => p.t)) : [];
  const historyMs = all.length ? now - (firstMinute.length ? Math.min(...firstMinute) : all[0]) : 0;
  if (historyMs < minHistoryMs) {
    const have = all.length ? `only ${formatDurationMs(historyMs)} of load history` : 'no load history';
    return { ok: false, component: c.name, series, reason: `the history is too short to estimate growth: ${have}, at least ${formatDurationMs(minHistoryMs)} needed. Keep monitoring (the editor or alluse-perf monitor) or give a load instead.`, historyMs };
  }
  const positive = ts.filter((t) => byT.get(t)! > 0);
  if (positive.length < 0.8 * ts.length || positive.length < 10) {
    return { ok: false, component: c.name, series, reason: `the load was zero in ${ts.length - positive.length} of ${ts.length} hours: too idle to estimate growth. Give a load instead.`, historyMs };
  }
  // x in days before now, at the middle of each step (the last step only up to now).
  const xs = positive.map((t) => (Math.min(t + stepMs / 2, (t + now) / 2) - now) / DAY_MS);
  const fit = seasonalSen(xs, positive.map((t) => Math.log(byT.get(t)!)), positive.map((t) => Math.round((t % DAY_MS) / stepMs)));
  if (!fit) return { ok: false, component: c.name, series, reason: 'the load history has too few distinct steps to fit a trend', historyMs };
  const month = (slopePerDay: number) => Math.exp(slopePerDay * 30);
  return {
    ok: true,
    component: c.name,
    series,
    loadNow: Math.exp(fit.level),
    perMonth: month(fit.slope),
    perMonthLo80: month(fit.slopeLow),
    perMonthHi80: month(fit.slopeHigh),
    historyMs,
    points: positive.length,
    stepMs,
  };
}

/** Two-sided 80%: the 90th percentile of the standard normal. */
const Z80 = 1.2816;

/**
 * The seasonal Sen slope of (x, y) where `season[i]` names the season of point i: the median
 * of the pairwise slopes within each season, with the 80% interval from the seasonal Kendall
 * statistic's variance (the sum of the seasons'), widened by sqrt((1 + r) / (1 − r)) for the
 * lag-1 autocorrelation r (in [0, 0.9]) of each season's residuals from one cycle to the next.
 * `level` is the median of y − slope·x: the line's value at x = 0, across the seasons.
 */
export function seasonalSen(xs: readonly number[], ys: readonly number[], season: readonly number[]): { slope: number; slopeLow: number; slopeHigh: number; level: number } | undefined {
  const groups = new Map<number, number[]>();
  xs.forEach((_, i) => groups.set(season[i], [...(groups.get(season[i]) ?? []), i]));
  const slopes: number[] = [];
  let variance = 0;
  for (const idx of groups.values()) {
    const n = idx.length;
    variance += (n * (n - 1) * (2 * n + 5)) / 18;
    for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) if (xs[idx[b]] !== xs[idx[a]]) slopes.push((ys[idx[b]] - ys[idx[a]]) / (xs[idx[b]] - xs[idx[a]]));
  }
  if (slopes.length < 3) return undefined;
  slopes.sort((a, b) => a - b);
  const med = (s: number[]) => (s.length % 2 ? s[s.length >> 1] : (s[(s.length >> 1) - 1] + s[s.length >> 1]) / 2);
  const slope = med(slopes);
  const level = med(ys.map((y, i) => y - slope * xs[i]).sort((a, b) => a - b));
  // Residuals from each season's own level, in time order within the season.
  let num = 0;
  let den = 0;
  for (const idx of groups.values()) {
    const r = idx.map((i) => ys[i] - slope * xs[i]);
    const m = r.reduce((a, b) => a + b, 0) / r.length;
    for (let k = 0; k < r.length; k++) {
      den += (r[k] - m) ** 2;
      if (k) num += (r[k] - m) * (r[k - 1] - m);
    }
  }
  const rho = den > 0 ? Math.min(0.9, Math.max(0, num / den)) : 0;
  const N = slopes.length;
  const c = Z80 * Math.sqrt(variance) * Math.sqrt((1 + rho) / (1 - rho));
  const lo = Math.max(0, Math.min(N - 1, Math.floor((N - c) / 2)));
  const hi = Math.max(0, Math.min(N - 1, Math.ceil((N + c) / 2)));
  return { slope, slopeLow: slopes[lo], slopeHigh: slopes[hi], level };
}

/** "+12%/month (80%: +8% to +16%)". */
export function formatGrowth(g: GrowthFound): string {
  const pct = (f: number) => `${f >= 1 ? '+' : '−'}${Math.abs((f - 1) * 100).toFixed(Math.abs(f - 1) < 0.1 ? 1 : 0)}%`;
  return `${pct(g.perMonth)}/month (80%: ${pct(g.perMonthLo80)} to ${pct(g.perMonthHi80)}, from ${formatDurationMs(g.historyMs)} of history)`;
}
