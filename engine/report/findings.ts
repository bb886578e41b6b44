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
import { mad, median, MAD_TO_SIGMA } from '../anomaly/robustStats';
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
  let open: ReportFinding | undefined;
  let lastAnomalous = -Infinity;
  for (const [t, v] of points) {
    if (!Number.isFinite(v)) continue;
    const r = detector.update(t, v);
    const e = r.explanation;
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
  return { findings, band: robustBand(points) };
}

/**
 * The expected band of a chart: the rolling median ± 3 robust standard deviations (MAD ×
 * 1.4826) of the `window` points centred on each point, the "robust deviations" the
 * detectors' explanations speak of. Centred, because a report looks back: a trailing window
 * lags every trend and would leave a rising line outside its band. A short spike does not
 * move a median, so it stands out. (The detectors give a band only with an explanation, too
 * sparse to draw over a whole range.)
 */
export function robustBand(points: readonly [number, number][], window = 31, k = 3): ReplayedSeries['band'] {
  const lower: [number, number][] = [];
  const upper: [number, number][] = [];
  const vals = points.filter((p) => Number.isFinite(p[1]));
  const half = Math.floor(window / 2);
  if (vals.length < window) return { lower, upper };
  for (let i = 0; i < vals.length; i++) {
    const a = Math.min(Math.max(0, i - half), vals.length - window);
    const w = vals.slice(a, a + window).map((p) => p[1]);
    const m = median(w);
    const s = mad(w) * MAD_TO_SIGMA;
    lower.push([vals[i][0], m - k * s]);
    upper.push([vals[i][0], m + k * s]);
  }
  return { lower, upper };
}

/** The findings of a chart's first series drawn as marks on it, and the band when it has at least two points. */
export function markChart(chart: ReportChart, findings: readonly ReportFinding[], band?: ReplayedSeries['band']): void {
  const line = chart.series[0]?.points ?? [];
  const valueAt = (t: number) => line.find((p) => p[0] === t)?.[1] ?? line.find((p) => p[0] >= t)?.[1] ?? NaN;
  if (findings.length) chart.marks = findings.map((f) => ({ t: f.at, v: valueAt(f.at), severity: f.severity, label: f.message }));
  if (band && band.lower.length > 1) {
    // Rates, ratios and bytes are never negative: neither is their expected band.
    const floor = line.every((p) => p[1] >= 0) ? 0 : -Infinity;
    chart.band = { lower: band.lower.map(([t, v]) => [t, Math.max(floor, v)]), upper: band.upper };
  }
}
