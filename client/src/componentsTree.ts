/** The "Components" tree: each component's live state, and the alerts firing on it. */
import * as vscode from 'vscode';
import type { AlertInfo, ComponentStatus, MonitorStatus } from '../../protocol/index';

type Node = { kind: 'component'; c: ComponentStatus } | { kind: 'alert'; a: AlertInfo } | { kind: 'message'; text: string };

function bytes(n: number | undefined): string {
  return n === undefined ? '?' : n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(1)} GiB` : `${(n / 1024 ** 2).toFixed(0)} MiB`;
}

export class ComponentsTree implements vscode.TreeDataProvider<Node> {
  private status: MonitorStatus | undefined;
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  update(status: MonitorStatus): void {
    this.status = status;
    this.changed.fire(undefined);
  }

  getChildren(node?: Node): Node[] {
    const s = this.status;
    if (!node) {
      if (!s || !s.running) return [{ kind: 'message', text: s?.message ?? 'Monitoring is not running.' }];
      return s.components.map((c) => ({ kind: 'component', c }));
    }
    if (node.kind === 'component') return (s?.alerts ?? []).filter((a) => a.component === node.c.name).map((a) => ({ kind: 'alert', a }));
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'message') {
      const item = new vscode.TreeItem(node.text);
      item.command = { command: 'alluse-perf.startMonitoring', title: 'Start Monitoring' };
      return item;
    }
    if (node.kind === 'alert') {
      const item = new vscode.TreeItem(`${node.a.name}: ${node.a.value.toPrecision(4)} ${node.a.op} ${node.a.threshold}`);
      item.iconPath = new vscode.ThemeIcon(node.a.severity === 'critical' ? 'error' : node.a.severity === 'warning' ? 'warning' : 'info');
      item.tooltip = node.a.description ?? node.a.series;
      return item;
    }
    const c = node.c;
    const item = new vscode.TreeItem(c.name, c.alerts ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    item.id = `component:${c.name}`;
    item.description = c.up ? `up · ${((c.cpuRatio ?? 0) * 100).toFixed(0)}% CPU · ${bytes(c.rssBytes)}` : c.problem ? `down · ${c.problem}` : 'down';
    item.iconPath = new vscode.ThemeIcon(c.alerts ? 'warning' : c.up ? 'pass-filled' : 'circle-slash', new vscode.ThemeColor(c.alerts ? 'charts.orange' : c.up ? 'charts.green' : 'charts.red'));
    item.tooltip = [c.pid ? `pid ${c.pid}` : 'no process found', c.problem].filter(Boolean).join('\n');
    item.contextValue = 'component';
    return item;
  }
}
