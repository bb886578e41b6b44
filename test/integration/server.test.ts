import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeAction, CompletionItem, Hover } from 'vscode-languageserver-protocol';
import { WorkspaceSummaryRequest } from '../../protocol/index';
import { TestLspClient } from '../helpers/lspClient';
import { applyEdits, VALID_WORKSPACE } from '../helpers/text';

describe('analysis server over LSP (dist/server.js --stdio)', () => {
  let client: TestLspClient;
  let folder: string;
  let uri: string;

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'alluse-lsp-'));
    mkdirSync(join(folder, 'config'));
    writeFileSync(join(folder, 'config/protocol-engine.yaml'), 'workers: 2\n');
    uri = pathToFileURL(join(folder, 'alluse-perf.yaml')).href;
    client = await TestLspClient.start();
  });
  after(async () => client.stop());

  it('publishes no diagnostics for a valid file, and reports the analysis time', async () => {
    await client.open(uri, VALID_WORKSPACE, 1);
    assert.deepEqual(await client.diagnosticsFor(uri, 1), []);
    const done = await client.waitFor(() => client.analyses.find((a) => a.uri === uri && a.version === 1));
    assert.ok(done.ms >= 0 && done.ms < 5000);
    assert.equal(done.diagnostics, 0);
  });

  it('publishes diagnostics with exact ranges after an edit, and quick fixes that repair them', async () => {
    const text = VALID_WORKSPACE.replace('  interval: 100ms\n  retention', '  intervall: 100ms\n  retention').replace('retention: 24h', 'retention: 24');
    await client.change(uri, 2, text);
    const diags = await client.diagnosticsFor(uri, 2);
    assert.deepEqual(diags.map((d) => [d.code, d.severity, d.source]).sort(), [
      ['missing-unit', 1, 'alluse-perf'],
      ['unknown-key', 2, 'alluse-perf'],
    ]);
    const unknown = diags.find((d) => d.code === 'unknown-key')!;
    const line = text.split('\n').findIndex((l) => l.includes('intervall'));
    assert.deepEqual(unknown.range, { start: { line, character: 2 }, end: { line, character: 11 } });

    const actions = (await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: unknown.range, context: { diagnostics: diags } })) as CodeAction[];
    assert.deepEqual(actions.map((a) => a.title).sort(), ['Change to "interval"', 'Use "24h"']);
    let fixed = text;
    for (const a of actions) fixed = applyEdits(fixed, a.edit!.changes![uri]);
    assert.ok(fixed.includes('  interval: 100ms') && fixed.includes('retention: 24h'));
    await client.change(uri, 3, fixed);
    assert.deepEqual(await client.diagnosticsFor(uri, 3), []);
  });

  it('debounces quick edits into one analysis of the last version', async () => {
    const before = client.analyses.length;
    for (let v = 4; v < 14; v++) await client.change(uri, v, VALID_WORKSPACE.replace('repeats: 2', `repeats: ${v}`));
    await client.waitFor(() => client.analyses.some((a) => a.uri === uri && a.version === 13));
    const runs = client.analyses.slice(before);
    assert.ok(runs.length < 10, `expected the 10 quick edits to be analysed fewer than 10 times, got ${runs.length}`);
    assert.equal(runs.at(-1)!.version, 13);
  });

  it('answers hover with the key documentation', async () => {
    const line = VALID_WORKSPACE.split('\n').findIndex((l) => l.startsWith('  retention'));
    const h = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line, character: 4 } })) as Hover;
    assert.match((h.contents as { value: string }).value, /How long raw samples/);
  });

  it('answers completion with keys and enum values', async () => {
    const text = 'version: 1\ncomponents:\n  - name: a\n    kind: \n    process: { pidFile: a }\n';
    await client.change(uri, 20, text);
    const values = (await client.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: 3, character: 10 } })) as CompletionItem[];
    assert.deepEqual(values.map((c) => c.label), ['node', 'process']);
    const keys = (await client.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: 1, character: 0 } })) as CompletionItem[];
    assert.ok(keys.some((k) => k.label === 'monitor'));
  });

  it('warns about config files missing on disk', async () => {
    const text = VALID_WORKSPACE.replace('configFiles: [config/protocol-engine.yaml]', 'configFiles: [config/nope.yaml]');
    await client.change(uri, 21, text);
    const diags = await client.diagnosticsFor(uri, 21);
    assert.deepEqual(diags.map((d) => d.code), ['missing-file']);
  });

  it('serves the workspace summary through the custom request', async () => {
    await client.change(uri, 22, VALID_WORKSPACE);
    const r = (await client.connection.sendRequest(WorkspaceSummaryRequest.method, { uri })) as WorkspaceSummaryRequest.Result;
    assert.deepEqual(r!.summary.components.map((c) => c.name), ['protocol-engine', 'account-service']);
    assert.equal(r!.version, 22);
  });

  it('answers the summary of a workspace file the editor has not sent yet from the file on disk, and not for a missing one', async () => {
    // A command run while the extension starts can ask before the editor's didOpen arrives.
    const other = join(folder, 'sub');
    mkdirSync(other);
    mkdirSync(join(other, 'config'));
    writeFileSync(join(other, 'config/protocol-engine.yaml'), 'workers: 2\n');
    const onDisk = pathToFileURL(join(other, 'alluse-perf.yaml')).href;
    const missing = (await client.connection.sendRequest(WorkspaceSummaryRequest.method, { uri: onDisk })) as WorkspaceSummaryRequest.Result;
    assert.equal(missing, null);
    writeFileSync(join(other, 'alluse-perf.yaml'), VALID_WORKSPACE);
    const r = (await client.connection.sendRequest(WorkspaceSummaryRequest.method, { uri: onDisk })) as WorkspaceSummaryRequest.Result;
    assert.deepEqual(r!.summary.components.map((c) => c.name), ['protocol-engine', 'account-service']);
    // Not kept: a change on disk is what the next answer says.
    writeFileSync(join(other, 'alluse-perf.yaml'), VALID_WORKSPACE.replace(/^  - name: account-service[\s\S]*$/m, ''));
    const again = (await client.connection.sendRequest(WorkspaceSummaryRequest.method, { uri: onDisk })) as WorkspaceSummaryRequest.Result;
    assert.deepEqual(again!.summary.components.map((c) => c.name), ['protocol-engine']);
  });

  it('survives binary garbage, huge files and malformed YAML, and keeps answering', async () => {
    const bad = [String.fromCharCode(...Array.from({ length: 2000 }, (_, i) => (i * 7919) % 256)), 'a: [\n'.repeat(3000), 'x: *nope\n', '\uFFFD\uFFFD'];
    let v = 30;
    for (const text of bad) {
      await client.change(uri, ++v, text);
      const d = await client.diagnosticsFor(uri, v);
      assert.ok(d.length > 0);
    }
    const lines = ['version: 1', 'components:'];
    for (let i = 0; i < 12_500; i++) lines.push(`  - name: c${i}`, '    process:', `      pidFile: p${i}`, '    kind: node');
    await client.change(uri, ++v, lines.join('\n'));
    assert.deepEqual(await client.diagnosticsFor(uri, v), []);
    assert.equal(client.proc.exitCode, null);
  });

  it('ignores YAML files that are not workspace files', async () => {
    const other = pathToFileURL(join(folder, 'other.yaml')).href;
    await client.open(other, 'intervall: 100\n', 1);
    await client.change(uri, 100, VALID_WORKSPACE);
    await client.diagnosticsFor(uri, 100);
    assert.equal(client.published.get(other), undefined);
  });
});

describe('server info', () => {
  it('reports its pid, version and how many analyses it ran', async () => {
    const { ServerInfoRequest } = await import('../../protocol/index');
    const c = await TestLspClient.start();
    try {
      const info = (await c.connection.sendRequest(ServerInfoRequest.method)) as { pid: number; version: string; analyses: number };
      assert.equal(info.pid, c.proc.pid);
      assert.equal(info.version, '0.1.0');
      assert.equal(info.analyses, 0);
    } finally {
      await c.stop();
    }
  });

  it('runs the helper threads it starts below its main thread, and leaves V8\'s own (Linux)', { skip: process.platform !== 'linux' && 'per-thread nice values are Linux only', timeout: 60_000 }, async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const { getPriority } = await import('node:os');
    const { MonitorControlRequest } = await import('../../protocol/index');
    const inherited = getPriority(); // the server starts at this test's own priority
    // Monitoring this test process into a store: the store's file writes start libuv's thread pool, after start-up.
    const ws = mkdtempSync(join(tmpdir(), 'alluse-threads-'));
    writeFileSync(join(ws, 'self.pid'), `${process.pid}\n`);
    const text = ['version: 1', 'components:', '  - name: test-runner', '    kind: node', '    process: { pidFile: self.pid }', 'monitor:', '  interval: 100ms', '  retention: 1h', `  storePath: ${JSON.stringify(join(ws, 'store'))}`, ''].join('\n');
    writeFileSync(join(ws, 'alluse-perf.yaml'), text);
    const wsUri = pathToFileURL(join(ws, 'alluse-perf.yaml')).href;
    const c = await TestLspClient.start();
    try {
      const pid = c.proc.pid!;
      const niceOf = (tid: string) => {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
      };
      const read = () => readdirSync(`/proc/${pid}/task`).flatMap((t) => { try { return [[Number(t), niceOf(t)] as const]; } catch { return []; } });
      const atStart = read();
      await c.open(wsUri, text, 1);
      await c.diagnosticsFor(wsUri, 1);
      const s = (await c.connection.sendRequest(MonitorControlRequest.method, { uri: wsUri, action: 'start', trusted: true })) as { running: boolean; message?: string };
      assert.equal(s.running, true, `monitoring started: ${s.message}`);
      // The server lowers new threads within a second; polled, not slept on.
      const deadline = Date.now() + 15_000;
      let threads = read();
      const lowered = () => threads.filter(([tid, nice]) => tid !== pid && nice >= Math.max(10, inherited));
      while (Date.now() < deadline && lowered().length < 4) {
        await new Promise((r) => setTimeout(r, 50));
        threads = read();
      }
      await c.connection.sendRequest(MonitorControlRequest.method, { uri: wsUri, action: 'stop', trusted: true });
      assert.equal(threads.find(([tid]) => tid === pid)?.[1], inherited, 'the main thread keeps its priority');
      assert.ok(lowered().length >= 4, `threads at nice 10 after monitoring started: ${lowered().length} of ${threads.length} (${JSON.stringify(threads)})`);
      const platform = atStart.filter(([tid]) => tid !== pid).map(([tid]) => tid);
      assert.ok(platform.length >= 2, `threads before any work: ${platform.length}`);
      for (const tid of platform) {
        const now = threads.find(([t]) => t === tid);
        if (now) assert.equal(now[1], inherited, `start-up (V8 platform) thread ${tid} keeps its priority`);
      }
    } finally {
      await c.stop();
      rmSync(ws, { recursive: true, force: true });
    }
  });
});
