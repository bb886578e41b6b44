/**
 * Comparing configurations in the editor:
 * - "Compare Configurations…": a configuration file a tuning study edits, measured against a
 *   baseline chosen from the version before its last save, the copies kept in
 *   `.alluse-perf/history/`, or any file;
 * - "Measure this change?": after a save of such a file (off with
 *   `alluse-perf.compare.offerAfterEdit`), the previous saved version against the new one.
 * The extension keeps the last saved text of each of these files as it saw it, so the
 * "before" needs no git. The server runs the study's trial command for both versions,
 * alternating (`alluse/compare/run`, progress as `alluse/compare/progress`), and the
 * comparison view shows the result. Running needs a trusted workspace.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { CompareProgressNotification, CompareRunRequest, StudyListRequest, type CompareViewData, type StudyInfo } from '../../protocol/index';
import { ComparePanel } from './comparePanel';

export const COMPARE_COMMAND = 'alluse-perf.compareConfigurations';

interface Job {
  workspace: vscode.Uri;
  config: vscode.Uri;
  before: string;
  after: string;
  labels: { a: string; b: string };
}

export interface CompareApi {
  /** The last comparison result (tests). */
  lastResult(): CompareViewData | undefined;
}

export function registerCompare(
  context: vscode.ExtensionContext,
  lc: LanguageClient,
  ready: Promise<unknown>,
  findWorkspaceFile: (quiet?: boolean) => Promise<vscode.Uri | undefined>,
): CompareApi {
  /** fsPath of a configuration file -> its last saved text as the extension saw it. */
  const saved = new Map<string, string>();
  /** fsPath -> the saved text before the last save (what "Measure this change?" compared against). */
  const beforeLastSave = new Map<string, string>();
  /** fsPath -> the studies that edit it. */
  let studiesByFile = new Map<string, StudyInfo[]>();
  let panel: ComparePanel | undefined;
  let running: vscode.CancellationTokenSource | undefined;
  let lastJob: Job | undefined;
  let lastResult: CompareViewData | undefined;
  const progressHandlers = new Map<string, (p: CompareProgressNotification.Params) => void>();

  const readText = async (uri: vscode.Uri): Promise<string | undefined> => {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open && !open.isDirty) return open.getText();
    try {
      return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    } catch {
      return undefined;
    }
  };

  /** Learns which files studies edit, and remembers their saved text (once, so a save can show what changed). */
  const refresh = async (): Promise<vscode.Uri | undefined> => {
    const file = await findWorkspaceFile(true);
    if (!file) return undefined;
    await vscode.workspace.openTextDocument(file); // the server reads the studies of files it has analysed
    await ready;
    const list = await lc.sendRequest<StudyListRequest.Result>(StudyListRequest.method, { uri: file.toString() } satisfies StudyListRequest.Params);
    const next = new Map<string, StudyInfo[]>();
    for (const s of list.studies) if (s.configFile) next.set(vscode.Uri.file(s.configFile).fsPath, [...(next.get(vscode.Uri.file(s.configFile).fsPath) ?? []), s]);
    studiesByFile = next;
    for (const path of next.keys()) {
      if (saved.has(path)) continue;
      const text = await readText(vscode.Uri.file(path));
      if (text !== undefined) saved.set(path, text);
    }
    return file;
  };

  context.subscriptions.push(
    lc.onNotification(CompareProgressNotification.method, (p: CompareProgressNotification.Params) => progressHandlers.get(p.id)?.(p)),
  );

  const requireTrust = async (): Promise<boolean> => {
    if (vscode.workspace.isTrusted) return true;
    const pick = await vscode.window.showWarningMessage("Comparing configurations runs the study's trial command, which this restricted workspace does not allow. Trust the folder to run it.", 'Manage Workspace Trust');
    if (pick) await vscode.commands.executeCommand('workbench.trust.manage');
    return false;
  };

  const run = async (job: Job): Promise<void> => {
    if (!(await requireTrust())) return;
    if (running) {
      void vscode.window.showWarningMessage('A comparison is already running; cancel it first (Cancel in the comparison view or the notification).');
      return;
    }
    lastJob = job;
    const repeats = vscode.workspace.getConfiguration('alluse-perf').get<number>('compare.repeats', 5);
    panel ??= new ComparePanel(context.extensionUri, () => running?.cancel(), () => lastJob && void run(lastJob), () => (panel = undefined));
    panel.reveal();
    const configLabel = vscode.workspace.asRelativePath(job.config);
    panel.progress({ done: 0, total: 2 * (repeats + 1), message: 'Starting…', labels: job.labels, configFile: configLabel });
    const id = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
    const source = new vscode.CancellationTokenSource();
    running = source;
    try {
      const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Comparing ${configLabel}`, cancellable: true }, async (progress, token) => {
        token.onCancellationRequested(() => source.cancel());
        let last = 0;
        progressHandlers.set(id, (p) => {
          progress.report({ message: `${p.done}/${p.total} runs`, increment: ((p.done - last) / Math.max(1, p.total)) * 100 });
          last = p.done;
          panel?.progress({ done: p.done, total: p.total, message: p.message, labels: job.labels, configFile: configLabel });
        });
        const params: CompareRunRequest.Params = { uri: job.workspace.toString(), configUri: job.config.toString(), before: job.before, after: job.after, labels: job.labels, repeats, trusted: vscode.workspace.isTrusted, id };
        return lc.sendRequest<CompareRunRequest.Result>(CompareRunRequest.method, params, source.token);
      });
      if (result.ok) {
        lastResult = result.data;
        panel?.show({ ...result.data, configFile: vscode.workspace.asRelativePath(result.data.configFile) });
      } else {
        panel?.error(result.message);
        void vscode.window.showWarningMessage(result.message);
      }
    } catch (e) {
      const cancelled = source.token.isCancellationRequested;
      const message = cancelled ? 'The comparison was cancelled.' : `The comparison failed: ${(e as Error).message}`;
      panel?.error(message);
      if (!cancelled) void vscode.window.showErrorMessage(message);
    } finally {
      progressHandlers.delete(id);
      running = undefined;
      source.dispose();
    }
  };

  /** The kept copies of a configuration file in .alluse-perf/history, newest first. */
  const historyCopies = async (workspace: vscode.Uri, config: vscode.Uri): Promise<vscode.Uri[]> => {
    const dir = vscode.Uri.joinPath(workspace, '..', '.alluse-perf', 'history');
    const base = config.path.split('/').pop()!;
    try {
      const entries = await vscode.workspace.fs.readDirectory(dir);
      return entries
        .filter(([n, t]) => t === vscode.FileType.File && n.endsWith(`-${base}`))
        .map(([n]) => n)
        .sort()
        .reverse()
        .map((n) => vscode.Uri.joinPath(dir, n));
    } catch {
      return [];
    }
  };

  context.subscriptions.push(
    vscode.commands.registerCommand(COMPARE_COMMAND, async () => {
      const workspace = await refresh().catch(() => undefined);
      if (!workspace) return void vscode.window.showWarningMessage('No alluse-perf.yaml in this workspace: comparing uses the trial command of one of its tuning studies.');
      if (!studiesByFile.size) return void vscode.window.showWarningMessage('No tuning study of alluse-perf.yaml edits a configuration file (configFile), so there is no trial command to compare with. Add one (see docs/tuning.md).');
      const files = [...studiesByFile.entries()];
      const picked = files.length === 1 ? files[0] : (await vscode.window.showQuickPick(files.map((f) => ({ label: vscode.workspace.asRelativePath(f[0]), description: `study ${f[1].map((s) => s.name).join(', ')}`, f })), { title: 'Compare Configurations: which configuration file?' }))?.f;
      if (!picked) return;
      const config = vscode.Uri.file(picked[0]);
      const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === config.fsPath);
      const after = open?.getText() ?? (await readText(config));
      if (after === undefined) return void vscode.window.showWarningMessage(`Cannot read ${vscode.workspace.asRelativePath(config)}.`);
      type Item = vscode.QuickPickItem & { text?: () => Promise<string | undefined> };
      const items: Item[] = [];
      const previous = beforeLastSave.get(config.fsPath);
      if (previous !== undefined && previous !== after) items.push({ label: 'The version before the last save', description: 'as the editor saw it', text: async () => previous });
      for (const copy of await historyCopies(workspace, config)) items.push({ label: copy.path.split('/').pop()!, description: '.alluse-perf/history', text: () => readText(copy) });
      items.push({ label: 'Another file…', text: async () => {
        const chosen = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Use as baseline (A)', defaultUri: config });
        return chosen?.[0] ? readText(chosen[0]) : undefined;
      } });
      const base = await vscode.window.showQuickPick(items, { title: `Compare ${vscode.workspace.asRelativePath(config)}${open?.isDirty ? ' (unsaved text)' : ''} (B) against which baseline (A)?` });
      const before = await base?.text?.();
      if (before === undefined || !base) return;
      await run({ workspace, config, before, after, labels: { a: base.label === 'The version before the last save' ? 'before the last save' : base.label, b: open?.isDirty ? 'current (unsaved) text' : 'current' } });
    }),
    vscode.workspace.onDidOpenTextDocument((d) => {
      if (d.uri.scheme === 'file' && studiesByFile.has(d.uri.fsPath) && !saved.has(d.uri.fsPath) && !d.isDirty) saved.set(d.uri.fsPath, d.getText());
    }),
    vscode.workspace.onDidSaveTextDocument(async (d) => {
      if (d.uri.scheme !== 'file') return;
      if (/(^|\/)alluse-perf\.ya?ml$/.test(d.uri.path)) return void refresh().catch(() => undefined);
      const path = d.uri.fsPath;
      if (!studiesByFile.has(path)) return;
      const before = saved.get(path);
      const after = d.getText();
      saved.set(path, after);
      if (before === undefined || before === after) return;
      beforeLastSave.set(path, before);
      if (!vscode.workspace.getConfiguration('alluse-perf').get<boolean>('compare.offerAfterEdit', true)) return;
      const rel = vscode.workspace.asRelativePath(d.uri);
      const study = studiesByFile.get(path)![0];
      const pick = await vscode.window.showInformationMessage(`Measure this change to ${rel}? The trial command of study "${study.name}" runs for the previous and the saved version, alternating.`, 'Measure', "Don't Offer Again");
      if (pick === "Don't Offer Again") await vscode.workspace.getConfiguration('alluse-perf').update('compare.offerAfterEdit', false, vscode.ConfigurationTarget.Workspace);
      if (pick !== 'Measure') return;
      const workspace = await findWorkspaceFile(true);
      if (workspace) await run({ workspace, config: d.uri, before, after, labels: { a: 'before the save', b: 'saved' } });
    }),
  );
  // Learn the files (and their saved text) once the server is up.
  void ready.then(() => refresh()).catch(() => undefined);
  return { lastResult: () => lastResult };
}
