/**
 * Bottlenecks: for every resource with a limit (memory, CPU cores, queue capacity, a p95
 * latency SLO, a file system filling up), the predicted time until its series crosses the limit, with an 80% interval,
 * ranked so the first to saturate comes first. Reads the store, returns plain data; between
 * calls it keeps only the windows' final rollup points per store (windowQueryCache.ts), which
 * change what is read, not the results.
 *
 * The trend is a Theil–Sen line (the median of the pairwise slopes, robust to spikes and GC
 * sawtooth) fitted on a few windows of recent history (30 s, 2 min, 10 min, 1 h, 6 h of rollups).
 * The slope's 80% interval is Sen's rank interval (the pairwise-slope quantiles), widened
 * for the residuals' lag-1 autocorrelation; the time-to-limit interval follows from it. A
 * window only predicts when its whole slope interval heads towards the limit and the point
 * estimate crosses within min(horizon, 20 × the history it saw): a line is never extended
 * far past the data behind it. Of the windows that predict, the one with the narrowest
 * interval wins (a leak that started a minute ago fits the 30 s window well and the 1 h one
 * badly). The interval assumes the trend holds.
 */
import { isAbsolute, resolve } from 'node:path';
import type { Sample } from '../metrics/series';
import type { ComponentConfig } from '../workspace/config';
import type { MetricStore } from './storeApi';
import type { ChartUnit, LimitPrediction } from './types';
import { WindowQueryCache } from './windowQueryCache';
import { formatValue } from '../report/format'; // one way to write a value, the same in messages and reports

export interface PredictOptions {
  /** Crossings further away than this are not reported (default 7 days). */
  horizonMs?: number;
  /** History windows and their rollup steps (default 30 s@1 s, 2 min@1 s, 10 min@5 s, 1 h@30 s, 6 h@3 min). */
  windows?: { spanMs: number; stepMs: number }[];
  /** A window extrapolates at most this many times the history it saw (default 20). */
  maxExtrapolation?: number;
  /** File systems to watch (the store's, a component's `limits.diskPath`): see `diskWatches`. */
  disks?: DiskWatch[];
  /** The share of a file system that counts as full (default 0.95). */
  diskFullRatio?: number;
}

/** A file system to watch: the one holding `path` (absolute), named in alluse-perf.yaml at `limitKey`. */
export interface DiskWatch {
  path: string;
  /** The component whose `limits.diskPath` names it; none for the monitor's store. */
  component?: string;
  limitKey: string;
}

/** The file systems to watch: the one holding the store, and each component's `limits.diskPath` (relative to `folder`). */
export function diskWatches(components: readonly ComponentConfig[], folder: string, storePath: string): DiskWatch[] {
  const out: DiskWatch[] = [];
  for (const c of components) {
    const p = c.limits.diskPath;
    if (p) out.push({ path: isAbsolute(p) ? p : resolve(folder, p), component: c.name, limitKey: 'limits.diskPath' });
  }
  out.push({ path: storePath, limitKey: 'monitor.storePath' });
  return out;
}

/** The mount point holding `path`: the longest mount that is `path` or a folder above it. */
export function mountOf(path: string, mounts: readonly string[]): string | undefined {
  const norm = (x: string) => x.replace(/\\/g, '/');
  const p = norm(path);
  let best: string | undefined;
  for (const m of mounts) {
    const mm = norm(m);
    const prefix = mm.endsWith('/') ? mm : `${mm}/`;
    const holds = p === mm || p.startsWith(prefix) || (process.platform === 'win32' && p.toLowerCase().startsWith(prefix.toLowerCase()));
    if (holds && (best === undefined || norm(best).length < mm.length)) best = m;
  }
  return best;
}

/** The time-to-limit windows: span and rollup step (also what the prediction cache is tested over). */
export const DEFAULT_WINDOWS = [
  { spanMs: 30_000, stepMs: 1000 },
  { spanMs: 2 * 60_000, stepMs: 1000 },
  { spanMs: 10 * 60_000, stepMs: 5000 },
  { spanMs: 3_600_000, stepMs: 30_000 },
  { spanMs: 6 * 3_600_000, stepMs: 180_000 },
];
/** Two-sided 80%: the 90th percentile of the standard normal. */
const Z80 = 1.2816;
/** At most this many points per fit (pairwise slopes grow as n²). */
const MAX_POINTS = 150;
const slopeBuffer = new Float64Array((MAX_POINTS * (MAX_POINTS - 1)) / 2);
/** The points of the window being fitted (time, value), reused by every fit. */
let fitX = new Float64Array(512);
let fitY = new Float64Array(512);
/** The fit's residuals and their absolute values, reused (at most MAX_POINTS). */
const resBuffer = new Float64Array(MAX_POINTS);
const medianBuffer = new Float64Array(MAX_POINTS);

interface Target {
  resource: LimitPrediction['resource'];
  limitKey: string;
  series: string;
  labels: Record<string, string>;
  limit: number;
  unit: ChartUnit;
  /** For a file system: its mount point. */
  mount?: string;
}

/** The limited series of a component, named as the collectors and the dashboard name them. */
export function limitTargets(c: ComponentConfig): Target[] {
  const labels = { component: c.name };
  const out: Target[] = [];
  if (c.limits.memoryBytes) out.push({ resource: 'memory', limitKey: 'limits.memory', series: 'process_resident_memory_bytes', labels, limit: c.limits.memoryBytes, unit: 'bytes' });
  if (c.limits.cpuCores) out.push({ resource: 'cpu', limitKey: 'limits.cpuCores', series: 'process_cpu_ratio', labels, limit: c.limits.cpuCores, unit: 'ratio' });
  if (c.limits.queueCapacity && c.metrics?.queueDepth) out.push({ resource: 'queue', limitKey: 'limits.queueCapacity', series: c.metrics.queueDepth, labels, limit: c.limits.queueCapacity, unit: 'count' });
  const p95 = c.slos.latency?.p95Ms;
  if (p95 !== undefined && c.metrics?.latency) out.push({ resource: 'latency', limitKey: 'slos.latency.p95', series: `${c.metrics.latency}_p95`, labels, limit: p95 / 1000, unit: 'seconds' });
  return out;
}

/**
 * The file systems of `disks` as limit targets on `system_filesystem_used_ratio{mount}`, one
 * per mount (a component's entry wins over the store's, so the diagnostic lands on its key).
 * Mounts come from the series the file-system collector wrote.
 */
export function diskTargets(store: MetricStore, disks: readonly DiskWatch[], fullRatio = 0.95): { component: string; target: Target }[] {
  if (!disks.length) return [];
  const mounts = [...new Set(store.listSeries({ name: 'system_filesystem_used_ratio' }).map((k) => k.labels.mount).filter((m): m is string => !!m))];
  const byMount = new Map<string, { component: string; target: Target }>();
  for (const d of disks) {
    const mount = mountOf(d.path, mounts);
    const existing = byMount.get(mount ?? '');
    if (mount === undefined || (existing && (existing.component || !d.component))) continue;
    byMount.set(mount, { component: d.component ?? '', target: { resource: 'disk', limitKey: d.limitKey, series: 'system_filesystem_used_ratio', labels: { mount }, limit: fullRatio, unit: 'ratio', mount } });
  }
  return [...byMount.values()];
}

/** Time-to-limit predictions of every limited series, soonest first. */
export function predictLimits(store: MetricStore, components: ComponentConfig[], now: number, opts: PredictOptions = {}): LimitPrediction[] {
  const out: LimitPrediction[] = [];
  const cache = windowCacheOf(store);
  cache?.beginRound();
  for (const c of components) {
    for (const target of limitTargets(c)) {
      const p = predictTarget(store, cache, c.name, target, now, opts);
      if (p) out.push(p);
    }
  }
  for (const { component, target } of diskTargets(store, opts.disks ?? [], opts.diskFullRatio)) {
    const p = predictTarget(store, cache, component, target, now, opts);
    if (p) out.push(p);
  }
  return out.sort((a, b) => a.etaMs - b.etaMs || a.etaHighMs - b.etaHighMs);
}

/** The window points read by earlier rounds, per store (bounded: the targets x windows of the last round). */
const windowCaches = new WeakMap<MetricStore, WindowQueryCache>();

function windowCacheOf(store: MetricStore): WindowQueryCache | undefined {
  if (!WindowQueryCache.usable(store)) return undefined;
  let c = windowCaches.get(store);
  if (!c) windowCaches.set(store, (c = new WindowQueryCache(store)));
  return c;
}

function predictTarget(store: MetricStore, cache: WindowQueryCache | undefined, component: string, target: Target, now: number, opts: PredictOptions): LimitPrediction | undefined {
  const horizonMs = opts.horizonMs ?? 7 * 86_400_000;
  const maxX = opts.maxExtrapolation ?? 20;
  const candidates: { eta: number; low: number; high: number; level: number; slope: number; spanMs: number }[] = [];
  let current: number | undefined;
  let previousFirst = Infinity;
  for (const w of opts.windows ?? DEFAULT_WINDOWS) {
    // Rollup steps (1 s and more) come from the cache: only what changed since the last round is read.
    const results = cache && w.stepMs >= 1000
      ? cache.meanQuery(target.series, target.labels, now - w.spanMs, now, w.stepMs)
      : store.query({ name: target.series, labels: target.labels, from: now - w.spanMs, to: now, stepMs: w.stepMs, agg: 'mean' });
    // Several series under the name (one per label set): the worst one is the one to watch
    // (the highest last finite value; the first of equals). Its finite points go into the
    // scratch columns: no copies of the points, every 5 s for each limited series.
    let worst: Sample[] | undefined;
    let worstLast = -Infinity;
    for (const r of results) {
      let last = -Infinity;
      for (let i = r.points.length - 1; i >= 0; i--) if (Number.isFinite(r.points[i].v)) { last = r.points[i].v; break; }
      if (worst === undefined || last > worstLast) { worst = r.points; worstLast = last; }
    }
    let n = 0;
    if (worst) {
      if (fitX.length < worst.length) { fitX = new Float64Array(worst.length); fitY = new Float64Array(worst.length); }
      for (const p of worst) if (Number.isFinite(p.v)) { fitX[n] = p.t; fitY[n] = p.v; n++; }
    }
    if (n < 10) continue;
    current ??= fitY[n - 1];
    const first = fitX[0];
    // A longer window that reaches no further back than the last one says nothing new.
    if (first >= previousFirst - w.stepMs) continue;
    previousFirst = first;
    const spanMs = fitX[n - 1] - first;
    if (spanMs < Math.min(30_000, 0.6 * w.spanMs)) continue;
    // A rollup point is labelled with its bucket's start but is the mean over the bucket
    // (the last one only up to now): place it at the middle of what it covers.
    for (let i = 0; i < n; i++) fitX[i] = (Math.min(fitX[i] + w.stepMs / 2, (fitX[i] + now) / 2) - now) / 1000;
    const fit = theilSen(fitX.subarray(0, n), fitY.subarray(0, n), { limit: target.limit, maxEtaMs: Math.min(horizonMs, maxX * spanMs) });
    if (!fit || !(fit.slopeLow > 0)) continue;
    const gap = target.limit - fit.level;
    if (gap <= 0) continue; // the line is past the limit but the last value is not: the over-limit case below decides
    const eta = (gap / fit.slope) * 1000;
    if (eta > Math.min(horizonMs, maxX * spanMs)) continue;
    // The interval takes the slope's and the level's 80% ranges together.
    const low = (Math.max(0, gap - Z80 * fit.levelSd) / fit.slopeHigh) * 1000;
    const high = ((gap + Z80 * fit.levelSd) / fit.slopeLow) * 1000;
    candidates.push({ eta, low, high, level: fit.level, slope: fit.slope, spanMs });
  }
  // The most precise prediction (the narrowest interval, relative): a steady trend is best
  // told by the longest history, while a trend that changed recently fits the older windows
  // badly (autocorrelated residuals, wide intervals) and the shortest one well.
  let best = candidates[0];
  for (const c of candidates) if (c.high / Math.max(1, c.low) < best.high / Math.max(1, best.low)) best = c;
  if (current === undefined) return undefined;
  if (current >= target.limit) {
    const message = target.resource === 'disk' ? `disk ${target.mount} is over ${percent(target.limit)} full (${percent(current)})` : `${NOUN[target.resource]} is over its ${limitText(target)} (${formatValue(current, target.unit)})`;
    return { component, resource: target.resource, series: target.series, mount: target.mount, limitKey: target.limitKey, limit: target.limit, unit: target.unit, current, level: current, slopePerS: best?.slope ?? 0, at: now, etaMs: 0, etaLowMs: 0, etaHighMs: 0, message };
  }
  if (!best) return undefined;
  const r = (x: number) => Math.max(0, Math.round(x));
  const p: LimitPrediction = {
    component,
    resource: target.resource,
    series: target.series,
    ...(target.mount !== undefined ? { mount: target.mount } : {}),
    limitKey: target.limitKey,
    limit: target.limit,
    unit: target.unit,
    current,
    level: best.level,
    slopePerS: best.slope,
    at: now,
    etaMs: r(best.eta),
    etaLowMs: r(best.low),
    etaHighMs: r(best.high),
    message: '',
  };
  const interval = `in ${formatDurationMs(p.etaMs)} (80%: ${formatDurationMs(p.etaLowMs)} to ${formatDurationMs(p.etaHighMs)})`;
  p.message = target.resource === 'disk' ? `disk ${target.mount} reaches ${percent(target.limit)} ${interval}` : `${NOUN[target.resource]} reaches its ${limitText(target)} ${interval}`;
  return p;
}

const NOUN: Record<LimitPrediction['resource'], string> = { memory: 'memory', cpu: 'CPU', queue: 'queue depth', latency: 'p95 latency', disk: 'disk' };

const percent = (ratio: number) => `${Math.round(ratio * 1000) / 10}%`;

function limitText(t: Target): string {
  if (t.resource === 'memory') return `${formatValue(t.limit, 'bytes')} limit`;
  if (t.resource === 'cpu') return `${t.limit}-core limit`;
  if (t.resource === 'queue') return `capacity of ${t.limit}`;
  return `SLO of ${formatValue(t.limit, 'seconds')}`;
}

export interface TheilSenFit {
  /** Units per second. */
  slope: number;
  /** The 80% interval of the slope. */
  slopeLow: number;
  slopeHigh: number;
  /** The line's value at x = 0, and its standard error. */
  level: number;
  levelSd: number;
}

/**
 * What a fit is for (`predictTarget`): a line counts only when its 80% slope interval is above
 * 0, its level below `limit` and it reaches the limit within `maxEtaMs` (x in seconds, at most 0).
 */
export interface FitPurpose {
  limit: number;
  maxEtaMs: number;
}

/**
 * The Theil–Sen line of (x, y) with Sen's 80% interval of the slope, widened by
 * sqrt((1 + r) / (1 - r)) for the lag-1 autocorrelation r of the residuals (r in [0, 0.9]).
 * Long inputs are thinned to MAX_POINTS (evenly, keeping the ends).
 *
 * With `purpose`, undefined also when bounds prove the line would not count for it (see
 * `cannotCount`): most limited series are flat, falling or far from their limit, and the
 * bounds cost a pass or two over the slopes where the fit selects four order statistics.
 */
export function theilSen(xs: ArrayLike<number>, ys: ArrayLike<number>, purpose?: FitPurpose): TheilSenFit | undefined {
  let x = xs;
  let y = ys;
  if (x.length > MAX_POINTS) {
    const idx = Array.from({ length: MAX_POINTS }, (_, i) => Math.round((i * (xs.length - 1)) / (MAX_POINTS - 1)));
    x = idx.map((i) => xs[i]);
    y = idx.map((i) => ys[i]);
  }
  const n = x.length;
  if (n < 3) return undefined;
  // The pairwise slopes in one buffer reused by every fit (up to 11,175 of them, every 5 s
  // for each limited series), sorted in place: no garbage for the monitor's collector.
  let N = 0;
  const bounded = purpose !== undefined && boundable(x, y, n);
  if (bounded && levelAtLeast(x, y, n, 0) >= purpose.limit) return undefined; // (a) in cannotCount
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (x[j] !== x[i]) slopeBuffer[N++] = (y[j] - y[i]) / (x[j] - x[i]);
  if (N < 3) return undefined;
  if (bounded && cannotCount(x, y, n, N, purpose)) return undefined;
  // Only four order statistics of the slopes are read (the median's one or two, the
  // interval's ends): each is selected in place in linear time instead of sorting them all.
  const slopes = slopeBuffer;
  const mid = N >> 1;
  const slope = N % 2 ? selectRank(slopes, N, mid) : (selectRank(slopes, N, mid - 1) + selectRank(slopes, N, mid)) / 2;
  for (let i = 0; i < n; i++) medianBuffer[i] = y[i] - slope * x[i];
  const level = medianOf(medianBuffer, n);
  const res = resBuffer;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += res[i] = y[i] - level - slope * x[i];
  let num = 0;
  let den = 0;
  const mean = sum / n;
  for (let i = 0; i < n; i++) {
    den += (res[i] - mean) ** 2;
    if (i) num += (res[i] - mean) * (res[i - 1] - mean);
  }
  const rho = den > 0 ? Math.min(0.9, Math.max(0, num / den)) : 0;
  const c = Z80 * Math.sqrt((n * (n - 1) * (2 * n + 5)) / 18) * Math.sqrt((1 + rho) / (1 - rho));
  const lo = Math.max(0, Math.min(N - 1, Math.floor((N - c) / 2)));
  const hi = Math.max(0, Math.min(N - 1, Math.ceil((N + c) / 2)));
  // The level's spread at x = 0, as for a least-squares line with the residuals' robust scale.
  let sx = 0;
  for (let i = 0; i < n; i++) sx += x[i];
  const mx = sx / n;
  let sxx = 0;
  for (let i = 0; i < n; i++) sxx += (x[i] - mx) ** 2;
  for (let i = 0; i < n; i++) medianBuffer[i] = Math.abs(res[i]);
  const scale = 1.4826 * medianOf(medianBuffer, n);
  const levelSd = scale * Math.sqrt(1 / n + (mx * mx) / sxx) * Math.sqrt((1 + rho) / (1 - rho));
  return { slope, slopeLow: selectRank(slopes, N, lo), slopeHigh: selectRank(slopes, N, hi), level, levelSd };
}

/**
 * Whether the bounds of `cannotCount` hold for these points: x finite and at most 0, |y| small
 * enough that no difference overflows (so every slope, the median and the levels are finite).
 */
function boundable(x: ArrayLike<number>, y: ArrayLike<number>, n: number): boolean {
  for (let i = 0; i < n; i++) if (!(x[i] <= 0 && x[i] > -1e12) || !(Math.abs(y[i]) < 1e290)) return false;
  return true;
}

/** The level a slope `s` gives: the median of y - s·x, as `theilSen` computes it (in medianBuffer). */
function levelAtLeast(x: ArrayLike<number>, y: ArrayLike<number>, n: number, s: number): number {
  for (let i = 0; i < n; i++) medianBuffer[i] = y[i] - s * x[i];
  return medianOf(medianBuffer, n);
}

const sampleBuffer = new Float64Array(256);

/**
 * Whether the Theil–Sen line of the N slopes in slopeBuffer certainly does not count for
 * `purpose`, proven by bounds that hold in floating point as computed by `theilSen` (every
 * step below is monotone: rounding keeps order). With x <= 0, the level (median of y - s·x)
 * does not decrease as the slope s grows; the slope's low end (rank lo) is at most the
 * median slope; and the interval's half-width c is at least c0 (the one for r = 0). So:
 * (a) a positive slope gives a level >= median(y): median(y) >= limit means over the limit
 *     or a slope interval not above 0 (checked before the slopes are computed);
 * (b) more than lo0 = floor((N - c0) / 2) slopes <= 0 put the low end at or below 0;
 * (c) if at least half the slopes (ranks up to the median's) are <= T, the slope is <= T,
 *     the level <= level(T), the gap to the limit >= limit - level(T) and the time to it
 *     >= that gap / T: past maxEtaMs means no prediction. T is read from a sample of the
 *     slopes (its upper quartile); when it is too low the bound does not apply (no harm).
 * Non-finite slopes: no bounds (the fit decides).
 */
function cannotCount(x: ArrayLike<number>, y: ArrayLike<number>, n: number, N: number, purpose: FitPurpose): boolean {
  let atMostZero = 0;
  for (let i = 0; i < N; i++) {
    const s = slopeBuffer[i];
    if (!Number.isFinite(s)) return false;
    if (s <= 0) atMostZero++;
  }
  const c0 = Z80 * Math.sqrt((n * (n - 1) * (2 * n + 5)) / 18);
  const lo0 = Math.max(0, Math.min(N - 1, Math.floor((N - c0) / 2)));
  if (atMostZero >= lo0 + 1) return true; // (b)
  const stride = Math.ceil(N / sampleBuffer.length);
  let m = 0;
  for (let i = 0; i < N; i += stride) sampleBuffer[m++] = slopeBuffer[i];
  const T = selectRank(sampleBuffer, m, Math.min(m - 1, Math.floor(m * 0.75)));
  if (!(T > 0)) return false;
  let atMostT = 0;
  for (let i = 0; i < N; i++) if (slopeBuffer[i] <= T) atMostT++;
  if (atMostT < (N >> 1) + 1) return false;
  const gapLow = purpose.limit - levelAtLeast(x, y, n, T);
  return gapLow > 0 && (gapLow / T) * 1000 > purpose.maxEtaMs; // (c)
}

/**
 * The value of rank `k` (0-based) among a[0..n), as `a.subarray(0, n).sort()[k]` gives it,
 * moving a's values so that a[k] holds it, smaller ones before and larger ones after
 * (Hoare's selection with a median-of-three pivot). Later calls for other ranks stay exact:
 * they only reorder values again.
 */
export function selectRank(a: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const m = (lo + hi) >> 1;
    // Median of three as the pivot (sorts a[lo], a[m], a[hi]).
    if (a[m] < a[lo]) swap(a, m, lo);
    if (a[hi] < a[lo]) swap(a, hi, lo);
    if (a[hi] < a[m]) swap(a, hi, m);
    const pivot = a[m];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/** The median of a[0, n), by selection in place (a is reordered). */
function medianOf(a: Float64Array, n: number): number {
  const m = n >> 1;
  return n % 2 ? selectRank(a, n, m) : (selectRank(a, n, m - 1) + selectRank(a, n, m)) / 2;
}

/** "3 h 10 min", "2 min 40 s", "12 s", "2 d 4 h". */
export function formatDurationMs(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return s % 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s / 60} min`;
  const m = Math.round(s / 60);
  if (m < 24 * 60) return m % 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${m / 60} h`;
  const h = Math.round(m / 60);
  return h % 24 ? `${Math.floor(h / 24)} d ${h % 24} h` : `${h / 24} d`;
}

