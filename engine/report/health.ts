/**
 * System and component health over the report's range, read from the store: a chart per key
 * series (with its limit or SLO), headline figures (mean, peak, last, peak against the limit),
 * and a state with its reasons.
 */
import type { Labels } from '../metrics/series';
import type { MetricStore } from '../monitor/storeApi';
import type { AlertInfo, AnomalyFinding, ChartUnit, LimitPrediction } from '../monitor/types';
import type { ComponentConfig } from '../workspace/config';
import type { ComponentHealth, HealthFigure, HealthState, ReportChart } from './types';

interface Line {
  label: string;
  name: string;
  labels?: Labels;
}

export interface ChartSpec {
  id: string;
  title: string;
  unit: ChartUnit;
  lines: Line[];
  threshold?: { value: number; label: string };
  /** The line whose figures go into the health table (the first when absent). */
  figure?: { label: string; line: number };
}

export const SYSTEM_CHARTS: ChartSpec[] = [
  { id: 'cpu', title: 'System CPU (1.0 = all cores)', unit: 'ratio', lines: [{ label: 'total', name: 'system_cpu_ratio', labels: { cpu: 'total' } }], figure: { label: 'CPU', line: 0 } },
  { id: 'memory', title: 'System memory', unit: 'bytes', lines: [{ label: 'used', name: 'system_memory_used_bytes' }, { label: 'swap', name: 'system_swap_used_bytes' }], figure: { label: 'memory used', line: 0 } },
  { id: 'load', title: 'Load average', unit: 'count', lines: [{ label: '1 min', name: 'system_load1' }, { label: '5 min', name: 'system_load5' }], figure: { label: 'load (1 min)', line: 0 } },
];

/** The charts of a component: those its configuration gives it series for. */
export function componentCharts(c: ComponentConfig): ChartSpec[] {
  const l = { component: c.name };
  const m = c.metrics;
  const specs: ChartSpec[] = [
    { id: 'cpu', title: 'CPU (1.0 = one core)', unit: 'ratio', lines: [{ label: 'cpu', name: 'process_cpu_ratio', labels: l }], threshold: c.limits.cpuCores ? { value: c.limits.cpuCores, label: 'limit' } : undefined, figure: { label: 'CPU', line: 0 } },
    { id: 'memory', title: 'Resident memory', unit: 'bytes', lines: [{ label: 'rss', name: 'process_resident_memory_bytes', labels: l }], threshold: c.limits.memoryBytes ? { value: c.limits.memoryBytes, label: 'limit' } : undefined, figure: { label: 'memory', line: 0 } },
  ];
  if (m?.throughput) specs.push({ id: 'throughput', title: 'Throughput', unit: 'per_second', lines: [{ label: 'rate', name: `${m.throughput}_rate`, labels: l }], threshold: c.slos.throughputMin !== undefined ? { value: c.slos.throughputMin, label: 'SLO floor' } : undefined, figure: { label: 'throughput', line: 0 } });
  if (m?.latency) {
    const p95 = c.slos.latency?.p95Ms;
    specs.push({ id: 'latency', title: 'Latency', unit: 'seconds', lines: (['p50', 'p95', 'p99'] as const).map((q) => ({ label: q, name: `${m.latency}_${q}`, labels: l })), threshold: p95 !== undefined ? { value: p95 / 1000, label: 'p95 SLO' } : undefined, figure: { label: 'p95 latency', line: 1 } });
  }
  if (m?.errors) specs.push({ id: 'errors', title: 'Errors', unit: 'per_second', lines: [{ label: 'errors', name: `${m.errors}_rate`, labels: l }], figure: { label: 'errors', line: 0 } });
  if (m?.queueDepth) specs.push({ id: 'queue', title: 'Queue depth', unit: 'count', lines: [{ label: 'depth', name: m.queueDepth, labels: l }], threshold: c.limits.queueCapacity ? { value: c.limits.queueCapacity, label: 'capacity' } : undefined, figure: { label: 'queue depth', line: 0 } });
  return specs;
}

/** One chart from the store; several series under one line's name are named by the labels that differ. */
export function chartFromStore(store: MetricStore, spec: ChartSpec, from: number, to: number, stepMs: number): { chart: ReportChart; figure?: HealthFigure } {
  const series: ReportChart['series'] = [];
  let figure: HealthFigure | undefined;
  spec.lines.forEach((line, i) => {
    const results = store.query({ name: line.name, labels: line.labels, from, to, stepMs, agg: 'mean' }).filter((r) => r.points.length);
    const differing = results.length > 1 ? differingLabels(results.map((r) => r.series.labels)) : [];
    for (const r of results) {
      const split = differing.map((k) => r.series.labels[k]).join(' ');
      series.push({ label: split ? `${line.label} ${split}` : line.label, points: r.points.filter((p) => Number.isFinite(p.v)).map((p) => [p.t, p.v]) });
    }
    if (spec.figure && spec.figure.line === i && results.length) {
      const all = results.flatMap((r) => r.points.map((p) => p.v)).filter(Number.isFinite);
      const lastOf = results.map((r) => r.points[r.points.length - 1]).sort((a, b) => b.t - a.t)[0];
      if (all.length) {
        const peak = Math.max(...all);
        const limit = spec.threshold?.value;
        figure = {
          label: spec.figure.label,
          mean: all.reduce((a, b) => a + b, 0) / all.length,
          peak,
          last: lastOf?.v,
          unit: spec.unit,
          limit,
          // A floor (throughput SLO) is not "used up" by a high value.
          usage: limit !== undefined && limit > 0 && spec.id !== 'throughput' ? peak / limit : undefined,
        };
      }
    }
  });
  return { chart: { id: spec.id, title: spec.title, unit: spec.unit, series, threshold: spec.threshold }, figure };
}

function differingLabels(all: Labels[]): string[] {
  const keys = new Set(all.flatMap((l) => Object.keys(l)));
  return [...keys].filter((k) => new Set(all.map((l) => l[k])).size > 1).sort();
}

const RANK: Record<HealthState, number> = { 'no data': 0, ok: 1, warning: 2, critical: 3 };
const HOUR = 3_600_000;

/** A component's charts (with their limits) and headline figures over the range, from the store. */
export function measureComponent(store: MetricStore, c: ComponentConfig, range: { from: number; to: number; stepMs: number }): { charts: ReportChart[]; figures: HealthFigure[] } {
  const charts: ReportChart[] = [];
  const figures: HealthFigure[] = [];
  for (const spec of componentCharts(c)) {
    const { chart, figure } = chartFromStore(store, spec, range.from, range.to, range.stepMs);
    charts.push(chart);
    if (figure) figures.push(figure);
  }
  return { charts, figures };
}

/**
 * A component's health from its measured charts and what happened in the range: critical for
 * a critical alert or finding, a limit reached, or a crossing predicted within the hour;
 * warning for warnings, a peak above 80% of a limit, or a crossing within a day.
 */
export function componentHealth(
  c: ComponentConfig,
  measured: { charts: ReportChart[]; figures: HealthFigure[] },
  seen: { findings: readonly Pick<AnomalyFinding, 'component' | 'severity' | 'metric'>[]; alerts: readonly AlertInfo[]; predictions: readonly LimitPrediction[] },
): ComponentHealth {
  const { charts, figures } = measured;
  const cpu = charts.find((x) => x.id === 'cpu')?.series[0]?.points;
  const mem = charts.find((x) => x.id === 'memory')?.series[0]?.points;
  const lastSeen = Math.max(cpu?.[cpu.length - 1]?.[0] ?? -Infinity, mem?.[mem.length - 1]?.[0] ?? -Infinity);
  const reasons: { state: HealthState; text: string }[] = [];
  for (const a of seen.alerts.filter((x) => x.component === c.name)) reasons.push({ state: a.severity === 'critical' ? 'critical' : 'warning', text: `alert ${a.name} firing (${a.series} ${a.op} ${a.threshold})` });
  const byFinding = new Map<string, number>();
  for (const f of seen.findings.filter((x) => x.component === c.name && x.severity !== 'info')) byFinding.set(f.severity, (byFinding.get(f.severity) ?? 0) + 1);
  for (const [sev, n] of byFinding) reasons.push({ state: sev as HealthState, text: `${n} ${sev} anomal${n === 1 ? 'y' : 'ies'}` });
  for (const f of figures) {
    if (f.usage === undefined) continue;
    if (f.usage >= 1) reasons.push({ state: 'critical', text: `${f.label} reached its limit (peak ${Math.round(f.usage * 100)}% of it)` });
    else if (f.usage >= 0.8) reasons.push({ state: 'warning', text: `${f.label} peaked at ${Math.round(f.usage * 100)}% of its limit` });
  }
  for (const p of seen.predictions.filter((x) => x.component === c.name)) {
    if (p.etaMs < HOUR) reasons.push({ state: 'critical', text: p.message });
    else if (p.etaMs < 24 * HOUR) reasons.push({ state: 'warning', text: p.message });
  }
  let state: HealthState = Number.isFinite(lastSeen) ? 'ok' : 'no data';
  if (state === 'no data') reasons.unshift({ state: 'no data', text: 'no process samples in the range: it was not running, or not monitored' });
  for (const r of reasons) if (RANK[r.state] > RANK[state]) state = r.state;
  reasons.sort((a, b) => RANK[b.state] - RANK[a.state]);
  return { name: c.name, state, reasons: reasons.map((r) => r.text), lastSeen: Number.isFinite(lastSeen) ? lastSeen : undefined, figures, charts };
}

export function systemHealth(store: MetricStore, range: { from: number; to: number; stepMs: number }): { figures: HealthFigure[]; charts: ReportChart[] } {
  const figures: HealthFigure[] = [];
  const charts: ReportChart[] = [];
  for (const spec of SYSTEM_CHARTS) {
    const { chart, figure } = chartFromStore(store, spec, range.from, range.to, range.stepMs);
    if (chart.series.length) charts.push(chart);
    if (figure) figures.push(figure);
  }
  return { figures, charts };
}
