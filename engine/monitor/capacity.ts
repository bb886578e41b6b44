/**
 * Capacity planning: how each component's CPU and memory grow with its load (its own
 * throughput counter), fitted from the store, and what it needs at another load. A straight
 * line (least squares) per resource, with an 80% prediction interval that widens away from
 * the loads seen; an answer far outside them is marked as an extrapolation.
 */
import type { ComponentConfig } from '../workspace/config';
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
}

export interface CapacityPlan {
  component: string;
  /** Load now (mean over the window) and the load asked about, per second. */
  loadNow: number;
  load: number;
  /** Whether the target load is beyond 1.5 × the highest load seen (the line is extrapolated). */
  extrapolated: boolean;
  cpuCores?: ResourceNeed;
  memoryBytes?: ResourceNeed;
  /** Points used in the fits. */
  points: number;
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
  /** The load to plan for, per second; or `growth` to scale today's load (1.5 = 50% more). */
  load?: number;
  growth?: number;
  /** The history to fit on (default: the last hour) and its step (default 10 s). */
  windowMs?: number;
  stepMs?: number;
}

export function planCapacity(store: MetricStore, components: readonly ComponentConfig[], now: number, opts: CapacityOptions): CapacityPlan[] {
  const windowMs = opts.windowMs ?? 3_600_000;
  const stepMs = opts.stepMs ?? 10_000;
  const from = now - windowMs;
  const plans: CapacityPlan[] = [];
  for (const c of components) {
    const tput = c.metrics?.throughput;
    if (!tput) continue;
    const labels = { component: c.name };
    // One value per step: the component's total load and its resources, aligned by time.
    const byT = (name: string) => {
      const m = new Map<number, number>();
      for (const r of store.query({ name, labels, from, to: now, stepMs, agg: 'mean' })) for (const p of r.points) m.set(p.t, (m.get(p.t) ?? 0) + p.v);
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
    if (xs.length < 3) continue;
    const loadNow = xs.reduce((a, b) => a + b, 0) / xs.length;
    const target = opts.load ?? loadNow * (opts.growth ?? 1);
    const fc = linearFit(xs, cpuY);
    const fm = linearFit(xs, memY);
    plans.push({
      component: c.name,
      loadNow,
      load: target,
      extrapolated: target > 1.5 * Math.max(...xs),
      cpuCores: fc && predict(fc, target, c.limits.cpuCores),
      memoryBytes: fm && predict(fm, target, c.limits.memoryBytes),
      points: xs.length,
    });
  }
  return plans;
}
