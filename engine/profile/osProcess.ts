/**
 * What the OS tells about a process without privileges (Linux /proc), for components
 * that are not Node or have no inspector: CPU time (user, system), context switches and
 * threads with their own CPU time, over a measured interval. No function-level profile:
 * that needs the process's own profiler (the Node inspector) or privileges (perf), and
 * the result says so.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';

export interface OsThreadSample { tid: number; name: string; cpuMs: number }

export interface OsProcessProfile {
  pid: number;
  durationMs: number;
  userMs: number;
  systemMs: number;
  /** CPU time over wall time (1 = one core busy). */
  cores: number;
  voluntaryCtxSwitches: number;
  involuntaryCtxSwitches: number;
  threads: OsThreadSample[];
  unavailable: string[];
}

const TICK_MS = 10; // USER_HZ is 100 on Linux (sysconf(_SC_CLK_TCK)); /proc reports ticks.

/** utime and stime (ms) and the name from a /proc stat line; the name may contain spaces and parentheses. */
export function parseStat(text: string): { name: string; userMs: number; systemMs: number } {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state); utime is field 14, stime field 15.
  return { name: text.slice(open + 1, close), userMs: Number(rest[11]) * TICK_MS, systemMs: Number(rest[12]) * TICK_MS };
}

function readStatus(pid: number): { voluntary: number; involuntary: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const v = /voluntary_ctxt_switches:\s+(\d+)/.exec(s);
  const n = /nonvoluntary_ctxt_switches:\s+(\d+)/.exec(s);
  return { voluntary: Number(v?.[1] ?? 0), involuntary: Number(n?.[1] ?? 0) };
}

function readThreads(pid: number): Map<number, { name: string; ms: number }> {
  const out = new Map<number, { name: string; ms: number }>();
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      const s = parseStat(readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8'));
      out.set(Number(t), { name: s.name, ms: s.userMs + s.systemMs });
    } catch { /* the thread ended */ }
  }
  return out;
}

export async function profileOsProcess(pid: number, durationMs: number, signal?: AbortSignal): Promise<OsProcessProfile> {
  if (!existsSync(`/proc/${pid}/stat`)) throw new Error(`process ${pid} is not running (or /proc is not available on this system)`);
  const t0 = Date.now();
  const s0 = parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  const c0 = readStatus(pid);
  const th0 = readThreads(pid);
  await new Promise<void>((r) => { const t = setTimeout(r, durationMs); signal?.addEventListener('abort', () => { clearTimeout(t); r(); }, { once: true }); });
  const s1 = parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  const c1 = readStatus(pid);
  const th1 = readThreads(pid);
  const wall = Date.now() - t0;
  const threads = [...th1].map(([tid, t]) => ({ tid, name: t.name, cpuMs: t.ms - (th0.get(tid)?.ms ?? 0) })).sort((a, b) => b.cpuMs - a.cpuMs);
  const userMs = s1.userMs - s0.userMs, systemMs = s1.systemMs - s0.systemMs;
  return {
    pid, durationMs: wall, userMs, systemMs, cores: wall > 0 ? (userMs + systemMs) / wall : 0,
    voluntaryCtxSwitches: c1.voluntary - c0.voluntary, involuntaryCtxSwitches: c1.involuntary - c0.involuntary, threads,
    unavailable: [
      'Function-level CPU profile: needs the process’s own profiler (for Node, the inspector: set process.inspectPort and start it with --inspect=127.0.0.1:PORT) or system privileges (perf), which the extension does not use.',
      'Heap profile and GC pauses: only through the Node inspector.',
      `CPU time resolution is the kernel’s tick (${TICK_MS} ms).`,
    ],
  };
}
