/**
 * Capacity planning: how each component's CPU and memory grow with its load (its own
 * throughput counter), fitted from the store, and what it needs at another load. A straight
 * line (least squares) per resource, with an 80% prediction interval that widens away from
 * the loads seen; an answer far outside them is marked as an extrapolation. The load can be
 * one the user gives, or today's grown for some months at the rate measured from the store
 * (growth.ts); then the answer's interval also covers the growth's.
 */
import type { ComponentConfig } from '../workspace/config';
import { estimateGrowth, type GrowthEstimate, type GrowthOptions } from './growth';
import type { MetricStore } from './storeApi';

export interface ResourceNeed {
  /** Predicted use at the target load: mean and 80% prediction interval. */
  mean: number;
  lo80: number;
  hi80: number;
  /** The component's limit, when it has one (cores for CPU, bytes for memory). */
  limit?: number;
  /** Use per unit of load (the fitted slope) and the share of variance the line explains. */
  perUnit: number;
  r2: number;
  /** The load (per second) at which the mean use reaches the limit; 0 when today's use is over it already; absent without a limit or when use does not clearly grow with load. */
  limitLoad?: number;
}

export type CapacityResource = 'cpu' | 'memory';

export interface CapacityPlan {
  component: string;
  /** Load now (mean over the window) and the load asked about, per second. */
  loadNow: number;
  load: number;
  /** The target load's 80% interval when it comes from a growth estimate (months ahead). */
  loadLo80?: number;
  loadHi80?: number;
  /** Months of growth asked about, and the growth behind them (or why there is none: then no needs). */
  months?: number;
  growth?: GrowthEstimate;
  /** Whether the target load is beyond 1.5 × the highest load seen (the line is extrapolated). */
  extrapolated: boolean;
  cpuCores?: ResourceNeed;
  memoryBytes?: ResourceNeed;
  /** The limited resource that runs out at the lowest load, that load, and after how many months of growth. */
  runsOutFirst?: { resource: CapacityResource; load: number; months?: number };
  /** Points used in the fits. */
  points: number;
  /** With `withChart`: what the planning view draws (use against load, the fit, its band). */
  chart?: CapacityChart;
}

export interface CapacityCurve {
  /** Observed (load, use) pairs, at most 400. */
  observed: [number, number][];
  /** The fitted line and its 80% band at loads from 0 to beyond the target. */
  fit: { load: number; mean: number; lo80: number; hi80: number }[];
  limit?: number;
}

export interface CapacityChart {
  cpu?: CapacityCurve;
  memory?: CapacityCurve;
}

interface Fit {
  a: number;
  b: number;
  s: number;
  n: number;
  mx: number;
  sxx: number;
  r2: number;
}

/** Ordinary least squares y = a + b·x with the residual standard error. */
export function linearFit(xs: readonly number[], ys: readonly number[]): Fit | undefined {
  const n = xs.length;
  if (n < 3) return undefined;
  const mx = xs.reduce((p, q) => p + q, 0) / n;
  const my = ys.reduce((p, q) => p + q, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i] - mx) ** 2;
    sxy += (xs[i] - mx) * (ys[i] - my);
    syy += (ys[i] - my) ** 2;
  }
  if (!(sxx > 0)) return undefined;
  const b = sxy / sxx;
  const a = my - b * mx;
  let sse = 0;
  for (let i = 0; i < n; i++) sse += (ys[i] - a - b * xs[i]) ** 2;
  return { a, b, s: Math.sqrt(sse / (n - 2)), n, mx, sxx, r2: syy > 0 ? 1 - sse / syy : 1 };
}

/**
 * Use against load with the slope held at 0 or above: CPU and memory do not shrink as load
 * grows, so a negative least-squares slope (noise, or a GC that happened to run at a busy
 * minute) would plan for less than today's use at a higher load. Such a fit becomes the flat
 * line at the mean (r² 0); the interval keeps the slope's uncertainty term, so it still
 * widens away from the loads seen.
 */
export function usageFit(xs: readonly number[], ys: readonly number[]): Fit | undefined {
  const f = linearFit(xs, ys);
  if (!f || f.b >= 0) return f;
  const my = ys.reduce((p, q) => p + q, 0) / f.n;
  let ss = 0;
  for (const y of ys) ss += (y - my) ** 2;
  return { ...f, a: my, b: 0, s: Math.sqrt(ss / (f.n - 1)), r2: 0 };
}

/**
 * The 80% prediction interval at x0 (normal approximation of Student's t, fine for n ≥ 30).
 * CPU and memory are never negative, so neither is the answer.
 */
function predict(f: Fit, x0: number, limit?: number): ResourceNeed {
  const mean = f.a + f.b * x0;
  const half = 1.2816 * f.s * Math.sqrt(1 + 1 / f.n + (x0 - f.mx) ** 2 / f.sxx);
  const pos = (x: number) => Math.max(0, x);
  return { mean: pos(mean), lo80: pos(mean - half), hi80: pos(mean + half), limit, perUnit: f.b, r2: f.r2 };
}

export interface CapacityOptions {
  /** The load to plan for, per second; or `growth` to scale today's load (1.5 = 50% more); or `months` of the growth measured from the store. */
  load?: number;
  growth?: number;
  months?: number;
  /** The history to fit use against load on (default: the last hour) and its step (default 10 s). */
  windowMs?: number;
  stepMs?: number;
  /** How growth is measured (with `months`). */
  growthOptions?: GrowthOptions;
  /** Add the chart data of the planning view. */
  withChart?: boolean;
}

/** One value per step of each series a component's plan needs, aligned by time. */
function loadAndUse(store: MetricStore, c: ComponentConfig, from: number, to: number, stepMs: number): { xs: number[]; cpuY: number[]; memY: number[] } | undefined {
  const tput = c.metrics?.throughput;
  if (!tput) return undefined;
  const labels = { component: c.name };
  const byT = (name: string) => {
    const m = new Map<number, number>();
    for (const r of store.query({ name, labels, from, to, stepMs, agg: 'mean' })) for (const p of r.points) m.set(p.t, (m.get(p.t) ?? 0) + p.v);
    return m;
  };
  const load = byT(`${tput}_rate`);
  const cpu = byT('process_cpu_ratio');
  const mem = byT('process_resident_memory_bytes');
  const xs: number[] = [];
  const cpuY: number[] = [];
  const memY: number[] = [];
  for (const [t, x] of load) {
    const y1 = cpu.get(t);
    const y2 = mem.get(t);
    if (y1 === undefined || y2 === undefined || !Number.isFinite(x)) continue;
    xs.push(x);
    cpuY.push(y1);
    memY.push(y2);
  }
  return { xs, cpuY, memY };
}

/**
 * The load at which the fitted mean use reaches `limit`: 0 when today's use is over it
 * already; none when use does not clearly grow with load (the slope's 80% interval reaches
 * 0), because a flat or noisy line crosses anywhere or nowhere.
 */
function loadAtLimit(f: Fit, limit: number | undefined, loadNow: number): number | undefined {
  if (limit === undefined) return undefined;
  if (f.a + f.b * loadNow >= limit) return 0;
  const se = f.s / Math.sqrt(f.sxx);
  if (!(f.b - 1.2816 * se > 0)) return undefined;
  return Math.max(0, (limit - f.a) / f.b);
}

function need(f: Fit | undefined, loadNow: number, load: number, limit: number | undefined, loadLo?: number, loadHi?: number): ResourceNeed | undefined {
  if (!f) return undefined;
  const r = predict(f, load, limit);
  // A target load with its own interval (growth): the band covers the low load's low end and the high load's high end.
  if (loadLo !== undefined && loadHi !== undefined) {
    const a = predict(f, loadLo, limit);
    const b = predict(f, loadHi, limit);
    r.lo80 = Math.min(a.lo80, b.lo80);
    r.hi80 = Math.max(a.hi80, b.hi80);
  }
  const l = loadAtLimit(f, limit, loadNow);
  if (l !== undefined) r.limitLoad = l;
  return r;
}

function curve(f: Fit | undefined, xs: number[], ys: number[], maxLoad: number, limit: number | undefined): CapacityCurve | undefined {
  if (!f) return undefined;
  const every = Math.max(1, Math.ceil(xs.length / 400));
  const observed: [number, number][] = [];
  for (let i = 0; i < xs.length; i += every) observed.push([xs[i], ys[i]]);
  const fit = Array.from({ length: 41 }, (_, i) => {
    const load = (maxLoad * i) / 40;
    const p = predict(f, load);
    return { load, mean: p.mean, lo80: p.lo80, hi80: p.hi80 };
  });
  return { observed, fit, limit };
}

/**
 * What each component with a throughput series needs at a load: the one given, a multiple of
 * today's, or today's grown for `months` at the growth measured from the store. A component
 * whose growth cannot be measured gets a plan without needs and the reason in `growth`.
 */
export function planCapacity(store: MetricStore, components: readonly ComponentConfig[], now: number, opts: CapacityOptions): CapacityPlan[] {
  const windowMs = opts.windowMs ?? 3_600_000;
  const stepMs = opts.stepMs ?? 10_000;
  const plans: CapacityPlan[] = [];
  for (const c of components) {
    // A young store (minutes of history) has few steps of 10 s: fit on 1 s rollups then.
    let data = loadAndUse(store, c, now - windowMs, now, stepMs);
    if (data && data.xs.length < 30 && stepMs > 1000) data = loadAndUse(store, c, now - windowMs, now, 1000);
    if (!data || data.xs.length < 3) continue;
    const { xs, cpuY, memY } = data;
    const loadNow = xs.reduce((a, b) => a + b, 0) / xs.length;
    const fc = usageFit(xs, cpuY);
    const fm = usageFit(xs, memY);
    let target = opts.load ?? loadNow * (opts.growth ?? 1);
    let loadLo: number | undefined;
    let loadHi: number | undefined;
    let growth: GrowthEstimate | undefined;
    if (opts.months !== undefined) {
      growth = estimateGrowth(store, c, now, opts.growthOptions);
      if (!growth.ok) {
        plans.push({ component: c.name, loadNow, load: loadNow, months: opts.months, growth, extrapolated: false, points: xs.length });
        continue;
      }
      target = loadNow * growth.perMonth ** opts.months;
      loadLo = loadNow * growth.perMonthLo80 ** opts.months;
      loadHi = loadNow * growth.perMonthHi80 ** opts.months;
    }
    const plan: CapacityPlan = {
      component: c.name,
      loadNow,
      load: target,
      ...(loadLo !== undefined ? { loadLo80: loadLo, loadHi80: loadHi } : {}),
      ...(opts.months !== undefined ? { months: opts.months, growth } : {}),
      extrapolated: target > 1.5 * Math.max(...xs),
      cpuCores: need(fc, loadNow, target, c.limits.cpuCores, loadLo, loadHi),
      memoryBytes: need(fm, loadNow, target, c.limits.memoryBytes, loadLo, loadHi),
      points: xs.length,
    };
    // The limited resource that runs out at the lowest load, and when growth gets there.
    const limits = (
      [
        ['cpu', plan.cpuCores?.limitLoad],
        ['memory', plan.memoryBytes?.limitLoad],
      ] as [CapacityResource, number | undefined][]
    ).filter((x): x is [CapacityResource, number] => x[1] !== undefined);
    if (limits.length) {
      const [resource, load] = limits.reduce((a, b) => (b[1] < a[1] ? b : a));
      const g = growth?.ok ? growth.perMonth : undefined;
      const months = load <= loadNow ? 0 : g !== undefined && g > 1 ? Math.log(load / loadNow) / Math.log(g) : undefined;
      plan.runsOutFirst = { resource, load, ...(months !== undefined ? { months } : {}) };
    }
    if (opts.withChart) {
      const maxLoad = 1.1 * Math.max(...xs, loadHi ?? target, target);
      plan.chart = { cpu: curve(fc, xs, cpuY, maxLoad, c.limits.cpuCores), memory: curve(fm, xs, memY, maxLoad, c.limits.memoryBytes) };
    }
    plans.push(plan);
  }
  return plans;
}
