/**
 * Profiling benchmark on the busy demo protocol engine (main thread + 4 pricing workers,
 * the market feed at its shipped rate):
 *  1. time from "stop" to a mapped result for a 10 s profile: stopping the profilers and
 *     receiving every thread's profile, then source-map mapping, ts-morph resolution and
 *     aggregation (target < 2 s); the cold load of the profiling bundle is timed apart;
 *  2. overhead on the component: its CPU time (utime+stime from /proc) per second of wall
 *     time in 10 s windows without profiling and with profiling at 1 ms and at 10 ms
 *     sampling, alternated so drifting machine load hits both alike.
 * Starts the demo system: run under `flock /tmp/alluse-demo.lock npm run bench:profile`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDemo } from '../examples/all-use/build.mjs';
import { startSystem } from '../examples/all-use/src/system';
import { analyzeProfile } from '../engine/profile/analyze';
import { captureProfile } from '../engine/profile/capture';
import { prepareMapping } from '../engine/profile/prepareMapping';
import { scriptPath, SourceMapper } from '../engine/profile/sourceMapper';

const WINDOW_MS = Number(process.env.WINDOW_MS ?? 10_000);
const ROOT = join(__dirname, '..');

function cpuMs(pid: number): number {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

async function completed(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  // Labels come in any order (the registry adds component="…").
  const line = text.split('\n').find((l) => l.startsWith('alluse_engine_ticks_total{') && l.includes('outcome="completed"'));
  return Number(line?.split(' ').pop() ?? NaN);
}

/**
 * A fixed amount of pricing work (the demo's Black–Scholes in the main thread and in one
 * worker thread); the child reports the CPU time it took (getrusage, all threads). Run with
 * and without a 1 ms profile attached: CPU for the same work does not depend on how much
 * load the feed manages to push through a busy machine, unlike throughput.
 */
const FIXED_WORK = `
const { Worker, isMainThread, parentPort } = require('node:worker_threads');
const { blackScholes } = require(${JSON.stringify(join(__dirname, '../examples/all-use/dist/protocol-engine.js').replace('protocol-engine.js', 'bench-bs.js'))});
function work() { let s = 0; for (let i = 0; i < 8000000; i++) s += blackScholes(100 + (i % 50), 100, 0.5, 0.03, 0.2 + (i % 7) / 100, i % 2 === 0).delta; return s; }
if (isMainThread) {
  process.stdin.once('data', () => {
    const w = new Worker(__filename);
    const c0 = process.cpuUsage();
    work();
    w.once('message', () => { const c = process.cpuUsage(c0); console.log('done ' + (c.user + c.system) / 1000); process.exit(0); });
  });
  console.log('ready');
} else { work(); parentPort.postMessage('done'); }
`;

async function fixedWorkCpuMs(intervalUs: number): Promise<number> {
  const profile = intervalUs > 0;
  const { spawn } = await import('node:child_process');
  const { mkdtempSync: mk, writeFileSync } = await import('node:fs');
  const dir = mk(join(tmpdir(), 'alluse-bench-fixed-'));
  writeFileSync(join(dir, 'work.js'), FIXED_WORK);
  const child = spawn(process.execPath, [...(profile ? ['--inspect=127.0.0.1:0'] : []), join(dir, 'work.js')], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { err += d; });
  const until = async (cond: () => boolean) => { while (!cond()) { if (child.exitCode !== null) throw new Error(`fixed-work child exited: ${err}`); await new Promise((r) => setTimeout(r, 10)); } };
  await until(() => out.includes('ready') && (!profile || /ws:\/\/127\.0\.0\.1:\d+/.test(err)));
  let capture: Promise<unknown> | undefined;
  const abort = new AbortController();
  if (profile) {
    const port = Number(/ws:\/\/127\.0\.0\.1:(\d+)/.exec(err)![1]);
    let started!: () => void;
    const on = new Promise<void>((r) => { started = r; });
    // The worker starts after "go": the capture attaches to it as it appears.
    capture = captureProfile({ component: 'fixed', port, durationMs: 600_000, samplingIntervalUs: intervalUs, signal: abort.signal, onStarted: () => started() });
    await on;
  }
  child.stdin!.write('go\n');
  await until(() => /done [\d.]+/.test(out) || child.exitCode !== null);
  abort.abort();
  await capture?.catch(() => undefined);
  return Number(/done ([\d.]+)/.exec(out)?.[1] ?? NaN);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  console.log('# Profiling benchmark: the demo protocol engine under the market feed (all threads)');
  console.log(`# method: ${WINDOW_MS / 1000} s windows; CPU = utime+stime of the engine process (/proc/PID/stat, 10 ms ticks) per wall second; mapping = analyzeProfile on the captured profile`);
  // Cold load of the server's profiling bundle (ts-morph + TypeScript), in a fresh process.
  const bundle = join(ROOT, 'dist/profileEngine.js');
  const loadMs = Number(execFileSync(process.execPath, ['-e', `const t=process.hrtime.bigint();require(${JSON.stringify(bundle)});console.log(Number(process.hrtime.bigint()-t)/1e6)`]).toString().trim());
  console.log(`cold load of dist/profileEngine.js: ${loadMs.toFixed(0)} ms (once per server, on the first profile)`);

  await buildDemo({ quiet: true });
  // The demo's Black–Scholes as a plain CommonJS module for the fixed-work child.
  const { build } = await import('esbuild');
  await build({ entryPoints: [join(__dirname, '../examples/all-use/src/shared/blackscholes.ts')], outfile: join(__dirname, '../examples/all-use/dist/bench-bs.js'), bundle: true, platform: 'node', format: 'cjs', logLevel: 'warning' });
  const fixed: Record<'off' | '1ms' | '10ms', number[]> = { off: [], '1ms': [], '10ms': [] };
  for (let i = 0; i < 3; i++) {
    fixed.off.push(await fixedWorkCpuMs(0));
    fixed['1ms'].push(await fixedWorkCpuMs(1000));
    fixed['10ms'].push(await fixedWorkCpuMs(10_000));
  }
  const fOff = median(fixed.off);
  for (const k of ['off', '1ms', '10ms'] as const) {
    console.log(`fixed pricing work (main + 1 worker), CPU time ${k.padEnd(4)}: ${fixed[k].map((v) => v.toFixed(0)).join(', ')} ms${k === 'off' ? '' : `; median overhead ${(((median(fixed[k]) - fOff) / fOff) * 100).toFixed(1)}%`}`);
  }
  if (process.env.BENCH_FIXED_ONLY) return; // the fixed-work part alone needs no demo system (nor the lock)
  const sys = await startSystem({ ports: 'ephemeral', inspect: { 'protocol-engine': 0 }, logs: 'file', runDir: mkdtempSync(join(tmpdir(), 'alluse-bench-profile-')) });
  try {
    const eng = sys.components['protocol-engine'];
    // Warm-up: let the JIT and the feed settle.
    await new Promise((r) => setTimeout(r, 3000));
    type Row = { mode: string; cpuPerS: number; tps: number; stopMs?: number; analysisMs?: number; analysisCpuMs?: number; total?: number; threads?: number; top?: string };
    const rows: Row[] = [];
    const window = async (mode: 'off' | '1ms' | '10ms'): Promise<Row> => {
      const c0 = cpuMs(eng.pid), n0 = await completed(eng.url), t0 = Date.now();
      let row: Row;
      if (mode === 'off') {
        await new Promise((r) => setTimeout(r, WINDOW_MS));
        row = { mode, cpuPerS: 0, tps: 0 };
      } else {
        // As the editor and the CLI do (profileComponent): source maps and sources are prepared
        // while the profile samples; what is left of that after stop counts in the mapping time.
        const mapper = new SourceMapper();
        let warm: Promise<void> = Promise.resolve();
        const cap = await captureProfile({
          component: 'protocol-engine', port: eng.inspectPort!, durationMs: WINDOW_MS, samplingIntervalUs: mode === '1ms' ? 1000 : 10_000,
          onStarted: (_t, scripts) => { warm = prepareMapping(scripts.map(scriptPath).filter((f): f is string => !!f), mapper); },
        });
        const a0 = performance.now();
        const u0 = process.cpuUsage();
        await warm;
        const r = analyzeProfile(cap, { id: 'bench', mapper });
        const analysisMs = performance.now() - a0;
        const u1 = process.cpuUsage(u0);
        const analysisCpuMs = (u1.user + u1.system) / 1000;
        const top = r.functions.find((f) => f.category === 'user');
        row = { mode, cpuPerS: 0, tps: 0, stopMs: cap.stopMs, analysisMs, analysisCpuMs, total: (cap.stopMs ?? 0) + analysisMs, threads: cap.threads.length, top: top && `${top.name} ${top.selfPct}%` };
      }
      const wall = (Date.now() - t0) / 1000;
      row.cpuPerS = (cpuMs(eng.pid) - c0) / wall;
      row.tps = ((await completed(eng.url)) - n0) / wall;
      return row;
    };
    for (const mode of ['off', '1ms', 'off', '10ms', 'off', '1ms', 'off', '10ms', 'off', '1ms', 'off'] as const) {
      const r = await window(mode);
      rows.push(r);
      console.log(`${r.mode.padEnd(5)} engine CPU ${r.cpuPerS.toFixed(0).padStart(5)} ms/s  completed ${r.tps.toFixed(0).padStart(5)} ticks/s${r.total !== undefined ? `  stop→mapped ${r.total.toFixed(0)} ms (stop+transfer ${r.stopMs!.toFixed(0)}, mapping ${r.analysisMs!.toFixed(0)} wall / ${r.analysisCpuMs!.toFixed(0)} CPU), ${r.threads} threads, top ${r.top}` : ''}`);
    }
    const by = (m: string) => rows.filter((r) => r.mode === m);
    const off = median(by('off').map((r) => r.cpuPerS));
    const p1 = median(by('1ms').map((r) => r.cpuPerS));
    const p10 = median(by('10ms').map((r) => r.cpuPerS));
    const mapped1 = by('1ms').map((r) => r.total!);
    const cpuPerK = (m: string) => median(by(m).map((r) => (r.tps > 0 ? (r.cpuPerS / r.tps) * 1000 : NaN)));
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    console.log('');
    console.log(`machine load average at the end: ${load} (2 cores)`);
    console.log(`stop→mapped result, 10 s profile at 1 ms sampling: ${mapped1.map((v) => v.toFixed(0)).join(', ')} ms wall (max ${Math.max(...mapped1).toFixed(0)} ms; target < 2000 ms); mapping CPU time ${by('1ms').map((r) => r.analysisCpuMs!.toFixed(0)).join(', ')} ms`);
    console.log(`engine CPU per 1000 completed ticks: off ${cpuPerK('off').toFixed(0)} ms, 1 ms sampling ${cpuPerK('1ms').toFixed(0)} ms (${(((cpuPerK('1ms') - cpuPerK('off')) / cpuPerK('off')) * 100).toFixed(1)}%), 10 ms sampling ${cpuPerK('10ms').toFixed(0)} ms (${(((cpuPerK('10ms') - cpuPerK('off')) / cpuPerK('off')) * 100).toFixed(1)}%)`);
    console.log(`engine CPU without profiling ${off.toFixed(0)} ms/s; with 1 ms sampling ${p1.toFixed(0)} ms/s (${(((p1 - off) / off) * 100).toFixed(1)}%); with 10 ms sampling ${p10.toFixed(0)} ms/s (${(((p10 - off) / off) * 100).toFixed(1)}%)`);
    console.log(`throughput (completed ticks/s, the feed's rate is fixed): off ${median(by('off').map((r) => r.tps)).toFixed(0)}, 1 ms ${median(by('1ms').map((r) => r.tps)).toFixed(0)}, 10 ms ${median(by('10ms').map((r) => r.tps)).toFixed(0)}`);
  } finally {
    await sys.stop();
  }
}

void main().catch((e) => { console.error(e); process.exitCode = 1; });
