/**
 * Builds the dashboard's charts for a time range from the store: the system overview and,
 * per component, CPU, memory, throughput, latency percentiles, errors and queue depth, each
 * with its limit or SLO as a threshold line.
 */
import { seriesId, type Labels } from '../metrics/series';
import type { ComponentConfig } from '../workspace/config';
import type { AnomalyTracker } from './anomalies';
import type { MetricStore } from './storeApi';
import { DASHBOARD_RANGES, type AlertInfo, type ChartPanel, type ChartSeries, type ChartUnit, type DashboardData, type LimitPrediction, type MonitorStatus, type RangeName } from './types';

interface PanelSpec {
  id: string;
  title: string;
  unit: ChartUnit;
  lines: { label: string; name: string; labels?: Labels; splitBy?: string }[];
  threshold?: { value: number; label: string };
}

export function buildDashboard(
  store: MetricStore,
  components: ComponentConfig[],
  range: RangeName,
  now: number,
  extra: { alerts: AlertInfo[]; cost: MonitorStatus['cost']; up: (component: string) => boolean; anomalies?: AnomalyTracker; predictions?: LimitPrediction[] },
): DashboardData {
  const { spanMs, stepMs } = DASHBOARD_RANGES[range];
  const from = now - spanMs;
  const panel = (spec: PanelSpec): ChartPanel => {
    const series: ChartSeries[] = [];
    for (const line of spec.lines) {
      const results = store.query({ name: line.name, labels: line.labels, from, to: now, stepMs, agg: 'mean' });
      // Several series under one name (a histogram per route, say): name each by the labels that differ.
      const differing = results.length > 1 ? differingLabels(results.map((r) => r.series.labels)) : [];
      for (const r of results) {
        const split = line.splitBy ? r.series.labels[line.splitBy] : differing.map((k) => r.series.labels[k]).join(' ');
        series.push({ label: split ? `${line.label} ${split}` : line.label, points: r.points.map((p) => [p.t, p.v]) });
      }
    }
    const out: ChartPanel = { id: spec.id, title: spec.title, unit: spec.unit, series, threshold: spec.threshold };
    const tracker = extra.anomalies;
    if (tracker) {
      const markers: NonNullable<ChartPanel['markers']> = [];
      for (const line of spec.lines) {
        for (const f of tracker.findingsOf(line.name, line.labels?.component)) {
          if (f.at < from) continue;
          markers.push({ t: f.at, v: f.explanation?.observed ?? NaN, severity: f.severity, label: f.explanation?.message ?? f.series });
        }
      }
      if (markers.length) out.markers = markers;
      const first = spec.lines[0];
      if (stepMs === 0 && first && !first.splitBy) {
        const r = store.listSeries({ name: first.name, labels: first.labels });
        const band = r.length === 1 ? tracker.band(seriesId(r[0])).filter((b) => b.t >= from) : [];
        // Rates, ratios, bytes and counts are never negative: neither is their expected band.
        const floor = series.every((x) => x.points.every((p) => p[1] >= 0)) ? 0 : -Infinity;
        if (band.length > 1) out.band = { lower: band.map((b) => [b.t, Math.max(floor, b.lower)]), upper: band.map((b) => [b.t, b.upper]) };
      }
    }
    return out;
  };

  const system: ChartPanel[] = [
    panel({ id: 'cpu', title: 'CPU', unit: 'ratio', lines: [{ label: 'total', name: 'system_cpu_ratio', labels: { cpu: 'total' } }] }),
    panel({ id: 'load', title: 'Load average', unit: 'count', lines: [{ label: '1 min', name: 'system_load1' }, { label: '5 min', name: 'system_load5' }] }),
    panel({ id: 'memory', title: 'Memory', unit: 'bytes', lines: [{ label: 'used', name: 'system_memory_used_bytes' }, { label: 'swap', name: 'system_swap_used_bytes' }] }),
    panel({ id: 'network', title: 'Network', unit: 'bytes', lines: [{ label: 'rx', name: 'system_network_receive_bytes_per_second', splitBy: 'interface' }, { label: 'tx', name: 'system_network_transmit_bytes_per_second', splitBy: 'interface' }] }),
    panel({ id: 'disk', title: 'Disk I/O', unit: 'bytes', lines: [{ label: 'read', name: 'system_disk_read_bytes_per_second', splitBy: 'device' }, { label: 'write', name: 'system_disk_write_bytes_per_second', splitBy: 'device' }] }),
  ];

  const comps = components.map((c) => {
    const l = { component: c.name };
    const m = c.metrics;
    const specs: PanelSpec[] = [
      { id: 'cpu', title: 'CPU (1.0 = one core)', unit: 'ratio', lines: [{ label: 'cpu', name: 'process_cpu_ratio', labels: l }], threshold: c.limits.cpuCores ? { value: c.limits.cpuCores, label: 'limit' } : undefined },
      { id: 'memory', title: 'Resident memory', unit: 'bytes', lines: [{ label: 'rss', name: 'process_resident_memory_bytes', labels: l }], threshold: c.limits.memoryBytes ? { value: c.limits.memoryBytes, label: 'limit' } : undefined },
    ];
    if (m?.throughput) specs.push({ id: 'throughput', title: 'Throughput', unit: 'per_second', lines: [{ label: 'rate', name: `${m.throughput}_rate`, labels: l }], threshold: c.slos.throughputMin !== undefined ? { value: c.slos.throughputMin, label: 'SLO floor' } : undefined });
    if (m?.latency) {
      const p95 = c.slos.latency?.p95Ms;
      specs.push({ id: 'latency', title: 'Latency', unit: 'seconds', lines: (['p50', 'p95', 'p99'] as const).map((q) => ({ label: q, name: `${m.latency}_${q}`, labels: l })), threshold: p95 !== undefined ? { value: p95 / 1000, label: 'p95 SLO' } : undefined });
    }
    if (c.kind === 'node') {
      // prom-client's default metrics of a Node component.
      specs.push({ id: 'heap', title: 'Heap', unit: 'bytes', lines: [{ label: 'used', name: 'nodejs_heap_size_used_bytes', labels: l }, { label: 'total', name: 'nodejs_heap_size_total_bytes', labels: l }] });
      specs.push({ id: 'eventloop', title: 'Event-loop lag', unit: 'seconds', lines: [{ label: 'p50', name: 'nodejs_eventloop_lag_p50_seconds', labels: l }, { label: 'p99', name: 'nodejs_eventloop_lag_p99_seconds', labels: l }] });
    }
    if (m?.errors) specs.push({ id: 'errors', title: 'Errors', unit: 'per_second', lines: [{ label: 'errors', name: `${m.errors}_rate`, labels: l }] });
    if (m?.queueDepth) specs.push({ id: 'queue', title: 'Queue depth', unit: 'count', lines: [{ label: 'depth', name: m.queueDepth, labels: l }], threshold: c.limits.queueCapacity ? { value: c.limits.queueCapacity, label: 'capacity' } : undefined });
    const panels = specs.map(panel);
    // The predicted crossing of a limit: from the trend's level now to the limit at the crossing.
    for (const p of extra.predictions ?? []) {
      const target = p.component === c.name ? panels.find((x) => x.id === p.resource) : undefined;
      if (target && p.etaMs > 0) target.forecast = { from: [p.at, p.level], to: [p.at + p.etaMs, p.limit], label: p.message };
    }
    return { name: c.name, up: extra.up(c.name), panels };
  });

  return { range, from, to: now, system, components: comps, alerts: extra.alerts, cost: extra.cost };
}

/** The label names whose values are not the same across all the series. */
function differingLabels(all: Labels[]): string[] {
  const keys = new Set(all.flatMap((l) => Object.keys(l)));
  return [...keys].filter((k) => new Set(all.map((l) => l[k])).size > 1).sort();
}
