/**
 * The "Change History" webview: the workspace's audit history (`alluse/audit/list`), newest
 * first, refreshed when the server says it changed (`alluse/audit/changed`) while visible.
 * Its "Revert" and "Open" buttons come back as validated messages
 * (`parsePanelMessage`, the one validator of every panel, as kind `history`).
 */
import * as vscode from 'vscode';
import { type AuditListRequest, type ExtensionToHistoryWebview } from '../../protocol/index';
import { parsePanelMessage } from '../../protocol/panelMessages';
import { webviewHtml, webviewOptions } from './webviewHtml';

const HISTORY_CSS = `
  table.history { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; vertical-align: top; padding: 4px 10px 4px 0; border-bottom: 1px solid var(--vscode-panel-border); }
  th { font-weight: 600; }
  .note { opacity: 0.75; font-size: 0.9em; }
  .effect.worse, .watch.regressed { color: var(--vscode-editorError-foreground); }
  .effect.better, .watch.ok { color: var(--vscode-testing-iconPassed, var(--vscode-foreground)); }
  tr.rolled-back td, tr.reverted td { opacity: 0.8; }
  .status.rolled-back, .status.reverted { font-style: italic; }
  button { background: var(--vscode-button-background); color: var(--vscode-button-foreground); border: none; padding: 3px 10px; cursor: pointer; }
  button:disabled { opacity: 0.5; cursor: default; }
  button.refresh { margin-bottom: 8px; }
  code { font-family: var(--vscode-editor-font-family); }
`;

export interface HistoryActions {
  list(uri: string): Promise<AuditListRequest.Result>;
  revert(id: string): Promise<void>;
  open(id: string): Promise<void>;
}

export class HistoryPanel implements vscode.Disposable {
  static readonly viewType = 'alluse-perf.history';
  private readonly panel: vscode.WebviewPanel;
  /** How many histories were sent to the webview, and the last (tests read them). */
  sent = 0;
  last: AuditListRequest.Result | undefined;

  constructor(
    extensionUri: vscode.Uri,
    private readonly workspaceFile: vscode.Uri,
    private readonly actions: HistoryActions,
    onDispose: () => void,
  ) {
    this.panel = vscode.window.createWebviewPanel(HistoryPanel.viewType, 'ALL-USE Change History', vscode.ViewColumn.Active, webviewOptions(extensionUri));
    this.panel.webview.html = webviewHtml(this.panel.webview, extensionUri, { title: 'Change History', script: 'history.js', css: HISTORY_CSS });
    this.panel.onDidDispose(onDispose);
    this.panel.webview.onDidReceiveMessage(async (raw) => {
      const msg = parsePanelMessage('history', raw);
      if (!msg) return;
      if (msg.type === 'revert') await this.actions.revert(msg.id);
      else if (msg.type === 'openFile') await this.actions.open(msg.id);
      void this.changed();
    });
    this.panel.onDidChangeViewState(() => this.panel.visible && void this.changed());
  }

  reveal(): void {
    this.panel.reveal();
  }

  /** The history changed: send it again if the panel is visible. */
  async changed(): Promise<void> {
    if (!this.panel.visible) return;
    let message: ExtensionToHistoryWebview;
    try {
      const r = await this.actions.list(this.workspaceFile.toString());
      this.last = r;
      message = { type: 'history', entries: r.entries, problems: r.problems, path: vscode.workspace.asRelativePath(r.path) };
    } catch (e) {
      message = { type: 'error', message: `The analysis server did not answer: ${(e as Error).message}` };
    }
    await this.panel.webview.postMessage(message);
    this.sent++;
  }

  dispose(): void {
    this.panel.dispose();
  }
}
