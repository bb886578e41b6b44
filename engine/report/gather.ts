/**
 * Gathers a report's model for a range ending now: system and component health from the
 * store, anomalies (the running monitor's, or a re-scoring of the stored key series), limit
 * predictions, forecasts of the key series, the workspace's tuning studies, and the applied
 * configuration changes with their measured effects. Reads only: the store may be another
 * process's (the CLI beside the editor).
 */
import { basename } from 'node:path';
import { diskWatches, predictLimits } from '../monitor/bottlenecks';
import { resolveStorePath } from '../monitor/createMonitor';
import type { MetricStore } from '../monitor/storeApi';
import type { AlertInfo, AnomalyFinding, LimitPrediction } from '../monitor/types';
import type { WorkspaceConfig } from '../workspace/config';
import { measureChanges, readChanges } from './changes';
import { markChart, replaySeries } from './findings';
import { forecastSeries, type ForecastInput } from './forecasts';
import { componentCharts, componentHealth, measureComponent, SYSTEM_CHARTS, systemHealth } from './health';
import type { ReportRange } from './range';
import { readStudies } from './studies';
import type { ReportChart, ReportFinding, ReportForecast, ReportModel } from './types';

export interface GatherInput {
  store: MetricStore;
  config: WorkspaceConfig;
  /** The folder of alluse-perf.yaml. */
  workspaceDir: string;
  now: number;
  range: ReportRange;
  /** What a running monitor knows now: its findings, firing alerts and predictions (the editor). */
  live?: { findings: readonly AnomalyFinding[]; alerts: readonly AlertInfo[]; predictions: readonly LimitPrediction[] };
  /** Forecast the key series (default true). */
  forecasts?: boolean;
  /** Called between the steps, for a progress report. */
  progress?: (step: string) => void;
}

const MAX_FORECASTS = 10;

/**
 * Lets the event loop run between the heavier steps (a forecast, an impact assessment take up
 * to a few hundred ms each): in the language server, the monitor's collection rounds and LSP
 * requests go on while a report is gathered.
 */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function gatherReport(input: GatherInput): Promise<ReportModel> {
  const { store, config, now, range } = input;
  const from = now - range.spanMs;
  const span = { from, to: now, stepMs: range.stepMs };
  const notes: string[] = [];
  const step = input.progress ?? (() => undefined);

  step('limit predictions');
  const predictions = input.live ? [...input.live.predictions] : predictLimits(store, config.components, now, { disks: diskWatches(config.components, input.workspaceDir, resolveStorePath(config, input.workspaceDir)) });

  await tick();
  step('health');
  const system = systemHealth(store, span);
  // Health needs the findings, and the findings of a replay need the charts: charts first.
  const pre = config.components.map((c) => ({ name: c.name, ...measureComponent(store, c, span) }));

  await tick();
  step('anomalies');
  const anomaly = config.monitor.anomaly;
  const replayed: ReportFinding[] = [];
  const scored: { chart: ReportChart; component?: string; index: number }[] = [
    ...system.charts.filter((c) => c.id === 'cpu' || c.id === 'memory').map((chart) => ({ chart, index: 0 })),
    ...pre.flatMap((h) => h.charts.map((chart) => ({ chart, component: h.name, index: chart.id === 'latency' ? Math.max(0, chart.series.findIndex((s) => s.label.startsWith('p95'))) : 0 }))),
  ];
  const bands = new Map<ReportChart, ReturnType<typeof replaySeries>>();
  if (anomaly.enabled) {
    for (const s of scored) {
      const line = s.chart.series[s.index];
      if (!line || line.points.length < 10) continue;
      const r = replaySeries(line.points, { series: `${s.chart.title}${s.component ? ` (${s.component})` : ''}`, metric: s.chart.id, component: s.component }, { threshold: anomaly.threshold, quietMs: Math.max(anomaly.quietMs, range.stepMs) });
      bands.set(s.chart, r);
      replayed.push(...r.findings);
    }
  }
  const liveFindings: ReportFinding[] | undefined = input.live?.findings
    .filter((f) => f.at >= from && f.at <= now)
    .map((f) => ({ at: f.at, component: f.component, series: f.series, metric: f.metric, score: f.score, severity: f.severity, message: f.explanation?.message ?? `${f.series} scored ${f.score.toFixed(2)}` }));
  const findings = (liveFindings ?? replayed).sort((a, b) => b.at - a.at);
  const findingsSource: ReportModel['findingsSource'] = liveFindings ? 'monitor' : anomaly.enabled ? 'replay' : 'off';
  if (findingsSource === 'off') notes.push('Anomaly detection is off (monitor.anomaly.enabled: false): no anomalies are listed.');
  // Marks on the charts: replayed findings on the chart they were found on; the monitor's on
  // the chart that draws their series (by component and series name).
  const chartOf = (component: string | undefined, metric: string): string | undefined => {
    if (component === undefined) return SYSTEM_CHARTS.find((sp) => sp.lines.some((l) => l.name === metric))?.id;
    const c = config.components.find((x) => x.name === component);
    return c && componentCharts(c).find((sp) => sp.lines.some((l) => l.name === metric))?.id;
  };
  for (const s of scored) {
    const own = liveFindings
      ? liveFindings.filter((f) => f.component === s.component && chartOf(f.component, f.metric) === s.chart.id)
      : replayed.filter((f) => f.component === s.component && f.metric === s.chart.id && f.series.startsWith(s.chart.title));
    markChart(s.chart, own, bands.get(s.chart)?.band);
  }

  const alerts = [...(input.live?.alerts ?? [])];
  const components = config.components.map((c, i) => {
    const h = componentHealth(c, pre[i], { findings, alerts, predictions });
    for (const p of predictions.filter((x) => x.component === c.name && x.etaMs > 0)) {
      const target = h.charts.find((x) => x.id === p.resource);
      if (target) target.crossing = { from: [p.at, p.level], to: [p.at + p.etaMs, p.limit], label: p.message };
    }
    return h;
  });

  const forecasts: ReportForecast[] = [];
  if (input.forecasts !== false) {
    step('forecasts');
    const inputs: ForecastInput[] = [];
    for (const h of components) {
      for (const id of ['memory', 'cpu', 'throughput']) {
        const chart = h.charts.find((x) => x.id === id);
        const line = chart?.series[0];
        if (chart && line) inputs.push({ component: h.name, label: chart.title, series: `${h.name}/${id}`, unit: chart.unit, points: line.points, threshold: chart.threshold });
      }
    }
    const sysMem = system.charts.find((x) => x.id === 'memory')?.series[0];
    if (sysMem) inputs.push({ label: 'System memory used', series: 'system/memory', unit: 'bytes', points: sysMem.points });
    for (const fi of inputs.slice(0, MAX_FORECASTS)) {
      await tick();
      try {
        const f = forecastSeries(fi);
        if (typeof f === 'string') notes.push(f);
        else forecasts.push(f);
      } catch (e) {
        notes.push(`The forecast of ${fi.series} failed: ${(e as Error).message}`);
      }
    }
    if (inputs.length > MAX_FORECASTS) notes.push(`${inputs.length - MAX_FORECASTS} more key series were not forecast (at most ${MAX_FORECASTS} per report).`);
  }

  step('studies');
  const studies = readStudies(input.workspaceDir, notes);

  step('applied changes');
  const changes = readChanges(input.workspaceDir, config.components, { from, to: now }, notes);
  await measureChanges(store, config.components, changes, now, tick);
  for (const ch of changes) {
    const h = components.find((x) => x.name === ch.component);
    for (const chart of h?.charts ?? []) (chart.events ??= []).push({ t: ch.at, label: `${ch.file} changed${ch.study ? ` (${ch.study})` : ''}` });
  }

  for (const p of store.problems) notes.push(`Store: ${p.message}`);
  return {
    title: `ALL-USE Performance report: ${basename(input.workspaceDir)}`,
    workspace: input.workspaceDir,
    generatedAt: now,
    from,
    to: now,
    rangeLabel: range.label,
    stepMs: range.stepMs,
    system,
    components,
    findingsSource,
    findings,
    alerts,
    predictions,
    forecasts,
    studies,
    changes,
    notes,
  };
}

/** True when the store holds no sample of any component or of the system in the range. */
export function isEmptyReport(m: ReportModel): boolean {
  return !m.system.charts.some((c) => c.series.some((s) => s.points.length)) && m.components.every((c) => c.state === 'no data');
}
