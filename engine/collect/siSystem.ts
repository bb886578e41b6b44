/**
 * System metrics through systeminformation:
 *
 * - `SlowSystemCollector` (every 10 s by default, on every platform):
 *   `system_filesystem_used_ratio{mount}` (fsSize; also `system_filesystem_used_bytes` and
 *   `system_filesystem_size_bytes`) and, only when a GPU reports it,
 *   `system_gpu_utilization_ratio{gpu}` (graphics). No GPU is not a problem; after two
 *   rounds without one, graphics is asked only every 5 minutes (it spawns lspci/nvidia-smi).
 * - `SiSystemCollector`: the fallback for systems without /proc (macOS, Windows), with the
 *   same names as ProcSystemCollector. systeminformation caches and spawns helpers there, so
 *   its default interval is 1 s.
 */
import { readFileSync, statfsSync } from 'node:fs';
import { SeriesKeyCache, type SeriesSample } from '../metrics/series';
import { systemClock, type MonotonicClock } from './clock';
import { errorMessage } from './problems';
import { loadSysteminformation } from './si';
import { SLOW_INTERVAL_MS, type CollectorProblem, type Collector, type CollectResult } from './types';

const GPU_RECHECK_MS = 5 * 60_000;

export class SlowSystemCollector implements Collector {
  readonly id: string;
  private readonly keys = new SeriesKeyCache();
  readonly defaultIntervalMs: number;
  private noGpuRounds = 0;
  private lastGpuCheck = -Infinity;

  constructor(private readonly opts: { id?: string; intervalMs?: number; gpu?: boolean; clock?: MonotonicClock; platform?: NodeJS.Platform } = {}) {
    this.id = opts.id ?? 'system-slow';
    this.defaultIntervalMs = opts.intervalMs ?? SLOW_INTERVAL_MS;
  }

  async collect(nowMs: number): Promise<CollectResult> {
    const samples: SeriesSample[] = [];
    const problems: CollectorProblem[] = [];
    const push = (name: string, v: number, labels: Record<string, string>) => {
      if (Number.isFinite(v)) samples.push({ series: this.keys.get(name, labels), t: nowMs, v });
    };
    // On Linux, /proc/mounts and statfs give file-system usage without spawning df.
    const linuxFs = (this.opts.platform ?? process.platform) === 'linux' ? linuxFileSystems() : undefined;
    if (linuxFs) for (const f of linuxFs) {
      push('system_filesystem_used_ratio', f.used / (f.used + f.available), { mount: f.mount });
      push('system_filesystem_used_bytes', f.used, { mount: f.mount });
      push('system_filesystem_size_bytes', f.size, { mount: f.mount });
    }
    let si: Awaited<ReturnType<typeof loadSysteminformation>>;
    try {
      si = await loadSysteminformation();
    } catch (e) {
      return { samples, problems: [{ collector: this.id, kind: 'unavailable', message: `systeminformation cannot be loaded: ${errorMessage(e)}` }] };
    }
    if (!linuxFs) try {
      const seen = new Set<string>();
      for (const f of await si.fsSize()) {
        if (!f.mount || seen.has(f.mount) || !(f.size > 0)) continue;
        seen.add(f.mount);
        push('system_filesystem_used_ratio', f.used / f.size, { mount: f.mount });
        push('system_filesystem_used_bytes', f.used, { mount: f.mount });
        push('system_filesystem_size_bytes', f.size, { mount: f.mount });
      }
    } catch (e) {
      problems.push({ collector: this.id, kind: 'unavailable', message: `File-system usage cannot be read: ${errorMessage(e)}` });
    }
    const mono = (this.opts.clock ?? systemClock).monoMs();
    if (this.opts.gpu !== false && (this.noGpuRounds < 2 || mono - this.lastGpuCheck >= GPU_RECHECK_MS)) {
      this.lastGpuCheck = mono;
      try {
        const g = await si.graphics();
        let any = false;
        g.controllers.forEach((c, i) => {
          if (typeof c.utilizationGpu === 'number' && Number.isFinite(c.utilizationGpu)) {
            any = true;
            push('system_gpu_utilization_ratio', c.utilizationGpu / 100, { gpu: String(c.busAddress ?? c.pciBus ?? i) });
          }
        });
        this.noGpuRounds = any ? 0 : this.noGpuRounds + 1;
      } catch {
        this.noGpuRounds++; // no GPU tooling: not an error
      }
    }
    return { samples, problems };
  }
}

export class SiSystemCollector implements Collector {
  readonly id: string;
  private readonly keys = new SeriesKeyCache();
  readonly defaultIntervalMs: number;

  constructor(opts: { id?: string; intervalMs?: number } = {}) {
    this.id = opts.id ?? 'system';
    this.defaultIntervalMs = opts.intervalMs ?? 1000;
  }

  async collect(nowMs: number): Promise<CollectResult> {
    const samples: SeriesSample[] = [];
    const problems: CollectorProblem[] = [];
    const push = (name: string, v: number | null | undefined, labels: Record<string, string> = {}) => {
      if (typeof v === 'number' && Number.isFinite(v)) samples.push({ series: this.keys.get(name, labels), t: nowMs, v });
    };
    const step = async (what: string, f: () => Promise<void>) => {
      try {
        await f();
      } catch (e) {
        problems.push({ collector: this.id, kind: 'unavailable', message: `System ${what} cannot be read: ${errorMessage(e)}` });
      }
    };
    const si = await loadSysteminformation().catch(() => undefined);
    if (!si) return { samples, problems: [{ collector: this.id, kind: 'unavailable', message: 'systeminformation cannot be loaded.' }] };
    await step('CPU load', async () => {
      const l = await si.currentLoad();
      push('system_cpu_ratio', l.currentLoad / 100, { cpu: 'total' });
      l.cpus.forEach((c, i) => push('system_cpu_ratio', c.load / 100, { cpu: String(i) }));
      const os = await import('node:os');
      const [a, b, c] = os.loadavg();
      push('system_load1', a);
      push('system_load5', b);
      push('system_load15', c);
    });
    await step('memory', async () => {
      const m = await si.mem();
      push('system_memory_total_bytes', m.total);
      push('system_memory_available_bytes', m.available);
      push('system_memory_used_bytes', m.total - m.available);
      push('system_swap_total_bytes', m.swaptotal);
      push('system_swap_used_bytes', m.swapused);
    });
    await step('network', async () => {
      for (const n of await si.networkStats('*')) {
        if (n.rx_sec !== null && n.rx_sec >= 0) push('system_network_receive_bytes_per_second', n.rx_sec, { interface: n.iface });
        if (n.tx_sec !== null && n.tx_sec >= 0) push('system_network_transmit_bytes_per_second', n.tx_sec, { interface: n.iface });
      }
    });
    return { samples, problems };
  }
}

/** File systems that hold data (not proc, sysfs, cgroup, tmpfs and the like). */
const PSEUDO_FS = /^(proc|sysfs|cgroup2?|devpts|devtmpfs|tmpfs|mqueue|debugfs|tracefs|securityfs|pstore|bpf|configfs|fusectl|hugetlbfs|autofs|rpc_pipefs|binfmt_misc|nsfs|overlay|squashfs|ramfs|efivarfs|selinuxfs)$/;

/** Usage of the mounted file systems from /proc/mounts and statfs; undefined when /proc/mounts cannot be read. */
export function linuxFileSystems(mountsFile = '/proc/mounts'): { mount: string; size: number; used: number; available: number }[] | undefined {
  let text: string;
  try {
    text = readFileSync(mountsFile, 'utf8');
  } catch {
    return undefined;
  }
  const out: { mount: string; size: number; used: number; available: number }[] = [];
  const seenDevices = new Set<string>();
  for (const line of text.split('\n')) {
    const [device, rawMount, type] = line.split(' ');
    if (!rawMount || PSEUDO_FS.test(type) || seenDevices.has(device)) continue;
    const mount = rawMount.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    try {
      const st = statfsSync(mount);
      if (!(st.blocks > 0)) continue;
      seenDevices.add(device); // bind mounts of one device count once
      const size = st.blocks * st.bsize;
      out.push({ mount, size, used: (st.blocks - st.bfree) * st.bsize, available: st.bavail * st.bsize });
    } catch {
      /* a mount we may not stat (permissions, a stale network mount): skip it */
    }
  }
  return out;
}
