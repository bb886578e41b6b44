/**
 * `alluse-perf profile`: a CPU profile of a running Node component (every thread) through
 * its inspector, mapped to the TypeScript source, printed as its hottest functions and kept
 * in the workspace's profile store. Components without an inspector get the OS figures.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseDuration } from '../engine/index';
import { profileOsProcess, type OsProcessProfile } from '../engine/profile/osProcess';
import { findComponent, profileComponent, profileStoreFor } from '../engine/profile/profileComponent';
import type { ProfileResult } from '../engine/profile/types';
import { loadWorkspaceConfig } from './workspaceFile';

export interface ProfileCommandOptions {
  workspace: string;
  component: string;
  duration: string;
  interval?: string;
  out?: string;
  top: string;
  heap: boolean;
  json: boolean;
  save: boolean;
  /** Profile again and again (each kept in the store), at 10 ms sampling unless --interval says otherwise. */
  continuous?: boolean;
  count?: string;
}

/** A path relative to the workspace (or the current folder) when inside it, else absolute. */
function shortPath(dir: string, file: string): string {
  for (const base of [dir, process.cwd()]) {
    const r = relative(base, file);
    if (r && !r.startsWith('..')) return r;
  }
  return file;
}

const pct = (v: number) => `${v.toFixed(1).padStart(5)}%`;

export function formatProfile(r: ProfileResult, dir: string, top: number): string[] {
  const lines = [
    `${r.component}: ${(r.durationMs / 1000).toFixed(1)} s, ${r.threads.length} thread(s), ${Math.round(r.busyMs)} ms busy (${(r.busyMs / r.durationMs).toFixed(2)} cores); mapped in ${Math.round(r.analysisMs)} ms`,
    ...r.threads.map((t) => `  ${t.label.padEnd(32)} busy ${Math.round(t.busyMs)} ms`),
    '',
    '   self  total  function',
  ];
  for (const f of r.functions.filter((x) => x.category !== 'idle').slice(0, top)) {
    const where = f.location ? `  ${shortPath(dir, f.location.file)}:${f.location.line}` : f.url ? `  ${f.url}` : '';
    lines.push(`${pct(f.selfPct)} ${pct(f.totalPct)}  ${f.name}${where}`);
  }
  if (r.gc) lines.push('', r.gc.source === 'perf_hooks'
    ? `GC: ${r.gc.count} pauses, ${r.gc.totalMs.toFixed(1)} ms in all, longest ${r.gc.maxMs.toFixed(1)} ms (main thread)`
    : `GC: ${r.gc.totalMs.toFixed(1)} ms of samples in the garbage collector`);
  if (r.heapTop?.length) {
    lines.push('', 'allocations sampled (main thread, live at the end):');
    for (const h of r.heapTop.slice(0, 8)) lines.push(`  ${(h.bytes / 1024).toFixed(0).padStart(7)} KiB  ${h.name}${h.location ? `  ${shortPath(dir, h.location.file)}:${h.location.line}` : ''}`);
  }
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return lines;
}

function formatOs(p: OsProcessProfile, name: string): string[] {
  return [
    `${name} (pid ${p.pid}): ${(p.durationMs / 1000).toFixed(1)} s, CPU ${p.cores.toFixed(2)} cores (user ${p.userMs} ms, system ${p.systemMs} ms), context switches ${p.voluntaryCtxSwitches} voluntary / ${p.involuntaryCtxSwitches} involuntary`,
    ...p.threads.slice(0, 10).map((t) => `  thread ${String(t.tid).padEnd(8)} ${t.name.padEnd(16)} ${t.cpuMs} ms`),
    '',
    ...p.unavailable.map((u) => `not available: ${u}`),
  ];
}

export async function profileCommand(opts: ProfileCommandOptions, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const durationMs = parseDuration(opts.duration);
  if (durationMs === undefined || durationMs < 100 || durationMs > 600_000) {
    err(`alluse-perf: --duration "${opts.duration}" must be a duration between 100ms and 10m, e.g. 10s.`);
    return 2;
  }
  const intervalUs = opts.interval === undefined ? undefined : Number(opts.interval);
  if (intervalUs !== undefined && !(intervalUs >= 50 && intervalUs <= 100_000)) {
    err('alluse-perf: --interval is the sampling interval in microseconds, 50 to 100000.');
    return 2;
  }
  const ws = loadWorkspaceConfig(opts.workspace, err);
  if (typeof ws === 'number') return ws;
  let component;
  try { component = findComponent(ws.config, opts.component); } catch (e) { err(`alluse-perf: ${(e as Error).message}`); return 2; }

  const noInspector = component.kind !== 'node' || (!component.process.inspectPort && !(component.process.start?.args ?? []).some((a) => a.startsWith('--inspect')));
  if (noInspector) {
    const pidFile = component.process.pidFile && resolve(ws.dir, component.process.pidFile);
    const pid = pidFile && existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : NaN;
    if (!(pid > 0)) {
      err(`alluse-perf: ${component.name} has no inspector port (process.inspectPort) and no running process found through process.pidFile; start it, or give it an inspector with --inspect=127.0.0.1:PORT.`);
      return 1;
    }
    const p = await profileOsProcess(pid, durationMs);
    if (opts.json) out(JSON.stringify(p)); else for (const l of formatOs(p, component.name)) out(l);
    return 0;
  }

  if (opts.continuous) return continuous(opts, ws, component.name, durationMs, intervalUs ?? 10_000, out, err);
  err(`profiling ${component.name} for ${(durationMs / 1000).toFixed(1)} s…`);
  let r;
  try {
    r = await profileComponent(ws.config, ws.dir, component.name, { durationMs, samplingIntervalUs: intervalUs, heap: opts.heap, save: opts.save });
  } catch (e) {
    err(`alluse-perf: ${(e as Error).message}`);
    return 1;
  }
  const { result, entry } = r;
  if (opts.out) {
    // One standard .cpuprofile per thread: FILE for the main thread, FILE with the thread's name for workers.
    const base = opts.out.replace(/\.cpuprofile$/, '');
    const store = profileStoreFor(ws.config, ws.dir);
    const captured = entry ? store.captured(entry.id) : undefined;
    if (!captured) {
      err('alluse-perf: --out needs the profile kept in the store (drop --no-save).');
      return 1;
    }
    for (const t of captured.threads) {
      const file = t.kind === 'main' ? `${base}.cpuprofile` : `${base}.${t.label.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/-+$/, '')}.cpuprofile`;
      writeFileSync(file, JSON.stringify(t.profile));
      err(`wrote ${file} (${t.label})`);
    }
  }
  if (opts.json) out(JSON.stringify({ ...result, flame: undefined, functions: result.functions.slice(0, Number(opts.top) || 20), saved: entry?.id }));
  else {
    for (const l of formatProfile(result, ws.dir, Number(opts.top) || 20)) out(l);
    if (entry) out(`\nsaved as ${entry.id} in ${relative(process.cwd(), profileStoreFor(ws.config, ws.dir).folder) || '.'}`);
  }
  return 0;
}

/**
 * Continuous profiling at a low sampling rate: one profile after another, each kept in the
 * store (so any stretch can be opened or compared later), one summary line each, until
 * Ctrl-C or --count profiles.
 */
async function continuous(opts: ProfileCommandOptions, ws: { dir: string; config: import('../engine/workspace/config').WorkspaceConfig }, name: string, durationMs: number, intervalUs: number, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const count = opts.count === undefined ? Infinity : Number(opts.count);
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  err(`profiling ${name} continuously: ${(durationMs / 1000).toFixed(0)} s profiles at ${intervalUs} µs sampling${Number.isFinite(count) ? `, ${count} of them` : ' until Ctrl-C'}`);
  try {
    for (let i = 0; i < count && !abort.signal.aborted; i++) {
      const { result, entry } = await profileComponent(ws.config, ws.dir, name, { durationMs, samplingIntervalUs: intervalUs, save: opts.save, signal: abort.signal });
      const top = result.functions.filter((f) => f.category === 'user').slice(0, 3).map((f) => `${f.name} ${f.selfPct.toFixed(1)}%`).join(', ');
      if (opts.json) out(JSON.stringify({ id: entry?.id, startedAt: result.startedAt, durationMs: result.durationMs, busyMs: result.busyMs, top: result.functions.slice(0, 10).map((f) => ({ name: f.name, selfPct: f.selfPct, totalPct: f.totalPct })) }));
      else out(`${new Date(result.startedAt).toISOString()}  ${(result.busyMs / result.durationMs).toFixed(2)} cores busy  ${top}${entry ? `  (${entry.id})` : ''}`);
    }
  } catch (e) {
    err(`alluse-perf: ${(e as Error).message}`);
    return 1;
  } finally {
    process.off('SIGINT', onSigint);
  }
  return 0;
}
