/**
 * Tests that run inside a real VS Code extension host (mocha, bdd). The workspace is a fresh
 * copy of test/fixtures/e2e-workspace; its alluse-perf.yaml has a misspelt key
 * (`intervall`, unknown-key) and a duration without unit (`p95: 50`, missing-unit).
 *
 * Every wait is a poll on a condition with a deadline; nothing sleeps for a fixed time.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'alluse.alluse-performance';
const SOURCE = 'alluse-perf';

// The extension's own API type: erased at build time, so the bundle does not import the client.
import type { AllUsePerformanceApi } from '../../../client/src/extension';

/** Polls `fn` until it returns a truthy value, which it returns; fails with `what` after `timeout` ms. */
async function until<T>(what: string, fn: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeout = 20_000): Promise<T> {
  const deadline = Date.now() + timeout;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeout} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const ours = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE);
const codeOf = (d: vscode.Diagnostic) => (typeof d.code === 'object' ? d.code.value : d.code);
const describeDiags = (uri: vscode.Uri) =>
  JSON.stringify(vscode.languages.getDiagnostics(uri).map((d) => ({ source: d.source, code: d.code, message: d.message, line: d.range.start.line })));

async function codeActions(uri: vscode.Uri, range: vscode.Range): Promise<vscode.CodeAction[]> {
  const all = (await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>('vscode.executeCodeActionProvider', uri, range)) ?? [];
  return all.filter((a): a is vscode.CodeAction => 'title' in a && !('command' in a && typeof a.command === 'string'));
}

async function openWorkspaceFile(relPath: string, content?: string): Promise<vscode.TextDocument> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the host was started without a workspace folder');
  const uri = vscode.Uri.joinPath(folder.uri, relPath);
  if (content !== undefined) await vscode.workspace.fs.writeFile(uri, Buffer.from(content, 'utf8'));
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc);
  return doc;
}

describe('ALL-USE Performance in the VS Code extension host', () => {
  let api: AllUsePerformanceApi;
  let doc: vscode.TextDocument;

  /** The API, activating the extension if an earlier test could not. */
  async function getApi(): Promise<AllUsePerformanceApi> {
    if (!api) {
      const ext = vscode.extensions.getExtension<AllUsePerformanceApi>(EXTENSION_ID);
      assert.ok(ext, `extension ${EXTENSION_ID} is not installed in the host`);
      api = await ext.activate();
    }
    await api.whenServerReady();
    return api;
  }

  async function workspaceDoc(): Promise<vscode.TextDocument> {
    if (!doc) doc = await openWorkspaceFile('alluse-perf.yaml');
    return doc;
  }

  it('activates by itself in a workspace containing alluse-perf.yaml', async () => {
    const ext = vscode.extensions.getExtension<AllUsePerformanceApi>(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not installed in the host`);
    // Nothing is opened yet: only the workspaceContains activation event can activate it.
    await until('the extension to activate (workspaceContains:**/alluse-perf.yaml)', () => ext.isActive, 30_000);
    api = ext.exports;
    assert.equal(typeof api?.whenServerReady, 'function', 'activate() must return the API with whenServerReady()');
    assert.equal(typeof api?.lastAnalysis, 'function', 'activate() must return the API with lastAnalysis()');
    await api.whenServerReady();
  });

  it('reports unknown-key (Warning) and missing-unit (Error) on the workspace file', async () => {
    await getApi();
    const d = await workspaceDoc();
    assert.equal(d.languageId, 'yaml', 'alluse-perf.yaml is validated as language yaml');
    const diags = await until(`unknown-key and missing-unit diagnostics, have ${describeDiags(d.uri)}`, () => {
      const list = ours(d.uri);
      return list.some((x) => codeOf(x) === 'unknown-key') && list.some((x) => codeOf(x) === 'missing-unit') && list;
    });
    for (const x of diags) assert.equal(typeof x.code, 'string', `diagnostic codes are strings, got ${JSON.stringify(x.code)}`);

    const unknown = diags.find((x) => x.code === 'unknown-key')!;
    assert.equal(unknown.severity, vscode.DiagnosticSeverity.Warning);
    assert.equal(unknown.message, 'Unknown key "intervall" in monitor. Did you mean "interval"?');
    assert.match(d.getText(unknown.range), /intervall/, 'the unknown-key diagnostic must cover the key');
    assert.equal(unknown.range.start.line, d.getText().split('\n').findIndex((l) => l.includes('intervall:')));

    const unit = diags.find((x) => x.code === 'missing-unit')!;
    assert.equal(unit.severity, vscode.DiagnosticSeverity.Error);
    assert.match(unit.message, /unit/i, 'the missing-unit message must mention the missing unit');
    assert.match(d.getText(unit.range), /50/, 'the missing-unit diagnostic must cover the number');
  });

  it('offers the quick fixes and applying Change to "interval" fixes the text', async () => {
    await getApi();
    const d = await workspaceDoc();
    const unknown = await until('the unknown-key diagnostic', () => ours(d.uri).find((x) => codeOf(x) === 'unknown-key'));
    const actions = await until('code actions for unknown-key', async () => {
      const a = await codeActions(d.uri, unknown.range);
      return a.some((x) => x.title === 'Change to "interval"') && a;
    });
    const fix = actions.find((x) => x.title === 'Change to "interval"')!;
    assert.ok(fix.kind && vscode.CodeActionKind.QuickFix.contains(fix.kind), `"${fix.title}" must be a quick fix, kind is ${fix.kind?.value}`);
    assert.ok(fix.edit, 'the quick fix must carry a workspace edit');

    const unit = ours(d.uri).find((x) => codeOf(x) === 'missing-unit');
    assert.ok(unit, 'missing-unit diagnostic present');
    const unitTitles = (await codeActions(d.uri, unit.range)).map((x) => x.title);
    assert.ok(unitTitles.includes('Use "50ms"'), `missing-unit offers Use "50ms"; offered: ${JSON.stringify(unitTitles)}`);

    assert.ok(await vscode.workspace.applyEdit(fix.edit), 'applyEdit returned false');
    assert.match(d.getText(), /^ {2}interval: 100ms$/m);
    assert.doesNotMatch(d.getText(), /^\s*intervall:/m);
    await until(`unknown-key to disappear, have ${describeDiags(d.uri)}`, () => !ours(d.uri).some((x) => codeOf(x) === 'unknown-key'));
    assert.ok(ours(d.uri).some((x) => codeOf(x) === 'missing-unit'), 'missing-unit must remain');
    assert.ok(await d.save(), 'saving the fixed file failed');
  });

  it('lastAnalysis() reports the last analysis of the file', async () => {
    const a = await getApi();
    const d = await workspaceDoc();
    const last = await until(`lastAnalysis("${d.uri.toString()}") to match the ${ours(d.uri).length} diagnostics shown`, () => {
      const r = a.lastAnalysis(d.uri.toString());
      return r && r.diagnostics === ours(d.uri).length && r;
    });
    assert.ok(Number.isFinite(last.ms) && last.ms >= 0, `ms is a duration, got ${last.ms}`);
    assert.ok(last.diagnostics >= 1, 'the file still has its missing-unit problem');
  });

  it('alluse-perf.restartServer restarts the server and the diagnostics come back', async () => {
    const a = await getApi();
    const d = await workspaceDoc();
    await until('missing-unit before the restart', () => ours(d.uri).some((x) => codeOf(x) === 'missing-unit'));
    let changes = 0;
    const sub = vscode.languages.onDidChangeDiagnostics((e) => {
      if (e.uris.some((u) => u.toString() === d.uri.toString())) changes++;
    });
    try {
      const commands = await vscode.commands.getCommands(true);
      assert.ok(commands.includes('alluse-perf.restartServer'), 'command alluse-perf.restartServer is registered');
      const before = (await a.serverInfo()).pid;
      await vscode.commands.executeCommand('alluse-perf.restartServer');
      await a.whenServerReady();
      const after = await until('serverInfo() from the restarted server', () => a.serverInfo().then((i) => i.pid));
      assert.notEqual(after, before, 'the restarted server runs in a new process');
      // The old server's diagnostics are cleared when it stops; the new one publishes them again.
      await until(`diagnostics from the restarted server, have ${describeDiags(d.uri)} after ${changes} change(s)`,
        () => changes > 0 && ours(d.uri).some((x) => codeOf(x) === 'missing-unit'), 30_000);
    } finally {
      sub.dispose();
    }
  });

  it('restarts the server when it crashes (kill -9), and the diagnostics come back', async () => {
    const a = await getApi();
    const d = await workspaceDoc();
    await until('missing-unit before the crash', () => ours(d.uri).some((x) => codeOf(x) === 'missing-unit'));
    const before = (await a.serverInfo()).pid;
    process.kill(before, 'SIGKILL');
    // The client notices the closed connection, restarts the server (and says so), and the new
    // server analyses the open file again.
    const after = await until('a new server process', () => a.serverInfo().then((i) => (i.pid !== before ? i.pid : undefined)).catch(() => undefined), 30_000);
    assert.notEqual(after, before);
    await until('diagnostics from the new server', async () => (await a.serverInfo()).analyses > 0 && ours(d.uri).some((x) => codeOf(x) === 'missing-unit'), 30_000);
  });

  it('reports missing-unit on "interval: 100" and Use "100ms" fixes it', async () => {
    await getApi();
    const d = await openWorkspaceFile('unit/alluse-perf.yaml', ['version: 1', 'components: []', 'monitor:', '  interval: 100', ''].join('\n'));
    const unit = await until(`missing-unit, have ${describeDiags(d.uri)}`, () => ours(d.uri).find((x) => codeOf(x) === 'missing-unit'));
    assert.equal(unit.severity, vscode.DiagnosticSeverity.Error);
    assert.match(unit.message, /unit/i);
    const fix = await until('the Use "100ms" quick fix', async () => (await codeActions(d.uri, unit.range)).find((x) => x.title === 'Use "100ms"'));
    assert.ok(fix.edit, 'the quick fix must carry a workspace edit');
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.match(d.getText(), /^ {2}interval: 100ms$/m);
    await until(`missing-unit to disappear, have ${describeDiags(d.uri)}`, () => !ours(d.uri).some((x) => codeOf(x) === 'missing-unit'));
  });

  it('reports duplicate-component on the second component with the same name', async () => {
    await getApi();
    const d = await openWorkspaceFile('dup/alluse-perf.yaml', [
      'version: 1',
      'components:',
      '  - name: protocol-engine',
      '    kind: node',
      '  - name: protocol-engine',
      '    kind: node',
      'monitor:',
      '  interval: 100ms',
      '',
    ].join('\n'));
    const dup = await until(`duplicate-component, have ${describeDiags(d.uri)}`, () => ours(d.uri).find((x) => codeOf(x) === 'duplicate-component'));
    assert.equal(dup.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(dup.range.start.line, 4, 'on the second component');
    const titles = (await codeActions(d.uri, dup.range)).map((x) => x.title);
    assert.ok(titles.includes('Rename to "protocol-engine-2"'), `offers Rename to "protocol-engine-2"; offered: ${JSON.stringify(titles)}`);
  });

  it('reports yaml-syntax on malformed YAML', async () => {
    await getApi();
    const d = await openWorkspaceFile('broken/alluse-perf.yaml', 'version: 1\ncomponents: [\n  - name: "unterminated\nmonitor: {\n');
    const syntax = await until(`yaml-syntax, have ${describeDiags(d.uri)}`, () => ours(d.uri).find((x) => codeOf(x) === 'yaml-syntax'));
    assert.equal(syntax.severity, vscode.DiagnosticSeverity.Error);
  });

  it('the dashboard polls once a second while visible, not while hidden, and again when shown', async () => {
    const a = await getApi();
    assert.equal(typeof a.dashboardPolls, 'function', 'the API must offer dashboardPolls()');
    const polls = () => a.dashboardPolls!();
    // The dashboard opens in the active column, beside the workspace file's editor.
    const d = await workspaceDoc();
    await vscode.window.showTextDocument(d, { preview: false });
    await vscode.commands.executeCommand('alluse-perf.openDashboard');
    const dashboardTab = () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('alluse-perf.dashboard'));
    const tab = await until('the dashboard tab', () => dashboardTab());
    try {
      await until('the dashboard tab to be active', () => dashboardTab()?.isActive);
      // Visible: the first fetch (when the webview is ready), then one a second.
      const p0 = await until(`the first dashboard fetch (polls ${polls()})`, () => polls() >= 1 && polls());
      await until(`two more fetches while visible (from ${p0}, now ${polls()})`, () => polls() >= p0 + 2, 15_000);

      // Hidden: the workspace file's editor in the same column covers the webview.
      await vscode.window.showTextDocument(d, { viewColumn: tab.group.viewColumn, preview: false });
      await until('the dashboard tab to be hidden', () => dashboardTab() && !dashboardTab()!.isActive);
      // A fetch already under way when the hide reached the extension may still start: allow
      // one within the first 1.2 s, then none for 3 s (at 1 Hz that would be about three).
      const hiddenAt = polls();
      let settled = hiddenAt;
      for (const end = Date.now() + 1200; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
        settled = polls();
        assert.ok(settled <= hiddenAt + 1, `polled while hidden: ${hiddenAt} -> ${settled} in the first second`);
      }
      for (const end = Date.now() + 3000; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
        assert.equal(polls(), settled, `polled while hidden: ${settled} -> ${polls()}`);
      }

      // Shown again: polling resumes, once a second.
      await vscode.commands.executeCommand('alluse-perf.openDashboard');
      await until('the dashboard tab to be active again', () => dashboardTab()?.isActive);
      const resumed = await until(`a fetch after showing the dashboard again (polls ${polls()}, were ${settled})`, () => polls() > settled && polls(), 15_000);
      await until(`two more fetches after showing it again (from ${resumed}, now ${polls()})`, () => polls() >= resumed + 2, 15_000);
    } finally {
      const t = dashboardTab();
      if (t) await vscode.window.tabGroups.close(t);
    }
    await until(`dashboardPolls() to be 0 once the dashboard is closed (${polls()})`, () => polls() === 0);
  });
});
