/**
 * The extension's entry point: starts the analysis server, shows its state, and registers
 * the commands and views. All analysis happens in the server (and its engine).
 */
import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';
import { AnalysisDoneNotification, ServerInfoRequest, WorkspaceSummaryRequest } from '../../protocol/index';
import { createAnalysisClient } from './analysisClient';
import { OverviewPanel } from './overviewPanel';
import { ServerStatusItem } from './statusItem';

/** What the extension offers other extensions and its own tests. */
export interface AllUsePerformanceApi {
  whenServerReady(): Promise<void>;
  lastAnalysis(uri: string): { ms: number; diagnostics: number } | undefined;
  /** The running server's process id and counters; rejects while the server is not running. */
  serverInfo(): Promise<ServerInfoRequest.Result>;
}

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<AllUsePerformanceApi> {
  const output = vscode.window.createOutputChannel('ALL-USE Performance', { log: true });
  const status = new ServerStatusItem();
  const analyses = new Map<string, AnalysisDoneNotification.Params>();
  let overview: OverviewPanel | undefined;
  context.subscriptions.push(output, status);

  const lc = createAnalysisClient(context, output, (n) => status.restarted(n));
  client = lc;
  context.subscriptions.push(
    lc.onDidChangeState((e) => {
      if (e.newState === State.Running) status.ready();
      else if (e.newState === State.Stopped) status.stopped('The analysis server is not running. Click to restart it.');
    }),
    lc.onNotification(AnalysisDoneNotification.method, (p: AnalysisDoneNotification.Params) => {
      analyses.set(p.uri, p);
      status.ready(p);
      void overview?.update(p.uri);
    }),
  );

  const ready = lc.start().catch((e: unknown) => {
    const msg = `The ALL-USE Performance analysis server could not start: ${(e as Error).message}. See "ALL-USE Performance: Show Server Output".`;
    status.stopped(msg);
    void vscode.window.showErrorMessage(msg);
    throw e;
  });

  context.subscriptions.push(
    vscode.commands.registerCommand('alluse-perf.showOutput', () => output.show(true)),
    vscode.commands.registerCommand('alluse-perf.restartServer', async () => {
      status.starting();
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Restarting the ALL-USE Performance analysis server' }, () => lc.restart());
    }),
    vscode.commands.registerCommand('alluse-perf.openOverview', async () => {
      const file = await findWorkspaceFile();
      if (!file) {
        void vscode.window.showWarningMessage('No alluse-perf.yaml in this workspace. Create one at the workspace root (see docs/configuration.md).');
        return;
      }
      if (!overview) {
        // The server analyses files that are open; open it (without stealing focus) first.
        await vscode.workspace.openTextDocument(file);
        overview = new OverviewPanel(context.extensionUri, file, (uri) => lc.sendRequest<WorkspaceSummaryRequest.Result>(WorkspaceSummaryRequest.method, { uri }), () => (overview = undefined));
        context.subscriptions.push(overview);
      }
      overview.reveal();
    }),
  );

  return {
    whenServerReady: () => ready,
    lastAnalysis: (uri) => {
      const a = analyses.get(uri);
      return a && { ms: a.ms, diagnostics: a.diagnostics };
    },
    serverInfo: () => lc.sendRequest<ServerInfoRequest.Result>(ServerInfoRequest.method),
  };
}

/** The workspace file: the one in the active editor, else the first in the workspace. */
async function findWorkspaceFile(): Promise<vscode.Uri | undefined> {
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && /alluse-perf\.yaml$/.test(active.path)) return active;
  const found = await vscode.workspace.findFiles('**/alluse-perf.yaml', '**/node_modules/**', 1);
  return found[0];
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
