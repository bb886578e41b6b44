/**
 * The "ALL-USE Overview" webview: the components, studies and monitor settings of the
 * workspace file. It talks to the extension only through the typed protocol messages.
 */
import * as vscode from 'vscode';
import type { ExtensionToWebview, WorkspaceSummaryRequest } from '../../protocol/index';
import { parsePanelMessage } from '../../protocol/panelMessages';
import { webviewHtml, webviewOptions } from './webviewHtml';

const OVERVIEW_CSS = `
  .component, .study { border: 1px solid var(--vscode-panel-border); border-radius: 4px; padding: 8px 12px; margin: 8px 0; }
  .component h3, .study h3 { margin: 0 0 4px; font-size: 1em; }
  .kind { font-size: 0.85em; opacity: 0.75; margin-left: 6px; }
  dl { display: grid; grid-template-columns: max-content auto; gap: 2px 12px; margin: 4px 0; }
  dt { opacity: 0.75; } dd { margin: 0; }
`;

export class OverviewPanel implements vscode.Disposable {
  static readonly viewType = 'alluse-perf.overview';
  private readonly panel: vscode.WebviewPanel;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    extensionUri: vscode.Uri,
    private readonly workspaceFile: vscode.Uri,
    private readonly fetchSummary: (uri: string) => Promise<WorkspaceSummaryRequest.Result>,
    onDispose: () => void,
  ) {
    this.panel = vscode.window.createWebviewPanel(OverviewPanel.viewType, 'ALL-USE Overview', vscode.ViewColumn.Beside, webviewOptions(extensionUri));
    this.panel.webview.html = webviewHtml(this.panel.webview, extensionUri, { title: 'ALL-USE Overview', script: 'overview.js', css: OVERVIEW_CSS });
    this.panel.onDidDispose(() => {
      this.disposables.forEach((d) => d.dispose());
      onDispose();
    });
    this.panel.webview.onDidReceiveMessage((raw) => void this.onMessage(raw), undefined, this.disposables);
  }

  reveal(): void {
    this.panel.reveal(undefined, true);
  }

  /** Called after each analysis of the workspace file; hidden panels are refreshed when shown. */
  async update(uri: string): Promise<void> {
    if (uri !== this.workspaceFile.toString() || !this.panel.visible) return;
    await this.sendSummary();
  }

  private async onMessage(raw: unknown): Promise<void> {
    const msg = parsePanelMessage('overview', raw);
    if (!msg) return; // not our protocol: ignore it
    switch (msg.type) {
      case 'ready':
      case 'refresh':
        await this.sendSummary();
        return;
      case 'reveal': {
        const uri = vscode.Uri.parse(msg.uri);
        // Only the workspace file this panel shows may be opened from the webview.
        if (uri.toString() !== this.workspaceFile.toString()) return;
        const range = new vscode.Range(msg.range.start.line, msg.range.start.character, msg.range.end.line, msg.range.end.character);
        await vscode.window.showTextDocument(uri, { selection: new vscode.Range(range.start, range.start), viewColumn: vscode.ViewColumn.One });
        return;
      }
    }
  }

  private async sendSummary(): Promise<void> {
    let message: ExtensionToWebview;
    try {
      const result = await this.fetchSummary(this.workspaceFile.toString());
      message = result
        ? { type: 'summary', uri: this.workspaceFile.toString(), summary: result.summary, version: result.version }
        : { type: 'error', message: 'The workspace file is not open in the analysis server yet. Open alluse-perf.yaml and try again.' };
    } catch (e) {
      message = { type: 'error', message: `The analysis server did not answer: ${(e as Error).message}` };
    }
    await this.panel.webview.postMessage(message);
  }

  dispose(): void {
    this.panel.dispose();
  }
}
