/**
 * Per-component process metrics, label `component`:
 *
 * - `process_up`: 1 while the process is found, 0 otherwise;
 * - `process_cpu_ratio`: CPU time per second of monotonic time (1.0 = one core busy);
 * - `process_resident_memory_bytes`, `process_threads`, `process_open_fds`;
 * - `process_read_bytes_per_second`, `process_write_bytes_per_second`: storage I/O
 *   (read_bytes/write_bytes of /proc/PID/io; sockets and pipes are not counted).
 *
 * On Linux from /proc/PID/{stat,io,fd} (a few µs each; stat and io stay open, see procFile.ts). Files that cannot be read (another
 * user's process: io and fd need the same user) leave their metrics out and are reported once.
 * Elsewhere from systeminformation's process list (CPU and memory only, refreshed at most
 * once a second, shared by all components).
 *
 * Heap and event-loop lag of Node components come from their metrics endpoint (prom-client's
 * `nodejs_heap_size_used_bytes`, `nodejs_eventloop_lag_seconds`, …) through the scrape collector.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SeriesKeyCache, type SeriesKey, type SeriesSample } from '../metrics/series';
import { systemClock, type MonotonicClock } from './clock';
import { CLOCK_TICKS_PER_SECOND, ProcessLocator, type LocateResult, type LocatorOptions, type ProcessSpec } from './discovery';
import { ProblemThrottle } from './problems';
import { isRealProc, ProcFile } from './procFile';
import { scanPidIo, type PidStat } from './procParse';
import { RateTracker } from './rates';
import { loadSysteminformation } from './si';
import { DEFAULT_INTERVAL_MS, type CollectorProblem, type Collector, type CollectResult } from './types';

export interface ProcessCollectorOptions extends LocatorOptions {
  intervalMs?: number;
  /** Page size for the rss field of /proc/PID/stat. Default: measured once on this process. */
  pageSize?: number;
}

let measuredPageSize: number | undefined;
/** The kernel page size, measured by comparing VmRSS with the rss pages of our own process. */
export function pageSize(procRoot = '/proc'): number {
  if (measuredPageSize !== undefined) return measuredPageSize;
  measuredPageSize = 4096;
  try {
    const status = readFileSync(join(procRoot, 'self/status'), 'utf8');
    const statm = readFileSync(join(procRoot, 'self/statm'), 'utf8');
    const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]);
    const pages = Number(statm.split(' ')[1]);
    if (kb > 0 && pages > 0) {
      const ratio = (kb * 1024) / pages;
      measuredPageSize = 2 ** Math.round(Math.log2(ratio));
    }
  } catch {
    /* keep 4096 */
  }
  return measuredPageSize;
}

/** Open files are counted at most this often. */
const FD_COUNT_INTERVAL_MS = 1000;

/** The series of one component's process: keys made once (no id string per sample). */
const PROCESS_SERIES = ['process_up', 'process_cpu_ratio', 'process_resident_memory_bytes', 'process_threads', 'process_open_fds', 'process_read_bytes_per_second', 'process_write_bytes_per_second'] as const;
type ProcessSeries = (typeof PROCESS_SERIES)[number];

export class ProcessCollector implements Collector {
  readonly id: string;
  readonly defaultIntervalMs: number;
  readonly locator: ProcessLocator;
  private readonly rates = new RateTracker();
  private readonly keys: Record<ProcessSeries, SeriesKey>;
  private lastFdCount = -Infinity;
  private lastFdPid = -1;
  private readonly throttle = new ProblemThrottle();
  private readonly clock: MonotonicClock;
  private readonly procRoot: string;
  private readonly linux: boolean;
  /** /proc/PID/io of the watched process, kept open (see ProcFile). */
  private ioFile?: { pid: number; file: ProcFile };
  private readonly io = { readBytes: NaN, writeBytes: NaN };

  constructor(
    readonly component: string,
    spec: ProcessSpec,
    folder: string,
    private readonly opts: ProcessCollectorOptions = {},
  ) {
    this.id = `process:${component}`;
    this.defaultIntervalMs = opts.intervalMs ?? DEFAULT_INTERVAL_MS;
    this.locator = new ProcessLocator(spec, folder, opts);
    this.clock = opts.clock ?? systemClock;
    this.procRoot = opts.procRoot ?? '/proc';
    this.linux = (opts.platform ?? process.platform) === 'linux';
    const cache = new SeriesKeyCache();
    const labels = { component };
    this.keys = Object.fromEntries(PROCESS_SERIES.map((n) => [n, cache.get(n, labels)])) as Record<ProcessSeries, SeriesKey>;
  }

  async collect(nowMs: number): Promise<CollectResult> {
    const sync = this.collectSync(nowMs);
    if (sync) return sync;
    // Off Linux: the process list comes from systeminformation, asynchronously.
    const samples: SeriesSample[] = [];
    const problems: CollectorProblem[] = [];
    try {
      const loc = await this.locator.locate();
      const pid = this.located(loc, nowMs, samples, problems);
      if (pid !== undefined) {
        await this.collectWithSysteminformation(pid, (name, v) => this.push(samples, name, nowMs, v), this.clock.monoMs());
        this.push(samples, 'process_up', nowMs, 1);
      }
    } catch (e) {
      problems.push(this.internal(e));
    }
    return { samples, problems };
  }

  /** One round without a promise (Linux: a few reads of /proc); undefined when it needs `collect`. */
  collectSync(nowMs: number): CollectResult | undefined {
    if (!this.linux) return undefined;
    const samples: SeriesSample[] = [];
    const problems: CollectorProblem[] = [];
    try {
      const loc = this.locator.locateSync();
      if (!loc) return undefined;
      const pid = this.located(loc, nowMs, samples, problems);
      if (pid !== undefined) this.readProc(pid, loc.stat, nowMs, samples, problems);
    } catch (e) {
      problems.push(this.internal(e));
    }
    return { samples, problems };
  }

  private push(samples: SeriesSample[], name: ProcessSeries, t: number, v: number): void {
    if (Number.isFinite(v)) samples.push({ series: this.keys[name], t, v });
  }

  private report(problems: CollectorProblem[], source: string, p: Omit<CollectorProblem, 'collector' | 'component'>): void {
    const q = this.throttle.pass(source, { collector: this.id, component: this.component, ...p }, this.clock.monoMs());
    if (q) problems.push(q);
  }

  private internal(e: unknown): CollectorProblem {
    return { collector: this.id, component: this.component, kind: 'internal', message: `${this.component}: process metrics failed: ${e instanceof Error ? e.message : String(e)}` };
  }

  /** Handles a restart or a missing process; returns the pid to read, if any. */
  private located(loc: LocateResult, nowMs: number, samples: SeriesSample[], problems: CollectorProblem[]): number | undefined {
    if (loc.changed) {
      this.rates.clear(); // CPU and I/O counters of another process are not comparable
      if (loc.previous && loc.identity) {
        this.report(problems, 'restart', { kind: 'process-restarted', message: `${this.component}: the process changed from pid ${loc.previous.pid} to pid ${loc.identity.pid} (found by ${loc.identity.foundBy}).` });
      } else if (loc.identity) this.throttle.clear('missing');
    }
    if (!loc.identity) {
      this.push(samples, 'process_up', nowMs, 0);
      this.report(problems, 'missing', { kind: 'process-not-found', message: `${this.component}: process not found: ${loc.reason}.` });
      return undefined;
    }
    return loc.identity.pid;
  }

  private readProc(pid: number, located: PidStat | undefined, nowMs: number, samples: SeriesSample[], problems: CollectorProblem[]): void {
    const mono = this.clock.monoMs();
    const stat = located ?? this.locator.readStat(pid);
    if (!stat) {
      this.push(samples, 'process_up', nowMs, 0);
      this.report(problems, 'missing', { kind: 'process-not-found', message: `${this.component}: process ${pid} exited.` });
      return;
    }
    this.push(samples, 'process_up', nowMs, 1);
    const cpu = this.rates.update('cpu', (stat.utimeTicks + stat.stimeTicks) / CLOCK_TICKS_PER_SECOND, mono);
    if (cpu !== undefined) this.push(samples, 'process_cpu_ratio', nowMs, cpu);
    this.push(samples, 'process_resident_memory_bytes', nowMs, stat.rssPages * (this.opts.pageSize ?? pageSize(this.procRoot)));
    this.push(samples, 'process_threads', nowMs, stat.threads);
    try {
      // Listing the fd folder is the dearest read here, and the count changes slowly: once a second.
      if (mono - this.lastFdCount >= FD_COUNT_INTERVAL_MS || this.lastFdPid !== pid) {
        this.lastFdCount = mono;
        this.lastFdPid = pid;
        this.push(samples, 'process_open_fds', nowMs, readdirSync(join(this.procRoot, String(pid), 'fd')).length);
      }
    } catch (e) {
      this.report(problems, 'fd', { kind: 'unavailable', message: `${this.component}: open files of pid ${pid} cannot be counted (${(e as { code?: string }).code ?? 'error'}).` });
    }
    try {
      if (this.ioFile?.pid !== pid) {
        this.ioFile?.file.close();
        this.ioFile = { pid, file: new ProcFile(join(this.procRoot, String(pid), 'io'), isRealProc(this.procRoot), 512) };
      }
      const f = this.ioFile.file;
      f.read();
      if (scanPidIo(f.buf, f.len, this.io)) {
        const r = this.rates.update('read', this.io.readBytes, mono);
        const w = this.rates.update('write', this.io.writeBytes, mono);
        if (r !== undefined) this.push(samples, 'process_read_bytes_per_second', nowMs, r);
        if (w !== undefined) this.push(samples, 'process_write_bytes_per_second', nowMs, w);
      }
    } catch (e) {
      this.report(problems, 'io', { kind: 'unavailable', message: `${this.component}: I/O of pid ${pid} cannot be read (${(e as { code?: string }).code ?? 'error'}).` });
    }
  }

  dispose(): void {
    this.ioFile?.file.close();
    this.ioFile = undefined;
    this.locator.dispose();
  }

  private async collectWithSysteminformation(pid: number, push: (name: ProcessSeries, v: number) => void, mono: number): Promise<void> {
    const list = await siProcessList(mono);
    const p = list?.get(pid);
    if (!p) return;
    push('process_cpu_ratio', p.cpu / 100);
    push('process_resident_memory_bytes', p.memRss * 1024);
  }
}

let siCache: { at: number; list: Promise<Map<number, { cpu: number; memRss: number }> | undefined> } | undefined;
function siProcessList(mono: number): Promise<Map<number, { cpu: number; memRss: number }> | undefined> {
  if (!siCache || mono - siCache.at > 1000) {
    siCache = {
      at: mono,
      list: loadSysteminformation()
        .then((si) => si.processes())
        .then((d) => new Map(d.list.map((p) => [p.pid, { cpu: p.cpu, memRss: p.memRss }])))
        .catch(() => undefined),
    };
  }
  return siCache.list;
}
