/**
 * The "Queue" tree: the coordination job queue (studies, profiles, benchmarks, allocation)
 * with each job's state, why it waits, and its progress, and the budget in use. It follows
 * `alluse/coordination/queueChanged`; a running or waiting job can be cancelled inline.
 */
import * as vscode from 'vscode';
import type { QueueState, ScheduledJob } from '../../protocol/index';
import { budgetText, jobDescription } from './coordinationText';

type Node = { kind: 'job'; job: ScheduledJob } | { kind: 'message'; text: string; tooltip?: string };

const ICONS: Record<ScheduledJob['state'], string> = {
  running: 'sync~spin',
  queued: 'clock',
  held: 'warning',
  done: 'check',
  failed: 'error',
  cancelled: 'circle-slash',
};

export class QueueTree implements vscode.TreeDataProvider<Node> {
  private state: QueueState | undefined;
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  update(state: QueueState): void {
    this.state = state;
    this.changed.fire(undefined);
  }

  get current(): QueueState | undefined {
    return this.state;
  }

  getChildren(node?: Node): Node[] {
    if (node) return [];
    const q = this.state;
    if (!q) return [{ kind: 'message', text: 'Loading…' }];
    const waiting = q.jobs.filter((j) => j.state === 'running' || j.state === 'queued' || j.state === 'held');
    const ended = q.jobs.filter((j) => !waiting.includes(j));
    const head: Node = { kind: 'message', text: budgetText(q), tooltip: `Budget from coordination.trials in alluse-perf.yaml. ${q.budget.allowRunDuringAlert ? 'Jobs may start during an alert.' : 'Jobs wait while their component has a firing alert (unless forced).'}` };
    if (!q.jobs.length) return [head, { kind: 'message', text: 'Nothing queued. Studies, profiles and allocations run here one policy at a time.' }];
    return [head, ...waiting.map((job) => ({ kind: 'job' as const, job })), ...ended.map((job) => ({ kind: 'job' as const, job }))];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'message') {
      const item = new vscode.TreeItem(node.text);
      // A narrow side bar cuts the line short ("Nothing queued. Studies, profiles an…"): the tooltip has all of it.
      item.tooltip = node.tooltip ?? node.text;
      return item;
    }
    const j = node.job;
    const item = new vscode.TreeItem(j.label);
    item.id = `job:${j.id}`;
    item.description = `${j.component} · ${jobDescription(j)}`;
    item.tooltip = [`${j.kind} on ${j.component}: ${j.state}`, j.reason, j.progress?.message, `${j.trials} trial(s), ${j.cpuCores} core(s)${j.force ? ', forced' : ''}`].filter(Boolean).join('\n');
    item.iconPath = new vscode.ThemeIcon(ICONS[j.state]);
    item.contextValue = j.state === 'running' || j.state === 'queued' || j.state === 'held' ? 'job-active' : 'job-ended';
    return item;
  }
}
