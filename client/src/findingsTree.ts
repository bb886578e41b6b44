/**
 * The "Findings" tree: time-to-limit predictions first (the first to saturate on top), then
 * anomalies found by the detectors, newest first, with their severity
 * and explanation; and the notifications for new ones (warning and critical only, grouped,
 * and at most one per series in a quarter of an hour, so a flapping series does not nag).
 */
import * as vscode from 'vscode';
import type { AnomalyFinding, MonitorStatus } from '../../protocol/index';

const RENOTIFY_MS = 15 * 60_000;

type Prediction = MonitorStatus['predictions'][number];
type Node = AnomalyFinding | Prediction;
const isPrediction = (n: Node): n is Prediction => 'etaMs' in n;

export class FindingsTree implements vscode.TreeDataProvider<Node> {
  private findings: AnomalyFinding[] = [];
  private predictions: Prediction[] = [];
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly seen = new Set<string>();
  private readonly notifiedAt = new Map<string, number>();
  private first = true;

  update(status: MonitorStatus): void {
    const fresh = status.findings.filter((f) => !this.seen.has(f.id));
    for (const f of status.findings) this.seen.add(f.id);
    const predictions = status.predictions ?? [];
    if (fresh.length || status.findings.length !== this.findings.length || predictions.length || this.predictions.length) {
      this.findings = status.findings;
      this.predictions = predictions;
      this.changed.fire(undefined);
    }
    // Findings already there when the view connects are history, not news.
    if (!this.first) this.notify(fresh);
    this.first = false;
  }

  /**
   * Notifies findings at or above `alluse-perf.anomaly.notify` (critical by default; warnings
   * and info stay in the view and the Problems panel), grouped into one message, and at most
   * once per component in a quarter of an hour.
   */
  private notify(fresh: AnomalyFinding[]): void {
    const level = vscode.workspace.getConfiguration('alluse-perf').get<'critical' | 'warning' | 'off'>('anomaly.notify', 'critical');
    if (level === 'off') return;
    const now = Date.now();
    const where = (f: AnomalyFinding) => f.component ?? 'system';
    const loud = fresh.filter((f) => (f.severity === 'critical' || (level === 'warning' && f.severity === 'warning')) && now - (this.notifiedAt.get(where(f)) ?? 0) > RENOTIFY_MS);
    if (!loud.length) return;
    for (const f of loud) this.notifiedAt.set(where(f), now);
    const critical = loud.some((f) => f.severity === 'critical');
    const places = [...new Set(loud.map(where))].join(', ');
    const text = loud.length === 1 ? `ALL-USE anomaly on ${places}: ${loud[0].explanation?.message ?? loud[0].series}` : `${loud.length} ALL-USE anomalies on ${places}`;
    const show = critical ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
    void show(text, 'Show Findings', 'Open Dashboard').then((pick) => {
      if (pick === 'Show Findings') void vscode.commands.executeCommand('alluse-perf.findings.focus');
      if (pick === 'Open Dashboard') void vscode.commands.executeCommand('alluse-perf.openDashboard');
    });
  }

  getChildren(node?: Node): Node[] {
    return node ? [] : [...this.predictions, ...this.findings];
  }

  /** The tree is flat (needed by TreeView.reveal). */
  getParent(): undefined {
    return undefined;
  }

  /** The current node of a limit's prediction (the tree's own object, which reveal needs). */
  predictionNode(component: string, limitKey: string, mount?: string): Prediction | undefined {
    return this.predictions.find((p) => p.component === component && p.limitKey === limitKey && p.mount === mount);
  }

  /** The labels of the predictions listed (for tests). */
  predictionMessages(): string[] {
    return this.predictions.map((p) => `${predictionLabel(p)}: ${p.message}`);
  }

  getTreeItem(n: Node): vscode.TreeItem {
    return isPrediction(n) ? this.predictionItem(n) : this.findingItem(n);
  }

  private predictionItem(p: Prediction): vscode.TreeItem {
    const item = new vscode.TreeItem(predictionLabel(p));
    item.id = `limit:${p.component}:${p.limitKey}${p.mount !== undefined ? `:${p.mount}` : ''}`;
    item.description = p.message;
    item.iconPath = new vscode.ThemeIcon(p.etaMs < 3_600_000 ? 'warning' : 'watch');
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**${p.component || 'the monitor’s store'}**: ${p.message}\n\n`);
    md.appendMarkdown(`\`${p.limitKey}\` · series ${p.series} · now ${p.current.toPrecision(4)} · trend ${p.slopePerS.toPrecision(3)}/s · predicted ${new Date(p.at).toLocaleTimeString()}`);
    item.tooltip = md;
    item.command = { command: 'alluse-perf.openDashboard', title: 'Open Dashboard' };
    return item;
  }

  private findingItem(f: AnomalyFinding): vscode.TreeItem {
    const item = new vscode.TreeItem(`${f.component ?? 'system'}: ${f.metric}`);
    item.id = f.id;
    item.description = `${f.severity} · score ${f.score.toFixed(2)} · ${new Date(f.at).toLocaleTimeString()}`;
    item.iconPath = new vscode.ThemeIcon(f.severity === 'critical' ? 'error' : f.severity === 'warning' ? 'warning' : 'info');
    const e = f.explanation;
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**${f.series}**\n\n`);
    if (e) {
      md.appendMarkdown(`${e.message}\n\n`);
      md.appendMarkdown(`Detector: ${e.detector} · observed ${e.observed.toPrecision(4)}`);
      if (e.expected !== undefined) md.appendMarkdown(` · expected ${e.expected.toPrecision(4)}`);
      if (e.lower !== undefined && e.upper !== undefined) md.appendMarkdown(` (band ${e.lower.toPrecision(4)} to ${e.upper.toPrecision(4)})`);
    }
    item.tooltip = md;
    item.command = { command: 'alluse-perf.openDashboard', title: 'Open Dashboard' };
    return item;
  }
}

/** "engine: memory limit", "store: disk /var". */
function predictionLabel(p: Prediction): string {
  return p.resource === 'disk' ? `${p.component || 'store'}: disk ${p.mount ?? ''}`.trim() : `${p.component}: ${p.resource} limit`;
}
