/**
 * The workspace file as typed configuration, with defaults applied: what the monitor,
 * alerts, tuning and the CLI run on. Read only from a file without errors, so every value
 * here has already been checked by the analysis.
 */
import { isMap, type Document } from 'yaml';
import { parseComparison } from './expressions';
import { parseDuration, parseSize } from './units';
import type { AlertRule, AlertSeverity } from '../alerts/rules';

export interface StartCommand {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

export interface DatasourceConfig {
  url: string;
  stepMs: number;
  timeoutMs: number;
  componentLabel: string;
}

export interface ComponentConfig {
  name: string;
  kind: 'node' | 'process';
  process: { pidFile?: string; commandMatch?: string; start?: StartCommand; inspectPort?: number };
  metrics?: { url: string; intervalMs?: number; timeoutMs: number; sampleLimit?: number; latency?: string; throughput?: string; errors?: string; queueDepth?: string };
  datasource?: DatasourceConfig;
  configFiles: string[];
  limits: { memoryBytes?: number; cpuCores?: number; diskBytes?: number; diskPath?: string; queueCapacity?: number };
  slos: {
    latency?: { p50Ms?: number; p90Ms?: number; p95Ms?: number; p99Ms?: number };
    errorRate?: number;
    throughputMin?: number;
    severity: AlertSeverity;
    forMs: number;
  };
}

export interface AlertConfig {
  name: string;
  expr: string;
  forMs: number;
  clearForMs: number;
  hysteresis: number;
  severity: AlertSeverity;
  description?: string;
}

export interface MonitorConfig {
  intervalMs: number;
  retentionMs: number;
  rollupRetentionMs: number;
  storePath: string;
  sources: { systemMs: number; processMs: number; scrapeMs: number; filesystemMs: number; gpuMs: number };
  datasource?: DatasourceConfig;
  alerts: AlertConfig[];
  anomaly: { enabled: boolean; threshold: number; quietMs: number };
}

export interface WorkspaceConfig {
  version: number;
  components: ComponentConfig[];
  monitor: MonitorConfig;
  /** The raw tuning section; the tuning engine reads it. */
  tuning: { studies: Record<string, unknown>[] };
  /** The governor of applied changes (engine/coordinate/governor.ts). */
  governor: { autoRollback: boolean; watchMs: number; regressionThreshold: number };
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const dur = (v: unknown, fallback: number): number => (typeof v === 'string' ? (parseDuration(v) ?? fallback) : fallback);
const durOpt = (v: unknown): number | undefined => (typeof v === 'string' ? parseDuration(v) : undefined);
const size = (v: unknown): number | undefined => (typeof v === 'string' ? parseSize(v) : undefined);
const severity = (v: unknown, fallback: AlertSeverity): AlertSeverity => (v === 'info' || v === 'warning' || v === 'critical' ? v : fallback);

function datasource(v: unknown): DatasourceConfig | undefined {
  const d = obj(v);
  const url = str(d.url);
  return url ? { url, stepMs: dur(d.step, 15_000), timeoutMs: dur(d.timeout, 10_000), componentLabel: str(d.componentLabel) ?? 'job' } : undefined;
}

/**
 * The `yaml` package's guard against alias bombs ("billion laughs") when aliases are
 * expanded: its uses of an anchor times the aliases inside it may not pass this. The
 * analysis expands a file with aliases once with the same limit, so a file that passes it
 * without errors also converts here.
 */
export const MAX_ALIAS_COUNT = 1000;

/** Converts a parsed workspace document (already analysed without errors) into typed config. */
export function workspaceConfigFrom(doc: Document.Parsed): WorkspaceConfig {
  // Aliases are expanded here; the analysis has already refused alias bombs.
  const root = obj(isMap(doc.contents) ? doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) : {});
  const m = obj(root.monitor);
  const intervalMs = dur(m.interval, 100);
  const src = obj(m.sources);
  const components: ComponentConfig[] = arr(root.components).map((raw) => {
    const c = obj(raw);
    const p = obj(c.process);
    const start = obj(p.start);
    const metrics = obj(c.metrics);
    const limits = obj(c.limits);
    const slos = obj(c.slos);
    const lat = slos.latency === undefined ? undefined : obj(slos.latency);
    return {
      name: str(c.name) ?? '',
      kind: c.kind === 'node' ? 'node' : 'process',
      process: {
        pidFile: str(p.pidFile),
        commandMatch: str(p.commandMatch),
        start: str(start.command)
          ? { command: str(start.command)!, args: arr(start.args).map((a) => String(a)), cwd: str(start.cwd) ?? '.', env: Object.fromEntries(Object.entries(obj(start.env)).map(([k, v]) => [k, String(v)])) }
          : undefined,
        inspectPort: num(p.inspectPort),
      },
      metrics: str(metrics.url)
        ? {
            url: str(metrics.url)!,
            intervalMs: durOpt(metrics.interval),
            timeoutMs: dur(metrics.timeout, 2000),
            sampleLimit: num(metrics.sampleLimit),
            latency: str(metrics.latency),
            throughput: str(metrics.throughput),
            errors: str(metrics.errors),
            queueDepth: str(metrics.queueDepth),
          }
        : undefined,
      datasource: datasource(c.datasource),
      configFiles: arr(c.configFiles).map((f) => String(f)),
      limits: { memoryBytes: size(limits.memory), cpuCores: num(limits.cpuCores), diskBytes: size(limits.disk), diskPath: str(limits.diskPath), queueCapacity: num(limits.queueCapacity) },
      slos: {
        latency: lat && { p50Ms: durOpt(lat.p50), p90Ms: durOpt(lat.p90), p95Ms: durOpt(lat.p95), p99Ms: durOpt(lat.p99) },
        errorRate: num(slos.errorRate),
        throughputMin: num(slos.throughputMin),
        severity: severity(slos.severity, 'critical'),
        forMs: dur(slos.for, 10_000),
      },
    };
  });
  const alerts: AlertConfig[] = arr(m.alerts).map((raw) => {
    const a = obj(raw);
    return {
      name: str(a.name) ?? '',
      expr: str(a.expr) ?? '',
      forMs: dur(a.for, 0),
      clearForMs: dur(a.clearFor, 5000),
      hysteresis: num(a.hysteresis) ?? 0.05,
      severity: severity(a.severity, 'warning'),
      description: str(a.description),
    };
  });
  return {
    version: num(root.version) ?? 1,
    components,
    monitor: {
      intervalMs,
      retentionMs: dur(m.retention, 30 * 86_400_000),
      rollupRetentionMs: dur(m.rollupRetention, 365 * 86_400_000),
      storePath: str(m.storePath) ?? '.alluse-perf/store',
      sources: {
        systemMs: dur(src.system, intervalMs),
        processMs: dur(src.process, intervalMs),
        scrapeMs: dur(src.scrape, 1000),
        filesystemMs: dur(src.filesystem, 10_000),
        gpuMs: dur(src.gpu, 10_000),
      },
      datasource: datasource(m.datasource),
      alerts,
      anomaly: {
        enabled: obj(m.anomaly).enabled !== false,
        threshold: num(obj(m.anomaly).threshold) ?? 0.2,
        quietMs: dur(obj(m.anomaly).quiet, 60_000),
      },
    },
    tuning: { studies: arr(obj(root.tuning).studies).map(obj) },
    governor: {
      autoRollback: obj(root.governor).autoRollback === true,
      watchMs: (num(obj(root.governor).watchMinutes) ?? 10) * 60_000,
      regressionThreshold: num(obj(root.governor).regressionThreshold) ?? 0.2,
    },
  };
}

/**
 * The alert rules of a workspace: `monitor.alerts` plus one rule per SLO whose series the
 * component's `metrics` names. Latency SLOs watch the histogram's quantile series
 * (`<latency>_p95`, in seconds), throughput floors the counter's rate (`<throughput>_rate`),
 * error rates the derived `slo_error_ratio` series the monitor computes.
 */
export function alertRulesFrom(config: WorkspaceConfig): AlertRule[] {
  const rules: AlertRule[] = [];
  for (const a of config.monitor.alerts) {
    const c = parseComparison(a.expr, true);
    if (!c || typeof c.value !== 'number') continue;
    rules.push({ name: a.name, component: c.component, metric: c.metric, op: c.op, threshold: c.value, forMs: a.forMs, clearForMs: a.clearForMs, hysteresis: a.hysteresis, severity: a.severity, description: a.description, origin: 'rule' });
  }
  for (const comp of config.components) {
    const s = comp.slos;
    const m = comp.metrics;
    const base = { component: comp.name, forMs: s.forMs, clearForMs: Math.max(5000, s.forMs / 2), hysteresis: 0.05, severity: s.severity, origin: 'slo' as const };
    const lat = s.latency;
    if (lat && m?.latency) {
      for (const q of ['p50', 'p90', 'p95', 'p99'] as const) {
        const ms = lat[`${q}Ms`];
        if (ms !== undefined) rules.push({ ...base, name: `slo:${comp.name}:latency-${q}`, metric: `${m.latency}_${q}`, op: '>', threshold: ms / 1000, description: `${comp.name}: ${q} latency above the SLO of ${ms} ms` });
      }
    }
    if (s.throughputMin !== undefined && m?.throughput) {
      rules.push({ ...base, name: `slo:${comp.name}:throughput`, metric: `${m.throughput}_rate`, op: '<', threshold: s.throughputMin, description: `${comp.name}: throughput below the SLO of ${s.throughputMin}/s` });
    }
    if (s.errorRate !== undefined && m?.errors && m.throughput) {
      rules.push({ ...base, name: `slo:${comp.name}:error-rate`, metric: `slo_error_ratio`, op: '>', threshold: s.errorRate, description: `${comp.name}: error rate above the SLO of ${s.errorRate * 100}%` });
    }
  }
  return rules;
}
