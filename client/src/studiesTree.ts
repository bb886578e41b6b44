/** The "Studies" tree: the workspace's tuning studies, their trials so far, and whether they run. Click opens the study view. */
import * as vscode from 'vscode';
import type { StudyInfo, StudyProgressNotification } from '../../protocol/index';

type Node = { kind: 'study'; s: StudyInfo; progress?: StudyProgressNotification.Params } | { kind: 'message'; text: string };

export class StudiesTree implements vscode.TreeDataProvider<Node> {
  private studies: StudyInfo[] = [];
  private message = 'Loading…';
  private readonly progress = new Map<string, StudyProgressNotification.Params>();
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  update(studies: StudyInfo[], message?: string): void {
    this.studies = studies;
    this.message = message ?? 'No tuning studies in alluse-perf.yaml.';
    this.changed.fire(undefined);
  }

  onProgress(p: StudyProgressNotification.Params): void {
    if (p.phase === 'idle') this.progress.delete(p.study);
    else this.progress.set(p.study, p);
    this.changed.fire(undefined);
  }

  getChildren(node?: Node): Node[] {
    if (node) return [];
    if (!this.studies.length) return [{ kind: 'message', text: this.message }];
    return this.studies.map((s) => ({ kind: 'study', s, progress: this.progress.get(s.name) }));
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'message') return new vscode.TreeItem(node.text);
    const { s, progress } = node;
    const item = new vscode.TreeItem(s.name);
    item.id = `study:${s.name}`;
    item.description = progress ? `${progress.phase === 'remeasuring' ? 're-measuring' : 'running'} ${progress.done}/${progress.total}` : `${s.finished}/${s.budget} trials`;
    item.tooltip = `${s.component ? `${s.component}: ` : ''}${s.objectives.map((o) => `${o.direction} ${o.name}`).join(', ')}${s.constraints.length ? `\nsubject to ${s.constraints.join(', ')}` : ''}\nparameters: ${s.parameters.join(', ')}`;
    item.iconPath = new vscode.ThemeIcon(progress ? 'sync~spin' : 'beaker');
    item.contextValue = progress ? 'study-running' : 'study';
    item.command = { command: 'alluse-perf.openStudy', title: 'Open Study', arguments: [s.name] };
    return item;
  }
}
