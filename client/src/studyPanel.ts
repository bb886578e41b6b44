/**
 * The study view (webview): progress, best so far, parameter importance, parallel
 * coordinates, the Pareto front, the recommendation and its re-measured effect. It asks the
 * server for the study's data when it becomes visible, when the study reports progress, and
 * every 2 s while the study runs and the view is visible; a hidden view asks for nothing.
 */
import * as vscode from 'vscode';
import type { ExtensionToStudyWebview, StudyResultRequest, StudyWebviewToExtension } from '../../protocol/index';
import { parsePanelMessage } from '../../protocol/panelMessages';
import { webviewHtml, webviewOptions } from './webviewHtml';

const POLL_MS = 2000;

const STUDY_CSS = `
  .header { display: flex; gap: 16px; align-items: center; flex-wrap: wrap; justify-content: space-between; }
  .buttons button { background: var(--vscode-button-background); color: var(--vscode-button-foreground); border: none; padding: 4px 10px; margin-right: 4px; cursor: pointer; }
  .buttons button:disabled { opacity: 0.4; cursor: default; }
  .meta { opacity: 0.75; font-size: 0.9em; }
  progress { width: 100%; height: 6px; }
  table { border-collapse: collapse; margin: 6px 0; }
  th, td { text-align: left; padding: 2px 10px 2px 0; border-bottom: 1px solid var(--vscode-panel-border); }
  .verdict-better td:last-child { color: var(--vscode-charts-green); }
  .verdict-worse td:last-child { color: var(--vscode-charts-red); }
  .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(380px, 1fr)); gap: 14px; }
  .chart.wide { grid-column: 1 / -1; }
  .chart h4 { margin: 4px 0; font-size: 0.9em; font-weight: normal; opacity: 0.85; }
  .canvas-box { position: relative; height: 220px; }
`;

export class StudyPanel implements vscode.Disposable {
  static readonly viewType = 'alluse-perf.study';
  private readonly panel: vscode.WebviewPanel;
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;
  private running = false;
  /** Data requests made so far (a test seam: none while hidden). */
  fetches = 0;

  constructor(
    extensionUri: vscode.Uri,
    readonly workspaceFile: vscode.Uri,
    readonly study: string,
    private readonly fetchData: (uri: string, study: string) => Promise<StudyResultRequest.Result>,
    private readonly onCommand: (command: Extract<StudyWebviewToExtension, { type: 'studyCommand' }>['command'], panel: StudyPanel) => void,
    onDispose: () => void,
  ) {
    const title = `Study: ${study}`;
    this.panel = vscode.window.createWebviewPanel(StudyPanel.viewType, title, vscode.ViewColumn.Active, webviewOptions(extensionUri));
    this.panel.webview.html = webviewHtml(this.panel.webview, extensionUri, { title: `Tuning study "${study}"`, script: 'study.js', css: STUDY_CSS });
    this.panel.onDidDispose(() => {
      this.disposed = true;
      clearTimeout(this.timer);
      onDispose();
    });
    this.panel.onDidChangeViewState(() => (this.panel.visible ? this.schedule(0) : clearTimeout(this.timer)));
    this.panel.webview.onDidReceiveMessage((raw) => {
      const msg = parsePanelMessage('study', raw);
      if (!msg) return;
      if (msg.type === 'studyCommand') this.onCommand(msg.command, this);
      else this.schedule(0);
    });
  }

  reveal(): void {
    this.panel.reveal();
  }

  /** The study reported progress: refresh soon (progress comes at most a few times a second). */
  changed(): void {
    this.schedule(300);
  }

  private schedule(delay: number): void {
    clearTimeout(this.timer);
    if (this.disposed || !this.panel.visible) return;
    this.timer = setTimeout(() => void this.refresh(), delay);
  }

  private async refresh(): Promise<void> {
    let message: ExtensionToStudyWebview;
    try {
      this.fetches++;
      const data = await this.fetchData(this.workspaceFile.toString(), this.study);
      this.running = !!data && data.phase !== 'idle';
      message = data ? { type: 'study', data } : { type: 'error', message: `No study "${this.study}" in alluse-perf.yaml (or the file has errors: see the Problems panel).` };
    } catch (e) {
      message = { type: 'error', message: `The analysis server did not answer: ${(e as Error).message}` };
    }
    if (this.disposed) return;
    await this.panel.webview.postMessage(message);
    if (this.running) this.schedule(POLL_MS);
  }

  dispose(): void {
    this.panel.dispose();
  }
}
