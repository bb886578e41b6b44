/**
 * The tuning commands: run, cancel, open and re-measure a study; apply its recommendation
 * to the component's configuration file (a WorkspaceEdit, so undo works, after a copy of the
 * file is kept under `.alluse-perf/history/`) and revert to that copy; the quick fixes of
 * `tuning-recommendation` diagnostics. Running anything needs a trusted workspace.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  StudyCancelRequest,
  StudyCodeActionsRequest,
  StudyEditsRequest,
  StudyListRequest,
  StudyProgressNotification,
  StudyRecheckNotification,
  StudyRemeasureRequest,
  StudyResultRequest,
  StudyRunRequest,
  TUNING_RECOMMENDATION_CODE,
  type StudyInfo,
} from '../../protocol/index';
import type { GovernorApi } from './governorClient';
import { StudyPanel } from './studyPanel';
import { requireTrust as requireWorkspaceTrust } from './workspaceTrust';
import { StudiesTree } from './studiesTree';

export interface StudyApi {
  /** The open study views (tests read their fetch counts). */
  panels(): StudyPanel[];
  /** Resolves when the study's current work ends (for tests); the value is how it ended. */
  whenStudyIdle(study: string): Promise<string>;
}

/** A kept copy of a configuration file before recommendations were applied. */
interface HistoryEntry {
  file: string;
  copy: string;
  study: string;
  at: string;
}

/** A study named by a command's argument: its name, or a node of the Studies tree (inline actions). */
function studyName(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  const s = (arg as { s?: { name?: unknown } } | undefined)?.s?.name;
  return typeof s === 'string' ? s : undefined;
}

export function registerStudyCommands(
  context: vscode.ExtensionContext,
  lc: LanguageClient,
  ready: Promise<void>,
  findWorkspaceFile: (quiet?: boolean) => Promise<vscode.Uri | undefined>,
  governor?: GovernorApi,
): StudyApi {
  const panels = new Map<string, StudyPanel>();
  const running = new Map<string, StudyProgressNotification.Params>();
  const idleWaiters = new Map<string, ((ended: string) => void)[]>();
  const progressListeners = new Set<(p: StudyProgressNotification.Params) => void>();
  const tree = new StudiesTree();
  context.subscriptions.push(vscode.window.registerTreeDataProvider('alluse-perf.studies', tree));
  /** Refreshes the Studies tree (and, on the server, the recommendation diagnostics). */
  const refreshList = async (file: vscode.Uri) => {
    const list = await lc.sendRequest<StudyListRequest.Result>(StudyListRequest.method, { uri: file.toString() } satisfies StudyListRequest.Params);
    tree.update(list.studies, list.message);
    return list;
  };

  context.subscriptions.push(
    lc.onNotification(StudyProgressNotification.method, (p: StudyProgressNotification.Params) => {
      if (p.phase === 'idle') {
        running.delete(p.study);
        for (const w of idleWaiters.get(p.study) ?? []) w(p.ended ?? 'finished');
        idleWaiters.delete(p.study);
      } else running.set(p.study, p);
      tree.onProgress(p);
      if (p.phase === 'idle') void findWorkspaceFile(true).then((f) => f && refreshList(f)).catch(() => undefined);
      for (const l of progressListeners) l(p);
      panels.get(p.study)?.changed();
    }),
  );

  /** True when the workspace is trusted; otherwise says why not and offers to manage trust. */
  const requireTrust = (what: string): boolean => requireWorkspaceTrust(what, "runs the study's trial command");

  const workspace = async (): Promise<vscode.Uri | undefined> => {
    const file = await findWorkspaceFile();
    if (!file) return undefined;
    await vscode.workspace.openTextDocument(file); // the server reads the studies of files it has analysed
    await ready;
    return file;
  };

  /** The study to act on: the argument, the only one, or the user's pick. */
  const pickStudy = async (file: vscode.Uri, arg: unknown, filter?: (s: StudyInfo) => boolean): Promise<StudyInfo | undefined> => {
    // The server may not have analysed a just-opened file yet: ask again briefly.
    let list: StudyListRequest.Result = { studies: [] };
    for (let i = 0; i < 20; i++) {
      list = await refreshList(file);
      if (list.studies.length || !/Open alluse-perf.yaml first/.test(list.message ?? '')) break;
      await new Promise((r) => setTimeout(r, 150));
    }
    const studies = list.studies.filter(filter ?? (() => true));
    arg = studyName(arg);
    if (typeof arg === 'string') {
      const s = list.studies.find((x) => x.name === arg);
      if (!s) void vscode.window.showWarningMessage(`No study named "${arg}" in alluse-perf.yaml.`);
      return s;
    }
    if (!studies.length) {
      void vscode.window.showInformationMessage(list.message ?? (filter ? 'No study matches (none is running?).' : 'alluse-perf.yaml has no tuning studies.'));
      return undefined;
    }
    if (studies.length === 1) return studies[0];
    const pick = await vscode.window.showQuickPick(
      studies.map((s) => ({ label: s.name, description: `${s.finished}/${s.budget} trials${s.running ? ', running' : ''}`, detail: `${s.objectives.map((o) => `${o.direction} ${o.name}`).join(', ')}${s.constraints.length ? ` subject to ${s.constraints.join(', ')}` : ''}`, s })),
      { title: 'Tuning study', placeHolder: 'Which study?' },
    );
    return pick?.s;
  };

  const openPanel = (file: vscode.Uri, study: string): StudyPanel => {
    let p = panels.get(study);
    if (!p) {
      p = new StudyPanel(
        context.extensionUri,
        file,
        study,
        (uri, s) => lc.sendRequest<StudyResultRequest.Result>(StudyResultRequest.method, { uri, study: s } satisfies StudyResultRequest.Params),
        (command) => void vscode.commands.executeCommand(COMMANDS[command], study),
        () => panels.delete(study),
      );
      panels.set(study, p);
      context.subscriptions.push(p);
    }
    p.reveal();
    return p;
  };

  /** Shows the work's progress (notification with a cancel button) until the study reports it ended. */
  const follow = (file: vscode.Uri, study: string, title: string): Thenable<void> =>
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
      return new Promise<void>((resolve) => {
        let last = 0;
        const listener = (p: StudyProgressNotification.Params) => {
          if (p.study !== study) return;
          if (p.phase === 'idle') {
            progressListeners.delete(listener);
            resolve();
            const show = p.ended === 'failed' ? vscode.window.showErrorMessage : vscode.window.showInformationMessage;
            void show(p.message, 'Open Study').then((a) => a && openPanel(file, study));
            return;
          }
          const pct = p.total ? (100 * p.done) / p.total : 0;
          progress.report({ message: `${p.done}/${p.total} · ${p.message}`, increment: Math.max(0, pct - last) });
          last = Math.max(last, pct);
        };
        progressListeners.add(listener);
        // A very short piece of work may have ended before the listener was added.
        void lc.sendRequest<StudyListRequest.Result>(StudyListRequest.method, { uri: file.toString() } satisfies StudyListRequest.Params).then((l) => {
          if (!l.studies.find((x) => x.name === study)?.running && progressListeners.delete(listener)) resolve();
        }, () => undefined);
        token.onCancellationRequested(() => void lc.sendRequest(StudyCancelRequest.method, { uri: file.toString(), study } satisfies StudyCancelRequest.Params));
      });
    });

  const historyDir = (file: vscode.Uri) => vscode.Uri.joinPath(file, '..', '.alluse-perf', 'history');

  const COMMANDS = {
    run: 'alluse-perf.runStudy',
    cancel: 'alluse-perf.cancelStudy',
    remeasure: 'alluse-perf.remeasureStudy',
    applyAll: 'alluse-perf.applyRecommendations',
    revert: 'alluse-perf.revertRecommendations',
  } as const;

  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.run, async (arg?: unknown, budget?: unknown) => {
      if (!requireTrust('Running a tuning study')) return;
      const file = await workspace();
      if (!file) return;
      const s = await pickStudy(file, arg);
      if (!s) return;
      const r = await lc.sendRequest<StudyRunRequest.Result>(StudyRunRequest.method, { uri: file.toString(), study: s.name, trusted: vscode.workspace.isTrusted, ...(typeof budget === 'number' ? { budget } : {}) } satisfies StudyRunRequest.Params);
      if (!r.started) return void vscode.window.showWarningMessage(r.message);
      if (/ queued: held: /.test(r.message)) {
        // Held by the job queue while the component has a firing alert: the user may run it anyway.
        void vscode.window.showWarningMessage(r.message, 'Run Anyway').then(async (pick) => {
          if (pick !== 'Run Anyway') return;
          await lc.sendRequest<StudyCancelRequest.Result>(StudyCancelRequest.method, { uri: file.toString(), study: s.name } satisfies StudyCancelRequest.Params);
          const forced = await lc.sendRequest<StudyRunRequest.Result>(StudyRunRequest.method, { uri: file.toString(), study: s.name, trusted: vscode.workspace.isTrusted, force: true, ...(typeof budget === 'number' ? { budget } : {}) } satisfies StudyRunRequest.Params);
          if (!forced.started) void vscode.window.showWarningMessage(forced.message);
          else void follow(file, s.name, `Tuning study "${s.name}"`);
        });
      }
      openPanel(file, s.name);
      void follow(file, s.name, `Tuning study "${s.name}"`);
    }),
    vscode.commands.registerCommand(COMMANDS.cancel, async (arg?: unknown) => {
      const file = await workspace();
      if (!file) return;
      const name = studyName(arg) ?? (running.size === 1 ? [...running.keys()][0] : (await pickStudy(file, undefined, (s) => s.running))?.name);
      if (!name) return;
      const r = await lc.sendRequest<StudyCancelRequest.Result>(StudyCancelRequest.method, { uri: file.toString(), study: name } satisfies StudyCancelRequest.Params);
      if (!r.cancelled) void vscode.window.showInformationMessage(`Study "${name}" is not running.`);
    }),
    vscode.commands.registerCommand('alluse-perf.openStudy', async (arg?: unknown) => {
      const file = await workspace();
      if (!file) return;
      const s = await pickStudy(file, arg);
      if (s) openPanel(file, s.name);
    }),
    vscode.commands.registerCommand(COMMANDS.remeasure, async (arg?: unknown, pairs?: unknown) => {
      if (!requireTrust('Re-measuring a recommendation')) return;
      const file = await workspace();
      if (!file) return;
      const s = await pickStudy(file, arg);
      if (!s) return;
      const r = await lc.sendRequest<StudyRemeasureRequest.Result>(StudyRemeasureRequest.method, { uri: file.toString(), study: s.name, trusted: vscode.workspace.isTrusted, ...(typeof pairs === 'number' ? { pairs } : {}) } satisfies StudyRemeasureRequest.Params);
      if (!r.started) return void vscode.window.showWarningMessage(r.message);
      panels.get(s.name)?.changed();
      void follow(file, s.name, `Re-measuring the recommendation of "${s.name}"`);
    }),
    vscode.commands.registerCommand(COMMANDS.applyAll, async (arg?: unknown) => {
      const file = await workspace();
      if (!file) return;
      const s = await pickStudy(file, arg);
      if (!s) return;
      const r = await lc.sendRequest<StudyEditsRequest.Result>(StudyEditsRequest.method, { uri: file.toString(), study: s.name } satisfies StudyEditsRequest.Params);
      if (!r.configUri || !r.edits.length) return void vscode.window.showInformationMessage(r.message);
      const target = vscode.Uri.parse(r.configUri);
      const doc = await vscode.workspace.openTextDocument(target);
      if (doc.isDirty) return void vscode.window.showWarningMessage(`${vscode.workspace.asRelativePath(target)} has unsaved changes; save or discard them first, then apply the recommendations.`);
      // Keep the previous version: a timestamped copy and a note of where it came from.
      const dir = historyDir(file);
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const base = target.path.split('/').pop()!;
      const copy = vscode.Uri.joinPath(dir, `${stamp}-${base}`);
      await vscode.workspace.fs.createDirectory(dir);
      await vscode.workspace.fs.writeFile(copy, new TextEncoder().encode(doc.getText()));
      const entry: HistoryEntry = { file: target.toString(), copy: copy.toString(), study: s.name, at: new Date().toISOString() };
      await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(dir, `${stamp}-${base}.json`), new TextEncoder().encode(JSON.stringify(entry, null, 2)));
      const edit = new vscode.WorkspaceEdit();
      for (const e of r.edits) edit.replace(target, new vscode.Range(e.range.start.line, e.range.start.character, e.range.end.line, e.range.end.character), e.newText);
      const beforeText = doc.getText();
      if (!(await vscode.workspace.applyEdit(edit))) return void vscode.window.showErrorMessage(`The recommendations could not be applied to ${vscode.workspace.asRelativePath(target)} (was it changed meanwhile?).`);
      // Recorded in the change history (and watched by the governor) before the save, so the save is not recorded twice.
      await governor?.record(target, 'apply-all', `study "${s.name}"`, beforeText, doc.getText());
      await doc.save();
      void lc.sendNotification(StudyRecheckNotification.method, { uri: target.toString() } satisfies StudyRecheckNotification.Params);
      panels.get(s.name)?.changed();
      void vscode.window.showInformationMessage(`Applied to ${vscode.workspace.asRelativePath(target)}: ${r.message} The previous version is kept in ${vscode.workspace.asRelativePath(copy)}; "Revert Applied Recommendations" restores it.`);
    }),
    vscode.commands.registerCommand(COMMANDS.revert, async () => {
      const file = await workspace();
      if (!file) return;
      const dir = historyDir(file);
      let names: string[] = [];
      try {
        names = (await vscode.workspace.fs.readDirectory(dir)).map(([n]) => n).filter((n) => n.endsWith('.json')).sort().reverse();
      } catch {
        /* no history yet */
      }
      if (!names.length) return void vscode.window.showInformationMessage('Nothing to revert: no recommendations were applied from this workspace (.alluse-perf/history is empty).');
      const entries: HistoryEntry[] = [];
      for (const n of names) {
        try {
          entries.push(JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(dir, n)))) as HistoryEntry);
        } catch {
          /* a damaged note: skipped */
        }
      }
      const pick =
        entries.length === 1
          ? entries[0]
          : (await vscode.window.showQuickPick(entries.map((e) => ({ label: vscode.workspace.asRelativePath(vscode.Uri.parse(e.file)), description: `before applying "${e.study}" on ${new Date(e.at).toLocaleString()}`, e })), { title: 'Revert to the version before…' }))?.e;
      if (!pick) return;
      const target = vscode.Uri.parse(pick.file);
      const previous = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.parse(pick.copy)));
      const doc = await vscode.workspace.openTextDocument(target);
      const edit = new vscode.WorkspaceEdit();
      edit.replace(target, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), previous);
      const beforeText = doc.getText();
      if (!(await vscode.workspace.applyEdit(edit))) return void vscode.window.showErrorMessage(`Could not revert ${vscode.workspace.asRelativePath(target)}.`);
      await governor?.record(target, 'revert', `revert to the version before study "${pick.study}"`, beforeText, doc.getText());
      await doc.save();
      void lc.sendNotification(StudyRecheckNotification.method, { uri: target.toString() } satisfies StudyRecheckNotification.Params);
      for (const p of panels.values()) p.changed();
      void vscode.window.showInformationMessage(`Reverted ${vscode.workspace.asRelativePath(target)} to the version of ${new Date(pick.at).toLocaleString()}.`);
    }),
    // A saved configuration file may have changed a recommended key: show its diagnostics again.
    vscode.workspace.onDidSaveTextDocument((d) => {
      if (d.languageId === 'yaml' || d.uri.path.endsWith('.json')) void lc.sendNotification(StudyRecheckNotification.method, { uri: d.uri.toString() } satisfies StudyRecheckNotification.Params);
    }),
    // The quick fixes of recommendation diagnostics in configuration files, which the language client's selector does not cover.
    vscode.languages.registerCodeActionsProvider(
      [{ scheme: 'file', language: 'yaml' }, { scheme: 'file', language: 'json' }],
      {
        async provideCodeActions(doc, _range, ctx, token) {
          const asked = ctx.diagnostics.filter((d) => d.code === TUNING_RECOMMENDATION_CODE || (typeof d.code === 'object' && d.code?.value === TUNING_RECOMMENDATION_CODE));
          if (!asked.length) return [];
          const diagnostics = asked.map((d) => ({ range: { start: { line: d.range.start.line, character: d.range.start.character }, end: { line: d.range.end.line, character: d.range.end.character } }, code: TUNING_RECOMMENDATION_CODE, source: d.source, message: d.message }));
          const result = await lc.sendRequest<StudyCodeActionsRequest.Result>(StudyCodeActionsRequest.method, { uri: doc.uri.toString(), diagnostics } satisfies StudyCodeActionsRequest.Params, token);
          const actions = (await lc.protocol2CodeConverter.asCodeActionResult(result as never, token)) as vscode.CodeAction[];
          // Point each action at VS Code's own diagnostic objects, so the lightbulb and Problems panel link them.
          for (const a of actions) a.diagnostics = asked.filter((d) => a.diagnostics?.some((x) => x.range.isEqual(d.range)));
          // After VS Code applies a fix, its command records the change in the history (the text before is the text now).
          const before = doc.getText();
          for (const a of actions) if (a.edit && !a.command) a.command = { command: 'alluse-perf.recordQuickFix', title: 'Record the change', arguments: [doc.uri.toString(), before, a.title] };
          return actions;
        },
      },
      { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
    ),
  );

  // The recommendation diagnostics of studies run before (CLI or editor) appear once the server is up.
  void ready
    .then(async () => {
      const file = await findWorkspaceFile(true);
      if (file) {
        await vscode.workspace.openTextDocument(file);
        // The server may not have analysed the file yet: ask until it has.
        for (let i = 0; i < 40; i++) {
          const list = await refreshList(file);
          if (list.studies.length || !/Open alluse-perf.yaml first/.test(list.message ?? '')) break;
          await new Promise((r) => setTimeout(r, 250));
        }
      }
    })
    .catch(() => undefined);

  return {
    panels: () => [...panels.values()],
    whenStudyIdle: (study) =>
      running.has(study)
        ? new Promise<string>((resolve) => {
            const list = idleWaiters.get(study) ?? [];
            list.push(resolve);
            idleWaiters.set(study, list);
          })
        : Promise.resolve('idle'),
  };
}
