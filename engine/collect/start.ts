/**
 * Starting a component from its `process.start` section: the program and its arguments are
 * passed to spawn as they are, never through a shell, in `cwd` (relative to the workspace
 * folder) with `env` added to our environment. Only called when the user asks for it (and
 * only in a trusted workspace: the caller checks that).
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { resolve } from 'node:path';
import type { StartSpec } from './discovery';

export interface StartOptions {
  /** Default: ignore stdin, pipe stdout and stderr (so the caller can show the output). */
  stdio?: StdioOptions;
  /** Start in its own process group (so it outlives us, and a group kill reaches its children). Default false. */
  detached?: boolean;
}

export function startComponent(spec: StartSpec, folder: string, options: StartOptions = {}): ChildProcess {
  const cwd = resolve(folder, spec.cwd ?? '.');
  return spawn(spec.command, [...(spec.args ?? [])], {
    cwd,
    env: { ...process.env, ...(spec.env ?? {}) },
    shell: false,
    stdio: options.stdio ?? ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
    windowsHide: true,
  });
}
