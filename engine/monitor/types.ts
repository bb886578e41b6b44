/**
 * What the monitor reports: component status, alerts, its own cost, and chart data for the
 * dashboard. Plain data, sent as it is over the protocol (protocol/index.ts re-exports it).
 */

/** The time ranges the dashboard offers; each reads raw samples or one rollup tier. */
export type RangeName = '5m' | '1h' | '24h' | '30d';
export const DASHBOARD_RANGES: Record<RangeName, { spanMs: number; stepMs: number; label: string }> = {
  '5m': { spanMs: 5 * 60_000, stepMs: 0, label: '5 minutes (raw samples)' },
  '1h': { spanMs: 3_600_000, stepMs: 1000, label: '1 hour (1 s rollups)' },
  '24h': { spanMs: 86_400_000, stepMs: 60_000, label: '24 hours (1 min rollups)' },
  '30d': { spanMs: 30 * 86_400_000, stepMs: 3_600_000, label: '30 days (1 h rollups)' },
};

export type ChartUnit = 'ratio' | 'bytes' | 'per_second' | 'seconds' | 'count';

export interface ChartSeries {
  label: string;
  /** [time in ms since the epoch, value] pairs, oldest first. */
  points: [number, number][];
}

export interface ChartPanel {
  id: string;
  title: string;
  unit: ChartUnit;
  series: ChartSeries[];
  /** A limit or SLO drawn as a dashed line. */
  threshold?: { value: number; label: string };
  /** The detectors' expected band of the panel's first series (raw range only). */
  band?: { lower: [number, number][]; upper: [number, number][] };
  /** Anomalies found on the panel's series, drawn as points. */
  markers?: { t: number; v: number; severity: 'info' | 'warning' | 'critical'; label: string }[];
  /** The predicted crossing of the threshold: a dashed line from now (the trend's level) to the crossing point. */
  forecast?: { from: [number, number]; to: [number, number]; label: string };
}

/** When a limited resource is predicted to cross its limit (engine/monitor/bottlenecks.ts). */
export interface LimitPrediction {
  component: string;
  resource: 'memory' | 'cpu' | 'queue' | 'latency' | 'disk';
  /** The series name (with the label component). */
  series: string;
  /** For a file system (`disk`): its mount point (the series' `mount` label). */
  mount?: string;
  /** Where the limit is in alluse-perf.yaml, under the component: `limits.memory`, `slos.latency.p95`; `monitor.storePath` for the store's file system (`component` is then ''). */
  limitKey: string;
  limit: number;
  unit: ChartUnit;
  /** The last value, and the trend line's value at `at`. */
  current: number;
  level: number;
  slopePerS: number;
  /** When the prediction was made, ms since the epoch; the etas count from then. */
  at: number;
  /** Time until the limit is crossed, and its 80% interval; 0 when it already is. */
  etaMs: number;
  etaLowMs: number;
  etaHighMs: number;
  message: string;
}

export interface AlertInfo {
  name: string;
  severity: 'info' | 'warning' | 'critical';
  component?: string;
  series: string;
  value: number;
  threshold: number;
  op: string;
  since: number;
  firedAt: number;
  description?: string;
}

/** An anomaly found by the detectors: one per series per episode. */
export interface AnomalyFinding {
  id: string;
  /** When the episode started (the first anomalous sample), ms since the epoch. */
  at: number;
  component?: string;
  /** The series id, `name{labels}`. */
  series: string;
  metric: string;
  /** In [0, 1]; the highest score of the episode so far. */
  score: number;
  severity: 'info' | 'warning' | 'critical';
  explanation?: { detector: string; expected?: number; lower?: number; upper?: number; observed: number; message: string };
}

export interface ComponentStatus {
  name: string;
  /** Whether its process was found running at the last sample. */
  up: boolean;
  pid?: number;
  /** The process's CPU share (1 = one core), the mean of its samples over the last second. */
  cpuRatio?: number;
  rssBytes?: number;
  /** The last problem collecting it (endpoint down, process not found), in words. */
  problem?: string;
  alerts: number;
}

export interface MonitorStatus {
  running: boolean;
  /** Why monitoring is not running, or what is degraded. */
  message?: string;
  components: ComponentStatus[];
  alerts: AlertInfo[];
  /** The monitor's own cost: CPU as a share of one core over the last minute (the whole process), and resident memory. */
  cost: { cpuRatio: number; rssBytes: number };
  store: { path: string; readOnly: boolean; memoryOnly: boolean; diskBytes: number; bytesPerSample: number; problems: string[] };
  series: number;
  samplesPerSecond: number;
  /** Collection problems that concern no single component (system sources, the store). */
  problems: string[];
  /** The latest anomaly findings, newest first (at most 100), and how many series are scored. */
  findings: AnomalyFinding[];
  scoredSeries: number;
  /** Time-to-limit predictions, the first to saturate first. */
  predictions: LimitPrediction[];
}

export interface DashboardData {
  range: RangeName;
  from: number;
  to: number;
  system: ChartPanel[];
  components: { name: string; up: boolean; panels: ChartPanel[] }[];
  alerts: AlertInfo[];
  cost: MonitorStatus['cost'];
}
