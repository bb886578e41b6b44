/**
 * Runs one trial command: no shell (arguments reach the program exactly as given, so a
 * parameter value such as `; rm -rf ~` is just text), its own process group (a timeout or a
 * cancel stops the command and everything it started), stdout kept for the result line,
 * the tail of stderr kept for the failure reason.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';

export interface ProcessRun {
  /** Exit code, or null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** The last few KiB of stderr. */
  stderrTail: string;
  timedOut: boolean;
  cancelled: boolean;
  /** Set when the program could not be started at all (ENOENT, EACCES). */
  spawnError?: string;
  durationMs: number;
}

export interface ProcessOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Time between SIGTERM and SIGKILL of the group. */
  killGraceMs?: number;
}

const STDOUT_LIMIT = 4 << 20;
const STDERR_TAIL = 4096;

/** Sends `sig` to the whole process group of `pid` (the child is its leader); falls back to the child alone. */
function killGroup(pid: number | undefined, sig: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      /* already gone */
    }
  }
}

export function runProcess(command: string, args: readonly string[], o: ProcessOptions): Promise<ProcessRun> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let cancelled = false;
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    let child: ChildProcessByStdio<null, Readable, Readable>;
    try {
      child = spawn(command, [...args], { cwd: o.cwd, env: o.env, shell: false, detached: true, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    } catch (e) {
      // spawn throws at once for what no process can be given (a NUL byte in an argument
      // or the environment): a failed run with the reason, never an exception.
      resolve({ code: null, signal: null, stdout: '', stderrTail: '', timedOut: false, cancelled: false, spawnError: (e as Error).message, durationMs: Date.now() - t0 });
      return;
    }
    const stop = () => {
      killGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), o.killGraceMs ?? 3000);
      killTimer.unref();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, o.timeoutMs);
    const onAbort = () => {
      cancelled = true;
      stop();
    };
    if (o.signal?.aborted) onAbort();
    else o.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      stdout += d;
      // Only the last line matters: keep the end when a chatty command prints a lot.
      if (stdout.length > STDOUT_LIMIT) {
        stdout = stdout.slice(stdout.length - STDOUT_LIMIT / 2);
      }
    });
    child.stderr.on('data', (d: string) => {
      stderr = (stderr + d).slice(-STDERR_TAIL);
    });
    const finish = (code: number | null, signal: NodeJS.Signals | null, spawnError?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      // The leader is gone; make sure nothing it started outlives a stopped trial.
      if (timedOut || cancelled) {
        killGroup(child.pid, 'SIGKILL');
        if (killTimer) clearTimeout(killTimer);
      }
      resolve({ code, signal, stdout, stderrTail: stderr, timedOut, cancelled, spawnError, durationMs: Date.now() - t0 });
    };
    child.on('error', (e: NodeJS.ErrnoException) => finish(null, null, e.code === 'ENOENT' ? `the program "${command}" was not found (looked up on PATH from ${o.cwd})` : e.message));
    // 'close' waits for stdout and stderr to end as well as the exit. A process the command
    // left behind can hold the pipes open: then the exit counts after a short grace, and the
    // leftovers of the trial's process group are stopped.
    child.on('close', (code, signal) => finish(code, signal));
    child.on('exit', (code, signal) => {
      setTimeout(() => {
        if (settled) return;
        killGroup(child.pid, 'SIGKILL');
        finish(code, signal);
      }, 2000);
    });
  });
}
