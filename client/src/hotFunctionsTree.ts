/** The "Hot Functions" view: the current profile's hottest user functions, each opening its source. */
import * as vscode from 'vscode';
import type { HotFunction, ProfileResult } from '../../protocol/index';
import { fmtShare } from './profileHeat';

export class HotFunctionsTree implements vscode.TreeDataProvider<HotFunction | string> {
  private result: ProfileResult | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  show(r: ProfileResult | undefined): void {
    this.result = r;
    this.changed.fire();
  }

  getChildren(el?: HotFunction | string): (HotFunction | string)[] {
    if (el || !this.result) return [];
    const fns = this.result.functions.filter((f) => f.category !== 'idle').slice(0, 40);
    return [`${this.result.component} · ${new Date(this.result.startedAt).toLocaleTimeString()} · ${(this.result.durationMs / 1000).toFixed(0)} s · ${this.result.threads.length} thread(s)`, ...fns];
  }

  getTreeItem(el: HotFunction | string): vscode.TreeItem {
    if (typeof el === 'string') {
      const t = new vscode.TreeItem(el);
      t.iconPath = new vscode.ThemeIcon('flame');
      t.command = { command: 'alluse-perf.openFlameGraph', title: 'Open Flame Graph' };
      return t;
    }
    const t = new vscode.TreeItem(el.name);
    t.description = fmtShare(el);
    t.tooltip = `${el.name}\n${fmtShare(el)} of the busy time\n${el.location ? `${el.location.file}:${el.location.line}` : el.url || '(no source)'}\nthreads: ${el.threads.join(', ')}`;
    t.iconPath = new vscode.ThemeIcon(el.category === 'user' ? 'symbol-function' : el.category === 'gc' ? 'trash' : 'symbol-event');
    if (el.location && el.category !== 'node') {
      t.command = { command: 'vscode.open', title: 'Open', arguments: [vscode.Uri.file(el.location.file), { selection: new vscode.Range(el.location.line - 1, 0, el.location.line - 1, 0) }] };
    }
    return t;
  }
}
