/**
 * "ALL-USE Performance: Export Report…": choose a range and where to save, then the server
 * writes the self-contained HTML report (`alluse/report/export`, the same as `alluse-perf
 * report`) while a notification shows progress; "Open" shows it in the browser.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { ReportExportRequest } from '../../protocol/index';

export const EXPORT_REPORT_COMMAND = 'alluse-perf.exportReport';

const RANGES = [
  { label: 'Last 24 hours', range: '24h' },
  { label: 'Last hour', range: '1h' },
  { label: 'Last 7 days', range: '7d' },
  { label: 'Last 30 days', range: '30d' },
];

/**
 * The command takes optional arguments for tests and links: `{ range: '24h', out: '/abs/file.html' }`
 * skips the range pick and the save dialog.
 */
export function registerExportReport(context: vscode.ExtensionContext, lc: LanguageClient, ready: Promise<unknown>, findWorkspaceFile: () => Promise<vscode.Uri | undefined>): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(EXPORT_REPORT_COMMAND, async (arg?: { range?: unknown; out?: unknown }): Promise<ReportExportRequest.Result | undefined> => {
      const file = await findWorkspaceFile();
      if (!file) return undefined;
      const range = typeof arg?.range === 'string' ? arg.range : (await vscode.window.showQuickPick(RANGES, { title: 'Export Report: which time range?' }))?.range;
      if (!range) return undefined;
      let out = typeof arg?.out === 'string' ? vscode.Uri.file(arg.out) : undefined;
      if (!out) {
        const stamp = new Date().toISOString().slice(0, 16).replace(/[:T]/g, '-');
        out = await vscode.window.showSaveDialog({
          title: 'Export ALL-USE Performance Report',
          defaultUri: vscode.Uri.joinPath(file, '..', `alluse-perf-report-${stamp}.html`),
          filters: { 'HTML report': ['html'] },
          saveLabel: 'Export',
        });
      }
      if (!out) return undefined;
      if (out.scheme !== 'file') {
        void vscode.window.showWarningMessage('Export the report to a file on this machine\'s disk (the analysis server writes it).');
        return undefined;
      }
      const target = out;
      // The server reads the components from the analysed alluse-perf.yaml: make sure it is open.
      await vscode.workspace.openTextDocument(file);
      await ready;
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Exporting the ALL-USE Performance report', cancellable: false },
        async (progress) => {
          progress.report({ message: 'health, anomalies, bottlenecks, forecasts, studies and applied changes…' });
          return lc.sendRequest<ReportExportRequest.Result>(ReportExportRequest.method, { uri: file.toString(), range, out: target.fsPath } satisfies ReportExportRequest.Params);
        },
      );
      if (!result.ok) {
        void vscode.window.showWarningMessage(result.message);
        return result;
      }
      void vscode.window.showInformationMessage(`${result.message} (${vscode.workspace.asRelativePath(target)})`, 'Open').then((choice) => {
        if (choice === 'Open') void vscode.env.openExternal(target);
      });
      return result;
    }),
  );
}
