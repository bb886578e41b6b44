/**
 * The report's model: plain data gathered from the store, the monitor's findings, the limit
 * predictions, forecasts, studies and applied changes (`gather.ts`), rendered to one HTML
 * file by `html.ts`. `alluse-perf report --json` prints it as it is.
 */
import type { AlertInfo, ChartUnit, LimitPrediction } from '../monitor/types';
import type { Effect } from '../tune/remeasure';
import type { Params } from '../tune/types';

/** A line chart: series of [time ms, value] points, and what is drawn over them. */
export interface ReportChart {
  id: string;
  /** What the x axis counts: time (ms since the epoch, the default) or trial numbers. */
  x?: 'time' | 'trial';
  title: string;
  unit: ChartUnit;
  /** `dots` draws points without a line (one trial each). */
  series: { label: string; points: [number, number][]; style?: 'line' | 'dots' }[];
  /** A limit or SLO, drawn as a dashed horizontal line. */
  threshold?: { value: number; label: string };
  /** The detectors' expected band of the first series. */
  band?: { lower: [number, number][]; upper: [number, number][] };
  /** Anomalies, drawn as marks on the line. */
  marks?: { t: number; v: number; severity: Severity; label: string }[];
  /** A forecast after the last point: the mean and its 80% and 95% intervals. */
  forecast?: ForecastFan;
  /** A predicted crossing of the threshold: a dashed line from the trend now to the crossing. */
  crossing?: { from: [number, number]; to: [number, number]; label: string };
  /** Vertical marks: applied configuration changes. */
  events?: { t: number; label: string }[];
}

export type Severity = 'info' | 'warning' | 'critical';

/** Forecast values after the history: times, mean, and the 80% and 95% intervals; `model` names the forecaster's choice. */
export interface ForecastFan {
  times: number[];
  mean: number[];
  lo80: number[];
  hi80: number[];
  lo95: number[];
  hi95: number[];
  model: string;
}

/** A headline figure of a component or the system over the range. */
export interface HealthFigure {
  label: string;
  /** Mean over the range; `peak` is the highest step mean (or the p95 for latency). */
  mean?: number;
  peak?: number;
  last?: number;
  unit: ChartUnit;
  /** The limit or SLO it is held against, and how close the peak came to it (peak / limit). */
  limit?: number;
  usage?: number;
}

/** `no data` when the range holds no process sample of the component. */
export type HealthState = 'ok' | 'warning' | 'critical' | 'no data';

/** A component over the range: its state with the reasons, headline figures and charts. */
export interface ComponentHealth {
  name: string;
  state: HealthState;
  /** Why the state is not ok, in words (the worst first). */
  reasons: string[];
  /** The last sample of its process series, ms since the epoch. */
  lastSeen?: number;
  figures: HealthFigure[];
  charts: ReportChart[];
}

/** An anomaly episode: when it started, on which series, its strongest score and the detector's explanation. */
export interface ReportFinding {
  at: number;
  component?: string;
  series: string;
  metric: string;
  score: number;
  severity: Severity;
  message: string;
}

/** The forecast of one key series: a chart with the fan, and the end value in words. */
export interface ReportForecast {
  component?: string;
  label: string;
  series: string;
  unit: ChartUnit;
  chart: ReportChart;
  /** The forecast's end value and its 80% interval, in words: "1.2 GiB (80%: 1.1 to 1.4 GiB) in 6 h". */
  summary: string;
}

/** A tuning study of the workspace, read from its log in `.alluse-perf/studies/`. */
export interface ReportStudy {
  name: string;
  objectives: { name: string; direction: 'minimize' | 'maximize' }[];
  trials: number;
  complete: number;
  failed: number;
  feasible: number;
  /** The best feasible trial (first objective). */
  best?: { trial: number; params: Params; values: number[] };
  /** Best so far of the first objective against the trial number. */
  chart?: ReportChart;
  /** The re-measurement of the recommendation (A/B, interleaved), when one was made. */
  remeasure?: { at: string; pairs: number; effects: Effect[]; problem?: string };
  lastActivity?: string;
}

/** An applied configuration change and what the store says it did. */
export interface ReportChange {
  at: number;
  /** The changed file, relative to the workspace when inside it. */
  file: string;
  study?: string;
  component?: string;
  /** Where this record comes from: the audit log (`.alluse-perf/audit.jsonl`), or an editor history note (`.alluse-perf/history/*.json`). */
  source: 'audit' | 'history';
  /** From the audit log: who applied it, its status (applied, rolled back, reverted) and the governor's watch. */
  actor?: string;
  status?: string;
  watch?: { state: string; reason?: string };
  /** What changed, when known: key -> [before, after]. */
  keys?: Record<string, [unknown, unknown]>;
  /** The effect on each key series of the component: observed after the change against a forecast from before. */
  effects: { metric: string; unit: ChartUnit; message: string; relative?: number; relativeLo95?: number; relativeHi95?: number; significant?: boolean }[];
  /** Why there is no effect to show (too recent, no component, no series). */
  note?: string;
}

/** Everything a report shows, as plain JSON-safe data (`alluse-perf report --json` prints it). */
export interface ReportModel {
  title: string;
  /** The folder of alluse-perf.yaml. */
  workspace: string;
  generatedAt: number;
  from: number;
  to: number;
  rangeLabel: string;
  stepMs: number;
  system: { figures: HealthFigure[]; charts: ReportChart[] };
  components: ComponentHealth[];
  /** Where the findings come from: the running monitor's detectors, or a re-scoring of the stored series. */
  findingsSource: 'monitor' | 'replay' | 'off';
  findings: ReportFinding[];
  alerts: AlertInfo[];
  predictions: LimitPrediction[];
  forecasts: ReportForecast[];
  studies: ReportStudy[];
  changes: ReportChange[];
  /** What could not be read or computed, in words. */
  notes: string[];
}
