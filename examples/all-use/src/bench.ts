// The trial command for tuning studies: starts the system with a config folder on free
// ports, replays the seeded market-feed workload for --duration after a short warm-up,
// and prints ONE JSON line (throughput, latency quantiles, error rate, CPU seconds and
// peak RSS per component). Progress goes to stderr; stdout carries only the result.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { COMPONENT_NAMES, DEMO_ROOT, httpGet, startSystem, type ComponentName, type RunningSystem } from './system.js';
import http from 'node:http';

export interface BenchOptions { configDir: string; durationMs: number; warmupMs: number; seed?: number; rate?: number; keep: boolean; quiet: boolean }

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
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) }, timeout: 5000 }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
    req.end(data);
  });
}

async function stats(sys: RunningSystem): Promise<Record<ComponentName, any>> {
  const entries = await Promise.all(COMPONENT_NAMES.map(async (n) => {
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
      else if (a === '--keep') o.keep = true;
      else if (a === '--quiet') o.quiet = true;
      else if (a === '--help' || a === '-h') {
        process.stderr.write('usage: bench [--config DIR] [--duration 20s] [--warmup 1.5s] [--seed N] [--rate TICKS_PER_S] [--keep] [--quiet]\nPrints one JSON line with throughput_tps, p50/p95/p99_latency_ms, error_rate, cpu_seconds, peak_rss_mb.\n');
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
