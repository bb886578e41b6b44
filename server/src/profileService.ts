/**
 * The server's side of profiling: runs the engine's capture and analysis for a component of
 * an analysed workspace file, keeps the profiles in the workspace store, publishes the
 * hot-path findings as diagnostics on the TypeScript files, and answers the config-key
 * lookups ("Go to definition" and lenses in component config files). No logic of its own.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver/node';
import type { ConfigKeyUsagesRequest, ProfileCompareRequest, ProfileContinuousNotification, ProfileContinuousRequest, ProfileListRequest, ProfileResultRequest, ProfileStartRequest } from '../../protocol/index';
import { workspaceConfigFrom, type WorkspaceConfig } from '../../engine/workspace/config';
import { isTrusted, untrustedMessage } from './trust';
import type { CachedAnalysis } from './workspaceDocuments';

/**
 * ts-morph brings the TypeScript compiler (~15 MB): it is a bundle of its own
 * (dist/profileEngine.js) loaded on the first profile, so the server starts as fast as before.
 * The module name is a variable so that esbuild leaves the require to run time.
 */
type ProfileEngine = typeof import('./profileEngine');
let engine: Promise<ProfileEngine> | undefined;
const loadEngine = () =>
  (engine ??= Promise.resolve().then(() => {
    const bundled = join(__dirname, 'profileEngine.js');
    const source = './profileEngine';
    return (existsSync(bundled) ? require(bundled) : require(source)) as ProfileEngine;
  }));

export interface ProfileServiceHooks {
  analysis(uri: string): CachedAnalysis | undefined;
  /** Today's text of a file: the open editor's buffer if the client sent it, else undefined (read from disk). */
  openText(uri: string): string | undefined;
  publish(uri: string, diagnostics: Diagnostic[]): void;
  log(message: string): void;
  /** A continuous profile window ended, or continuous profiling stopped. */
  continuous?(p: ProfileContinuousNotification.Params): void;
}

/** One component profiled continuously: its stop switch and the loop to wait for. */
interface ContinuousRun {
  abort: AbortController;
  done: Promise<void>;
}

export class ProfileService {
  /** Files that carry hot-path diagnostics now, per workspace file (cleared on the next profile). */
  private readonly published = new Map<string, Set<string>>();
  /** Continuous profiling, per workspace file and component (`uri#component`). */
  private readonly running = new Map<string, ContinuousRun>();

  constructor(private readonly hooks: ProfileServiceHooks) {}

  private workspace(uri: string): { config: WorkspaceConfig; folder: string } | string {
    const cached = this.hooks.analysis(uri);
    if (!cached?.analysis.doc) return 'Open alluse-perf.yaml first: profiling reads the components from it.';
    if (cached.analysis.findings.some((f) => f.severity === 'error')) return 'alluse-perf.yaml has errors; fix them (see the Problems panel) first.';
    if (!uri.startsWith('file:')) return 'Profiling needs a workspace file on the local disk.';
    return { config: workspaceConfigFrom(cached.analysis.doc), folder: dirname(fileURLToPath(uri)) };
  }

  private readCurrent = (file: string): string | undefined => {
    const open = this.hooks.openText(pathToFileURL(file).href);
    if (open !== undefined) return open;
    return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  };

  async start(p: ProfileStartRequest.Params, signal: AbortSignal): Promise<ProfileStartRequest.Result> {
    if (!isTrusted(p)) return { error: untrustedMessage('profiling', 'attaches to the component\'s process and runs code in it through its inspector') };
    const ws = this.workspace(p.uri);
    if (typeof ws === 'string') return { error: ws };
    const e = await loadEngine();
    try {
      const comp = e.findComponent(ws.config, p.component);
      if (comp.kind !== 'node' || (!comp.process.inspectPort && !e.inspectFlagPort(comp.process.start?.args ?? []))) {
        // No inspector: what the OS tells about the process, and what it cannot.
        const pidFile = comp.process.pidFile && resolve(ws.folder, comp.process.pidFile);
        const pid = pidFile && existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : NaN;
        if (!(pid > 0)) return { error: `${comp.name} has no inspector port (process.inspectPort) and no running process found through process.pidFile.` };
        return { os: await e.profileOsProcess(pid, Math.min(600_000, Math.max(200, p.durationMs)), signal), component: comp.name };
      }
      const { result, entry } = await e.profileComponent(ws.config, ws.folder, p.component, {
        durationMs: Math.min(600_000, Math.max(200, p.durationMs)),
        samplingIntervalUs: p.samplingIntervalUs,
        heap: p.heap,
        signal,
        readCurrent: this.readCurrent,
      });
      const findings = e.hotPathFindings(result, { readCurrent: this.readCurrent });
      this.publishFindings(p.uri, findings);
      return { entry, result, findings };
    } catch (err) {
      return { error: (err as Error).message };
    }
  }

  /** Continuous low-rate profiling: start (no-op if it runs) or stop one component's loop. */
  async continuous(p: ProfileContinuousRequest.Params): Promise<ProfileContinuousRequest.Result> {
    const key = `${p.uri}#${p.component}`;
    if (p.action === 'stop') {
      const run = this.running.get(key);
      if (run) { run.abort.abort(); await run.done; }
      return { running: this.runningFor(p.uri) };
    }
    if (!isTrusted(p)) return { error: untrustedMessage('continuous profiling', 'attaches to the component\'s process and runs code in it through its inspector') };
    if (this.running.has(key)) return { running: this.runningFor(p.uri) };
    const ws = this.workspace(p.uri);
    if (typeof ws === 'string') return { error: ws };
    const e = await loadEngine();
    try {
      e.inspectPortOf(e.findComponent(ws.config, p.component)); // fails now, with what to do, rather than in the loop
    } catch (err) {
      return { error: (err as Error).message };
    }
    const abort = new AbortController();
    const run: ContinuousRun = { abort, done: Promise.resolve() };
    this.running.set(key, run);
    run.done = this.continuousLoop(p, abort.signal).finally(() => { if (this.running.get(key) === run) this.running.delete(key); });
    return { running: this.runningFor(p.uri) };
  }

  private runningFor(uri: string): string[] {
    return [...this.running.keys()].filter((k) => k.startsWith(`${uri}#`)).map((k) => k.slice(uri.length + 1));
  }

  private async continuousLoop(p: ProfileContinuousRequest.Params, signal: AbortSignal): Promise<void> {
    const e = await loadEngine();
    const windowMs = Math.min(600_000, Math.max(200, p.windowMs ?? 60_000));
    let windows = 0;
    let reason = 'stopped';
    while (!signal.aborted) {
      // The workspace is read again for every window: a component removed from alluse-perf.yaml ends the loop.
      const ws = this.workspace(p.uri);
      if (typeof ws === 'string') { reason = ws; break; }
      if (!ws.config.components.some((c) => c.name === p.component)) { reason = `${p.component} is no longer in alluse-perf.yaml`; break; }
      try {
        const { result, entry } = await e.profileComponent(ws.config, ws.folder, p.component, {
          durationMs: windowMs, samplingIntervalUs: p.samplingIntervalUs ?? 10_000, signal, readCurrent: this.readCurrent,
          note: 'continuous',
        });
        if (!result.threads.length) {
          // Every thread's profile was lost: the process ended during the window. Keep no empty profile.
          if (entry) e.profileStoreFor(ws.config, ws.folder).remove(entry.id);
          reason = `${p.component} went away: its inspector closed during the profile (${result.warnings[0] ?? 'no thread answered'})`;
          break;
        }
        windows++;
        this.publishFindings(p.uri, e.hotPathFindings(result, { readCurrent: this.readCurrent }));
        this.hooks.continuous?.({ uri: p.uri, component: p.component, state: 'window', windows, entry, result });
      } catch (err) {
        // The inspector stopped answering: the component went away (or restarted without it).
        reason = `${p.component} went away: ${(err as Error).message}`;
        break;
      }
    }
    this.hooks.log(`continuous profiling of ${p.component} ended after ${windows} profile(s): ${reason}`);
    this.hooks.continuous?.({ uri: p.uri, component: p.component, state: 'stopped', windows, reason });
  }

  /** Stops every continuous profile (server shutdown), each keeping the window it was in. */
  async stopAll(): Promise<void> {
    const runs = [...this.running.values()];
    for (const r of runs) r.abort.abort();
    await Promise.allSettled(runs.map((r) => r.done));
  }

  async list(p: ProfileListRequest.Params): Promise<ProfileListRequest.Result> {
    const ws = this.workspace(p.uri);
    if (typeof ws === 'string') return [];
    return (await loadEngine()).profileStoreFor(ws.config, ws.folder).list();
  }

  async result(p: ProfileResultRequest.Params): Promise<ProfileResultRequest.Result> {
    const ws = this.workspace(p.uri);
    if (typeof ws === 'string') return null;
    const e = await loadEngine();
    const store = e.profileStoreFor(ws.config, ws.folder);
    // The kept result, its functions found again by name in today's sources (no old build needed).
    const kept = store.result(p.id);
    if (!kept) return null;
    const result = e.relocateResult(kept, this.readCurrent);
    const findings = e.hotPathFindings(result, { readCurrent: this.readCurrent });
    this.publishFindings(p.uri, findings);
    return { result, findings };
  }

  async compare(p: ProfileCompareRequest.Params): Promise<ProfileCompareRequest.Result> {
    const ws = this.workspace(p.uri);
    if (typeof ws === 'string') return { error: ws };
    const e = await loadEngine();
    const store = e.profileStoreFor(ws.config, ws.folder);
    const [a, b] = [store.get(p.before), store.get(p.after)];
    const [ra, rb] = [store.result(p.before), store.result(p.after)];
    if (!a || !b || !ra || !rb) return { error: 'One of the profiles is no longer in the store.' };
    return e.compareProfiles(ra, rb, a.config, b.config);
  }

  async configKeyUsages(p: ConfigKeyUsagesRequest.Params): Promise<ConfigKeyUsagesRequest.Result> {
    const ws = this.workspace(p.uri);
    if (typeof ws === 'string' || !p.configUri.startsWith('file:')) return [];
    const configFile = fileURLToPath(p.configUri);
    const comp = ws.config.components.find((c) => c.configFiles.some((f) => resolve(ws.folder, f) === configFile));
    if (!comp) return [];
    const e = await loadEngine();
    const entry = e.entryScriptOf(comp.process.start, ws.folder);
    const sources = e.componentSources(entry, entry ? resolve(dirname(entry), '..', 'src') : ws.folder);
    return e.configKeyUsages(p.text, sources);
  }

  private publishFindings(wsUri: string, findings: import('../../protocol/index').HotPathFinding[]): void {
    const byFile = new Map<string, Diagnostic[]>();
    for (const f of findings) {
      const uri = pathToFileURL(f.file).href;
      const list = byFile.get(uri) ?? [];
      list.push({
        range: { start: { line: f.line - 1, character: f.column - 1 }, end: { line: f.endLine - 1, character: f.endColumn - 1 } },
        severity: 3, // Information: measured help, not an error in the code
        source: 'alluse-perf profile',
        code: f.code,
        message: f.message,
      });
      byFile.set(uri, list);
    }
    const before = this.published.get(wsUri) ?? new Set();
    for (const uri of before) if (!byFile.has(uri)) this.hooks.publish(uri, []);
    for (const [uri, d] of byFile) this.hooks.publish(uri, d);
    this.published.set(wsUri, new Set(byFile.keys()));
  }
}
