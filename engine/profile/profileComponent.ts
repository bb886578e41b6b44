/**
 * Profiling one component of a workspace: find its inspector port, capture, map, save.
 * Shared by the CLI, the language server and the tests.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { ComponentConfig, WorkspaceConfig } from '../workspace/config';
import { analyzeProfile } from './analyze';
import { captureProfile, type CaptureOptions } from './capture';
import { ProfileStore, profileId, type ProfileEntry } from './profileStore';
import { scriptPath, SourceMapper } from './sourceMapper';
import { entryScriptOf } from './configKeys';
import { prepareMapping, scriptsNear } from './prepareMapping';
import type { ProfileResult } from './types';

export interface ProfileComponentOptions {
  durationMs: number;
  samplingIntervalUs?: number;
  heap?: boolean;
  workers?: boolean;
  /** Keep it in `<store>/profiles` (default true). */
  save?: boolean;
  note?: string;
  signal?: AbortSignal;
  mapper?: SourceMapper;
  readCurrent?(file: string): string | undefined;
  onStarted?: CaptureOptions['onStarted'];
}

/** The folder that holds `profiles/`: the parent of the monitor's store (`.alluse-perf`). */
export function profileStoreFor(config: WorkspaceConfig, folder: string): ProfileStore {
  const storePath = isAbsolute(config.monitor.storePath) ? config.monitor.storePath : resolve(folder, config.monitor.storePath);
  return new ProfileStore(dirname(storePath));
}

export function findComponent(config: WorkspaceConfig, name: string): ComponentConfig {
  const c = config.components.find((x) => x.name === name);
  if (!c) throw new Error(`no component "${name}" in alluse-perf.yaml (there are: ${config.components.map((x) => x.name).join(', ') || 'none'})`);
  return c;
}

export function inspectPortOf(c: ComponentConfig): number {
  if (c.kind !== 'node') throw new Error(`${c.name} is not a Node component (kind: ${c.kind}): only OS figures (CPU time, context switches, threads) are available for it`);
  const port = c.process.inspectPort ?? inspectFlagPort(c.process.start?.args ?? []);
  if (!port) throw new Error(`${c.name} has no inspector port: set process.inspectPort in alluse-perf.yaml and start it with --inspect=127.0.0.1:PORT`);
  return port;
}

/** The port of an `--inspect[=host:]port` flag in a start command, when its host is loopback. */
export function inspectFlagPort(args: string[]): number | undefined {
  for (const a of args) {
    const m = /^--inspect(?:-brk)?=(?:(127\.0\.0\.1|localhost|\[::1\]):)?(\d+)$/.exec(a);
    if (m) return Number(m[2]);
  }
  return undefined;
}

/** The component's config files as text now (to compare profiles before/after a change). */
export function configSnapshot(c: ComponentConfig, folder: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of c.configFiles) {
    const p = resolve(folder, f);
    if (existsSync(p)) out[f] = readFileSync(p, 'utf8');
  }
  return out;
}

export async function profileComponent(config: WorkspaceConfig, folder: string, name: string, opts: ProfileComponentOptions): Promise<{ result: ProfileResult; entry?: ProfileEntry }> {
  const c = findComponent(config, name);
  const port = inspectPortOf(c);
  const config0 = configSnapshot(c, folder);
  const mapper = opts.mapper ?? new SourceMapper();
  let warm: Promise<void> = Promise.resolve();
  const cap = await captureProfile({
    component: name, port, durationMs: opts.durationMs, samplingIntervalUs: opts.samplingIntervalUs, heap: opts.heap, workers: opts.workers, signal: opts.signal,
    onStarted: (threads, scripts) => {
      // While it samples: load the source maps and index the sources, so mapping after stop is warm.
      const files = new Set([...scripts.map(scriptPath).filter((f): f is string => !!f), ...scriptsNear(entryScriptOf(c.process.start, folder))]);
      warm = prepareMapping([...files], mapper, opts.signal).catch(() => undefined);
      opts.onStarted?.(threads, scripts);
    },
  });
  await warm;
  const result = analyzeProfile(cap, { id: profileId(name, cap.startedAt), mapper, readCurrent: opts.readCurrent });
  const entry = opts.save === false ? undefined : profileStoreFor(config, folder).save(cap, result, config0, opts.note);
  return { result, entry };
}
