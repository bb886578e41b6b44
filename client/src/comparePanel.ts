/**
 * The comparison view (webview): the progress of an A/B comparison with a Cancel button,
 * then every metric's medians, change with its interval, p-value and verdict, and a
 * box-and-strip plot per metric. Messages from the webview are validated
 * (`parsePanelMessage`, the one validator of every panel, as kind `compare`) before anything acts on them.
 */
import * as vscode from 'vscode';
import { type CompareViewData, type ExtensionToCompareWebview } from '../../protocol/index';
import { parsePanelMessage } from '../../protocol/panelMessages';
import { webviewHtml, webviewOptions } from './webviewHtml';

const COMPARE_CSS = `
  .meta { opacity: 0.75; font-size: 0.9em; }
  .headline { font-size: 1.1em; margin: 8px 0; }
  progress { width: 100%; height: 6px; }
  table { border-collapse: collapse; margin: 6px 0; }
  th, td { text-align: left; padding: 2px 10px 2px 0; border-bottom: 1px solid var(--vscode-panel-border); }
  td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
  .verdict-better .verdict { color: var(--vscode-charts-green); font-weight: 600; }
  .verdict-worse .verdict { color: var(--vscode-charts-red); font-weight: 600; }
  .verdict-none .verdict { color: var(--vscode-charts-orange); }
  .buttons button { background: var(--vscode-button-background); color: var(--vscode-button-foreground); border: none; padding: 4px 10px; margin: 8px 4px 0 0; cursor: pointer; }
  .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 14px; }
  .chart h4 { margin: 4px 0; font-size: 0.9em; font-weight: normal; opacity: 0.85; }
  .canvas-box { position: relative; height: 170px; }
`;

export class ComparePanel implements vscode.Disposable {
  static readonly viewType = 'alluse-perf.compare';
  private readonly panel: vscode.WebviewPanel;
  private ready = false;
  private last: ExtensionToCompareWebview | undefined;
  private disposed = false;
  /** The last result shown (a test seam). */
  data: CompareViewData | undefined;

  constructor(
    extensionUri: vscode.Uri,
    private readonly onCancel: () => void,
    private readonly onRerun: () => void,
    onDispose: () => void,
  ) {
    this.panel = vscode.window.createWebviewPanel(ComparePanel.viewType, 'ALL-USE Compare Configurations', vscode.ViewColumn.Active, webviewOptions(extensionUri));
    this.panel.webview.html = webviewHtml(this.panel.webview, extensionUri, { title: 'Compare Configurations', script: 'compare.js', css: COMPARE_CSS });
    this.panel.onDidDispose(() => {
      this.disposed = true;
      onDispose();
    });
    this.panel.webview.onDidReceiveMessage((raw) => {
      const msg = parsePanelMessage('compare', raw);
      if (!msg) return;
      if (msg.type === 'ready') {
        // The webview reloads when shown again (no retained context): send the last state again.
        this.ready = true;
        if (this.last) void this.panel.webview.postMessage(this.last);
      } else if (msg.type === 'cancel') this.onCancel();
      else this.onRerun();
    });
  }

  private post(m: ExtensionToCompareWebview): void {
    if (this.disposed) return;
    this.last = m;
    if (this.ready) void this.panel.webview.postMessage(m);
  }

  progress(m: Omit<Extract<ExtensionToCompareWebview, { type: 'progress' }>, 'type'>): void {
    this.post({ type: 'progress', ...m });
  }

  show(data: CompareViewData): void {
    this.data = data;
    this.post({ type: 'compare', data });
    this.panel.reveal(undefined, true);
  }

  error(message: string): void {
    this.post({ type: 'error', message });
  }

  reveal(): void {
    this.panel.reveal();
  }

  dispose(): void {
    this.panel.dispose();
  }
}
