/**
 * The governor in the editor: records applied changes through the server (`alluse/audit/record`,
 * and `alluse/audit/fileSaved` for saves of configuration files), shows regressions with a
 * one-click "Roll back" (or says that the governor rolled back on its own), and the
 * "Change History" command and webview, whose "Revert" undoes any entry.
 *
 * Undo edits come from the server as `workspace/applyEdit` (in-place edits of the values, so
 * comments and formatting stay and Undo works); the client saves the file afterwards so the
 * component reads the restored values.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  AuditChangedNotification,
  AuditFileSavedNotification,
  AuditListRequest,
  AuditRecordRequest,
  AuditRevertRequest,
  GovernorRegressionNotification,
  type AuditActor,
  type AuditEntry,
} from '../../protocol/index';
import { HistoryPanel } from './historyPanel';

export interface GovernorApi {
  /** Records an applied change of a configuration file; call it before saving the file. */
  record(file: vscode.Uri, actor: AuditActor, source: string | undefined, beforeText: string, afterText: string): Promise<AuditEntry | undefined>;
  /** Regression notifications received (tests read them). */
  regressions(): GovernorRegressionNotification.Params[];
  historyPanel(): HistoryPanel | undefined;
}

const describeEdits = (e: AuditEntry) => e.edits.map((d) => `${d.keyPath} ${String(d.before)} → ${String(d.after)}`).join(', ');

export function registerGovernor(context: vscode.ExtensionContext, lc: LanguageClient, ready: Promise<void>, findWorkspaceFile: (quiet?: boolean) => Promise<vscode.Uri | undefined>): GovernorApi {
  let panel: HistoryPanel | undefined;
  const regressions: GovernorRegressionNotification.Params[] = [];

  const saveFile = async (fileUri: string) => {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === fileUri);
    if (doc?.isDirty) await doc.save();
  };

  /** Undoes an entry through the server; `kind` says whether it is a rollback after a regression or a revert from the history. */
  const undo = async (file: vscode.Uri, id: string, kind: 'rollback' | 'revert'): Promise<boolean> => {
    const r = await lc.sendRequest<AuditRevertRequest.Result>(AuditRevertRequest.method, { uri: file.toString(), id, kind } satisfies AuditRevertRequest.Params);
    if (r.fileUri && r.ok) await saveFile(r.fileUri);
    if (r.ok) void vscode.window.showInformationMessage(`${r.message} Recorded in the change history; Undo in the editor brings the change back.`);
    else void vscode.window.showWarningMessage(r.message);
    void panel?.changed();
    return r.ok;
  };

  const openHistory = async () => {
    const file = await findWorkspaceFile();
    if (!file) return;
    await ready;
    if (!panel) {
      panel = new HistoryPanel(
        context.extensionUri,
        file,
        {
          list: (uri) => lc.sendRequest<AuditListRequest.Result>(AuditListRequest.method, { uri } satisfies AuditListRequest.Params),
          // No confirmation: the revert is itself recorded, and Undo in the editor or a revert of the revert brings it back.
          revert: async (id) => void (await undo(file, id, 'revert')),
          open: async (id) => {
            const entry = panel?.last?.entries.find((e) => e.id === id);
            if (entry) await vscode.window.showTextDocument(vscode.Uri.joinPath(file, '..', entry.file));
          },
        },
        () => (panel = undefined),
      );
      context.subscriptions.push(panel);
    }
    panel.reveal();
    await panel.changed();
  };

  const record = async (target: vscode.Uri, actor: AuditActor, source: string | undefined, beforeText: string, afterText: string): Promise<AuditEntry | undefined> => {
    const file = await findWorkspaceFile(true);
    if (!file) return undefined;
    try {
      const r = await lc.sendRequest<AuditRecordRequest.Result>(AuditRecordRequest.method, { uri: file.toString(), file: target.toString(), actor, source, beforeText, afterText } satisfies AuditRecordRequest.Params);
      return r.entry;
    } catch {
      return undefined; // the change stands; only its record is missing
    }
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('alluse-perf.showChangeHistory', openHistory),
    // Run by VS Code after a recommendation's quick fix edited the file (the action's command): records it.
    vscode.commands.registerCommand('alluse-perf.recordQuickFix', async (uri: unknown, beforeText: unknown, title: unknown) => {
      if (typeof uri !== 'string' || typeof beforeText !== 'string') return;
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri);
      if (doc) await record(doc.uri, 'quick-fix', typeof title === 'string' ? title : undefined, beforeText, doc.getText());
    }),
    lc.onNotification(AuditChangedNotification.method, () => void panel?.changed()),
    lc.onNotification(GovernorRegressionNotification.method, async (p: GovernorRegressionNotification.Params) => {
      regressions.push(p);
      const file = vscode.Uri.parse(p.uri);
      const what = `${p.entry.component ?? p.entry.file}: the change ${describeEdits(p.entry)} (${p.entry.actor}, ${new Date(p.entry.time).toLocaleTimeString()})`;
      if (p.rollback) {
        await saveFile(p.fileUri);
        const pick = await vscode.window.showWarningMessage(`ALL-USE governor rolled back ${what}. ${p.reason}${p.rollbackMessage ? ` ${p.rollbackMessage}` : ''}`, 'Show History');
        if (pick) await openHistory();
        return;
      }
      const pick = await vscode.window.showWarningMessage(`ALL-USE governor: ${what} made things worse. ${p.reason}${p.rollbackMessage ? ` ${p.rollbackMessage}` : ''}`, 'Roll back', 'Show History');
      if (pick === 'Roll back') await undo(file, p.entry.id, 'rollback');
      else if (pick === 'Show History') await openHistory();
    }),
    // A component's configuration file saved by hand: the server records it when a value changed.
    vscode.workspace.onDidSaveTextDocument(async (d) => {
      if (d.uri.scheme !== 'file' || /(^|\/)alluse-perf\.ya?ml$/i.test(d.uri.path) || !/\.(ya?ml|json)$/i.test(d.uri.path)) return;
      const file = await findWorkspaceFile(true);
      if (file) void lc.sendNotification(AuditFileSavedNotification.method, { uri: file.toString(), file: d.uri.toString(), text: d.getText() } satisfies AuditFileSavedNotification.Params);
    }),
  );

  return {
    record,
    regressions: () => [...regressions],
    historyPanel: () => panel,
  };
}
