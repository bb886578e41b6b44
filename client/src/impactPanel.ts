/** The impact of a change, shown in a webview: the effect with its 95% interval over a chart of observed against expected. */
import * as vscode from 'vscode';
import type { ExtensionToWebview } from '../../protocol/index';
import { parsePanelMessage } from '../../protocol/panelMessages';
import { webviewHtml, webviewOptions } from './webviewHtml';

const IMPACT_CSS = `
  .headline { font-size: 1.1em; margin: 8px 0; }
  .headline.none { opacity: 0.85; }
  .detail { opacity: 0.8; }
  .canvas-box { position: relative; height: 320px; margin-top: 12px; }
`;

export class ImpactPanel implements vscode.Disposable {
  static readonly viewType = 'alluse-perf.impact';
  private readonly panel: vscode.WebviewPanel;
  private ready = false;
  private pending: ExtensionToWebview | undefined;

  constructor(extensionUri: vscode.Uri, onDispose: () => void) {
    this.panel = vscode.window.createWebviewPanel(ImpactPanel.viewType, 'ALL-USE Impact of a Change', vscode.ViewColumn.Active, webviewOptions(extensionUri));
    this.panel.webview.html = webviewHtml(this.panel.webview, extensionUri, { title: 'Impact of a Change', script: 'impact.js', css: IMPACT_CSS });
    this.panel.onDidDispose(onDispose);
    this.panel.webview.onDidReceiveMessage((raw) => {
      const msg = parsePanelMessage('impact', raw);
      if (msg?.type !== 'ready') return;
      // The webview reloads when shown again (no retained context): send the last result again.
      this.ready = true;
      if (this.pending) void this.panel.webview.postMessage(this.pending);
    });
  }

  show(message: ExtensionToWebview): void {
    this.pending = message;
    if (this.ready) void this.panel.webview.postMessage(message);
    this.panel.reveal();
  }

  dispose(): void {
    this.panel.dispose();
  }
}
