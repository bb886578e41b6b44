/**
 * The "Capacity Planning" webview: per component, the CPU and memory needed at a load the
 * user types or after some months of the measured growth, with intervals, the limits and the
 * resource that runs out first, over a chart of use against load. It asks the server
 * (`alluse/capacityPlan`) only when the user asks for a plan; nothing polls.
 */
import * as vscode from 'vscode';
import type { CapacityPlanRequest, CapacityQuery, ExtensionToWebview } from '../../protocol/index';
import { parsePanelMessage } from '../../protocol/panelMessages';
import { webviewHtml, webviewOptions } from './webviewHtml';

const CAPACITY_CSS = `
  form { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; margin-bottom: 12px; }
  input[type=number] { width: 8em; background: var(--vscode-input-background); color: var(--vscode-input-foreground); border: 1px solid var(--vscode-input-border, transparent); padding: 2px 4px; }
  button { background: var(--vscode-button-background); color: var(--vscode-button-foreground); border: none; padding: 4px 12px; cursor: pointer; }
  .component { border-top: 1px solid var(--vscode-panel-border); margin-top: 12px; }
  .component h3 { font-size: 1em; }
  .note { opacity: 0.8; }
  .first { font-weight: bold; }
  .over { color: var(--vscode-editorWarning-foreground); }
  table { border-collapse: collapse; margin: 6px 0; }
  th, td { text-align: left; padding: 2px 12px 2px 0; }
  .charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 12px; }
  .canvas-box { position: relative; height: 200px; }
`;

export class CapacityPanel implements vscode.Disposable {
  static readonly viewType = 'alluse-perf.capacity';
  private readonly panel: vscode.WebviewPanel;
  private query: CapacityQuery = {};
  /** How many plans were sent to the webview (tests wait on it). */
  plansSent = 0;

  constructor(
    extensionUri: vscode.Uri,
    private readonly workspaceFile: vscode.Uri,
    private readonly fetchPlan: (params: CapacityPlanRequest.Params) => Promise<CapacityPlanRequest.Result>,
    onDispose: () => void,
  ) {
    this.panel = vscode.window.createWebviewPanel(CapacityPanel.viewType, 'ALL-USE Capacity Planning', vscode.ViewColumn.Active, webviewOptions(extensionUri));
    this.panel.webview.html = webviewHtml(this.panel.webview, extensionUri, { title: 'Capacity Planning', script: 'capacity.js', css: CAPACITY_CSS });
    this.panel.onDidDispose(onDispose);
    this.panel.webview.onDidReceiveMessage((raw) => {
      const msg = parsePanelMessage('capacity', raw);
      if (!msg) return;
      if (msg.type === 'planCapacity') this.query = msg.query;
      if (msg.type === 'ready' || msg.type === 'refresh' || msg.type === 'planCapacity') void this.send();
    });
  }

  reveal(): void {
    this.panel.reveal();
  }

  private async send(): Promise<void> {
    let message: ExtensionToWebview;
    try {
      const r = await this.fetchPlan({ uri: this.workspaceFile.toString(), ...this.query });
      message = { type: 'capacity', query: this.query, plans: r.plans, message: r.message };
    } catch (e) {
      message = { type: 'error', message: `The analysis server did not answer: ${(e as Error).message}` };
    }
    await this.panel.webview.postMessage(message);
    this.plansSent++;
  }

  dispose(): void {
    this.panel.dispose();
  }
}
