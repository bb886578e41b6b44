/**
 * Per-component process metrics, label `component`:
 *
 * - `process_up`: 1 while the process is found, 0 otherwise;
 * - `process_cpu_ratio`: CPU time per second of monotonic time (1.0 = one core busy);
 * - `process_resident_memory_bytes`, `process_threads`, `process_open_fds`;
 * - `process_read_bytes_per_second`, `process_write_bytes_per_second`: storage I/O
 *   (read_bytes/write_bytes of /proc/PID/io; sockets and pipes are not counted).
 *
 * On Linux from /proc/PID/{stat,io,fd} (a few µs each). Files that cannot be read (another
 * user's process: io and fd need the same user) leave their metrics out and are reported once.
 * Elsewhere from systeminformation's process list (CPU and memory only, refreshed at most
 * once a second, shared by all components).
 *
 * Heap and event-loop lag of Node components come from their metrics endpoint (prom-client's
 * `nodejs_heap_size_used_bytes`, `nodejs_eventloop_lag_seconds`, …) through the scrape collector.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SeriesKeyCache, type SeriesSample } from '../metrics/series';
import { systemClock, type MonotonicClock } from './clock';
import { CLOCK_TICKS_PER_SECOND, ProcessLocator, type LocatorOptions, type ProcessSpec } from './discovery';
import { ProblemThrottle } from './problems';
import { parsePidIo } from './procParse';
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

export class ProcessCollector implements Collector {
  readonly id: string;
  readonly defaultIntervalMs: number;
  readonly locator: ProcessLocator;
  private readonly rates = new RateTracker();
  private readonly keys = new SeriesKeyCache();
  private lastFdCount = -Infinity;
  private lastFdPid = -1;
  private readonly throttle = new ProblemThrottle();
  private readonly clock: MonotonicClock;
  private readonly procRoot: string;
  private readonly linux: boolean;

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
  }

  async collect(nowMs: number): Promise<CollectResult> {
    const samples: SeriesSample[] = [];
    const problems: CollectorProblem[] = [];
    const labels = { component: this.component };
    const push = (name: string, v: number) => {
      if (Number.isFinite(v)) samples.push({ series: this.keys.get(name, labels), t: nowMs, v });
    };
    const report = (source: string, p: Omit<CollectorProblem, 'collector' | 'component'>) => {
      const q = this.throttle.pass(source, { collector: this.id, component: this.component, ...p }, this.clock.monoMs());
      if (q) problems.push(q);
    };
    try {
      const loc = await this.locator.locate();
      const mono = this.clock.monoMs();
      if (loc.changed) {
        this.rates.clear(); // CPU and I/O counters of another process are not comparable
        if (loc.previous && loc.identity) {
          report('restart', { kind: 'process-restarted', message: `${this.component}: the process changed from pid ${loc.previous.pid} to pid ${loc.identity.pid} (found by ${loc.identity.foundBy}).` });
        } else if (loc.identity) this.throttle.clear('missing');
      }
      if (!loc.identity) {
        push('process_up', 0);
        report('missing', { kind: 'process-not-found', message: `${this.component}: process not found: ${loc.reason}.` });
        return { samples, problems };
      }
      const pid = loc.identity.pid;
      if (!this.linux) {
        await this.collectWithSysteminformation(pid, push, mono);
        push('process_up', 1);
        return { samples, problems };
      }
      const stat = loc.stat ?? this.locator.readStat(pid);
      if (!stat) {
        push('process_up', 0);
        report('missing', { kind: 'process-not-found', message: `${this.component}: process ${pid} exited.` });
        return { samples, problems };
      }
      push('process_up', 1);
      const cpu = this.rates.update('cpu', (stat.utimeTicks + stat.stimeTicks) / CLOCK_TICKS_PER_SECOND, mono);
      if (cpu !== undefined) push('process_cpu_ratio', cpu);
      push('process_resident_memory_bytes', stat.rssPages * (this.opts.pageSize ?? pageSize(this.procRoot)));
      push('process_threads', stat.threads);
      const dir = join(this.procRoot, String(pid));
      try {
        // Listing the fd folder is the dearest read here, and the count changes slowly: once a second.
        if (mono - this.lastFdCount >= FD_COUNT_INTERVAL_MS || this.lastFdPid !== pid) {
          this.lastFdCount = mono;
          this.lastFdPid = pid;
          push('process_open_fds', readdirSync(join(dir, 'fd')).length);
        }
      } catch (e) {
        report('fd', { kind: 'unavailable', message: `${this.component}: open files of pid ${pid} cannot be counted (${(e as { code?: string }).code ?? 'error'}).` });
      }
      try {
        const io = parsePidIo(readFileSync(join(dir, 'io'), 'utf8'));
        if (io) {
          const r = this.rates.update('read', io.readBytes, mono);
          const w = this.rates.update('write', io.writeBytes, mono);
          if (r !== undefined) push('process_read_bytes_per_second', r);
          if (w !== undefined) push('process_write_bytes_per_second', w);
        }
      } catch (e) {
        report('io', { kind: 'unavailable', message: `${this.component}: I/O of pid ${pid} cannot be read (${(e as { code?: string }).code ?? 'error'}).` });
      }
    } catch (e) {
      problems.push({ collector: this.id, component: this.component, kind: 'internal', message: `${this.component}: process metrics failed: ${e instanceof Error ? e.message : String(e)}` });
    }
    return { samples, problems };
  }

  private async collectWithSysteminformation(pid: number, push: (name: string, v: number) => void, mono: number): Promise<void> {
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
