/**
 * Anomalies for a report made without a running monitor (the CLI): the key series of the
 * range are scored again, oldest first, by a fresh default detector per series at the
 * report's step, with the monitor's episode rules (one finding per series per episode, a
 * severity relative to the threshold). The detector learns from the start of the range, so
 * its first part finds little, and a step mean smooths spikes shorter than the step: the
 * report says that its findings come from this re-scoring.
 */
import { createDefaultDetector } from '../anomaly/defaultDetector';
import type { DetectorFactory } from '../anomaly/types';
import { severityOf } from '../monitor/anomalies';
import type { ReportChart, ReportFinding } from './types';

export interface ReplayOptions {
  threshold: number;
  quietMs: number;
  factory?: DetectorFactory;
}

export interface ReplayedSeries {
  findings: ReportFinding[];
  band: { lower: [number, number][]; upper: [number, number][] };
}

/** Scores one series' points (oldest first); `series`/`metric`/`component` name it in the findings. */
export function replaySeries(points: readonly [number, number][], who: { series: string; metric: string; component?: string }, o: ReplayOptions): ReplayedSeries {
  const detector = (o.factory ?? createDefaultDetector)();
  const findings: ReportFinding[] = [];
  const lower: [number, number][] = [];
  const upper: [number, number][] = [];
  let open: ReportFinding | undefined;
  let lastAnomalous = -Infinity;
  for (const [t, v] of points) {
    if (!Number.isFinite(v)) continue;
    const r = detector.update(t, v);
    const e = r.explanation;
    if (e?.lower !== undefined && e.upper !== undefined && Number.isFinite(e.lower) && Number.isFinite(e.upper)) {
      lower.push([t, e.lower]);
      upper.push([t, e.upper]);
    }
    if (r.score >= o.threshold) {
      lastAnomalous = t;
      if (open) {
        if (r.score > open.score) Object.assign(open, { score: r.score, severity: severityOf(r.score, o.threshold), message: e?.message ?? open.message });
        continue;
      }
      open = { at: t, component: who.component, series: who.series, metric: who.metric, score: r.score, severity: severityOf(r.score, o.threshold), message: e?.message ?? `${who.metric} scored ${r.score.toFixed(2)}` };
      findings.push(open);
    } else if (open && t - lastAnomalous >= o.quietMs) {
      open = undefined;
    }
  }
  return { findings, band: { lower, upper } };
}

/** The findings of a chart's first series drawn as marks on it, and the band when it has at least two points. */
export function markChart(chart: ReportChart, findings: readonly ReportFinding[], band?: ReplayedSeries['band']): void {
  const line = chart.series[0]?.points ?? [];
  const valueAt = (t: number) => line.find((p) => p[0] === t)?.[1] ?? line.find((p) => p[0] >= t)?.[1] ?? NaN;
  if (findings.length) chart.marks = findings.map((f) => ({ t: f.at, v: valueAt(f.at), severity: f.severity, label: f.message }));
  // A band over a sliver of the range says little and reads as an artefact: at least a fifth.
  if (band && band.lower.length > 1 && band.lower.length >= line.length / 5) {
    // Rates, ratios and bytes are never negative: neither is their expected band.
    const floor = line.every((p) => p[1] >= 0) ? 0 : -Infinity;
    chart.band = { lower: band.lower.map(([t, v]) => [t, Math.max(floor, v)]), upper: band.upper };
  }
}
