/**
 * Impact of a change, read from the store: the series around the change time at a step that
 * suits how long ago the change was, then `assessImpact` (engine/forecast/impact.ts): what was
 * observed after the change against a forecast made only from what came before.
 *
 * Shared by the editor (`alluse/assessImpact`), the CLI (`alluse-perf impact`) and, later,
 * the coordination of changes across components; it only reads the store.
 */
import { assessImpact, type ImpactResult } from '../forecast/impact';
import type { Forecaster } from '../forecast/types';
import type { Labels } from '../metrics/series';
import type { ComponentConfig } from '../workspace/config';
import { formatDurationMs } from './bottlenecks';
import type { MetricStore } from './storeApi';
import type { ChartUnit } from './types';

/** The metrics of a component the editor offers for impact assessment. */
export type ImpactMetric = 'cpu' | 'memory' | 'throughput' | 'latencyP95' | 'errorRatio' | 'queueDepth';

export interface ImpactSeries {
  metric: ImpactMetric;
  label: string;
  name: string;
  labels: Labels;
  unit: ChartUnit;
}

/** The series a component has for each impact metric (those its `metrics` name). */
export function impactSeries(c: ComponentConfig): ImpactSeries[] {
  const labels = { component: c.name };
  const m = c.metrics;
  const out: ImpactSeries[] = [
    { metric: 'cpu', label: 'CPU', name: 'process_cpu_ratio', labels, unit: 'ratio' },
    { metric: 'memory', label: 'memory (RSS)', name: 'process_resident_memory_bytes', labels, unit: 'bytes' },
  ];
  if (m?.throughput) out.push({ metric: 'throughput', label: 'throughput', name: `${m.throughput}_rate`, labels, unit: 'per_second' });
  if (m?.latency) out.push({ metric: 'latencyP95', label: 'p95 latency', name: `${m.latency}_p95`, labels, unit: 'seconds' });
  if (m?.errors && m.throughput) out.push({ metric: 'errorRatio', label: 'error ratio', name: 'slo_error_ratio', labels, unit: 'ratio' });
  if (m?.queueDepth) out.push({ metric: 'queueDepth', label: 'queue depth', name: m.queueDepth, labels, unit: 'count' });
  return out;
}

export interface ImpactQuery {
  /** The series name and label matcher; several matching series are summed (rates) or averaged (the rest). */
  name: string;
  labels?: Labels;
  /** The change time and now, ms since the epoch. */
  at: number;
  now: number;
  /** The step (default: from the time since the change, for 20 to 120 steps after it). */
  stepMs?: number;
  /** History before the change (default: 4 × the time since it, at least 30 steps, at most 500). */
  beforeMs?: number;
  forecaster?: Forecaster;
}

export interface StoreImpact extends ImpactResult {
  series: string;
  at: number;
  stepMs: number;
  /** The times of the values before the change (`before`) and of `points` (after it). */
  before: [number, number][];
  afterTimes: number[];
  /** One sentence: the effect with its 95% interval, or "no detectable effect". */
  message: string;
}

const STEPS = [1000, 10_000, 60_000, 600_000, 3_600_000];
const MAX_BEFORE = 500;

/** Assesses the change at `q.at` on a stored series. Throws an Error whose message says what to do when it cannot. */
export function assessImpactInStore(store: MetricStore, q: ImpactQuery, unit: ChartUnit = unitOfSeries(q.name)): StoreImpact {
  const sinceMs = q.now - q.at;
  if (!(sinceMs > 0)) throw new Error('the change time is in the future: give a time before now');
  const stepMs = q.stepMs ?? STEPS.find((s) => sinceMs / s <= 120) ?? STEPS[STEPS.length - 1];
  if (sinceMs < 5 * stepMs) throw new Error(`the change was only ${formatDurationMs(sinceMs)} ago: wait until at least ${formatDurationMs(5 * stepMs)} have passed after it`);
  const beforeMs = Math.min(q.beforeMs ?? Math.max(4 * sinceMs, 30 * stepMs), MAX_BEFORE * stepMs);
  const from = Math.floor((q.at - beforeMs) / stepMs) * stepMs;
  const results = store.query({ name: q.name, labels: q.labels, from, to: q.now, stepMs, agg: 'mean' });
  if (!results.length) throw new Error(`no series ${q.name} in the store: check the name (and that the component was monitored)`);
  const sum = q.name.endsWith('_rate') || q.name.endsWith('_total');
  const acc = new Map<number, { s: number; n: number }>();
  for (const r of results) {
    for (const p of r.points) {
      if (!Number.isFinite(p.v)) continue;
      const a = acc.get(p.t) ?? { s: 0, n: 0 };
      a.s += p.v;
      a.n++;
      acc.set(p.t, a);
    }
  }
  const value = (t: number) => {
    const a = acc.get(t);
    return a && (sum ? a.s : a.s / a.n);
  };
  // A regular grid; the step that holds the change mixes before and after and is left out.
  const before: [number, number][] = [];
  const after: [number, number][] = [];
  let missing = 0;
  const firstAfter = Math.ceil(q.at / stepMs) * stepMs;
  for (let t = from; t <= q.now; t += stepMs) {
    if (t < q.at && t + stepMs > q.at) continue;
    const v = value(t);
    if (v === undefined) missing++;
    (t < firstAfter ? before : after).push([t, v ?? NaN]);
  }
  const known = (xs: [number, number][]) => xs.filter((p) => Number.isFinite(p[1])).length;
  // Trim empty steps before the first value (the series began later than the window).
  while (before.length && !Number.isFinite(before[0][1])) {
    before.shift();
    missing--;
  }
  if (known(before) < 8) throw new Error(`${q.name} has only ${known(before)} values in the ${formatDurationMs(beforeMs)} before the change (at a ${formatDurationMs(stepMs)} step); at least 8 are needed. Pick a later change time or keep monitoring longer.`);
  if (known(after) < 3) throw new Error(`${q.name} has only ${known(after)} values after the change; wait a little or pick an earlier change time.`);
  if (missing > 0.3 * (before.length + after.length)) throw new Error(`${q.name} has gaps in ${missing} of ${before.length + after.length} steps around the change: too many to assess it.`);
  const values = fillGaps([...before, ...after].map((p) => p[1]));
  const hourly = stepMs === 3_600_000 && before.length >= 48;
  const r = assessImpact(values, before.length, { seasons: hourly ? [24] : [], forecaster: q.forecaster });
  const fmt = (v: number) => formatImpactValue(v, unit);
  const pct = (v: number) => (Number.isFinite(v) ? `${v >= 0 ? '+' : '−'}${Math.abs(v * 100).toFixed(1)}%` : '');
  const message = r.significant
    ? `${q.name}: ${r.effect >= 0 ? '+' : '−'}${fmt(Math.abs(r.effect))} after the change (${pct(r.relative)}; 95%: ${fmt(r.effectLo95)} to ${fmt(r.effectHi95)})`
    : `${q.name}: no detectable effect of the change (95% interval of the effect ${fmt(r.effectLo95)} to ${fmt(r.effectHi95)} covers 0)`;
  return {
    ...r,
    series: q.name,
    at: q.at,
    stepMs,
    before: before.map(([t], i) => [t, values[i]]),
    afterTimes: after.map(([t]) => t),
    message,
  };
}

/** Linear interpolation over NaN gaps (the ends take the nearest value). */
function fillGaps(v: number[]): number[] {
  const out = [...v];
  const idx = out.map((x, i) => (Number.isFinite(x) ? i : -1)).filter((i) => i >= 0);
  for (let i = 0; i < out.length; i++) {
    if (Number.isFinite(out[i])) continue;
    const prev = idx.filter((j) => j < i).at(-1);
    const next = idx.find((j) => j > i);
    out[i] = prev === undefined ? out[next!] : next === undefined ? out[prev] : out[prev] + ((out[next] - out[prev]) * (i - prev)) / (next - prev);
  }
  return out;
}

/** The unit of a series, from the naming conventions of its name's suffix. */
export function unitOfSeries(name: string): ChartUnit {
  if (/_ratio$/.test(name)) return 'ratio';
  if (/_bytes$/.test(name)) return 'bytes';
  if (/_seconds(_p\d+)?$/.test(name)) return 'seconds';
  if (/_rate$/.test(name)) return 'per_second';
  return 'count';
}

export function formatImpactValue(v: number, unit: ChartUnit): string {
  const sign = v < 0 ? '−' : '';
  const a = Math.abs(v);
  switch (unit) {
    case 'ratio':
      return `${sign}${(a * 100).toFixed(2)} pp`;
    case 'bytes':
      return a >= 1048576 ? `${sign}${(a / 1048576).toFixed(1)} MiB` : `${sign}${(a / 1024).toFixed(1)} KiB`;
    case 'seconds':
      return a < 1 ? `${sign}${(a * 1000).toFixed(1)} ms` : `${sign}${a.toFixed(2)} s`;
    case 'per_second':
      return `${sign}${a.toPrecision(3)}/s`;
    default:
      return `${sign}${a.toPrecision(3)}`;
  }
}
