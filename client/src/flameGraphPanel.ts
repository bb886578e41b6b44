/** The flame graph panel of a profile: canvas webview; a click on a frame opens its source. */
import * as vscode from 'vscode';
import type { ExtensionToWebview, FlameGraphData, ProfileResult } from '../../protocol/index';
import { parsePanelMessage } from '../../protocol/panelMessages';
import { webviewHtml, webviewOptions } from './webviewHtml';

const CSS = `
  .header { opacity: 0.85; margin-bottom: 4px; } .info { opacity: 0.75; font-size: 0.9em; margin-bottom: 8px; }
  canvas.flame { display: block; cursor: pointer; }
  .tip { position: fixed; display: none; pointer-events: none; background: var(--vscode-editorHoverWidget-background); color: var(--vscode-editorHoverWidget-foreground); border: 1px solid var(--vscode-editorHoverWidget-border); padding: 3px 6px; max-width: 300px; font-size: 0.9em; }
`;

export function flameData(r: ProfileResult): FlameGraphData {
  return {
    id: r.id, component: r.component, startedAt: r.startedAt, busyMs: r.busyMs, flame: r.flame,
    functions: r.functions.map((f) => ({
      name: f.name, selfPct: f.selfPct, totalPct: f.totalPct, category: f.category,
      uri: f.location && f.mapped ? vscode.Uri.file(f.location.file).toString() : undefined,
      line: f.location && f.mapped ? f.location.line - 1 : undefined,
    })),
  };
}

export class FlameGraphPanel implements vscode.Disposable {
  static readonly viewType = 'alluse-perf.flameGraph';
  private readonly panel: vscode.WebviewPanel;
  private data: FlameGraphData;

  constructor(extensionUri: vscode.Uri, result: ProfileResult, onDispose: () => void) {
    this.data = flameData(result);
    this.panel = vscode.window.createWebviewPanel(FlameGraphPanel.viewType, `Flame Graph: ${result.component}`, vscode.ViewColumn.Active, webviewOptions(extensionUri));
    this.panel.webview.html = webviewHtml(this.panel.webview, extensionUri, { title: `Flame graph: ${result.component}`, script: 'flamegraph.js', css: CSS });
    this.panel.onDidDispose(onDispose);
    this.panel.webview.onDidReceiveMessage(async (raw) => {
      const msg = parsePanelMessage('flamegraph', raw);
      if (!msg) return;
      if (msg.type === 'ready' || msg.type === 'refresh') await this.send();
      if (msg.type === 'reveal') {
        // Only sources of this profile's functions may be opened from the webview.
        if (!this.data.functions.some((f) => f.uri === msg.uri)) return;
        const pos = new vscode.Position(msg.range.start.line, 0);
        await vscode.window.showTextDocument(vscode.Uri.parse(msg.uri), { selection: new vscode.Range(pos, pos), viewColumn: vscode.ViewColumn.One });
      }
    });
  }

  update(result: ProfileResult): void {
    this.data = flameData(result);
    this.panel.title = `Flame Graph: ${result.component}`;
    void this.send();
  }

  private async send(): Promise<void> {
    await this.panel.webview.postMessage({ type: 'flame', data: this.data } satisfies ExtensionToWebview);
  }

  reveal(): void {
    this.panel.reveal();
  }

  dispose(): void {
    this.panel.dispose();
  }
}
