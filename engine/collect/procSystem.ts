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
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SeriesKeyCache, type SeriesKey, type SeriesSample } from '../metrics/series';
import { ClockJumpDetector, systemClock, type MonotonicClock } from './clock';
import { errorMessage, ProblemThrottle } from './problems';
import { emptyMeminfo, latin1, sameName, scanDiskstats, scanLoadavg, scanMeminfo, scanNetDev, scanProcStat } from './procParse';
import { ProcFile } from './procFile';
import { counterIncrease } from './rates';
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

/** A device or interface seen in the last round, with its two counters' previous values. */
interface Counted {
  name: string;
  /** Left out (a partition, a loop or ram device). */
  skip: boolean;
  keyA: SeriesKey;
  keyB: SeriesKey;
  a: number;
  b: number;
  at: number;
  seen: boolean;
}

/**
 * The entries of a file listing devices or interfaces, found again by comparing bytes, so a
 * round builds no name strings (the order rarely changes, so the entry at the same index is
 * tried first).
 */
class CountedList {
  list: Counted[] = [];
  private next: Counted[] = [];

  begin(): void {
    this.next.length = 0;
  }

  find(buf: Uint8Array, a: number, b: number, make: (name: string) => Counted): Counted {
    const i = this.next.length;
    let e: Counted | undefined = this.list[i];
    if (!e || !sameName(buf, a, b, e.name)) {
      e = undefined;
      for (const x of this.list) if (sameName(buf, a, b, x.name)) e = x;
      e ??= make(latin1(buf, a, b));
    }
    this.next.push(e);
    return e;
  }

  /** Keeps only the entries seen this round (devices that disappeared are forgotten). */
  end(): void {
    const old = this.list;
    this.list = this.next;
    this.next = old;
  }
}

export class ProcSystemCollector implements Collector {
  readonly id: string;
  private readonly keys = new SeriesKeyCache();
  readonly defaultIntervalMs: number;
  private readonly procRoot: string;
  private readonly clock: MonotonicClock;
  private readonly jumps: ClockJumpDetector;
  private readonly throttle = new ProblemThrottle();
  private disks?: Set<string>;
  private readonly files: Record<'stat' | 'loadavg' | 'meminfo' | 'diskstats' | 'net/dev', ProcFile>;
  /** Per cpu (index 0 = all cores, i + 1 = core i): the previous busy and total jiffies. */
  private prevBusy: number[] = [];
  private prevTotal: number[] = [];
  private cpuKeys: SeriesKey[] = [];
  private readonly load = [NaN, NaN, NaN];
  private readonly mem = emptyMeminfo();
  private readonly disksSeen = new CountedList();
  private readonly netSeen = new CountedList();
  /** Keys of the series without labels, made once. */
  private readonly k = {
    load1: this.keys.get('system_load1'),
    load5: this.keys.get('system_load5'),
    load15: this.keys.get('system_load15'),
    memTotal: this.keys.get('system_memory_total_bytes'),
    memAvailable: this.keys.get('system_memory_available_bytes'),
    memUsed: this.keys.get('system_memory_used_bytes'),
    swapTotal: this.keys.get('system_swap_total_bytes'),
    swapUsed: this.keys.get('system_swap_used_bytes'),
  };

  constructor(private readonly opts: ProcSystemOptions = {}) {
    this.id = opts.id ?? 'system';
    this.defaultIntervalMs = opts.intervalMs ?? DEFAULT_INTERVAL_MS;
    this.procRoot = opts.procRoot ?? '/proc';
    this.clock = opts.clock ?? systemClock;
    this.jumps = new ClockJumpDetector(this.clock);
    const f = (name: string) => new ProcFile(join(this.procRoot, name));
    this.files = { stat: f('stat'), loadavg: f('loadavg'), meminfo: f('meminfo'), diskstats: f('diskstats'), 'net/dev': f('net/dev') };
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
    const push = (series: SeriesKey, v: number) => {
      if (Number.isFinite(v)) samples.push({ series, t: nowMs, v });
    };
    const key = (name: string, labels: Record<string, string>) => this.keys.get(name, labels);
    const k = this.k;
    const read = (file: keyof typeof this.files): ProcFile | undefined => {
      const f = this.files[file];
      try {
        f.read();
        this.throttle.clear(file);
        return f;
      } catch (e) {
        const p = this.throttle.pass(file, { collector: this.id, kind: 'unavailable', message: `System metrics: cannot read ${f.path} (${errorMessage(e)}).` }, mono);
        if (p) problems.push(p);
        return undefined;
      }
    };
    const jump = this.jumps.check(nowMs);
    if (jump !== undefined) {
      problems.push({ collector: this.id, kind: 'clock-jump', message: `The system clock jumped by ${(jump / 1000).toFixed(1)} s; rates are measured on the monotonic clock and are not affected.` });
    }

    const stat = read('stat');
    if (stat) {
      scanProcStat(stat.buf, stat.len, (cpu, busy, total) => {
        const i = cpu + 1;
        const db = busy - this.prevBusy[i];
        const dt = total - this.prevTotal[i];
        // No time passed, or a counter went back: no ratio this round.
        if (dt > 0 && db >= 0) push((this.cpuKeys[i] ??= key('system_cpu_ratio', { cpu: cpu < 0 ? 'total' : String(cpu) })), Math.min(1, db / dt));
        this.prevBusy[i] = busy;
        this.prevTotal[i] = total;
      });
    }
    const load = read('loadavg');
    if (load && scanLoadavg(load.buf, load.len, this.load)) {
      push(k.load1, this.load[0]);
      push(k.load5, this.load[1]);
      push(k.load15, this.load[2]);
    }
    const meminfo = read('meminfo');
    if (meminfo) {
      const m = scanMeminfo(meminfo.buf, meminfo.len, this.mem);
      const avail = Number.isFinite(m.memAvailable) ? m.memAvailable : (m.memFree || 0) + (m.buffers || 0) + (m.cached || 0);
      if (Number.isFinite(m.memTotal)) {
        push(k.memTotal, m.memTotal);
        push(k.memAvailable, avail);
        push(k.memUsed, m.memTotal - avail);
      }
      if (Number.isFinite(m.swapTotal) && Number.isFinite(m.swapFree)) {
        push(k.swapTotal, m.swapTotal);
        push(k.swapUsed, m.swapTotal - m.swapFree);
      }
    }
    // Rates on the monotonic clock; a counter that goes back counts as a reset.
    const counted = (list: CountedList, file: ProcFile | undefined, scan: typeof scanNetDev, make: (name: string) => Counted) => {
      if (!file) return;
      list.begin();
      scan(file.buf, file.len, (a, b, va, vb) => {
        const e = list.find(file.buf, a, b, make);
        if (e.skip) return;
        const dt = (mono - e.at) / 1000;
        if (e.seen && dt > 0) {
          push(e.keyA, counterIncrease(e.a, va) / dt);
          push(e.keyB, counterIncrease(e.b, vb) / dt);
        }
        e.a = va;
        e.b = vb;
        e.at = mono;
        e.seen = true;
      });
      list.end();
    };
    const entry = (name: string, skip: boolean, a: string, b: string, label: string): Counted => ({ name, skip, keyA: key(a, { [label]: name }), keyB: key(b, { [label]: name }), a: 0, b: 0, at: 0, seen: false });
    counted(this.disksSeen, read('diskstats'), scanDiskstats, (device) => {
      const whole = this.wholeDisks();
      return entry(device, whole ? !whole.has(device) : /^(loop|ram)\d/.test(device), 'system_disk_read_bytes_per_second', 'system_disk_write_bytes_per_second', 'device');
    });
    counted(this.netSeen, read('net/dev'), scanNetDev, (iface) => entry(iface, false, 'system_network_receive_bytes_per_second', 'system_network_transmit_bytes_per_second', 'interface'));
    return { samples, problems };
  }

  dispose(): void {
    for (const f of Object.values(this.files)) f.close();
  }
}
