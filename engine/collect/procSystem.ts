/**
 * System metrics on Linux from /proc: a handful of small reads per round (about 1% of one
 * core at 100 ms together with 20 processes, see docs/performance.md), no child processes.
 *
 * - `system_cpu_ratio{cpu="total"|"0"|…}`: busy share since the previous round (0..1), from
 *   /proc/stat jiffies (no clock needed: the kernel's own time base).
 * - `system_load1`, `system_load5`, `system_load15`: /proc/loadavg.
 * - `system_memory_used_bytes` (MemTotal − MemAvailable), `system_memory_available_bytes`,
 *   `system_memory_total_bytes`, `system_swap_used_bytes`, `system_swap_total_bytes`: /proc/meminfo.
 * - `system_disk_read_bytes_per_second{device}` / `…write…`: /proc/diskstats, whole disks only
 *   (those listed in /sys/block, without loop and ram devices), so partitions are not counted twice.
 * - `system_network_receive_bytes_per_second{interface}` / `…transmit…`: /proc/net/dev.
 *
 * Rates use the monotonic clock for their time delta; a counter that goes back counts as a reset.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SeriesKeyCache, type SeriesSample } from '../metrics/series';
import { ClockJumpDetector, systemClock, type MonotonicClock } from './clock';
import { errorMessage, ProblemThrottle } from './problems';
import { cpuRatio, parseDiskstats, parseLoadavg, parseMeminfo, parseNetDev, parseProcStat, type CpuTimes } from './procParse';
import { RateTracker } from './rates';
import { DEFAULT_INTERVAL_MS, type CollectorProblem, type Collector, type CollectResult } from './types';

export interface ProcSystemOptions {
  /** Root of the proc file system (tests point it at captured files). Default `/proc`. */
  procRoot?: string;
  /** Folder listing whole block devices. Default `/sys/block`. */
  sysBlock?: string;
  clock?: MonotonicClock;
  id?: string;
  intervalMs?: number;
}

export class ProcSystemCollector implements Collector {
  readonly id: string;
  private readonly keys = new SeriesKeyCache();
  readonly defaultIntervalMs: number;
  private readonly procRoot: string;
  private readonly clock: MonotonicClock;
  private readonly rates = new RateTracker();
  private readonly jumps: ClockJumpDetector;
  private readonly throttle = new ProblemThrottle();
  private prevCpu = new Map<string, CpuTimes>();
  private disks?: Set<string>;

  constructor(private readonly opts: ProcSystemOptions = {}) {
    this.id = opts.id ?? 'system';
    this.defaultIntervalMs = opts.intervalMs ?? DEFAULT_INTERVAL_MS;
    this.procRoot = opts.procRoot ?? '/proc';
    this.clock = opts.clock ?? systemClock;
    this.jumps = new ClockJumpDetector(this.clock);
  }

  private wholeDisks(): Set<string> | undefined {
    if (this.disks === undefined) {
      try {
        this.disks = new Set(readdirSync(this.opts.sysBlock ?? '/sys/block').filter((d) => !/^(loop|ram)\d/.test(d)));
      } catch {
        this.disks = new Set(); // unknown: fall back to a name filter
      }
    }
    return this.disks.size ? this.disks : undefined;
  }

  async collect(nowMs: number): Promise<CollectResult> {
    return this.collectSync(nowMs);
  }

  collectSync(nowMs: number): CollectResult {
    const samples: SeriesSample[] = [];
    const problems: CollectorProblem[] = [];
    const mono = this.clock.monoMs();
    const push = (name: string, v: number, labels: Record<string, string> = {}) => {
      if (Number.isFinite(v)) samples.push({ series: this.keys.get(name, labels), t: nowMs, v });
    };
    const read = (file: string): string | undefined => {
      try {
        const text = readFileSync(join(this.procRoot, file), 'utf8');
        this.throttle.clear(file);
        return text;
      } catch (e) {
        const p = this.throttle.pass(file, { collector: this.id, kind: 'unavailable', message: `System metrics: cannot read ${join(this.procRoot, file)} (${errorMessage(e)}).` }, mono);
        if (p) problems.push(p);
        return undefined;
      }
    };
    const jump = this.jumps.check(nowMs);
    if (jump !== undefined) {
      problems.push({ collector: this.id, kind: 'clock-jump', message: `The system clock jumped by ${(jump / 1000).toFixed(1)} s; rates are measured on the monotonic clock and are not affected.` });
    }

    const stat = read('stat');
    if (stat !== undefined) {
      const cpus = parseProcStat(stat);
      for (const [cpu, times] of cpus) {
        const prev = this.prevCpu.get(cpu);
        const r = prev && cpuRatio(prev, times);
        if (r !== undefined) push('system_cpu_ratio', r, { cpu });
      }
      this.prevCpu = cpus;
    }
    const load = read('loadavg');
    const la = load !== undefined ? parseLoadavg(load) : undefined;
    if (la) {
      push('system_load1', la[0]);
      push('system_load5', la[1]);
      push('system_load15', la[2]);
    }
    const meminfo = read('meminfo');
    if (meminfo !== undefined) {
      const m = parseMeminfo(meminfo);
      const total = m.get('MemTotal');
      const avail = m.get('MemAvailable') ?? (m.get('MemFree') ?? 0) + (m.get('Buffers') ?? 0) + (m.get('Cached') ?? 0);
      if (total !== undefined) {
        push('system_memory_total_bytes', total);
        push('system_memory_available_bytes', avail);
        push('system_memory_used_bytes', total - avail);
      }
      const swapTotal = m.get('SwapTotal');
      const swapFree = m.get('SwapFree');
      if (swapTotal !== undefined && swapFree !== undefined) {
        push('system_swap_total_bytes', swapTotal);
        push('system_swap_used_bytes', swapTotal - swapFree);
      }
    }
    const seen = new Set<string>();
    const rate = (name: string, labels: Record<string, string>, key: string, value: number) => {
      seen.add(key);
      const r = this.rates.update(key, value, mono);
      if (r !== undefined) push(name, r, labels);
    };
    const diskstats = read('diskstats');
    if (diskstats !== undefined) {
      const whole = this.wholeDisks();
      for (const [device, d] of parseDiskstats(diskstats)) {
        if (whole ? !whole.has(device) : /^(loop|ram)\d/.test(device)) continue;
        rate('system_disk_read_bytes_per_second', { device }, `dr:${device}`, d.readBytes);
        rate('system_disk_write_bytes_per_second', { device }, `dw:${device}`, d.writeBytes);
      }
    }
    const netdev = read('net/dev');
    if (netdev !== undefined) {
      for (const [iface, n] of parseNetDev(netdev)) {
        rate('system_network_receive_bytes_per_second', { interface: iface }, `nr:${iface}`, n.rxBytes);
        rate('system_network_transmit_bytes_per_second', { interface: iface }, `nt:${iface}`, n.txBytes);
      }
    }
    this.rates.retain((k) => seen.has(k));
    return { samples, problems };
  }
}
