/**
 * Every webview panel (overview, dashboard, capacity, impact, flame graph, study, compare,
 * history) against hostile messages, and the HTML and options each one is created with.
 * The panels are found in `client/src/*Panel.ts` (every file there that creates a webview
 * panel), so a new panel that this test does not drive, or that does not validate through
 * `parsePanelMessage`, fails it.
 *
 * The panels are the real client classes, built against a small stand-in for the `vscode`
 * module (a recording fake: this is a unit test of their message handling, not of VS Code).
 * For each panel: malformed messages, messages of other panels and fuzzed values (seeded
 * fast-check) cause nothing at all (no fetch, no post to the webview, no editor opened, no
 * study command); then one valid message does cause its effect, so the test can fail.
 * `reveal` opens only what the panel itself shows. Each panel's HTML has a strict
 * Content-Security-Policy with a fresh nonce on its one script and style, nothing remote,
 * and its options allow only the bundled webview folder.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import Module from 'node:module';
import { join, posix } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { PANEL_MESSAGES, parsePanelMessage, type PanelKind } from '../../protocol/panelMessages';

// ---- a recording stand-in for the vscode module -----------------------------------------

class FakeUri {
  constructor(
    readonly scheme: string,
    readonly path: string,
  ) {}
  static file(p: string): FakeUri {
    return new FakeUri('file', p);
  }
  static parse(s: string): FakeUri {
    const m = /^([a-zA-Z][\w+.-]*):(?:\/\/)?(.*)$/s.exec(s);
    return m ? new FakeUri(m[1], m[2].startsWith('/') ? m[2] : `/${m[2]}`) : new FakeUri('file', s);
  }
  static joinPath(base: FakeUri, ...parts: string[]): FakeUri {
    return new FakeUri(base.scheme, posix.join(base.path, ...parts));
  }
  toString(): string {
    return `${this.scheme}://${this.path}`;
  }
}

const CSP_SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';

interface Effects {
  posted: unknown[];
  opened: string[];
  fetched: number;
  commands: string[];
}
const effects: Effects = { posted: [], opened: [], fetched: 0, commands: [] };
const resetEffects = () => Object.assign(effects, { posted: [], opened: [], fetched: 0, commands: [] });

interface CreatedPanel {
  viewType: string;
  options: Record<string, unknown>;
  webview: { html: string };
  send(raw: unknown): void;
  dispose(): void;
}
const created: CreatedPanel[] = [];

function createWebviewPanel(viewType: string, _title: string, _column: unknown, options: Record<string, unknown>) {
  const onMessage: Array<(m: unknown) => void> = [];
  const onDispose: Array<() => void> = [];
  const webview = {
    html: '',
    cspSource: CSP_SOURCE,
    options,
    asWebviewUri: (u: FakeUri) => ({ toString: () => `${CSP_SOURCE}${u.path}` }),
    onDidReceiveMessage: (cb: (m: unknown) => void) => {
      onMessage.push(cb);
      return { dispose() {} };
    },
    postMessage: async (m: unknown) => {
      effects.posted.push(m);
      return true;
    },
  };
  const panel = {
    viewType,
    webview,
    visible: true,
    title: _title,
    onDidDispose: (cb: () => void) => {
      onDispose.push(cb);
      return { dispose() {} };
    },
    onDidChangeViewState: () => ({ dispose() {} }),
    reveal() {},
    dispose() {
      for (const cb of onDispose) cb();
    },
  };
  created.push({ viewType, options, webview, send: (raw) => onMessage.forEach((cb) => cb(raw)), dispose: () => panel.dispose() });
  return panel;
}

const fakeVscode = {
  Uri: FakeUri,
  ViewColumn: { Active: -1, Beside: -2, One: 1 },
  Position: class {
    constructor(
      readonly line: number,
      readonly character: number,
    ) {}
  },
  Range: class {
    constructor(
      readonly start: unknown,
      readonly end: unknown,
    ) {}
  },
  window: {
    createWebviewPanel,
    showTextDocument: async (uri: FakeUri) => {
      effects.opened.push(uri.toString());
      return {};
    },
  },
  commands: { executeCommand: async (c: string) => void effects.commands.push(c) },
  workspace: { asRelativePath: (p: unknown) => String(p) },
};

const moduleLoader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
const originalLoad = moduleLoader._load;

// ---- the panels -----------------------------------------------------------------------

const EXT = FakeUri.file('/ext');
const WS = FakeUri.file('/ws/alluse-perf.yaml');
const SOURCE = '/ws/src/hot.ts';
/** An audit entry id as the history writes them (the history panel's revert/openFile take only these). */
const AUDIT_ID = '20261127T093000Z-a1b2c3';

interface PanelCase {
  kind: PanelKind;
  /** The panel's source file in client/src. */
  file: string;
  make(): CreatedPanel;
  /** A valid message of this panel and what it must cause. */
  valid: unknown;
  effect(): boolean;
}

let cases: PanelCase[] = [];

before(() => {
  moduleLoader._load = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? fakeVscode : originalLoad.call(this, request, ...rest);
  };
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { OverviewPanel } = require('../../client/src/overviewPanel') as typeof import('../../client/src/overviewPanel');
  const { DashboardPanel } = require('../../client/src/dashboardPanel') as typeof import('../../client/src/dashboardPanel');
  const { CapacityPanel } = require('../../client/src/capacityPanel') as typeof import('../../client/src/capacityPanel');
  const { ImpactPanel } = require('../../client/src/impactPanel') as typeof import('../../client/src/impactPanel');
  const { FlameGraphPanel } = require('../../client/src/flameGraphPanel') as typeof import('../../client/src/flameGraphPanel');
  const { StudyPanel } = require('../../client/src/studyPanel') as typeof import('../../client/src/studyPanel');
  const { ComparePanel } = require('../../client/src/comparePanel') as typeof import('../../client/src/comparePanel');
  const { HistoryPanel } = require('../../client/src/historyPanel') as typeof import('../../client/src/historyPanel');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const fetch = async () => {
    effects.fetched++;
    return null;
  };
  const last = () => created[created.length - 1];
  const ext = EXT as never;
  const ws = WS as never;
  const profile = {
    id: 'p1', component: 'engine', startedAt: 0, durationMs: 1000, samplingIntervalUs: 1000, totalMs: 1000, busyMs: 900, threads: [], warnings: [], analysisMs: 1,
    flame: { name: '(root)', value: 900, children: [] },
    functions: [{ name: 'hot', selfPct: 50, totalPct: 60, category: 'user', mapped: true, location: { file: SOURCE, line: 3, column: 1 } }],
  };
  const history = {
    list: async () => {
      effects.fetched++;
      return { entries: [], problems: [], path: '/ws/.alluse/audit.jsonl' };
    },
    revert: async (id: string) => void effects.commands.push(`revert:${id}`),
    open: async (id: string) => void effects.commands.push(`open:${id}`),
  };
  cases = [
    { kind: 'overview', file: 'overviewPanel.ts', make: () => (new OverviewPanel(ext, ws, fetch as never, () => undefined), last()), valid: { type: 'ready' }, effect: () => effects.fetched > 0 },
    { kind: 'dashboard', file: 'dashboardPanel.ts', make: () => (new DashboardPanel(ext, ws, fetch as never, () => undefined), last()), valid: { type: 'setRange', range: '1h' }, effect: () => effects.fetched > 0 },
    { kind: 'capacity', file: 'capacityPanel.ts', make: () => (new CapacityPanel(ext, ws, (async () => { effects.fetched++; return { plans: [] }; }) as never, () => undefined), last()), valid: { type: 'planCapacity', query: { load: 10 } }, effect: () => effects.fetched > 0 },
    {
      kind: 'impact',
      file: 'impactPanel.ts',
      make: () => {
        const p = new ImpactPanel(ext, () => undefined);
        p.show({ type: 'error', message: 'pending' });
        effects.posted.length = 0;
        return last();
      },
      valid: { type: 'ready' },
      effect: () => effects.posted.length > 0,
    },
    { kind: 'flamegraph', file: 'flameGraphPanel.ts', make: () => (new FlameGraphPanel(ext, profile as never, () => undefined), last()), valid: { type: 'reveal', uri: `file://${SOURCE}`, range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } } }, effect: () => effects.opened.includes(`file://${SOURCE}`) },
    { kind: 'study', file: 'studyPanel.ts', make: () => (new StudyPanel(ext, ws, 's', fetch as never, (c) => void effects.commands.push(c), () => undefined), last()), valid: { type: 'studyCommand', command: 'cancel' }, effect: () => effects.commands.includes('cancel') },
    {
      kind: 'compare',
      file: 'comparePanel.ts',
      make: () => (new ComparePanel(ext, () => void effects.commands.push('cancel'), () => void effects.commands.push('rerun'), () => undefined), last()),
      valid: { type: 'cancel' },
      effect: () => effects.commands.includes('cancel'),
    },
    {
      kind: 'history',
      file: 'historyPanel.ts',
      make: () => (new HistoryPanel(ext, ws, history as never, () => undefined), last()),
      valid: { type: 'revert', id: AUDIT_ID },
      effect: () => effects.commands.includes(`revert:${AUDIT_ID}`) && effects.fetched > 0,
    },
  ];
});

after(() => {
  for (const p of created) p.dispose();
  moduleLoader._load = originalLoad;
});

/** Lets the panels' async handlers and zero-delay timers run. */
const settle = () => new Promise((r) => setTimeout(r, 30));

const RANGE = { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };

/** Messages no panel may act on. */
const MALFORMED: unknown[] = [
  null, undefined, 0, 42, '', 'ready', '{"type":"ready"}', [], ['ready'], true, {},
  { type: 'READY' }, { type: 'ready ' }, { type: ['ready'] }, { type: { toString: () => 'ready' } }, { Type: 'ready' },
  JSON.parse('{"__proto__": {"type": "ready"}}'), { type: '__proto__' }, { type: 'constructor' }, { type: 'toString' },
  { type: 'setRange' }, { type: 'setRange', range: '1y' }, { type: 'setRange', range: '__proto__' }, { type: 'setRange', range: 'toString' }, { type: 'setRange', range: ['1h'] },
  { type: 'planCapacity' }, { type: 'planCapacity', query: null }, { type: 'planCapacity', query: { load: -1 } }, { type: 'planCapacity', query: { load: Number.POSITIVE_INFINITY } },
  { type: 'planCapacity', query: { load: Number.NaN } }, { type: 'planCapacity', query: { load: 1, months: 2 } }, { type: 'planCapacity', query: { months: 1e9 } }, { type: 'planCapacity', query: { load: '10' } },
  { type: 'reveal' }, { type: 'reveal', uri: 1, range: RANGE }, { type: 'reveal', uri: 'x'.repeat(5000), range: RANGE }, { type: 'reveal', uri: 'file:///etc/passwd' },
  { type: 'reveal', uri: 'file:///etc/passwd', range: { start: { line: -1, character: 0 }, end: RANGE.end } }, { type: 'reveal', uri: 'file:///etc/passwd', range: { start: { line: 0.5, character: 0 }, end: RANGE.end } },
  { type: 'studyCommand' }, { type: 'studyCommand', command: 'rm -rf ~' }, { type: 'studyCommand', command: 'constructor' }, { type: 'studyCommand', command: 'toString' }, { type: 'studyCommand', command: ['run'] },
  { type: 'CANCEL' }, { type: 'cancel ' }, { type: ['rerun'] }, { type: 'rerun\n' },
  { type: 'revert' }, { type: 'revert', id: '' }, { type: 'revert', id: 42 }, { type: 'revert', id: [AUDIT_ID] }, { type: 'revert', id: `${AUDIT_ID}\n` },
  { type: 'revert', id: `../../${AUDIT_ID}` }, { type: 'revert', id: '__proto__' }, { type: 'revert', id: 'x'.repeat(5000) },
  { type: 'openFile' }, { type: 'openFile', id: '/etc/passwd' }, { type: 'openFile', id: { toString: () => AUDIT_ID } }, { type: 'openFile', id: AUDIT_ID.toUpperCase().replace('T', 't') },
];

/** One valid message of every type (each panel must drop the ones it does not handle). */
const EVERY_VALID: unknown[] = [
  { type: 'ready' },
  { type: 'refresh' },
  { type: 'setRange', range: '24h' },
  { type: 'planCapacity', query: { months: 6 } },
  { type: 'reveal', uri: 'file:///etc/passwd', range: RANGE },
  { type: 'reveal', uri: 'command:workbench.action.terminal.new', range: RANGE },
  { type: 'studyCommand', command: 'run' },
  { type: 'studyCommand', command: 'applyAll' },
  { type: 'cancel' },
  { type: 'rerun' },
  { type: 'revert', id: AUDIT_ID },
  { type: 'openFile', id: AUDIT_ID },
];

const typeOf = (m: unknown) => (m && typeof m === 'object' ? (m as { type?: unknown }).type : undefined);

describe('webview messages: one validator per panel (protocol/panelMessages.ts)', () => {
  it('accepts exactly the types each panel handles', () => {
    for (const kind of Object.keys(PANEL_MESSAGES) as PanelKind[]) {
      const accepted: readonly string[] = PANEL_MESSAGES[kind];
      for (const m of EVERY_VALID) {
        const r = parsePanelMessage(kind, m);
        if (accepted.includes(typeOf(m) as string)) assert.ok(r, `${kind} drops ${JSON.stringify(m)}`);
        else assert.equal(r, undefined, `${kind} takes ${JSON.stringify(m)}`);
      }
      for (const m of MALFORMED) assert.equal(parsePanelMessage(kind, m), undefined, `${kind} takes ${JSON.stringify(m)}`);
    }
  });

  it('whatever comes in, what comes out is undefined or a fresh plain message of an accepted type (property)', () => {
    const kinds = Object.keys(PANEL_MESSAGES) as PanelKind[];
    const shaped = fc.record({ type: fc.constantFrom('ready', 'refresh', 'setRange', 'planCapacity', 'reveal', 'studyCommand', 'cancel', 'rerun', 'revert', 'openFile', 'x'), range: fc.anything(), uri: fc.anything(), query: fc.anything(), command: fc.anything(), id: fc.oneof(fc.anything(), fc.constant(AUDIT_ID)) }, { requiredKeys: ['type'] });
    fc.assert(
      fc.property(fc.constantFrom(...kinds), fc.oneof(fc.anything({ withObjectString: true, withNullPrototype: true }), shaped), (kind, raw) => {
        const r = parsePanelMessage(kind, raw);
        if (r === undefined) return;
        assert.ok((PANEL_MESSAGES[kind] as readonly string[]).includes(r.type));
        assert.notEqual(r, raw, 'a fresh object, not the one that came in');
        assert.deepEqual(JSON.parse(JSON.stringify(r)), r, 'plain data only');
      }),
      { seed: 77, numRuns: 3000 },
    );
  });
});

/** The client's webview panels: every `client/src/*Panel.ts` that creates a webview panel. */
function discoverPanels(): Array<{ file: string; source: string }> {
  const dir = join(__dirname, '..', '..', 'client', 'src');
  return readdirSync(dir)
    .filter((n) => n.endsWith('Panel.ts'))
    .map((file) => ({ file, source: readFileSync(join(dir, file), 'utf8') }))
    .filter((p) => /\bcreateWebviewPanel\(/.test(p.source));
}

describe('every webview panel is covered', () => {
  it('each client/src/*Panel.ts panel validates through parsePanelMessage with its own kind and is driven by this test', () => {
    const panels = discoverPanels();
    assert.ok(panels.length >= 8, `found ${panels.length} panels in client/src`);
    const covered = new Map(cases.map((c) => [c.file, c.kind]));
    for (const p of panels) {
      const kind = covered.get(p.file);
      assert.ok(kind, `${p.file} creates a webview panel but test/unit/webviewMessages.test.ts does not drive it: add a case (and its kind in protocol/panelMessages.ts)`);
      const uses = [...p.source.matchAll(/\bparsePanelMessage\(\s*'(\w+)'/g)].map((m) => m[1]);
      assert.deepEqual(uses, [kind], `${p.file} must validate its messages with parsePanelMessage('${kind}', raw) and nothing else`);
      assert.doesNotMatch(p.source, /\bparse(?:Study|Compare|History)?WebviewMessage\(/, `${p.file} bypasses the shared validator`);
    }
    assert.deepEqual(cases.map((c) => c.kind).sort(), (Object.keys(PANEL_MESSAGES) as string[]).sort(), 'one case per panel kind');
    assert.deepEqual(cases.map((c) => c.file).sort(), panels.map((p) => p.file).sort(), 'a case for a file that is no longer a panel');
  });
});

describe('webview panels act on nothing malformed', () => {
  for (const kind of Object.keys(PANEL_MESSAGES) as PanelKind[]) {
    it(`${kind}: malformed, foreign and fuzzed messages cause nothing; a valid one does`, async () => {
      const c = cases.find((x) => x.kind === kind)!;
      const panel = c.make();
      await settle();
      resetEffects();
      const accepted: readonly string[] = PANEL_MESSAGES[kind];
      const foreign = EVERY_VALID.filter((m) => !accepted.includes(typeOf(m) as string));
      const fuzz = fc.sample(fc.anything({ withObjectString: true }), { seed: 5, numRuns: 300 });
      for (const m of [...MALFORMED, ...foreign, ...fuzz]) panel.send(m);
      await settle();
      assert.deepEqual(effects, { posted: [], opened: [], fetched: 0, commands: [] }, `${kind} acted on a message it should have dropped`);
      if (kind === 'overview' || kind === 'flamegraph') {
        // reveal is valid here, but only for what the panel shows: not another file, not a command URI.
        for (const uri of ['file:///etc/passwd', 'command:workbench.action.terminal.new', 'file:///ws/alluse-perf.yaml/../../etc/passwd']) panel.send({ type: 'reveal', uri, range: RANGE });
        await settle();
        assert.deepEqual(effects.opened, []);
      }
      panel.send(c.valid);
      await settle();
      assert.ok(c.effect(), `${kind}: the valid message ${JSON.stringify(c.valid)} had no effect: ${JSON.stringify(effects)}`);
      panel.dispose();
    });
  }

  it('overview: reveal opens the workspace file it shows', async () => {
    const panel = cases.find((x) => x.kind === 'overview')!.make();
    resetEffects();
    panel.send({ type: 'reveal', uri: WS.toString(), range: RANGE });
    await settle();
    assert.deepEqual(effects.opened, [WS.toString()]);
    panel.dispose();
  });
});

describe('webview HTML and options', () => {
  it('every panel: strict CSP with a fresh nonce, nothing remote, only the bundled webview folder readable', () => {
    const nonces = new Set<string>();
    for (const c of cases) {
      const panel = c.make();
      const html = panel.webview.html;
      const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
      assert.ok(csp, `${c.kind}: no CSP meta`);
      const directives = new Map(csp.split(';').map((d) => d.trim()).filter(Boolean).map((d) => [d.split(/\s+/)[0], d.split(/\s+/).slice(1)]));
      assert.deepEqual(directives.get('default-src'), ["'none'"], c.kind);
      const nonce = /'nonce-([A-Za-z0-9]+)'/.exec(directives.get('script-src')?.join(' ') ?? '')?.[1];
      assert.ok(nonce && nonce.length >= 16, `${c.kind}: script-src needs a nonce of at least 16 characters`);
      assert.deepEqual(directives.get('script-src'), [`'nonce-${nonce}'`], `${c.kind}: scripts only by nonce`);
      assert.deepEqual(directives.get('style-src'), [CSP_SOURCE, `'nonce-${nonce}'`], c.kind);
      assert.deepEqual(directives.get('img-src'), [CSP_SOURCE, 'data:'], c.kind);
      for (const d of directives.keys()) assert.ok(['default-src', 'script-src', 'style-src', 'img-src', 'font-src'].includes(d), `${c.kind}: unexpected ${d}`);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*|http:/, c.kind);
      assert.ok(!nonces.has(nonce), 'a fresh nonce per panel');
      nonces.add(nonce);
      // Every script and style element carries the nonce; the one script comes from the bundled folder.
      const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]);
      assert.equal(scripts.length, 1, c.kind);
      assert.match(scripts[0], new RegExp(`nonce="${nonce}"`));
      assert.match(scripts[0], new RegExp(`src="${CSP_SOURCE.replace(/[.+]/g, '\\$&')}/ext/dist/webviews/\\w+\\.js"`));
      for (const s of html.matchAll(/<style\b([^>]*)>/g)) assert.match(s[1], new RegExp(`nonce="${nonce}"`), c.kind);
      assert.doesNotMatch(html, /\son\w+\s*=/i, `${c.kind}: no inline event handlers`);
      // Nothing remote: the only URL is the webview resource origin VS Code gives.
      for (const u of html.matchAll(/\b(?:https?|wss?|ftp):\/\/[^\s"'<>)]+/g)) assert.ok(u[0].startsWith(CSP_SOURCE), `${c.kind}: remote URL ${u[0]}`);
      // Options: scripts on, only dist/webviews readable, no command URIs.
      const roots = (panel.options.localResourceRoots as FakeUri[]).map((u) => u.toString());
      assert.deepEqual(roots, ['file:///ext/dist/webviews'], c.kind);
      assert.equal(panel.options.enableScripts, true);
      assert.ok(!panel.options.enableCommandUris, `${c.kind}: command URIs`);
      assert.ok(!('portMapping' in panel.options), c.kind);
      panel.dispose();
    }
  });

  it('a title from the workspace (a study name) cannot inject markup', () => {
    const study = cases.find((x) => x.kind === 'study')!;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { StudyPanel } = require('../../client/src/studyPanel') as typeof import('../../client/src/studyPanel');
    new StudyPanel(EXT as never, WS as never, '"><script>alert(1)</script><img src=x onerror=alert(1)>', (async () => null) as never, () => undefined, () => undefined);
    const html = created[created.length - 1].webview.html;
    assert.equal([...html.matchAll(/<script\b/g)].length, 1, 'only our script');
    assert.doesNotMatch(html, /<img/);
    created[created.length - 1].dispose();
    assert.ok(study);
  });

  it('the webview scripts load nothing remote and write no HTML from data', () => {
    const root = join(__dirname, '..', '..', 'webviews');
    const files: string[] = [];
    const walk = (d: string) => readdirSync(d).forEach((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : n.endsWith('.ts') && files.push(join(d, n))));
    walk(root);
    assert.ok(files.length >= 6, `${files.length} webview sources`);
    const banned = /\bfetch\(|XMLHttpRequest|WebSocket|EventSource|importScripts|\beval\(|new Function|innerHTML|outerHTML|insertAdjacentHTML|document\.write|\bimport\(|https?:\/\//;
    for (const f of files) {
      const lines = readFileSync(f, 'utf8').split('\n');
      lines.forEach((l, i) => assert.doesNotMatch(l, banned, `${f}:${i + 1}`));
    }
  });
});
