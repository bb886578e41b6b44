/**
 * Finding a component's process from its `process` section, and finding it again after a
 * restart. Tried in order: `pidFile` (checked every round while its process is not found;
 * while it lives, the file's modification time is checked once a second, and a process that
 * exits is noticed at once because its /proc/PID/stat cannot be read), then a process
 * already found (still alive with the same start time), then `commandMatch` (a scan of
 * /proc/[pid]/cmdline, at most once per `rescanMs` while nothing matches; our own process is
 * never matched, and of a wrapper and its child that both match, the child is taken).
 *
 * A process is identified by its pid AND its start time (field 22 of /proc/PID/stat): a pid
 * whose start time changed is another process. A pid file whose pid now belongs to a process
 * that started after the file was written is stale (the component died, the pid was reused).
 *
 * Elsewhere than Linux: the pid file is checked with `kill(pid, 0)` and `commandMatch` is
 * matched against systeminformation's process list.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { systemClock, type MonotonicClock } from './clock';
import { errorMessage } from './problems';
import { isRealProc, ProcFile } from './procFile';
import { emptyPidStat, parseCmdline, parsePidStat, scanPidStat, type PidStat } from './procParse';
import { loadSysteminformation } from './si';

export interface StartSpec {
  command: string;
  args?: readonly string[];
  /** Relative to the workspace folder. Default `.`. */
  cwd?: string;
  env?: Readonly<Record<string, string>>;
}

/** The `process` section of a component in alluse-perf.yaml. */
export interface ProcessSpec {
  pidFile?: string;
  commandMatch?: string;
  start?: StartSpec;
}

export interface ProcessIdentity {
  pid: number;
  /** Start time in clock ticks after boot (Linux); 0 when unknown. */
  startTime: number;
  foundBy: 'pidFile' | 'commandMatch' | 'started';
}

export interface LocateResult {
  identity?: ProcessIdentity;
  /** The parsed /proc/PID/stat read while checking (Linux), so the caller does not read it again. */
  stat?: PidStat;
  /** True when the identity differs from the previous call's (found, lost, restarted). */
  changed: boolean;
  previous?: ProcessIdentity;
  /** Why nothing was found, for the user. */
  reason?: string;
}

export interface LocatorOptions {
  procRoot?: string;
  /** Our own pid, never matched. Default process.pid. */
  selfPid?: number;
  /** Smallest time between two /proc scans for `commandMatch` while nothing matches. Default 1000 ms. */
  rescanMs?: number;
  clock?: MonotonicClock;
  /** Force the non-Linux path (tests). */
  platform?: NodeJS.Platform;
}

/** While the process of a pid file lives, the file is checked this often. */
const PID_FILE_RECHECK_MS = 1000;

const sameIdentity = (a?: ProcessIdentity, b?: ProcessIdentity) => a?.pid === b?.pid && a?.startTime === b?.startTime;

export class ProcessLocator {
  private current?: ProcessIdentity;
  private adopted?: number;
  private lastScan = -Infinity;
  private readonly regex?: RegExp;
  private readonly regexError?: string;
  private readonly procRoot: string;
  private readonly selfPid: number;
  private readonly clock: MonotonicClock;
  private readonly linux: boolean;
  private bootTimeMs?: number;
  private pidFileCache?: { file: string; mtimeMs: number; pid: number };
  private pidFilePath?: string;
  private pidFileCheckedAt = -Infinity;
  /** /proc/PID/stat of the process checked last, kept open (see ProcFile), and its parsed fields (one object, reused). */
  private statFile?: { pid: number; file: ProcFile };
  private readonly hotStat = emptyPidStat();

  constructor(
    readonly spec: ProcessSpec,
    /** The folder of alluse-perf.yaml: `pidFile` and `start.cwd` are relative to it. */
    readonly folder: string,
    private readonly opts: LocatorOptions = {},
  ) {
    this.procRoot = opts.procRoot ?? '/proc';
    this.selfPid = opts.selfPid ?? process.pid;
    this.clock = opts.clock ?? systemClock;
    this.linux = (opts.platform ?? process.platform) === 'linux';
    if (spec.commandMatch !== undefined) {
      try {
        this.regex = new RegExp(spec.commandMatch);
      } catch (e) {
        this.regexError = `commandMatch is not a valid regular expression: ${errorMessage(e)}`;
      }
    }
  }

  /** The process found by the last call to `locate`. */
  get identity(): ProcessIdentity | undefined {
    return this.current;
  }

  /** Uses a process we started ourselves (see startComponent) when nothing else finds it. */
  adopt(pid: number): void {
    this.adopted = pid;
  }

  /** Reads /proc/PID/stat into a new object; undefined when the process is gone. */
  readStat(pid: number): PidStat | undefined {
    try {
      return parsePidStat(readFileSync(join(this.procRoot, String(pid), 'stat'), 'utf8'));
    } catch {
      return undefined;
    }
  }

  /**
   * The 100 ms path: /proc/PID/stat of the process being watched, from a file kept open
   * into one reused object (valid until the next call); undefined when the process is gone.
   */
  private watchedStat(pid: number): PidStat | undefined {
    if (this.statFile?.pid !== pid) {
      this.statFile?.file.close();
      this.statFile = { pid, file: new ProcFile(join(this.procRoot, String(pid), 'stat'), isRealProc(this.procRoot), 1024) };
    }
    const f = this.statFile.file;
    try {
      f.read();
    } catch {
      return undefined;
    }
    return scanPidStat(f.buf, f.len, this.hotStat) ? this.hotStat : undefined;
  }

  /** Closes the files kept open. */
  dispose(): void {
    this.statFile?.file.close();
    this.statFile = undefined;
  }

  private alive(pid: number): { startTime: number; stat?: PidStat } | undefined {
    if (!this.linux) {
      try {
        process.kill(pid, 0);
        return { startTime: 0 };
      } catch (e) {
        return (e as { code?: string }).code === 'EPERM' ? { startTime: 0 } : undefined;
      }
    }
    const stat = this.watchedStat(pid);
    if (!stat || stat.state === 'Z' || stat.state === 'X') return undefined; // a zombie has exited
    return { startTime: stat.startTime, stat };
  }

  private bootTime(): number | undefined {
    if (this.bootTimeMs === undefined) {
      try {
        const m = /^btime\s+(\d+)/m.exec(readFileSync(join(this.procRoot, 'stat'), 'utf8'));
        if (m) this.bootTimeMs = Number(m[1]) * 1000;
      } catch {
        /* unknown */
      }
    }
    return this.bootTimeMs;
  }

  private fromPidFile(): { found?: { id: ProcessIdentity; stat?: PidStat }; reason?: string } {
    const cur = this.current;
    const mono = this.clock.monoMs();
    if (cur?.foundBy === 'pidFile' && cur.pid === this.pidFileCache?.pid && mono - this.pidFileCheckedAt < PID_FILE_RECHECK_MS) {
      const a = this.alive(cur.pid);
      if (a && a.startTime === cur.startTime) return { found: { id: cur, stat: a.stat } };
    }
    this.pidFileCheckedAt = mono;
    const file = (this.pidFilePath ??= isAbsolute(this.spec.pidFile!) ? this.spec.pidFile! : resolve(this.folder, this.spec.pidFile!));
    let pid: number;
    let mtimeMs: number;
    try {
      // The 100 ms path: only stat the pid file, and read it again when it changed.
      mtimeMs = statSync(file).mtimeMs;
      if (this.pidFileCache?.mtimeMs === mtimeMs && this.pidFileCache.file === file) pid = this.pidFileCache.pid;
      else {
        pid = Number(readFileSync(file, 'utf8').trim());
        this.pidFileCache = { file, mtimeMs, pid };
      }
    } catch (e) {
      this.pidFileCache = undefined;
      return { reason: `pid file ${file} cannot be read (${(e as { code?: string }).code ?? errorMessage(e)})` };
    }
    if (!Number.isInteger(pid) || pid <= 0) return { reason: `pid file ${file} does not hold a process id` };
    if (pid === this.selfPid) return { reason: `pid file ${file} names this process` };
    const a = this.alive(pid);
    if (!a) return { reason: `process ${pid} from ${file} is not running` };
    // Pid reuse: the pid now belongs to a process that started after the pid file was written.
    const boot = this.linux ? this.bootTime() : undefined;
    if (boot !== undefined && a.stat) {
      const startedMs = boot + (a.stat.startTime * 1000) / CLOCK_TICKS_PER_SECOND;
      if (startedMs > mtimeMs + 2000) return { reason: `pid file ${file} is stale: process ${pid} started after it was written (the pid was reused)` };
    }
    // The same process as before keeps its identity object (nothing new per round).
    const id = cur && cur.pid === pid && cur.startTime === a.startTime && cur.foundBy === 'pidFile' ? cur : { pid, startTime: a.startTime, foundBy: 'pidFile' as const };
    return { found: { id, stat: a.stat } };
  }

  private scan(): { id: ProcessIdentity; stat?: PidStat } | undefined {
    if (!this.regex) return undefined;
    const matches: PidStat[] = [];
    let entries: string[];
    try {
      entries = readdirSync(this.procRoot);
    } catch {
      return undefined;
    }
    for (const e of entries) {
      const c = e.charCodeAt(0);
      if (c < 48 || c > 57) continue;
      const pid = Number(e);
      if (pid === this.selfPid) continue;
      let cmd: string;
      try {
        cmd = parseCmdline(readFileSync(join(this.procRoot, e, 'cmdline'), 'latin1'));
      } catch {
        continue; // exited meanwhile
      }
      if (!cmd || !this.regex.test(cmd)) continue;
      const stat = this.readStat(pid);
      if (stat && stat.state !== 'Z') matches.push(stat);
    }
    if (!matches.length) return undefined;
    // Of a wrapper (`sh -c …`) and its child that both match, take the child; then the oldest.
    const pids = new Set(matches.map((m) => m.pid));
    const parents = new Set(matches.filter((m) => pids.has(m.ppid)).map((m) => m.ppid));
    const leaves = matches.filter((m) => !parents.has(m.pid));
    const pick = (leaves.length ? leaves : matches).sort((a, b) => a.startTime - b.startTime || a.pid - b.pid)[0];
    return { id: { pid: pick.pid, startTime: pick.startTime, foundBy: 'commandMatch' }, stat: pick };
  }

  /** Finds the process (cheaply when it is still the same one). */
  async locate(): Promise<LocateResult> {
    return this.locateSync() ?? this.locateWith(await scanWithSysteminformation(this.regex!, this.selfPid));
  }

  /**
   * `locate` without a promise, as the 100 ms path wants it; undefined when the answer needs
   * systeminformation's process list (a `commandMatch` scan off Linux): call `locate` then.
   */
  locateSync(): LocateResult | undefined {
    return this.locateWith(undefined, true);
  }

  private locateWith(siFound: { id: ProcessIdentity } | undefined, sync: true): LocateResult | undefined;
  private locateWith(siFound: { id: ProcessIdentity } | undefined, sync?: false): LocateResult;
  private locateWith(siFound: { id: ProcessIdentity } | undefined, sync = false): LocateResult | undefined {
    const previous = this.current;
    const reasons: string[] = [];
    let found: { id: ProcessIdentity; stat?: PidStat } | undefined;

    if (this.spec.pidFile) {
      const r = this.fromPidFile();
      found = r.found;
      if (r.reason) reasons.push(r.reason);
    }
    if (!found && previous && previous.foundBy !== 'pidFile') {
      const a = this.alive(previous.pid);
      if (a && a.startTime === previous.startTime) found = { id: previous, stat: a.stat };
    }
    if (!found && this.adopted !== undefined) {
      const a = this.alive(this.adopted);
      if (a) found = { id: { pid: this.adopted, startTime: a.startTime, foundBy: 'started' }, stat: a.stat };
      else this.adopted = undefined;
    }
    if (!found && this.spec.commandMatch !== undefined) {
      if (this.regexError) reasons.push(this.regexError);
      else {
        const now = this.clock.monoMs();
        // A process that was just lost is looked for at once; one that stays missing once per rescanMs.
        if (previous || now - this.lastScan >= (this.opts.rescanMs ?? 1000)) {
          this.lastScan = now;
          if (!this.linux && sync) {
            this.lastScan = -Infinity; // not scanned yet: the async call does it
            return undefined;
          }
          found = this.linux ? this.scan() : siFound;
          if (!found) reasons.push(`no running process matches /${this.spec.commandMatch}/`);
        } else reasons.push(`no running process matches /${this.spec.commandMatch}/`);
      }
    }
    if (!found && !this.spec.pidFile && this.spec.commandMatch === undefined && this.adopted === undefined) {
      reasons.push(this.spec.start ? 'the component has not been started (it has only a `start` command)' : 'the process section has neither pidFile nor commandMatch');
    }
    this.current = found?.id;
    return {
      identity: found?.id,
      stat: found?.stat,
      changed: !sameIdentity(previous, found?.id),
      previous,
      reason: found ? undefined : reasons.join('; ') || 'not found',
    };
  }
}

/** USER_HZ: the unit of the times in /proc/PID/stat. 100 on every mainstream Linux architecture. */
export const CLOCK_TICKS_PER_SECOND = 100;

async function scanWithSysteminformation(regex: RegExp, selfPid: number): Promise<{ id: ProcessIdentity } | undefined> {
  try {
    const si = await loadSysteminformation();
    const list = await si.processes();
    const hit = list.list
      .filter((p) => p.pid !== selfPid && regex.test(`${p.path ? p.path + '/' : ''}${p.command} ${p.params}`.trim()))
      .sort((a, b) => String(a.started).localeCompare(String(b.started)))[0];
    return hit ? { id: { pid: hit.pid, startTime: 0, foundBy: 'commandMatch' } } : undefined;
  } catch {
    return undefined;
  }
}
