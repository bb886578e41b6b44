/** The language status item: the server's state and how long the last analysis took. */
import * as vscode from 'vscode';
import type { AnalysisDoneNotification } from '../../protocol/index';
import { WORKSPACE_FILE_SELECTOR } from './analysisClient';

export class ServerStatusItem implements vscode.Disposable {
  private readonly item: vscode.LanguageStatusItem;

  constructor() {
    this.item = vscode.languages.createLanguageStatusItem('alluse-perf.status', WORKSPACE_FILE_SELECTOR);
    this.item.name = 'ALL-USE Performance';
    this.item.command = { command: 'alluse-perf.showOutput', title: 'Show Output' };
    this.starting();
  }

  starting(): void {
    this.item.text = 'ALL-USE Perf: starting';
    this.item.busy = true;
    this.item.severity = vscode.LanguageStatusSeverity.Information;
    this.item.detail = 'The analysis server is starting';
  }

  ready(last?: AnalysisDoneNotification.Params): void {
    this.item.busy = false;
    this.item.command = { command: 'alluse-perf.showOutput', title: 'Show Output' };
    this.item.severity = vscode.LanguageStatusSeverity.Information;
    this.item.text = last ? `ALL-USE Perf: ready · ${last.ms.toFixed(1)} ms` : 'ALL-USE Perf: ready';
    this.item.detail = last ? `Last analysis: ${last.diagnostics} problem${last.diagnostics === 1 ? '' : 's'} (${last.errors} error${last.errors === 1 ? '' : 's'})` : 'Waiting for alluse-perf.yaml';
  }

  restarted(count: number): void {
    this.item.busy = true;
    this.item.severity = vscode.LanguageStatusSeverity.Warning;
    this.item.text = 'ALL-USE Perf: restarting';
    this.item.detail = `The analysis server stopped and is being restarted (${count}).`;
  }

  stopped(reason: string): void {
    this.item.busy = false;
    this.item.severity = vscode.LanguageStatusSeverity.Error;
    this.item.text = 'ALL-USE Perf: stopped';
    this.item.detail = reason;
    this.item.command = { command: 'alluse-perf.restartServer', title: 'Restart' };
  }

  dispose(): void {
    this.item.dispose();
  }
}
