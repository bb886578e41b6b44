// The trial command for tuning studies: starts the system with a config folder on free
// ports, replays the seeded market-feed workload for --duration after a short warm-up,
// and prints ONE JSON line (throughput, latency quantiles, error rate, CPU seconds and
// peak RSS per component). Progress goes to stderr; stdout carries only the result.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { COMPONENT_NAMES, DEMO_ROOT, httpGet, startSystem, type ComponentName, type RunningSystem } from './system.js';
import http from 'node:http';
import { searchCapacity, type CapacityOptions, type JudgedProbe, type ProbeResult } from './capacity.js';

export interface BenchOptions {
  configDir: string; durationMs: number; warmupMs: number; seed?: number; rate?: number; keep: boolean; quiet: boolean;
  /** --capacity: search the highest rate meeting the SLO instead of measuring one rate. */
  capacity?: CapacityOptions & { probeMs: number };
}

export interface BenchResult {
  throughput_tps: number;
  offered_tps: number;
  p50_latency_ms: number | null;
  p95_latency_ms: number | null;
  p99_latency_ms: number | null;
  mean_latency_ms: number | null;
  error_rate: number;
  completed: number;
  errors: number;
  cpu_seconds: Record<string, number>;
  peak_rss_mb: Record<string, number>;
  duration_s: number;
  config_dir: string;
  seed: number | null;
  /** --capacity only: the highest passing probe's base rate (0 when none passed), the bounds and every probe. */
  capacity?: { rate: number; fail_rate: number | null; slo_p95_ms: number; max_error_rate: number; ticks_per_cpu_s: number; probes: JudgedProbe[] };
}

/** "20s", "500ms", "1m", "1.5s" or a bare number of seconds. */
export function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(s.trim());
  if (!m) throw new Error(`invalid duration "${s}" (use e.g. 20s, 500ms, 1m)`);
  const v = Number(m[1]);
  return m[2] === 'ms' ? v : m[2] === 'm' ? v * 60_000 : v * 1000;
}

function post(url: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) }, timeout: 5000, agent: false }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
    req.end(data);
  });
}

async function stats(sys: RunningSystem, names: readonly ComponentName[] = COMPONENT_NAMES): Promise<Record<ComponentName, any>> {
  const entries = await Promise.all(names.map(async (n) => {
    const r = await httpGet(`${sys.components[n].url}/stats`, 15000).catch((e: Error) => { throw new Error(`${n} did not answer /stats: ${e.message} (log: ${sys.components[n].logFile})`); });
    if (r.status !== 200) throw new Error(`${n} /stats answered ${r.status}`);
    return [n, JSON.parse(r.body)] as const;
  }));
  return Object.fromEntries(entries) as Record<ComponentName, any>;
}

/** Resident set size in MB from /proc (Linux); VmHWM is the kernel's own peak. */
function procRss(pid: number): { rss?: number; hwm?: number } {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => { const m = new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s); return m ? Number(m[1]) / 1024 : undefined; };
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch { return {}; }
}

const round3 = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v * 1000) / 1000 : null);

/**
 * --capacity: probes rates on the running system (see capacity.ts). The result's latency and
 * throughput fields are those of the highest passing probe, so a study's throughput objective
 * is the capacity under the SLO and its p95 constraint holds by construction; when no probe
 * passed, throughput is 0 and the fields are the lowest failing probe's (infeasible).
 */
async function measureCapacity(sys: RunningSystem, o: BenchOptions, c: CapacityOptions & { probeMs: number }, configDir: string, log: (m: string) => void, died: () => string | undefined): Promise<BenchResult> {
  const feed = sys.components['market-feed'], engine = sys.components['protocol-engine'];
  const start = await stats(sys);
  const startAt = performance.now();
  const runner = {
    async probe(rate: number): Promise<ProbeResult> {
      let s0 = performance.now();
      const before = await stats(sys);
      await post(`${engine.url}/admin/window`, {});
      const code = await post(`${feed.url}/admin/workload`, { action: 'start', rate, ...(o.seed !== undefined ? { seed: o.seed } : {}) });
      if (code !== 200) throw new Error(`market-feed refused rate ${rate} (${code})`);
      const t0 = (s0 + performance.now()) / 2;
      await new Promise((r) => setTimeout(r, c.probeMs));
      s0 = performance.now();
      const after = await stats(sys);
      const elapsed = ((s0 + performance.now()) / 2 - t0) / 1000;
      const why = died(); if (why) throw new Error(why);
      const d = (n: ComponentName, path: string) => path.split('.').reduce((v: any, k) => v?.[k], after[n]) - path.split('.').reduce((v: any, k) => v?.[k], before[n]);
      const completed = d('protocol-engine', 'ticks.completed');
      const generated = d('market-feed', 'ticks.generated');
      const errors = d('market-feed', 'ticks.rejected') + d('market-feed', 'ticks.failed') + d('market-feed', 'ticks.dropped') + d('protocol-engine', 'ticks.failed');
      const w = after['protocol-engine'].window;
      return {
        rate, offered_tps: Math.round((generated / elapsed) * 10) / 10, throughput_tps: Math.round((completed / elapsed) * 10) / 10,
        p50_ms: round3(w.p50_ms), p95_ms: round3(w.p95_ms), p99_ms: round3(w.p99_ms),
        error_rate: generated > 0 ? Math.round((errors / generated) * 1e6) / 1e6 : 0, completed, generated, errors, duration_s: Math.round(elapsed * 1000) / 1000,
        cpu_s: Math.round(COMPONENT_NAMES.reduce((t, n) => t + d(n, 'cpu_seconds'), 0) * 1000) / 1000,
      };
    },
    async drain(): Promise<void> {
      await post(`${feed.url}/admin/workload`, { action: 'stop' });
      // Idle = nothing queued, no batch being priced, nothing sent that is not answered.
      const deadline = performance.now() + 20_000;
      for (;;) {
        const s = (await stats(sys, ['protocol-engine']))['protocol-engine'];
        const t = s.ticks;
        if (s.queue_depth === 0 && s.workers_busy === 0 && t.completed + t.failed + t.rejected >= t.received) return;
        if (performance.now() > deadline) throw new Error(`protocol-engine did not drain in 20 s (queue ${s.queue_depth}, busy ${s.workers_busy})`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
  const res = await searchCapacity(runner, c, log);
  await post(`${feed.url}/admin/workload`, { action: 'stop' });
  const end = await stats(sys);
  const elapsed = (performance.now() - startAt) / 1000;
  const cpu: Record<string, number> = {};
  const rss: Record<string, number> = {};
  let total = 0;
  for (const n of COMPONENT_NAMES) {
    cpu[n] = Math.round((end[n].cpu_seconds - start[n].cpu_seconds) * 1000) / 1000; total += cpu[n];
    rss[n] = Math.round(Math.max(procRss(sys.components[n].pid).hwm ?? 0, end[n].rss_bytes / 1048576) * 10) / 10;
  }
  cpu.total = Math.round(total * 1000) / 1000;
  const at = res.best ?? res.firstFail ?? res.probes[0];
  return {
    throughput_tps: res.best ? res.best.throughput_tps : 0,
    offered_tps: at.offered_tps,
    p50_latency_ms: at.p50_ms, p95_latency_ms: at.p95_ms, p99_latency_ms: at.p99_ms, mean_latency_ms: null,
    error_rate: at.error_rate, completed: at.completed, errors: at.errors,
    cpu_seconds: cpu, peak_rss_mb: rss,
    duration_s: Math.round(elapsed * 1000) / 1000,
    config_dir: configDir, seed: o.seed ?? null,
    capacity: {
      rate: res.best?.rate ?? 0, fail_rate: res.firstFail?.rate ?? null, slo_p95_ms: c.sloP95Ms, max_error_rate: c.maxErrorRate,
      // Ticks completed per CPU second of the whole system at the capacity point: less sensitive
      // to how much of the shared machine the run got than the wall-clock throughput.
      // (Of the probe the other fields come from: the lowest failing one when none passed.)
      ticks_per_cpu_s: at.cpu_s > 0 ? Math.round(at.completed / at.cpu_s) : 0,
      probes: res.probes,
    },
  };
}

export async function runBench(o: BenchOptions): Promise<BenchResult> {
  const log = (m: string) => { if (!o.quiet) process.stderr.write(`[bench] ${m}\n`); };
  const runDir = mkdtempSync(join(tmpdir(), 'alluse-bench-'));
  const configDir = resolve(o.configDir);
  log(`starting system (configs from ${configDir}, run dir ${runDir})`);
  const sys = await startSystem({ configDir, ports: 'ephemeral', runDir, paused: true, logs: 'file' });
  let died: string | undefined;
  for (const c of Object.values(sys.components)) void c.exited.then((code) => { died ??= `${c.name} exited unexpectedly (code ${code}); log: ${c.logFile}`; });
  const peak: Record<string, number> = {};
  const sampler = setInterval(() => {
    for (const c of Object.values(sys.components)) { const r = procRss(c.pid).rss; if (r !== undefined) peak[c.name] = Math.max(peak[c.name] ?? 0, r); }
  }, 200);
  try {
    const feed = sys.components['market-feed'], engine = sys.components['protocol-engine'];
    const code = await post(`${feed.url}/admin/workload`, { action: 'start', ...(o.seed !== undefined ? { seed: o.seed } : {}), ...(o.rate !== undefined ? { rate: o.rate } : {}) });
    if (code !== 200) throw new Error(`market-feed refused to start the workload (${code})`);
    log(`warm-up ${o.warmupMs} ms`);
    await new Promise((r) => setTimeout(r, o.warmupMs));
    if (died) throw new Error(died);
    if (o.capacity) return await measureCapacity(sys, o, o.capacity, configDir, log, () => died);
    await post(`${engine.url}/admin/window`, {});
    // Each snapshot is timed at the middle of its /stats round trip, so a slow answer
    // (a loaded machine) does not stretch the measured window.
    let s0 = performance.now();
    const before = await stats(sys);
    const t0 = (s0 + performance.now()) / 2;
    log(`measuring for ${o.durationMs} ms`);
    await new Promise((r) => setTimeout(r, o.durationMs));
    s0 = performance.now();
    const after = await stats(sys);
    const elapsed = ((s0 + performance.now()) / 2 - t0) / 1000;
    await post(`${feed.url}/admin/workload`, { action: 'stop' });
    if (died) throw new Error(died);

    const d = (n: ComponentName, path: string) => path.split('.').reduce((v: any, k) => v?.[k], after[n]) - path.split('.').reduce((v: any, k) => v?.[k], before[n]);
    const completed = d('protocol-engine', 'ticks.completed');
    const generated = d('market-feed', 'ticks.generated');
    const errors = d('market-feed', 'ticks.rejected') + d('market-feed', 'ticks.failed') + d('market-feed', 'ticks.dropped') + d('protocol-engine', 'ticks.failed');
    const w = after['protocol-engine'].window;
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v * 1000) / 1000 : null);
    const cpu: Record<string, number> = {};
    const rss: Record<string, number> = {};
    let total = 0;
    for (const n of COMPONENT_NAMES) {
      cpu[n] = Math.round(d(n, 'cpu_seconds') * 1000) / 1000; total += cpu[n];
      const p = procRss(sys.components[n].pid);
      rss[n] = Math.round(Math.max(p.hwm ?? 0, peak[n] ?? 0, after[n].rss_bytes / 1048576) * 10) / 10;
    }
    cpu.total = Math.round(total * 1000) / 1000;
    return {
      throughput_tps: Math.round((completed / elapsed) * 10) / 10,
      offered_tps: Math.round((generated / elapsed) * 10) / 10,
      p50_latency_ms: num(w.p50_ms), p95_latency_ms: num(w.p95_ms), p99_latency_ms: num(w.p99_ms), mean_latency_ms: num(w.mean_ms),
      error_rate: generated > 0 ? Math.round((errors / generated) * 1e6) / 1e6 : 0,
      completed, errors,
      cpu_seconds: cpu, peak_rss_mb: rss,
      duration_s: Math.round(elapsed * 1000) / 1000,
      config_dir: configDir,
      seed: o.seed ?? null,
    };
  } finally {
    clearInterval(sampler);
    log('stopping system');
    await sys.stop();
    if (!o.keep) rmSync(runDir, { recursive: true, force: true });
    else log(`run dir kept: ${runDir}`);
  }
}

/** Capacity search defaults: the demo's production SLO (p95 50 ms, 1% errors), one 5 s probe = one burst period of the feed. */
export function capacityDefaults(): CapacityOptions & { probeMs: number } {
  return { sloP95Ms: 50, maxErrorRate: 0.01, fromRate: 1500, growth: 1.25, resolution: 0.05, maxProbes: 14, minRate: 100, confirmFailures: true, probeMs: 5000 };
}

export async function main(argv: string[]): Promise<number> {
  const o: BenchOptions = { configDir: join(DEMO_ROOT, 'config'), durationMs: 20_000, warmupMs: 1500, keep: false, quiet: false };
  try {
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i];
      const val = () => { const v = argv[++i]; if (v === undefined) throw new Error(`missing value after ${a}`); return v; };
      if (a === '--config') o.configDir = val();
      else if (a === '--duration') o.durationMs = parseDuration(val());
      else if (a === '--warmup') o.warmupMs = parseDuration(val());
      else if (a === '--seed') o.seed = Number(val());
      else if (a === '--rate') { o.rate = Number(val()); if (!(o.rate > 0)) throw new Error('--rate must be a positive number of ticks per second'); }
      else if (a === '--capacity') o.capacity = { ...(o.capacity ?? capacityDefaults()) };
      else if (['--slo-p95', '--max-error-rate', '--from', '--growth', '--resolution', '--max-probes', '--probe'].includes(a)) {
        const c = (o.capacity ??= capacityDefaults());
        const v = a === '--probe' ? parseDuration(val()) : Number(val());
        if (!(v > 0) || !Number.isFinite(v)) throw new Error(`${a} must be a positive number`);
        if (a === '--slo-p95') c.sloP95Ms = v; else if (a === '--max-error-rate') c.maxErrorRate = v; else if (a === '--from') c.fromRate = v;
        else if (a === '--growth') { if (v <= 1) throw new Error('--growth must be above 1'); c.growth = v; }
        else if (a === '--resolution') c.resolution = v; else if (a === '--max-probes') c.maxProbes = Math.floor(v); else c.probeMs = v;
      }
      else if (a === '--no-confirm') (o.capacity ??= capacityDefaults()).confirmFailures = false;
      else if (a === '--keep') o.keep = true;
      else if (a === '--quiet') o.quiet = true;
      else if (a === '--help' || a === '-h') {
        process.stderr.write('usage: bench [--config DIR] [--duration 20s] [--warmup 1.5s] [--seed N] [--rate TICKS_PER_S] [--keep] [--quiet]\n'
          + '       bench --capacity [--slo-p95 50] [--max-error-rate 0.01] [--from 1500] [--growth 1.25] [--resolution 0.05] [--probe 5s] [--max-probes 14] [--no-confirm] [...]\n'
          + 'Prints one JSON line with throughput_tps, p50/p95/p99_latency_ms, error_rate, cpu_seconds, peak_rss_mb.\n'
          + 'With --capacity, rates are probed (grow, then bisect) and throughput_tps is that of the highest rate whose probe met p95 and the error bound.\n');
        return 0;
      } else throw new Error(`unknown argument "${a}" (try --help)`);
    }
    if (!existsSync(o.configDir)) throw new Error(`config folder ${o.configDir} does not exist`);
    if (o.durationMs < 100) throw new Error('--duration must be at least 100ms');
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n`);
    return 2;
  }
  let stopping = false;
  const onSignal = () => { if (!stopping) { stopping = true; process.stderr.write('bench: interrupted\n'); } };
  process.once('SIGINT', onSignal);
  try {
    const r = await runBench(o);
    if (stopping) return 130;
    process.stdout.write(JSON.stringify(r) + '\n');
    return 0;
  } catch (e) {
    process.stderr.write(`bench: failed: ${(e as Error).message}\n`);
    return 1;
  }
}

if (typeof require !== 'undefined' && require.main === module) void main(process.argv.slice(2)).then((code) => process.exit(code));
