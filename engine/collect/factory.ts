/**
 * The collectors of a workspace, ready for the monitor to schedule: one system collector
 * (/proc on Linux, systeminformation elsewhere), one slow system collector (file systems,
 * GPU), and per component a process collector and, when it has `metrics.url`, a scrape
 * collector. Each has its default interval; the monitor may override them.
 */
import type { ProcessSpec } from './discovery';
import { portOwnerCheck } from './portOwner';
import { ProcessCollector, type ProcessCollectorOptions } from './procProcess';
import { ProcSystemCollector } from './procSystem';
import { ScrapeCollector } from './scrapeCollector';
import { SiSystemCollector, SlowSystemCollector } from './siSystem';
import type { Collector } from './types';

/** What the collectors need of a component in alluse-perf.yaml (durations already in ms). */
export interface ComponentCollectSpec {
  name: string;
  kind?: 'node' | 'process';
  process: ProcessSpec;
  metrics?: { url: string; intervalMs?: number; timeoutMs?: number; sampleLimit?: number };
}

export interface CreateCollectorsOptions {
  /** `monitor.interval` in ms: the interval of the cheap sources. Default 100. */
  intervalMs?: number;
  /** Interval of the slow sources (file systems, GPU). Default 10,000. */
  slowIntervalMs?: number;
  /** Leave out the system collectors (e.g. when a Prometheus server is the data source). */
  system?: boolean;
  process?: ProcessCollectorOptions;
  platform?: NodeJS.Platform;
}

export function createCollectors(components: readonly ComponentCollectSpec[], folder: string, options: CreateCollectorsOptions = {}): Collector[] {
  const interval = options.intervalMs ?? 100;
  const out: Collector[] = [];
  const linux = (options.platform ?? process.platform) === 'linux';
  if (options.system !== false) {
    out.push(linux ? new ProcSystemCollector({ intervalMs: interval }) : new SiSystemCollector({ intervalMs: Math.max(interval, 1000) }));
    out.push(new SlowSystemCollector({ intervalMs: options.slowIntervalMs }));
  }
  for (const c of components) {
    const proc = new ProcessCollector(c.name, c.process, folder, { intervalMs: interval, ...options.process });
    out.push(proc);
    if (!c.metrics?.url) continue;
    // The scrape's answers count as the component's only while its process holds the port (Linux, local targets).
    const portOwner = portOwnerCheck(c.name, c.metrics.url, { componentPid: () => proc.locator.identity?.pid, spec: c.process, folder, procRoot: options.process?.procRoot, platform: options.platform });
    out.push(new ScrapeCollector(c.name, c.metrics.url, { intervalMs: c.metrics.intervalMs ?? interval, timeoutMs: c.metrics.timeoutMs, sampleLimit: c.metrics.sampleLimit, portOwner }));
  }
  return out;
}
