/**
 * Runs the monitor of each workspace file the client asks to monitor, and turns its
 * alerts into diagnostics on the component's entry in alluse-perf.yaml.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AlertEvent } from '../../engine/alerts/evaluator';
import type { Finding } from '../../engine/index';
import { buildDashboard } from '../../engine/monitor/dashboard';
import { createMonitor, resolveStorePath, type CreatedMonitor } from '../../engine/monitor/createMonitor';
import type { DashboardData, MonitorStatus, RangeName } from '../../engine/monitor/types';
import { workspaceConfigFrom, type WorkspaceConfig } from '../../engine/workspace/config';
import { MANAGE_TRUST, staysInside } from './trust';
import type { CachedAnalysis } from './workspaceDocuments';

interface Running extends CreatedMonitor {
  config: WorkspaceConfig;
}

export interface MonitorServiceHooks {
  /** The current analysis of a workspace file (opened in the editor). */
  analysis(uri: string): CachedAnalysis | undefined;
  status(uri: string, status: MonitorStatus): void;
  /** Alerts fired or resolved, or anomaly episodes opened: the file's monitoring diagnostics changed. */
  alertsChanged(uri: string, events: AlertEvent[]): void;
}

export class MonitorService {
  private readonly running = new Map<string, Running>();

  constructor(private readonly hooks: MonitorServiceHooks) {}

  /**
   * Monitoring starts no process, so it runs in restricted mode too (`trusted` false); the
   * one thing an untrusted workspace file may not do is make it write outside its folder.
   */
  async start(uri: string, trusted = false): Promise<MonitorStatus> {
    const existing = this.running.get(uri);
    if (existing) return existing.monitor.status();
    const cached = this.hooks.analysis(uri);
    if (!cached?.analysis.doc) return idle('Open alluse-perf.yaml first: monitoring reads the components from it.');
    const errors = cached.analysis.findings.filter((f) => f.severity === 'error');
    if (errors.length) return idle(`alluse-perf.yaml has ${errors.length} error${errors.length === 1 ? '' : 's'}; fix ${errors.length === 1 ? 'it' : 'them'} (see the Problems panel) and start monitoring again.`);
    if (!uri.startsWith('file:')) return idle('Monitoring needs a workspace file on the local disk.');
    const config = workspaceConfigFrom(cached.analysis.doc);
    const folder = dirname(fileURLToPath(uri));
    const storePath = resolveStorePath(config, folder);
    if (!trusted && !staysInside(folder, storePath)) {
      return idle(`monitor.storePath (${storePath}) is outside the workspace folder, and this workspace is not trusted: restricted mode writes only inside the folder. Use a path inside it, or trust the folder (${MANAGE_TRUST}).`);
    }
    const created = await createMonitor(config, folder, {
      onStatus: (s) => this.hooks.status(uri, s),
      onAlert: (e) => this.hooks.alertsChanged(uri, [e]),
      onAnomalies: () => this.hooks.alertsChanged(uri, []),
      onPredictions: () => this.hooks.alertsChanged(uri, []),
    });
    this.running.set(uri, { ...created, config });
    created.monitor.start();
    return created.monitor.status();
  }

  async stop(uri: string): Promise<MonitorStatus> {
    const r = this.running.get(uri);
    this.running.delete(uri);
    if (r) {
      await r.monitor.stop();
      await r.store.close();
      this.hooks.alertsChanged(uri, []);
    }
    return idle('Monitoring is stopped.');
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running.keys()].map((u) => this.stop(u)));
  }

  status(uri: string): MonitorStatus {
    return this.running.get(uri)?.monitor.status() ?? idle('Monitoring is not running.');
  }

  /** The running monitor's store and typed config of a workspace file (for planning queries), when it runs. */
  runningStore(uri: string): { store: CreatedMonitor['store']; config: WorkspaceConfig; folder: string } | undefined {
    const r = this.running.get(uri);
    return r && { store: r.store, config: r.config, folder: dirname(fileURLToPath(uri)) };
  }

  dashboard(uri: string, range: RangeName): DashboardData | undefined {
    const r = this.running.get(uri);
    if (!r) return undefined;
    const status = r.monitor.status();
    const up = new Map(status.components.map((c) => [c.name, c.up]));
    return buildDashboard(r.store, r.config.components, range, Date.now(), { alerts: status.alerts, cost: status.cost, up: (c) => up.get(c) ?? false, anomalies: r.anomalies, predictions: status.predictions });
  }

  /**
   * Active alerts and open anomaly episodes as findings on the component's `name` line (or
   * the top of the file for system-wide ones); time-to-limit predictions on the limit's key.
   */
  alertFindings(uri: string, cached: CachedAnalysis | undefined): Finding[] {
    const r = this.running.get(uri);
    if (!r || !cached) return [];
    const comps = cached.analysis.summary.components;
    const rangeOf = (component: string | undefined) => {
      const c = comps.find((x) => x.name === component);
      const line = c?.range.start.line ?? 0;
      const text = cached.analysis.index.lineText(line);
      const start = c ? Math.max(0, text.search(/\S/)) : 0;
      return { start: { line, character: start }, end: { line, character: text.length } };
    };
    const anomalies: Finding[] = [];
    for (const list of r.anomalies?.openByComponent().values() ?? []) {
      for (const f of list) {
        if (f.severity === 'info') continue; // listed in the Findings view only
        anomalies.push({
          code: 'anomaly',
          severity: f.severity === 'critical' ? 'error' : 'warning',
          message: `Anomaly in ${f.series} (${f.explanation?.detector ?? 'detector'}, score ${f.score.toFixed(2)}): ${f.explanation?.message ?? ''}`.trim(),
          range: rangeOf(f.component),
        });
      }
    }
    const forecasts: Finding[] = r.monitor.status().predictions.map((p) => {
      const c = comps.find((x) => x.name === p.component);
      const key = c?.keyRanges?.[p.limitKey];
      return {
        code: 'limit-forecast',
        // Within the hour (or over already) is worth a warning; further off, information.
        severity: p.etaMs < 3_600_000 ? 'warning' : 'information',
        message: `${p.component ? `${p.component}: ` : 'The monitor’s store: '}${p.message}.`,
        range: key ?? rangeOf(p.component),
      };
    });
    return forecasts.concat(anomalies, r.monitor.activeAlerts().map((a) => {
      const range = rangeOf(a.component);
      const value = Number.isInteger(a.value) ? String(a.value) : a.value.toPrecision(4);
      return {
        code: 'alert-firing' as const,
        severity: a.severity === 'critical' ? ('error' as const) : a.severity === 'warning' ? ('warning' as const) : ('information' as const),
        message: `Alert ${a.name}${a.description ? ` (${a.description})` : ''}: ${a.series} is ${value}, ${a.op} ${a.threshold}, since ${new Date(a.since).toLocaleTimeString()}.`,
        range,
      };
    }));
  }
}

function idle(message: string): MonitorStatus {
  return {
    running: false,
    message,
    components: [],
    alerts: [],
    cost: { cpuRatio: 0, rssBytes: process.memoryUsage().rss },
    store: { path: '', readOnly: false, memoryOnly: false, diskBytes: 0, bytesPerSample: 0, problems: [] },
    series: 0,
    samplesPerSecond: 0,
    problems: [],
    findings: [],
    scoredSeries: 0,
    predictions: [],
  };
}
