/**
 * Coordination in the editor: the Queue view, "Check Recommendation Conflicts" (each conflict
 * and how it was resolved, with the explanation, in a quick pick) and "Allocate Resources…"
 * (runs the allocation as a queue job with cancellable progress, then applies its change set
 * as one WorkspaceEdit: every file changes together and one undo reverts it).
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  CoordinationAllocateRequest,
  CoordinationCancelJobRequest,
  CoordinationConflictsRequest,
  CoordinationQueueNotification,
  CoordinationQueueRequest,
  type AllocationResult,
  type QueueState,
  type Resolution,
} from '../../protocol/index';
import type { GovernorApi } from './governorClient';
import { conflictLines } from './coordinationText';
import { QueueTree } from './queueTree';

export interface CoordinationApi {
  queue(): QueueState | undefined;
  lastConflicts(): CoordinationConflictsRequest.Result | undefined;
  lastAllocation(): AllocationResult | undefined;
}

/** The quick pick items of a conflict check. */
function conflictItems(r: CoordinationConflictsRequest.Result): (vscode.QuickPickItem & { resolution?: Resolution })[] {
  return conflictLines(r).map((l) => ({ label: `$(${l.icon}) ${l.label}`, description: l.description, detail: l.detail, resolution: l.resolution }));
}

export function registerCoordinationCommands(
  context: vscode.ExtensionContext,
  lc: LanguageClient,
  ready: Promise<void>,
  findWorkspaceFile: (quiet?: boolean) => Promise<vscode.Uri | undefined>,
  governor?: GovernorApi,
): CoordinationApi {
  const tree = new QueueTree();
  let conflicts: CoordinationConflictsRequest.Result | undefined;
  let allocation: AllocationResult | undefined;
  context.subscriptions.push(
    vscode.window.registerTreeDataProvider('alluse-perf.queue', tree),
    lc.onNotification(CoordinationQueueNotification.method, (q: CoordinationQueueNotification.Params) => tree.update(q)),
  );
  void ready.then(async () => tree.update(await lc.sendRequest<CoordinationQueueRequest.Result>(CoordinationQueueRequest.method, {}))).catch(() => undefined);

  const workspace = async (): Promise<vscode.Uri | undefined> => {
    const file = await findWorkspaceFile();
    if (!file) return undefined;
    await vscode.workspace.openTextDocument(file); // the server reads files it has analysed
    await ready;
    return file;
  };

  const requireTrust = async (what: string): Promise<boolean> => {
    if (vscode.workspace.isTrusted) return true;
    const pick = await vscode.window.showWarningMessage(`${what} runs the trial command of coordination.allocation, which this restricted workspace does not allow. Trust the folder to run it.`, 'Manage Workspace Trust');
    if (pick) await vscode.commands.executeCommand('workbench.trust.manage');
    return false;
  };

  const ask = async (uri: vscode.Uri, measure: boolean, token?: vscode.CancellationToken) => {
    // A just-opened file may not be analysed yet: ask again briefly.
    let r: CoordinationConflictsRequest.Result | undefined;
    for (let i = 0; i < 20; i++) {
      const params = { uri: uri.toString(), measure, trusted: vscode.workspace.isTrusted } satisfies CoordinationConflictsRequest.Params;
      // Never pass an undefined token: with a method name, vscode-jsonrpc then sends [params, null]
      // as positional parameters and the server's handler gets null where its token belongs.
      r = token
        ? await lc.sendRequest<CoordinationConflictsRequest.Result>(CoordinationConflictsRequest.method, params, token)
        : await lc.sendRequest<CoordinationConflictsRequest.Result>(CoordinationConflictsRequest.method, params);
      if (!r.problems.some((p) => /Open alluse-perf.yaml first/.test(p))) break;
      await new Promise((res) => setTimeout(res, 150));
    }
    return r!;
  };

  const showConflicts = async (uri: vscode.Uri, r: CoordinationConflictsRequest.Result): Promise<void> => {
    conflicts = r;
    for (const p of r.problems) void vscode.window.showWarningMessage(`Coordination: ${p}`);
    if (!r.conflicts.length && !r.withheld.length) {
      void vscode.window.showInformationMessage(`No conflicts among ${r.recommendations.length} recommendation(s).`);
      return;
    }
    const unresolved = r.resolutions.filter((x) => x.method === 'unresolved').length;
    const items = conflictItems(r);
    const MEASURE = '$(beaker) Measure the undecided combinations…';
    if (unresolved) items.push({ label: MEASURE, detail: 'Runs the trial command of coordination.allocation once per combination that fits, and keeps the best.' });
    const pick = await vscode.window.showQuickPick(items, {
      title: `${r.conflicts.length} conflict(s), ${unresolved} unresolved; ${r.offered.length} of ${r.recommendations.length} recommendation(s) offered`,
      placeHolder: 'Each conflict and its resolution (select one to read the full explanation)',
      matchOnDetail: true,
    });
    if (!pick) return;
    if (pick.label === MEASURE) {
      if (!(await requireTrust('Measuring combinations'))) return;
      const measured = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Measuring conflicting recommendations', cancellable: true }, (_p, token) => ask(uri, true, token));
      return showConflicts(uri, measured);
    }
    if (pick.detail) void vscode.window.showInformationMessage(pick.detail, { modal: true });
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('alluse-perf.checkConflicts', async () => {
      const file = await workspace();
      if (!file) return;
      await showConflicts(file, await ask(file, false));
    }),
    vscode.commands.registerCommand('alluse-perf.cancelJob', async (arg: unknown) => {
      const id = typeof arg === 'string' ? arg : (arg as { job?: { id?: unknown } } | undefined)?.job?.id;
      const active = tree.current?.jobs.filter((j) => j.state === 'running' || j.state === 'queued' || j.state === 'held') ?? [];
      const target = typeof id === 'string' ? id : (await vscode.window.showQuickPick(active.map((j) => ({ label: j.label, description: `${j.component} · ${j.state}`, id: j.id })), { placeHolder: 'Cancel which job?' }))?.id;
      if (!target) return;
      const r = await lc.sendRequest<CoordinationCancelJobRequest.Result>(CoordinationCancelJobRequest.method, { id: target } satisfies CoordinationCancelJobRequest.Params);
      if (!r.cancelled) void vscode.window.showInformationMessage('That job has already ended.');
    }),
    vscode.commands.registerCommand('alluse-perf.allocateResources', async (options?: { apply?: boolean }) => {
      const file = await workspace();
      if (!file || !(await requireTrust('Resource allocation'))) return;
      const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Allocating resources (see the Queue view)', cancellable: true }, (_p, token) =>
        lc.sendRequest<CoordinationAllocateRequest.Result>(CoordinationAllocateRequest.method, { uri: file.toString(), trusted: true } satisfies CoordinationAllocateRequest.Params, token),
      );
      if (!r.result) {
        void vscode.window.showWarningMessage(r.message ?? 'Allocation gave no result.');
        return;
      }
      allocation = r.result;
      if (!r.result.edits.length) {
        void vscode.window.showInformationMessage(r.result.explanation);
        return;
      }
      const APPLY = 'Apply as One Change';
      const choice = options?.apply ? APPLY : await vscode.window.showInformationMessage(r.result.explanation, { modal: true, detail: r.result.edits.map((e) => `${e.component} ${e.key}: ${String(e.from)} -> ${String(e.to)}`).join('\n') }, APPLY);
      if (choice !== APPLY) return;
      const edit = new vscode.WorkspaceEdit();
      for (const e of r.result.edits) {
        if (!e.range) continue; // a missing key: nothing to replace in place
        edit.replace(vscode.Uri.file(e.file), new vscode.Range(e.range.start.line, e.range.start.character, e.range.end.line, e.range.end.character), e.text, { label: `Allocate resources: ${e.component} ${e.key}`, needsConfirmation: false });
      }
      // The texts before, so the change history records the allocation (actor `allocation`) per file.
      const changed = [...new Set(r.result.edits.filter((e) => e.range).map((e) => e.file))];
      const before = new Map<string, string>();
      for (const f of changed) before.set(f, (await vscode.workspace.openTextDocument(vscode.Uri.file(f))).getText());
      if (!(await vscode.workspace.applyEdit(edit))) void vscode.window.showErrorMessage('The allocation could not be applied: a file changed meanwhile? Run Allocate Resources again.');
      else {
        for (const f of changed) {
          const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(f));
          await governor?.record(doc.uri, 'allocation', 'resource allocation', before.get(f)!, doc.getText());
        }
        void vscode.window.showInformationMessage(`Allocation applied to ${new Set(r.result.edits.map((e) => e.file)).size} file(s); Undo reverts it in one step.`);
      }
    }),
  );

  return { queue: () => tree.current, lastConflicts: () => conflicts, lastAllocation: () => allocation };
}
