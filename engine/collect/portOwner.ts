/**
 * Who holds a component's metrics port. When a component dies and another program takes its
 * port and answers Prometheus text, a scrape cannot tell them apart by the answer; the
 * listening socket can. On Linux, for a target on this machine: the LISTEN entries of
 * /proc/net/tcp and tcp6 give the socket's inode (procNetTcp.ts), and the process whose
 * /proc/PID/fd has `socket:[inode]` holds it. The port is the component's when that process
 * is the component's process found by the process collector, a descendant of it (a component
 * started by a wrapper script holds the port through a child), or a process that the
 * component's `process` section itself names (its pid file, or `commandMatch`, also through an
 * ancestor): that covers a restart the process collector has not seen yet, and a cluster
 * whose primary holds the socket while `commandMatch` picked a worker.
 *
 * Cost: never on every scrape. The verdict is kept and confirmed every few seconds, and when
 * the scrape had to open a new connection (the old one was closed: the server may have
 * changed; a kept-alive connection goes on talking to the process that accepted it). To
 * confirm is one readlink: the process found last time still holds the socket found last
 * time. The full check (reading /proc/net/tcp, which costs the kernel about 5 ms of CPU on a
 * machine with a few hundred sockets) runs only when that fails, when the component's pid
 * changes, and once a minute; it looks at the component's process and the last holder
 * first, and lists every process's fds (asynchronously) only when neither holds the socket.
 *
 * Only a change is judged: another holder counts once the component was seen holding the
 * port. A process that held it from the start is taken for a separate exporter serving the
 * component's metrics (redis_exporter next to redis), as before.
 *
 * When the holder cannot be told (another user's process, whose fds we may not read; no
 * listening entry for the port, e.g. a port forwarded into a container; the component in
 * another network namespace) the verdict is `unknown` and the scrape goes on as before:
 * silence, not a guess.
 */
import { readdir, readFile, readlink, stat } from 'node:fs/promises';
import { readlinkSync } from 'node:fs';
import type { Agent } from 'node:http';
import { isAbsolute, join, resolve } from 'node:path';
import { systemClock, type MonotonicClock } from './clock';
import { CLOCK_TICKS_PER_SECOND, type ProcessSpec } from './discovery';
import { parseCmdline, parsePidStat } from './procParse';
import { listenersFor, localTarget, parseListeners, socketInode, type ListenEntry, type LocalTarget } from './procNetTcp';

export interface PortOwnerOptions {
  /** The component's pid as its process collector found it last; undefined while it is not found. */
  componentPid: () => number | undefined;
  /** The component's `process` section, and the folder its pid file is relative to. */
  spec?: ProcessSpec;
  folder?: string;
  procRoot?: string;
  clock?: MonotonicClock;
  /** Confirm the verdict after this long (default 5 s; 1 s while another process holds the port). */
  recheckMs?: number;
  /** Our own pid: never taken for the component (default process.pid). */
  selfPid?: number;
  /** The addresses of this machine's interfaces (default: os.networkInterfaces()). */
  interfaceAddresses?: readonly string[];
}

export type PortVerdict =
  | { held: 'component'; pid: number }
  | { held: 'other'; pid: number; command: string; componentPid?: number }
  | { held: 'unknown'; why: string };

/** A process holding one of the sockets: its pid, start time, and the fd that links to the socket. */
interface Holder {
  pid: number;
  startTime: number;
  fd: string;
  inode: number;
}

const DEFAULT_RECHECK_MS = 5000;
const RECHECK_OTHER_MS = 1000;
const FULL_RECHECK_MS = 60_000;
const UNKNOWN_RETRY_MS = 30_000;
const MAX_ANCESTORS = 64;
/** A read of /proc/net/tcp(6) serves every check that starts within this long. */
const SHARED_READ_MS = 250;
/**
 * …and every periodic check (FULL_RECHECK_MS, the cheap confirm still holding) within this
 * long: the scrapes of one interval are spread over it (1 s by default), so without this
 * each component's minute check read the tables on its own. On this 2-core machine, with 644
 * sockets in the table, one read of tcp and tcp6 costs 11 ms of CPU (kernel time), four a
 * minute 0.07% of a core (docs/performance.md, "Monitoring").
 */
const PERIODIC_SHARED_READ_MS = 2000;
/** A periodic check due within this long joins a read another component's periodic check made: after the first, they share one read a minute. */
const PERIODIC_EARLY_MS = 10_000;
const sharedReads = new Map<string, { at: number; entries: Promise<ListenEntry[]> }>();
/** Reads of /proc/net/tcp and tcp6 made (for tests and diagnostics). */
export const portOwnerReads = { tables: 0 };
const MAX_COMMAND_CHARS = 120;

/** A check for a scrape target, or undefined when it cannot be done here (not Linux, a remote host). */
export function portOwnerCheck(component: string, url: string, opts: PortOwnerOptions & { platform?: NodeJS.Platform }): PortOwnerCheck | undefined {
  if ((opts.platform ?? process.platform) !== 'linux') return undefined;
  const target = localTarget(url, opts.interfaceAddresses);
  return target ? new PortOwnerCheck(component, target, opts) : undefined;
}

export class PortOwnerCheck {
  private readonly procRoot: string;
  private readonly clock: MonotonicClock;
  private readonly selfPid: number;
  /** The last full check (`at`) and when its holder was last confirmed to hold the socket still. */
  private last?: { verdict: PortVerdict; at: number; confirmedAt: number; holder?: Holder; componentPid?: number };
  private newConnection = true;
  private running?: Promise<PortVerdict>;
  private commandRegex?: RegExp | null;
  /** Whether the component was ever seen holding the port (see `check`). */
  private seenComponentHold = false;
  /** Boot time (ms since the epoch) from /proc/stat, for the start time of a process. */
  private bootMs?: number;

  constructor(
    readonly component: string,
    readonly target: LocalTarget,
    private readonly opts: PortOwnerOptions,
  ) {
    this.procRoot = opts.procRoot ?? '/proc';
    this.clock = opts.clock ?? systemClock;
    this.selfPid = opts.selfPid ?? process.pid;
  }

  /** Checks again at the next scrape whenever `agent` opens a new connection. */
  watch(agent: Agent): void {
    // Agent.createConnection is the documented point to override; it runs once per new socket.
    const create = agent.createConnection;
    agent.createConnection = (...args: Parameters<Agent['createConnection']>) => {
      this.newConnection = true;
      return create.apply(agent, args);
    };
  }

  /** Marks the connection as new (what `watch` does for an agent). */
  connectionOpened(): void {
    this.newConnection = true;
  }

  /**
   * The sentence for the user when another process holds the port, else undefined (the
   * component holds it, or it cannot be told). Call after a scrape got its answer.
   */
  async heldByOther(): Promise<string | undefined> {
    const v = await this.verdict();
    return v.held === 'other' ? this.message(v) : undefined;
  }

  message(v: Extract<PortVerdict, { held: 'other' }>): string {
    const c = this.component;
    const own = v.componentPid !== undefined ? `pid ${v.componentPid}` : 'its process was not found';
    return `${c}'s metrics port ${this.target.port} is held by pid ${v.pid} (${v.command}), not by ${c} (${own}): stop that process or change \`metrics:\` in alluse-perf.yaml. Its answers are not recorded as ${c}'s.`;
  }

  /**
   * The verdict, from the cache while it is fresh. Re-checked every `recheckMs` (1 s while
   * another process holds the port) and at a new connection, the cheap way: the process
   * found last time still holds the socket found last time (one readlink). The full check
   * (reading /proc/net/tcp costs the kernel a few ms of CPU on a machine with many sockets)
   * runs when that fails, when the component's pid changed, and at least every
   * FULL_RECHECK_MS; an `unknown` verdict is retried every UNKNOWN_RETRY_MS.
   */
  async verdict(): Promise<PortVerdict> {
    const now = this.clock.monoMs();
    const last = this.last;
    const componentPid = this.opts.componentPid();
    // Nothing to compare with: a component whose process cannot be looked for is not judged.
    if (componentPid === undefined && !this.opts.spec?.pidFile && this.opts.spec?.commandMatch === undefined) return { held: 'unknown', why: 'the component has no process section to compare with' };
    let periodic = false;
    if (last && componentPid === last.componentPid) {
      if (last.verdict.held === 'unknown') {
        if (now - last.at < UNKNOWN_RETRY_MS) return last.verdict;
      } else {
        // The periodic full check (nothing suggests a change: same pid, no new connection, the
        // holder still holds its socket) may take the tables another component's periodic
        // check read just before; due soon, it joins such a read instead of making its own.
        const due = now - last.at >= FULL_RECHECK_MS || (now - last.at >= FULL_RECHECK_MS - PERIODIC_EARLY_MS && this.sharedReadAge(now) < PERIODIC_SHARED_READ_MS);
        if (due) periodic = !this.newConnection && last.holder !== undefined && this.stillHolds(last.holder);
        else {
          const every = last.verdict.held === 'other' ? RECHECK_OTHER_MS : (this.opts.recheckMs ?? DEFAULT_RECHECK_MS);
          if (now - last.confirmedAt < every && !this.newConnection) return last.verdict;
          if (last.holder && this.stillHolds(last.holder)) {
            this.newConnection = false;
            last.confirmedAt = now;
            return last.verdict;
          }
        }
      }
    }
    this.newConnection = false;
    this.running ??= this.check(componentPid, periodic).finally(() => (this.running = undefined));
    return this.running;
  }

  /** How long ago the last read of the tables (any component's) started; Infinity when none. */
  private sharedReadAge(now: number): number {
    const shared = sharedReads.get(this.procRoot);
    return shared && now >= shared.at ? now - shared.at : Infinity;
  }

  private stillHolds(h: Holder): boolean {
    try {
      return socketInode(readlinkSync(join(this.procRoot, String(h.pid), 'fd', h.fd))) === h.inode;
    } catch {
      return false;
    }
  }

  private async check(componentPid: number | undefined, periodic = false): Promise<PortVerdict> {
    const at = this.clock.monoMs();
    const done = (verdict: PortVerdict, holder?: Holder): PortVerdict => {
      // Another holder is a takeover only when the component was seen holding the port
      // before: a separate exporter (redis_exporter next to redis, say) serves the component's
      // metrics from a process of its own from the start, and is taken as the component's.
      if (verdict.held === 'component') this.seenComponentHold = true;
      else if (verdict.held === 'other' && !this.seenComponentHold) verdict = { held: 'unknown', why: `pid ${verdict.pid} (${verdict.command}) has held the port since monitoring started: a separate exporter, taken as the component's` };
      this.last = { verdict, at, confirmedAt: at, holder, componentPid };
      return verdict;
    };
    try {
      // A component in another network namespace (a container) listens in a /proc/net/tcp we do not see.
      if (componentPid !== undefined && !(await this.sameNetNamespace(componentPid))) return done({ held: 'unknown', why: 'the component runs in another network namespace' });
      const listeners = listenersFor(await this.listeners(periodic ? PERIODIC_SHARED_READ_MS : SHARED_READ_MS), this.target);
      if (!listeners.length) return done({ held: 'unknown', why: `no listening socket for port ${this.target.port} in ${this.procRoot}/net/tcp` });
      const inodes = new Map(listeners.map((l) => [l.inode, l]));
      // The usual answers first, without listing every process: the component itself holds
      // the socket, or the process that held it last time still does.
      if (componentPid !== undefined) {
        const h = await this.heldBy(componentPid, inodes);
        if (h) return done({ held: 'component', pid: h.pid }, h);
      }
      const last = this.last?.holder;
      if (last && last.pid !== componentPid) {
        const h = await this.heldBy(last.pid, inodes);
        if (h && h.startTime === last.startTime) return done(await this.judge(h, componentPid), h);
      }
      const holders = await this.findHolders(inodes);
      if (!holders.length) return done({ held: 'unknown', why: `the process holding port ${this.target.port} cannot be found (its /proc/PID/fd may not be readable)` });
      for (const h of holders) if (await this.belongsToComponent(h.pid, componentPid)) return done({ held: 'component', pid: h.pid }, h);
      return done(await this.judge(holders[0], componentPid), holders[0]);
    } catch (e) {
      return done({ held: 'unknown', why: `port owner check failed: ${(e as Error).message}` });
    }
  }

  private async judge(h: Holder, componentPid: number | undefined): Promise<PortVerdict> {
    if (await this.belongsToComponent(h.pid, componentPid)) return { held: 'component', pid: h.pid };
    return { held: 'other', pid: h.pid, command: await this.command(h.pid), componentPid };
  }

  private listeners(maxAgeMs: number): Promise<ListenEntry[]> {
    // Checks of several components at about the same time (the first scrapes, a restart of
    // the whole system, the periodic checks) share one read: the kernel's cost is per read, not per port.
    const now = this.clock.monoMs();
    const shared = sharedReads.get(this.procRoot);
    if (shared && now - shared.at < maxAgeMs && now >= shared.at) return shared.entries;
    portOwnerReads.tables++;
    const entries = (async () => {
      const out: ListenEntry[] = [];
      for (const f of ['tcp', 'tcp6']) {
        try {
          out.push(...parseListeners(await readFile(join(this.procRoot, 'net', f), 'latin1')));
        } catch {
          /* tcp6 is missing when IPv6 is off */
        }
      }
      return out;
    })();
    sharedReads.set(this.procRoot, { at: now, entries });
    return entries;
  }


  private async sameNetNamespace(pid: number): Promise<boolean> {
    try {
      const [ours, theirs] = await Promise.all([readlink(join(this.procRoot, 'self', 'ns', 'net')), readlink(join(this.procRoot, String(pid), 'ns', 'net'))]);
      return ours === theirs;
    } catch {
      // Not readable (another user's process) or gone: the fds tell more, so go on.
      return true;
    }
  }

  /** The socket of `inodes` that `pid` holds, if any. */
  private async heldBy(pid: number, inodes: ReadonlyMap<number, ListenEntry>): Promise<Holder | undefined> {
    const dir = join(this.procRoot, String(pid), 'fd');
    let fds: string[];
    try {
      fds = await readdir(dir);
    } catch {
      return undefined; // gone, or another user's
    }
    for (const fd of fds) {
      let link: string;
      try {
        link = await readlink(join(dir, fd));
      } catch {
        continue; // closed meanwhile
      }
      const inode = socketInode(link);
      if (inode !== undefined && inodes.has(inode)) {
        const st = await this.stat(pid);
        if (st) return { pid, startTime: st.startTime, fd, inode };
      }
    }
    return undefined;
  }

  /** Every process holding one of the sockets, oldest first (of a parent and a child sharing it, the parent). */
  private async findHolders(inodes: ReadonlyMap<number, ListenEntry>): Promise<Holder[]> {
    const uids = new Set([...inodes.values()].map((l) => l.uid));
    const pids = (await readdir(this.procRoot)).filter((e) => e.charCodeAt(0) >= 48 && e.charCodeAt(0) <= 57).map(Number);
    // The socket's owner first: its processes are the likely holders (one that changed its uid after binding comes second).
    const first: number[] = [];
    const rest: number[] = [];
    for (const pid of pids) {
      const uid = await stat(join(this.procRoot, String(pid))).then((s) => s.uid, () => -1);
      (uids.has(uid) ? first : rest).push(pid);
    }
    let holders: Holder[] = [];
    for (const group of [first, rest]) {
      for (const pid of group) {
        const h = await this.heldBy(pid, inodes);
        if (h) holders.push(h);
      }
      if (holders.length) break;
    }
    holders = holders.sort((a, b) => a.startTime - b.startTime || a.pid - b.pid);
    return holders;
  }

  /** Whether `pid` is the component's process, runs under it, or is (or runs under) a process its `process` section names. */
  private async belongsToComponent(pid: number, componentPid: number | undefined): Promise<boolean> {
    const pidFilePid = await this.pidFromPidFile();
    let p = pid;
    for (let i = 0; i < MAX_ANCESTORS && p > 1; i++) {
      if (p === this.selfPid) return false; // the monitor and what runs above it are not the component
      if (p === componentPid || p === pidFilePid) return true;
      if (await this.matchesCommand(p)) return true;
      const st = await this.stat(p);
      if (!st) return false;
      p = st.ppid;
    }
    return false;
  }

  /**
   * The pid in the component's pid file, unless the file is stale: its process started after
   * the file was written (the component died and the pid was reused, perhaps by the very
   * program that took the port). The same rule as the process collector's (discovery.ts).
   */
  private async pidFromPidFile(): Promise<number | undefined> {
    const f = this.opts.spec?.pidFile;
    if (!f) return undefined;
    try {
      const file = isAbsolute(f) ? f : resolve(this.opts.folder ?? '.', f);
      const [text, st] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
      const pid = Number(text.trim());
      if (!Number.isInteger(pid) || pid <= 0) return undefined;
      const ps = await this.stat(pid);
      this.bootMs ??= await readFile(join(this.procRoot, 'stat'), 'latin1').then((t) => Number(/^btime\s+(\d+)/m.exec(t)?.[1]) * 1000, () => NaN);
      if (ps && Number.isFinite(this.bootMs) && this.bootMs + (ps.startTime * 1000) / CLOCK_TICKS_PER_SECOND > st.mtimeMs + 2000) return undefined;
      return pid;
    } catch {
      return undefined;
    }
  }


  private async matchesCommand(pid: number): Promise<boolean> {
    if (this.commandRegex === undefined) {
      try {
        this.commandRegex = this.opts.spec?.commandMatch !== undefined ? new RegExp(this.opts.spec.commandMatch) : null;
      } catch {
        this.commandRegex = null; // the process collector reports the bad expression
      }
    }
    if (!this.commandRegex) return false;
    const cmd = await readFile(join(this.procRoot, String(pid), 'cmdline'), 'latin1').then(parseCmdline, () => '');
    return cmd !== '' && this.commandRegex.test(cmd);
  }

  private async stat(pid: number): Promise<{ startTime: number; ppid: number; comm: string } | undefined> {
    try {
      return parsePidStat(await readFile(join(this.procRoot, String(pid), 'stat'), 'latin1'));
    } catch {
      return undefined;
    }
  }

  /** The command line of `pid` for the message, shortened; its name when it has none (a kernel thread). */
  private async command(pid: number): Promise<string> {
    let cmd = await readFile(join(this.procRoot, String(pid), 'cmdline'), 'latin1').then(parseCmdline, () => '');
    if (!cmd) cmd = (await this.stat(pid))?.comm ?? 'unknown command';
    return cmd.length > MAX_COMMAND_CHARS ? `${cmd.slice(0, MAX_COMMAND_CHARS - 1)}…` : cmd;
  }
}
