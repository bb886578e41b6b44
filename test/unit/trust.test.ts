/**
 * Restricted mode on the server side: every request that runs a program or attaches to a
 * process is refused unless it carries the literal `trusted: true`, whatever the client did,
 * and the refusal names "Manage Workspace Trust". The study gate is driven through the
 * real request handlers (a recording stand-in for the LSP connection) with a trial command
 * that would create a sentinel file; the same request with `trusted: true` does create it,
 * so the test can tell a refusal from a command that never worked.
 * A source audit keeps the list of places that can start a process short and gated.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { analyzeWorkspace } from '../../engine/index';
import { ProfileContinuousRequest, ProfileStartRequest, StudyRemeasureRequest, StudyRunRequest } from '../../protocol/index';
import { ProfileService } from '../../server/src/profileService';
import { registerStudyService } from '../../server/src/studyRequests';
import { MonitorService } from '../../server/src/monitorService';
import { isTrusted, MANAGE_TRUST, staysInside } from '../../server/src/trust';
import type { CachedAnalysis } from '../../server/src/workspaceDocuments';

const ROOT = join(__dirname, '..', '..');
const NOT_TRUE: unknown[] = [undefined, false, 'true', 1, null, {}, [true]];

/** A workspace with one study whose trial command creates `sentinel` (and prints a result). */
function studyWorkspace(): { folder: string; uri: string; sentinel: string; cached: CachedAnalysis } {
  const folder = mkdtempSync(join(tmpdir(), 'alluse-trust-'));
  const sentinel = join(folder, 'SENTINEL');
  const script = join(folder, 'trial.js');
  writeFileSync(join(folder, 'config.yaml'), 'x: 1 # the trial writes its own copy\n');
  writeFileSync(script, `require('fs').writeFileSync(${JSON.stringify(sentinel)}, 'ran'); console.log(JSON.stringify({ y: 1 }));\n`);
  const text = [
    'version: 1',
    'components:',
    '  - name: engine',
    '    kind: node',
    '    process: { commandMatch: "never-running-engine.js", inspectPort: 1 }',
    'tuning:',
    '  studies:',
    '    - name: s',
    '      component: engine',
    '      configFile: config.yaml',
    '      parameters: { x: { type: int, min: 1, max: 3 } }',
    '      objectives: [{ metric: y, direction: minimize }]',
    `      trial: { command: ${JSON.stringify(process.execPath)}, args: [${JSON.stringify(script)}] }`,
    '      budget: { trials: 1 }',
    '      algorithm: random',
    '',
  ].join('\n');
  const file = join(folder, 'alluse-perf.yaml');
  writeFileSync(file, text);
  const analysis = analyzeWorkspace(text, { fileExists: (p) => existsSync(join(folder, p)) });
  assert.deepEqual(analysis.findings.filter((f) => f.severity === 'error'), [], 'the fixture workspace is valid');
  return { folder, uri: pathToFileURL(file).href, sentinel, cached: { version: 1, analysis, ms: 0 } };
}

/** A stand-in for the LSP connection that keeps the request handlers to call them directly. */
function recordingConnection() {
  const handlers = new Map<string, (p: unknown) => unknown>();
  const notifications: unknown[] = [];
  const connection = {
    onRequest: (method: string, h: (p: unknown) => unknown) => void handlers.set(method, h),
    onNotification: () => undefined,
    sendNotification: (_m: string, p: unknown) => void notifications.push(p),
    sendDiagnostics: () => undefined,
    console: { error: () => undefined, log: () => undefined },
  };
  return { connection, handlers, notifications };
}

async function until<T>(what: string, f: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('server trust gate', () => {
  const folders: string[] = [];
  after(() => {
    for (const f of folders) rmSync(f, { recursive: true, force: true });
  });

  it('isTrusted accepts only the literal true', () => {
    assert.equal(isTrusted({ trusted: true }), true);
    for (const v of NOT_TRUE) assert.equal(isTrusted({ trusted: v }), false, JSON.stringify(v));
    assert.equal(isTrusted(undefined), false);
    assert.equal(isTrusted('trusted'), false);
  });

  it('a study run or re-measurement without trusted: true runs nothing; with it, the trial command runs', async () => {
    const ws = studyWorkspace();
    folders.push(ws.folder);
    const { connection, handlers } = recordingConnection();
    const service = registerStudyService(connection as never, { get: () => undefined } as never, (uri) => (uri === ws.uri ? ws.cached : undefined));
    const run = handlers.get(StudyRunRequest.method)!;
    const remeasure = handlers.get(StudyRemeasureRequest.method)!;
    for (const trusted of NOT_TRUE) {
      const r = run({ uri: ws.uri, study: 's', trusted }) as StudyRunRequest.Result;
      assert.equal(r.started, false, `studyRun with trusted=${JSON.stringify(trusted)}`);
      assert.match(r.message, new RegExp(MANAGE_TRUST));
      const m = remeasure({ uri: ws.uri, study: 's', trusted }) as StudyRemeasureRequest.Result;
      assert.equal(m.started, false);
      assert.match(m.message, new RegExp(MANAGE_TRUST));
    }
    assert.equal(existsSync(ws.sentinel), false, 'nothing ran while untrusted');
    assert.deepEqual(readdirSync(ws.folder).filter((n) => n === '.alluse-perf'), [], 'not even a study log was written');
    // The same request, trusted: the command does run, so the refusals above were the gate.
    const ok = run({ uri: ws.uri, study: 's', trusted: true }) as StudyRunRequest.Result;
    assert.equal(ok.started, true, ok.message);
    await until('the trial command to create the sentinel', () => existsSync(ws.sentinel));
    service.cancelAll();
  });

  it('profiling and continuous profiling without trusted: true are refused before the workspace is even read', async () => {
    let reads = 0;
    const ws = studyWorkspace();
    folders.push(ws.folder);
    const service = new ProfileService({
      analysis: () => {
        reads++;
        return ws.cached;
      },
      openText: () => undefined,
      publish: () => undefined,
      log: () => undefined,
    });
    const never = new AbortController().signal;
    for (const trusted of NOT_TRUE) {
      const r = await service.start({ uri: ws.uri, component: 'engine', durationMs: 200, trusted } as ProfileStartRequest.Params, never);
      assert.ok('error' in r && r.error.includes(MANAGE_TRUST), JSON.stringify(r));
      const c = await service.continuous({ uri: ws.uri, component: 'engine', action: 'start', trusted } as ProfileContinuousRequest.Params);
      assert.ok('error' in c && c.error.includes(MANAGE_TRUST), JSON.stringify(c));
    }
    assert.equal(reads, 0);
    // Stopping needs no trust (it only ends what runs).
    assert.deepEqual(await service.continuous({ uri: ws.uri, component: 'engine', action: 'stop' }), { running: [] });
    // Trusted, the request gets past the gate: it reads the workspace and tries the inspector port.
    const r = await service.start({ uri: ws.uri, component: 'engine', durationMs: 200, trusted: true }, never);
    assert.ok('error' in r && !r.error.includes(MANAGE_TRUST), JSON.stringify(r));
    assert.ok(reads > 0);
  });
});

describe('monitoring in restricted mode writes only inside the workspace folder', () => {
  const root = mkdtempSync(join(tmpdir(), 'alluse-trust-store-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const folder = join(root, 'ws');
  const outside = join(root, 'outside');
  mkdirSync(folder);
  mkdirSync(outside);
  symlinkSync(outside, join(folder, 'link'));

  it('staysInside follows .., absolute paths and symbolic links', () => {
    assert.equal(staysInside(folder, join(folder, '.alluse-perf/store')), true);
    assert.equal(staysInside(folder, folder), true);
    assert.equal(staysInside(folder, join(folder, '../outside/store')), false);
    assert.equal(staysInside(folder, join(outside, 'store')), false);
    assert.equal(staysInside(folder, join(folder, 'link/store')), false, 'a link out of the folder');
    assert.equal(staysInside(folder, `${folder}-sibling/store`), false, 'a sibling with the same prefix');
  });

  /** A monitor service over a workspace file with this monitor.storePath (no components: nothing to watch). */
  function serviceFor(storePath: string): { service: MonitorService; uri: string } {
    const text = `version: 1\ncomponents:\n  - name: a\n    process: { commandMatch: "never-running-xyz" }\nmonitor:\n  storePath: ${JSON.stringify(storePath)}\n`;
    const analysis = analyzeWorkspace(text);
    assert.deepEqual(analysis.findings.filter((f) => f.severity === 'error'), []);
    const uri = pathToFileURL(join(folder, 'alluse-perf.yaml')).href;
    const service = new MonitorService({ analysis: () => ({ version: 1, analysis, ms: 0 }), status: () => undefined, alertsChanged: () => undefined });
    return { service, uri };
  }

  for (const storePath of ['../outside/store', join(outside, 'abs-store'), 'link/store']) {
    it(`untrusted, storePath ${storePath.startsWith('/') ? '(absolute, outside)' : storePath}: refused with ${MANAGE_TRUST}, nothing written`, async () => {
      const { service, uri } = serviceFor(storePath);
      const s = await service.start(uri, false);
      assert.equal(s.running, false);
      assert.match(s.message ?? '', /outside the workspace folder.*Manage Workspace Trust/);
      assert.deepEqual(readdirSync(outside), []);
      // Trusted, the same file is monitored (and writes its store there).
      const t = await service.start(uri, true);
      assert.equal(t.running, true, t.message);
      await service.stopAll();
      assert.ok(readdirSync(outside).length > 0);
      rmSync(outside, { recursive: true, force: true });
      mkdirSync(outside);
    });
  }

  it('untrusted, a storePath inside the folder: monitoring runs (it starts no process)', async () => {
    const { service, uri } = serviceFor('.alluse-perf/store');
    const s = await service.start(uri, false);
    assert.equal(s.running, true, s.message);
    await service.stopAll();
    assert.ok(existsSync(join(folder, '.alluse-perf/store')));
  });
});

/** All .ts files under the given folders of the repository. */
function sources(...dirs: string[]): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) out.push(p);
    }
  };
  for (const d of dirs) walk(join(ROOT, d));
  return out;
}

describe('where processes can start (source audit)', () => {
  const files = sources('engine', 'server', 'client', 'cli', 'protocol');
  const rel = (f: string) => relative(ROOT, f);
  const text = new Map(files.map((f) => [rel(f), readFileSync(f, 'utf8')]));

  it('only two modules use child_process, and never with a shell', () => {
    const users = [...text].filter(([, s]) => /from 'node:child_process'|require\('(node:)?child_process'\)/.test(s)).map(([f]) => f).sort();
    assert.deepEqual(users, ['engine/collect/start.ts', 'engine/tune/trialProcess.ts']);
    for (const f of users) {
      const s = text.get(f)!;
      assert.ok(!/\bexec(Sync)?\(|execFile/.test(s), `${f} uses exec`);
      assert.match(s, /shell: false/, `${f} spawns without a shell, explicitly`);
    }
  });

  it('trial commands are run only by the study and compare services (trust-gated) and the CLI the user runs', () => {
    const callers = [...text].filter(([f, s]) => f !== 'engine/tune/trialRunner.ts' && f !== 'engine/tune/trialProcess.ts' && /(?<![.\w])(runTrial|runProcess)\(/.test(s)).map(([f]) => f).sort();
    assert.deepEqual(callers, ['cli/optimizeCommand.ts', 'engine/tune/remeasure.ts', 'engine/validate/commandRunner.ts', 'server/src/compareService.ts', 'server/src/studyService.ts']);
    // The compare CLI's runner is reached only from the command line; the server's comparison is gated.
    const runnerUsers = [...text].filter(([f, s]) => f !== 'engine/validate/commandRunner.ts' && /validate\/commandRunner'/.test(s)).map(([f]) => f).sort();
    for (const f of runnerUsers) assert.ok(f.startsWith('cli/') || f === 'engine/validate/index.ts', `${f} runs benchmark commands`);
    assert.match(text.get('server/src/compareService.ts')!, /if \(!isTrusted\(p\)\)/, 'the comparison service refuses untrusted requests');
    const remeasureUsers = [...text].filter(([f, s]) => f !== 'engine/tune/remeasure.ts' && /\bremeasure\w*\(/.test(s) && /from '[./]*\/?(engine\/)?tune\/remeasure'|from '\.\/remeasure'/.test(s)).map(([f]) => f).sort();
    for (const f of remeasureUsers) assert.ok(['cli/optimizeCommand.ts', 'server/src/studyService.ts', 'engine/tune/index.ts'].includes(f), `${f} re-measures (runs trial commands)`);
  });

  it('nothing calls startComponent: the monitor only watches processes that already run', () => {
    const callers = [...text].filter(([f, s]) => f !== 'engine/collect/start.ts' && /\bstartComponent\(/.test(s)).map(([f]) => f);
    assert.deepEqual(callers, [], 'a caller of startComponent must check trust (see server/src/trust.ts) and be added here');
  });

  it('every client request that can run something carries the trust state, and the server checks it', () => {
    for (const [method, file] of [
      [StudyRunRequest.method, 'client/src/studyCommands.ts'],
      [StudyRemeasureRequest.method, 'client/src/studyCommands.ts'],
      [ProfileStartRequest.method, 'client/src/profileController.ts'],
      [ProfileContinuousRequest.method, 'client/src/profileContinuous.ts'],
    ] as const) {
      const name = Object.entries({ StudyRunRequest, StudyRemeasureRequest, ProfileStartRequest, ProfileContinuousRequest }).find(([, ns]) => ns.method === method)![0];
      const s = text.get(file)!;
      const call = new RegExp(`${name}\\.method, \\{[^}]*trusted: vscode\\.workspace\\.isTrusted`);
      assert.match(s, call, `${file} sends ${method} with the trust state`);
      assert.match(s, /requireTrust\(/, `${file} says what needs trust before asking`);
    }
    assert.match(text.get('server/src/profileService.ts')!, /if \(!isTrusted\(p\)\) return \{ error: untrustedMessage\('profiling'/);
    assert.match(text.get('server/src/profileService.ts')!, /if \(!isTrusted\(p\)\) return \{ error: untrustedMessage\('continuous profiling'/);
    assert.match(text.get('server/src/studyRequests.ts')!, /service\.run\(p\.uri, p\.study, p\.trusted === true/);
    assert.match(text.get('server/src/studyRequests.ts')!, /service\.remeasure\(p\.uri, p\.study, p\.trusted === true/);
    assert.match(text.get('server/src/server.ts')!, /monitors\.start\(params\.uri, params\.trusted === true\)/);
  });

  it('package.json declares limited support for untrusted workspaces, honestly', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { capabilities: { untrustedWorkspaces: { supported: unknown; description: string } } };
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.match(pkg.capabilities.untrustedWorkspaces.description, /validated/);
    assert.match(pkg.capabilities.untrustedWorkspaces.description, /nothing is started or run/);
  });
});
