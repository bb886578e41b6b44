/**
 * `alluse-perf monitor`: headless monitoring of a workspace, with the same collectors,
 * store and alerts as the editor. A live table on a terminal; JSON lines otherwise.
 */
import { parseDuration } from '../engine/index';
import { createMonitor } from '../engine/monitor/createMonitor';
import type { MonitorStatus } from '../engine/monitor/types';
import { loadWorkspaceConfig } from './workspaceFile';

export interface MonitorCommandOptions {
  workspace: string;
  duration?: string;
  json: boolean;
}

const mib = (n: number | undefined) => (n === undefined ? '-' : `${(n / 1048576).toFixed(0)} MiB`);
const pct = (n: number | undefined) => (n === undefined ? '-' : `${(n * 100).toFixed(1)}%`);

function table(s: MonitorStatus): string {
  const rows = [['component', 'state', 'pid', 'cpu', 'rss', 'alerts', 'problem']];
  for (const c of s.components) rows.push([c.name, c.up ? 'up' : 'down', c.pid ? String(c.pid) : '-', pct(c.cpuRatio), mib(c.rssBytes), String(c.alerts), c.problem ?? '']);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const lines = rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  lines.push('');
  for (const a of s.alerts) lines.push(`${a.severity.toUpperCase().padEnd(8)} ${a.name}: ${a.series} = ${a.value.toPrecision(4)} ${a.op} ${a.threshold}`);
  if (!s.alerts.length) lines.push('no alerts');
  for (const p of s.problems) lines.push(`problem: ${p}`);
  lines.push('', `monitor: ${pct(s.cost.cpuRatio)} of a core, ${mib(s.cost.rssBytes)} · ${s.series} series, ${s.samplesPerSecond} samples/s · store ${mib(s.store.diskBytes)}${s.store.readOnly ? ' (read-only: the editor is writing it)' : ''}${s.store.memoryOnly ? ' (memory only)' : ''}`);
  return lines.join('\n');
}

/**
 * Monitors until `--duration` has passed or the process is asked to stop: SIGINT or SIGTERM,
 * or `stopRequested` when given (a worker thread gets no signals: monitorWorker.ts).
 */
export async function monitorWorkspace(opts: MonitorCommandOptions, out: (s: string) => void, err: (s: string) => void, isTty: boolean, stopRequested?: Promise<void>): Promise<number> {
  const durationMs = opts.duration === undefined ? undefined : parseDuration(opts.duration);
  if (opts.duration !== undefined && durationMs === undefined) {
    err(`alluse-perf: --duration "${opts.duration}" is not a duration (e.g. 30s, 5m).`);
    return 2;
  }
  const ws = loadWorkspaceConfig(opts.workspace, err);
  if (typeof ws === 'number') return ws;
  const { dir, config } = ws;
  const live = isTty && !opts.json;
  const { monitor, store } = await createMonitor(config, dir, {
    onStatus: (s) => (live ? out(`\x1b[2J\x1b[H${table(s)}`) : out(JSON.stringify({ t: Date.now(), ...s }))),
  });
  monitor.start();
  await new Promise<void>((done) => {
    const timer = durationMs !== undefined ? setTimeout(done, durationMs) : undefined;
    const stop = () => {
      clearTimeout(timer);
      done();
    };
    if (stopRequested) void stopRequested.then(stop);
    else {
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    }
  });
  await monitor.stop();
  await store.close();
  return 0;
}
