/**
 * Puts a monitor together for a workspace: its collectors (local, or a Prometheus server
 * named as data source), the embedded store in `monitor.storePath`, and the alert rules.
 * Used by the language server and the CLI alike, so both monitor the same way and share
 * the store.
 */
import { realpathSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { diskWatches } from './bottlenecks';
import { createCollectors, type Collector } from '../collect/index';
import { TimeSeriesStore } from '../store/index';
import { alertRulesFrom, type WorkspaceConfig } from '../workspace/config';
import { DatasourceCollector } from './datasourceCollector';
import { Monitor, type MonitorOptions, type ScheduledCollector } from './monitor';
import { createDefaultDetector } from '../anomaly/index';
import { AnomalyTracker } from './anomalies';
import { loadBaselines, saveBaselinesSliced } from './baselineFile';
import type { MetricStore } from './storeApi';

export interface CreatedMonitor {
  monitor: Monitor;
  store: MetricStore;
  storePath: string;
  /** The anomaly tracker scoring every series, when anomaly detection is on. */
  anomalies?: AnomalyTracker;
}

/** Where the store of a workspace is: `monitor.storePath`, relative to the folder of alluse-perf.yaml. */
export function resolveStorePath(config: WorkspaceConfig, folder: string): string {
  return isAbsolute(config.monitor.storePath) ? config.monitor.storePath : resolve(folder, config.monitor.storePath);
}

/** `folder` is the folder of alluse-perf.yaml; relative paths in the file are relative to it. */
export async function createMonitor(config: WorkspaceConfig, folder: string, hooks: Pick<MonitorOptions, 'onAlert' | 'onStatus' | 'onAnomalies' | 'onPredictions' | 'now' | 'anomalies'> = {}): Promise<CreatedMonitor> {
  const m = config.monitor;
  const storePath = resolveStorePath(config, folder);
  const store: MetricStore = await TimeSeriesStore.open({ dir: storePath, rawRetentionMs: m.retentionMs, rollupRetentionMs: m.rollupRetentionMs, now: hooks.now });

  // Components with a data source (their own, or the workspace's) are read from that server.
  const remote = config.components.filter((c) => c.datasource ?? m.datasource);
  const local = config.components.filter((c) => !(c.datasource ?? m.datasource));
  const collectors: Collector[] = createCollectors(
    local.map((c) => ({ name: c.name, kind: c.kind, process: c.process, metrics: c.metrics && { url: c.metrics.url, intervalMs: c.metrics.intervalMs ?? m.sources.scrapeMs, timeoutMs: c.metrics.timeoutMs } })),
    folder,
    { intervalMs: m.intervalMs, slowIntervalMs: m.sources.filesystemMs, system: !m.datasource },
  );
  for (const c of remote) collectors.push(new DatasourceCollector(c.name, (c.datasource ?? m.datasource)!));

  const intervalOf = (c: Collector): number => {
    if (c.id === 'system') return m.sources.systemMs;
    if (c.id.startsWith('process:')) return m.sources.processMs;
    if (c.id.startsWith('system-slow')) return Math.min(m.sources.filesystemMs, m.sources.gpuMs);
    return c.defaultIntervalMs;
  };
  const scheduled: ScheduledCollector[] = collectors.map((collector) => ({ collector, intervalMs: intervalOf(collector) }));
  const anomalies = hooks.anomalies ?? (m.anomaly.enabled ? new AnomalyTracker(createDefaultDetector, { threshold: m.anomaly.threshold, quietMs: m.anomaly.quietMs }) : undefined);
  let persist: (() => Promise<void>) | undefined;
  let baselineProblem: string | undefined;
  if (anomalies) {
    baselineProblem = loadBaselines(anomalies, storePath).problem;
    // A read-only store belongs to another process (the editor or the CLI), which saves them.
    if (!store.readOnly && !store.memoryOnly) persist = () => saveBaselinesSliced(anomalies, storePath);
  }
  const monitor = new Monitor({ collectors: scheduled, store, storePath, rules: alertRulesFrom(config), components: config.components, disks: diskWatches(config.components, folder, realPath(storePath)), ...hooks, anomalies, persist, startupProblem: baselineProblem });
  return { monitor, store, storePath, anomalies };
}

/** The path with symbolic links resolved (the mount that holds it is the target's); the path itself when it cannot be. */
function realPath(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}
