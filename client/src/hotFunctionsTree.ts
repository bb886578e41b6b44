/**
 * The "Hot Functions" view: the current profile's hottest user functions, each opening its
 * source, and, when the profile took a sampling heap profile, a "Hot Allocations" section
 * with the sites that allocated the most (bytes and share of all sampled bytes).
 */
import * as vscode from 'vscode';
import type { HotFunction, ProfileResult } from '../../protocol/index';
import { allocationSites, fmtBytes, type AllocationSite } from '../../engine/profile/heapSites';
import { fmtShare } from './profileHeat';

/** The "Hot Allocations" group (its children are the allocation sites). */
interface AllocationsGroup { kind: 'allocations'; sites: AllocationSite[]; totalBytes: number }
/** One allocation site row. */
interface SiteRow { kind: 'site'; site: AllocationSite }
type Row = HotFunction | string | AllocationsGroup | SiteRow;

export class HotFunctionsTree implements vscode.TreeDataProvider<Row> {
  private result: ProfileResult | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  show(r: ProfileResult | undefined): void {
    this.result = r;
    this.changed.fire();
  }

  getChildren(el?: Row): Row[] {
    if (el && typeof el === 'object' && 'kind' in el && el.kind === 'allocations') return el.sites.map((site) => ({ kind: 'site', site }));
    if (el || !this.result) return [];
    const fns = this.result.functions.filter((f) => f.category !== 'idle').slice(0, 40);
    const sites = allocationSites(this.result);
    const heap: Row[] = this.result.heapTop ? [{ kind: 'allocations', sites, totalBytes: this.result.heapTotalBytes ?? sites.reduce((s, x) => s + x.bytes, 0) }] : [];
    return [`${this.result.component} · ${new Date(this.result.startedAt).toLocaleTimeString()} · ${(this.result.durationMs / 1000).toFixed(0)} s · ${this.result.threads.length} thread(s)`, ...heap, ...fns];
  }

  getTreeItem(el: Row): vscode.TreeItem {
    if (typeof el === 'string') {
      const t = new vscode.TreeItem(el);
      t.iconPath = new vscode.ThemeIcon('flame');
      t.command = { command: 'alluse-perf.openFlameGraph', title: 'Open Flame Graph' };
      return t;
    }
    if ('kind' in el && el.kind === 'allocations') {
      const t = new vscode.TreeItem('Hot Allocations', vscode.TreeItemCollapsibleState.Expanded);
      t.description = `${fmtBytes(el.totalBytes)} sampled live at the end`;
      t.tooltip = 'Sampling heap profile: bytes allocated during the profile and still live when it ended, by allocation site.';
      t.iconPath = new vscode.ThemeIcon('database');
      t.contextValue = 'hotAllocations';
      return t;
    }
    if ('kind' in el && el.kind === 'site') {
      const s = el.site;
      const t = new vscode.TreeItem(s.name);
      t.description = `${fmtBytes(s.bytes)} · ${s.pct.toFixed(1)}%`;
      t.tooltip = `${s.name}\n${fmtBytes(s.bytes)} (${s.pct.toFixed(1)}% of the sampled bytes)\n${s.location ? `${s.location.file}:${s.location.line}` : '(no source in the workspace)'}`;
      t.iconPath = new vscode.ThemeIcon('symbol-array');
      if (s.location) t.command = { command: 'vscode.open', title: 'Open', arguments: [vscode.Uri.file(s.location.file), { selection: new vscode.Range(s.location.line - 1, 0, s.location.line - 1, 0) }] };
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
