/**
 * Parsers of Linux /proc files. Pure functions of the file text, so they are unit-tested on
 * captured samples; the readers (procSystem.ts, procProcess.ts) only read files and keep state.
 */

export interface CpuTimes {
  /** Jiffies spent doing work: user, nice, system, irq, softirq, steal. */
  busy: number;
  /** All jiffies: busy + idle + iowait. */
  total: number;
}

/** `/proc/stat`: CPU times by cpu ("total" for the `cpu` line, "0", "1", … for the cores). */
export function parseProcStat(text: string): Map<string, CpuTimes> {
  const out = new Map<string, CpuTimes>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('cpu')) continue;
    const f = line.trim().split(/\s+/);
    const name = f[0] === 'cpu' ? 'total' : f[0].slice(3);
    if (name !== 'total' && !/^\d+$/.test(name)) continue;
    // user nice system idle iowait irq softirq steal (guest and guest_nice are already in user and nice)
    const v = f.slice(1, 9).map(Number);
    if (v.length < 4 || v.some((x) => !Number.isFinite(x))) continue;
    const [user, nice, system, idle, iowait = 0, irq = 0, softirq = 0, steal = 0] = v;
    const busy = user + nice + system + irq + softirq + steal;
    out.set(name, { busy, total: busy + idle + iowait });
  }
  return out;
}

/** Share of busy time between two readings (0..1), undefined when no time passed or a counter went back. */
export function cpuRatio(prev: CpuTimes, cur: CpuTimes): number | undefined {
  const dt = cur.total - prev.total;
  const db = cur.busy - prev.busy;
  if (!(dt > 0) || db < 0) return undefined;
  return Math.min(1, db / dt);
}

/** `/proc/meminfo`: values in bytes by key (`MemTotal`, `MemAvailable`, `SwapFree`, …). */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([\w()]+):\s+(\d+)(?:\s+(kB))?/.exec(line);
    if (m) out.set(m[1], Number(m[2]) * (m[3] ? 1024 : 1));
  }
  return out;
}

/** `/proc/loadavg`: the 1, 5 and 15 minute load averages. */
export function parseLoadavg(text: string): [number, number, number] | undefined {
  const f = text.trim().split(/\s+/).slice(0, 3).map(Number);
  return f.length === 3 && f.every(Number.isFinite) ? (f as [number, number, number]) : undefined;
}

export interface NetCounters {
  rxBytes: number;
  txBytes: number;
}

/** `/proc/net/dev`: received and transmitted bytes by interface. */
export function parseNetDev(text: string): Map<string, NetCounters> {
  const out = new Map<string, NetCounters>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0 || line.includes('|')) continue;
    const name = line.slice(0, colon).trim();
    const f = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    if (!name || f.length < 9 || !Number.isFinite(f[0]) || !Number.isFinite(f[8])) continue;
    out.set(name, { rxBytes: f[0], txBytes: f[8] });
  }
  return out;
}

export interface DiskCounters {
  readBytes: number;
  writeBytes: number;
}

/** `/proc/diskstats`: bytes read and written by device (sectors are always 512 bytes there). */
export function parseDiskstats(text: string): Map<string, DiskCounters> {
  const out = new Map<string, DiskCounters>();
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const sectorsRead = Number(f[5]);
    const sectorsWritten = Number(f[9]);
    if (!Number.isFinite(sectorsRead) || !Number.isFinite(sectorsWritten)) continue;
    out.set(f[2], { readBytes: sectorsRead * 512, writeBytes: sectorsWritten * 512 });
  }
  return out;
}

export interface PidStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  /** User and system CPU time, in clock ticks (USER_HZ). */
  utimeTicks: number;
  stimeTicks: number;
  threads: number;
  /** Start time after boot, in clock ticks (field 22): with the pid, the identity of a process. */
  startTime: number;
  /** Resident set size in pages. */
  rssPages: number;
}

/**
 * `/proc/PID/stat`. The command name (field 2) is in parentheses and may itself contain
 * spaces and parentheses, so fields are counted from the last `)`.
 */
export function parsePidStat(text: string): PidStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const f = text.slice(close + 2).trim().split(' ');
  // f[0] is field 3 (state); field k is f[k - 3].
  if (f.length < 22 || !Number.isInteger(pid)) return undefined;
  const num = (k: number) => Number(f[k - 3]);
  const s: PidStat = {
    pid,
    comm: text.slice(open + 1, close),
    state: f[0],
    ppid: num(4),
    utimeTicks: num(14),
    stimeTicks: num(15),
    threads: num(20),
    startTime: num(22),
    rssPages: num(24),
  };
  for (const k of ['ppid', 'utimeTicks', 'stimeTicks', 'threads', 'startTime', 'rssPages'] as const) if (!Number.isFinite(s[k])) return undefined;
  return s;
}

/** `/proc/PID/io`: bytes the process caused to be read from and written to storage. */
export function parsePidIo(text: string): { readBytes: number; writeBytes: number } | undefined {
  const r = /^read_bytes:\s*(\d+)/m.exec(text);
  const w = /^write_bytes:\s*(\d+)/m.exec(text);
  return r && w ? { readBytes: Number(r[1]), writeBytes: Number(w[1]) } : undefined;
}

/** `/proc/PID/cmdline`: NUL-separated arguments, joined with spaces for matching. */
export function parseCmdline(raw: string): string {
  return raw.replace(/\0+$/, '').split('\0').join(' ');
}
