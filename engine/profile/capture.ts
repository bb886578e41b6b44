/**
 * Capturing CPU (and optionally sampling heap) profiles of a running Node process through
 * its inspector: the main thread and every worker thread, each with its own
 * `Profiler.start/stop`, labelled by thread. GC pauses come from a `perf_hooks` observer
 * installed in the target for the duration of the capture (removed afterwards).
 */
import { InspectorConnection, type ProtocolSession, type WorkerInfo } from './inspectorClient';
import type { CapturedProfile, CpuProfile, GcSummary, SamplingHeapProfile, ThreadProfile } from './types';

export interface CaptureOptions {
  component: string;
  port: number;
  host?: string;
  durationMs: number;
  /** V8's sampling interval; 1000 µs by default, 10000 µs for low-overhead continuous runs. */
  samplingIntervalUs?: number;
  /** Profile worker threads too (default true). */
  workers?: boolean;
  /** Also take a sampling heap profile of the main thread. */
  heap?: boolean;
  /** Observe GC pauses with perf_hooks in the target (default true). */
  gc?: boolean;
  signal?: AbortSignal;
  /** Called once profiling runs on every thread, with the thread labels and the scripts they run (file URLs). */
  onStarted?(threads: string[], scripts: string[]): void;
}

const GC_KINDS: Record<number, string> = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weakcb', 16: 'minor' };

const GC_START = `(() => {
  const req = globalThis.process.getBuiltinModule ? (m) => process.getBuiltinModule(m) : (m) => process.mainModule.require(m);
  const { PerformanceObserver } = req('perf_hooks');
  const old = globalThis.__allusePerfGc; if (old) old.obs.disconnect();
  const g = globalThis.__allusePerfGc = { entries: [], obs: null, t0: performance.now() };
  g.obs = new PerformanceObserver((list) => { for (const e of list.getEntries()) if (g.entries.length < 20000) g.entries.push([e.startTime - g.t0, e.duration, e.detail ? e.detail.kind : 0]); });
  g.obs.observe({ entryTypes: ['gc'] });
  return true;
})()`;
const GC_STOP = `(() => {
  const g = globalThis.__allusePerfGc; if (!g) return '[]';
  g.obs.disconnect(); delete globalThis.__allusePerfGc;
  return JSON.stringify(g.entries);
})()`;

export function summarizeGc(entries: [number, number, number][]): GcSummary {
  const total = entries.reduce((s, e) => s + e[1], 0);
  const pauses = entries.map(([atMs, ms, kind]) => ({ atMs: Math.round(atMs * 10) / 10, ms: Math.round(ms * 100) / 100, kind: GC_KINDS[kind] ?? String(kind) }))
    .sort((a, b) => b.ms - a.ms).slice(0, 20);
  return { source: 'perf_hooks', count: entries.length, totalMs: Math.round(total * 100) / 100, maxMs: pauses[0]?.ms ?? 0, pauses };
}

function workerLabel(info: WorkerInfo, n: number): string {
  const file = info.url ? info.url.split('/').pop() : info.title;
  return `worker ${n} (${file})`;
}

async function startProfiler(s: ProtocolSession, intervalUs: number): Promise<void> {
  await s.send('Profiler.enable');
  await s.send('Profiler.setSamplingInterval', { interval: intervalUs });
  await s.send('Profiler.start');
}

const sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((resolve) => {
  if (signal?.aborted) return resolve();
  const t = setTimeout(resolve, ms);
  signal?.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
});

/** Profiles the process behind a loopback inspector port for `durationMs` (shorter if aborted). */
export async function captureProfile(opts: CaptureOptions): Promise<CapturedProfile> {
  const intervalUs = opts.samplingIntervalUs ?? 1000;
  const conn = await InspectorConnection.connect(opts.port, opts.host);
  const warnings: string[] = [];
  const running: { label: string; kind: 'main' | 'worker'; session: ProtocolSession }[] = [];
  let capturing = true;
  let workerCount = 0;
  const scripts = new Set<string>(conn.target.url ? [conn.target.url] : []);
  try {
    let pid: number | undefined;
    try {
      const r = await conn.main.send<{ result: { value?: unknown } }>('Runtime.evaluate', { expression: 'process.pid', returnByValue: true });
      pid = typeof r.result?.value === 'number' ? r.result.value : undefined;
    } catch { /* pid is informative only */ }

    await startProfiler(conn.main, intervalUs);
    running.push({ label: 'main', kind: 'main', session: conn.main });
    if (opts.workers !== false) {
      // Workers that start during the capture are profiled from their start.
      const pending: Promise<void>[] = [];
      const onWorker = (info: WorkerInfo, session: ProtocolSession) => {
        const label = workerLabel(info, ++workerCount);
        if (info.url) scripts.add(info.url);
        pending.push(startProfiler(session, intervalUs).then(
          () => { if (capturing) running.push({ label, kind: 'worker', session }); },
          (e: Error) => { warnings.push(`${label}: not profiled (${e.message})`); },
        ));
      };
      await conn.attachWorkers(150, onWorker);
      await Promise.all(pending);
    }
    if (opts.heap) await conn.main.send('HeapProfiler.startSampling', { samplingInterval: 32768 });
    let gcOn = false;
    if (opts.gc !== false) {
      try {
        await conn.main.send('Runtime.evaluate', { expression: GC_START, returnByValue: true });
        gcOn = true;
      } catch (e) { warnings.push(`GC pauses not observed: ${(e as Error).message}`); }
    }
    const startedAt = Date.now();
    opts.onStarted?.(running.map((r) => r.label), [...scripts]);
    await sleep(opts.durationMs, opts.signal);
    capturing = false;
    const durationMs = Date.now() - startedAt;
    const stopAt = performance.now();

    const threads: ThreadProfile[] = [];
    const stops = await Promise.allSettled(running.map((r) => r.session.send<{ profile: CpuProfile }>('Profiler.stop', {}, 60_000)));
    stops.forEach((s, i) => {
      const r = running[i];
      if (s.status === 'fulfilled') threads.push({ label: r.label, kind: r.kind, profile: s.value.profile });
      else warnings.push(`${r.label}: profile lost (${(s.reason as Error).message}); a worker that exits during the capture takes its samples with it`);
    });
    let heap: SamplingHeapProfile | undefined;
    if (opts.heap) {
      try { heap = (await conn.main.send<{ profile: SamplingHeapProfile }>('HeapProfiler.stopSampling', {}, 60_000)).profile; } catch (e) { warnings.push(`heap profile lost: ${(e as Error).message}`); }
    }
    let gc: GcSummary | undefined;
    if (gcOn) {
      try {
        const r = await conn.main.send<{ result: { value?: string } }>('Runtime.evaluate', { expression: GC_STOP, returnByValue: true });
        gc = summarizeGc(JSON.parse(r.result?.value ?? '[]'));
      } catch (e) { warnings.push(`GC pauses lost: ${(e as Error).message}`); }
    }
    const stopMs = performance.now() - stopAt;
    await Promise.allSettled(running.map((r) => r.session.send('Profiler.disable', {}, 5000)));
    return { component: opts.component, pid, startedAt, durationMs, samplingIntervalUs: intervalUs, threads, heap, gc, warnings, stopMs };
  } finally {
    capturing = false;
    await conn.close();
  }
}
