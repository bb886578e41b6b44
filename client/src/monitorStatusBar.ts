/**
 * The monitoring status bar item (components up, alerts, the monitor's own cost) and the
 * alert notifications: one per newly fired alert, grouped when several fire together,
 * and never twice for the same alert within a minute.
 */
import * as vscode from 'vscode';
import type { AlertInfo, MonitorStatus } from '../../protocol/index';

const RENOTIFY_MS = 60_000;

export class MonitorStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('alluse-perf.monitor', vscode.StatusBarAlignment.Left, 10);
  private readonly notified = new Map<string, number>();
  private known = new Set<string>();

  constructor() {
    this.item.name = 'ALL-USE Performance Monitoring';
    this.item.command = 'alluse-perf.openDashboard';
  }

  update(s: MonitorStatus): void {
    if (!s.running) {
      this.item.text = '$(pulse) ALL-USE: off';
      this.item.tooltip = s.message ?? 'Monitoring is not running';
      this.item.backgroundColor = undefined;
      this.item.show();
      this.known = new Set();
      return;
    }
    const up = s.components.filter((c) => c.up).length;
    const critical = s.alerts.filter((a) => a.severity === 'critical').length;
    const alerts = s.alerts.length;
    this.item.text = `$(pulse) ALL-USE: ${up}/${s.components.length} up${alerts ? ` $(${critical ? 'error' : 'warning'}) ${alerts}` : ''}`;
    this.item.backgroundColor = critical ? new vscode.ThemeColor('statusBarItem.errorBackground') : alerts ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**ALL-USE monitoring**: ${up} of ${s.components.length} components up, ${alerts} alert${alerts === 1 ? '' : 's'}\n\n`);
    for (const a of s.alerts.slice(0, 5)) md.appendMarkdown(`- ${a.severity}: ${a.name} (${a.series} = ${a.value.toPrecision(4)})\n`);
    md.appendMarkdown(`\nMonitor cost: ${(s.cost.cpuRatio * 100).toFixed(1)}% of a core, ${(s.cost.rssBytes / 1048576).toFixed(0)} MiB · ${s.series} series, ${s.samplesPerSecond} samples/s\n\n`);
    md.appendMarkdown(`Store: ${(s.store.diskBytes / 1048576).toFixed(1)} MiB on disk, ${s.store.bytesPerSample.toFixed(2)} bytes/sample${s.store.memoryOnly ? ' (memory only!)' : s.store.readOnly ? ' (read-only)' : ''}`);
    this.item.tooltip = md;
    this.item.show();
    this.notify(s.alerts);
  }

  private notify(alerts: AlertInfo[]): void {
    const now = Date.now();
    const key = (a: AlertInfo) => `${a.name}|${a.series}`;
    const fresh = alerts.filter((a) => a.severity !== 'info' && !this.known.has(key(a)) && now - (this.notified.get(key(a)) ?? 0) > RENOTIFY_MS);
    this.known = new Set(alerts.map(key));
    if (!fresh.length) return;
    for (const a of fresh) this.notified.set(key(a), now);
    const critical = fresh.some((a) => a.severity === 'critical');
    const text =
      fresh.length === 1
        ? `ALL-USE alert ${fresh[0].name}${fresh[0].component ? ` on ${fresh[0].component}` : ''}: ${fresh[0].description ?? `${fresh[0].series} = ${fresh[0].value.toPrecision(4)} ${fresh[0].op} ${fresh[0].threshold}`}`
        : `${fresh.length} ALL-USE alerts: ${fresh.map((a) => a.name).join(', ')}`;
    const show = critical ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
    void show(text, 'Open Dashboard').then((pick) => pick && vscode.commands.executeCommand('alluse-perf.openDashboard'));
  }

  dispose(): void {
    this.item.dispose();
  }
}
