/**
 * The "ALL-USE Dashboard" webview: live charts of the monitored system. It polls the server
 * once a second while it is visible and not at all while hidden.
 */
import * as vscode from 'vscode';
import type { DashboardDataRequest, ExtensionToWebview, RangeName } from '../../protocol/index';
import { parsePanelMessage } from '../../protocol/panelMessages';
import { webviewHtml, webviewOptions } from './webviewHtml';

const REFRESH_MS = 1000;

const DASHBOARD_CSS = `
  .header { display: flex; gap: 16px; align-items: center; flex-wrap: wrap; }
  .ranges button { background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground); border: none; padding: 3px 10px; margin-right: 2px; cursor: pointer; }
  .ranges button.active { background: var(--vscode-button-background); color: var(--vscode-button-foreground); }
  .cost { opacity: 0.75; font-size: 0.9em; }
  .alert { padding: 4px 8px; margin: 4px 0; border-left: 3px solid var(--vscode-editorWarning-foreground); }
  .alert.critical { border-color: var(--vscode-editorError-foreground); }
  .alert.info { border-color: var(--vscode-editorInfo-foreground); }
  .system, .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 12px; }
  .component { border-top: 1px solid var(--vscode-panel-border); margin-top: 12px; }
  .component h3 { font-size: 1em; }
  .state.up { color: var(--vscode-charts-green); } .state.down { color: var(--vscode-charts-red); }
  .chart h4 { margin: 4px 0; font-size: 0.9em; font-weight: normal; opacity: 0.85; }
  .canvas-box { position: relative; height: 160px; }
`;

export class DashboardPanel implements vscode.Disposable {
  static readonly viewType = 'alluse-perf.dashboard';
  private readonly panel: vscode.WebviewPanel;
  private range: RangeName = '5m';
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;
  /** How many times this panel asked for data (read by tests through the API's dashboardPolls()). */
  private fetches = 0;

  constructor(
    extensionUri: vscode.Uri,
    private readonly workspaceFile: vscode.Uri,
    private readonly fetchData: (uri: string, range: RangeName) => Promise<DashboardDataRequest.Result>,
    onDispose: () => void,
  ) {
    this.panel = vscode.window.createWebviewPanel(DashboardPanel.viewType, 'ALL-USE Dashboard', vscode.ViewColumn.Active, webviewOptions(extensionUri));
    this.panel.webview.html = webviewHtml(this.panel.webview, extensionUri, { title: 'ALL-USE Dashboard', script: 'dashboard.js', css: DASHBOARD_CSS });
    this.panel.onDidDispose(() => {
      this.disposed = true;
      clearTimeout(this.timer);
      onDispose();
    });
    // Poll only while visible: hidden dashboards cost nothing.
    this.panel.onDidChangeViewState(() => (this.panel.visible ? this.schedule(0) : clearTimeout(this.timer)));
    this.panel.webview.onDidReceiveMessage((raw) => {
      const msg = parsePanelMessage('dashboard', raw);
      if (!msg) return;
      if (msg.type === 'setRange') this.range = msg.range;
      if (msg.type === 'ready' || msg.type === 'refresh' || msg.type === 'setRange') this.schedule(0);
    });
  }

  reveal(): void {
    this.panel.reveal();
  }

  /** Fetches made so far: a test seam to check that polling stops while hidden. */
  get polls(): number {
    return this.fetches;
  }

  private schedule(delay: number): void {
    clearTimeout(this.timer);
    if (this.disposed || !this.panel.visible) return;
    this.timer = setTimeout(() => void this.refresh(), delay);
  }

  private async refresh(): Promise<void> {
    let message: ExtensionToWebview;
    try {
      this.fetches++;
      const data = await this.fetchData(this.workspaceFile.toString(), this.range);
      message = data ? { type: 'dashboard', data } : { type: 'error', message: 'Monitoring is not running. Run "ALL-USE Performance: Start Monitoring".' };
    } catch (e) {
      message = { type: 'error', message: `The analysis server did not answer: ${(e as Error).message}` };
    }
    if (this.disposed) return;
    await this.panel.webview.postMessage(message);
    this.schedule(REFRESH_MS);
  }

  dispose(): void {
    this.panel.dispose();
  }
}
