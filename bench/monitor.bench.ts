/**
 * `npm run bench:monitor`: the cost of monitoring the demo system.
 *
 * Method: the real demo system (four Node components, examples/all-use) runs on free
 * loopback ports with a light feed (200 ticks/s, no bursts). `alluse-perf monitor` (the
 * built CLI, the same engine and store as the editor's server) monitors it with the
 * defaults: system metrics, the four processes and the four /metrics endpoints every
 * 100 ms, file systems every 10 s, everything into the embedded store, alerts evaluated on
 * every sample, anomaly detection on (the default; `BENCH_ANOMALY=off` leaves it out). After
 * a warm-up of 40 s (the anomaly detectors learn from their first 32 samples, which costs
 * more than scoring later), the monitor's CPU time (utime + stime of the whole process, all
 * threads: the monitor runs in a worker thread of it, cli/monitorLauncher.ts; read from
 * /proc/PID/stat) is measured over the window, and its resident memory
 * (VmRSS each second, and the peak VmHWM) from /proc/PID/status. The store keeps the samples
 * of the last 5 minutes in memory until it writes them (its cut), so `BENCH_WINDOW_S=300`
 * covers one cut; memory keeps rising past it (about 1 MiB a minute in runs of 15-20 minutes:
 * docs/performance.md, "Monitoring"), so a window of two minutes or more also prints the
 * window minute by minute (CPU, RSS mean and highest): `BENCH_WINDOW_S=1200` shows the growth.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDemoWorkspace } from '../test/helpers/demoWorkspace';

const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 40);
const WINDOW_S = Number(process.env.BENCH_WINDOW_S ?? 120);
const TICKS = 100; // clock ticks per second on Linux
/** `BENCH_SCRAPE=100ms` measures scrapes at the monitor interval instead of the 1 s default. */
const SCRAPE = process.env.BENCH_SCRAPE;
/** Extra node flags for the monitor process, e.g. `BENCH_NODE_FLAGS=--cpu-prof` to profile it. */
const NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
/** `BENCH_ANOMALY=off` measures without anomaly detection. */
const ANOMALY = process.env.BENCH_ANOMALY;

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / TICKS;
}

function memKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The window minute by minute (CPU from the seconds' /proc readings, RSS mean and highest of
 * the seconds' VmRSS): a long window shows the warm-up and any growth the whole-window figures
 * hide (docs/performance.md, "Monitoring": RSS rose about 1 MiB a minute past 300 s).
 */
function printByMinute(cpuAt: number[], rssKiB: number[], cpuStart: number): void {
  console.log('| minute of the window (from the warm-up\'s end) | CPU (one core) | RSS mean / highest |');
  console.log('|---|---|---|');
  for (let m = 0; m * 60 < cpuAt.length; m++) {
    const end = Math.min(cpuAt.length, (m + 1) * 60);
    const before = m === 0 ? cpuStart : cpuAt[m * 60 - 1];
    const r = rssKiB.slice(m * 60, end);
    const mean = r.reduce((a, b) => a + b, 0) / r.length / 1024;
    console.log(`| ${m + 1}${end - m * 60 < 60 ? ` (its first ${end - m * 60} s)` : ''} | ${(((cpuAt[end - 1] - before) / (end - m * 60)) * 100).toFixed(2)}% | ${mean.toFixed(1)} / ${(Math.max(...r) / 1024).toFixed(1)} MiB |`);
  }
}

async function main(): Promise<void> {
  const ws = await startDemoWorkspace({ prefix: 'alluse-bench-monitor-', monitorLines: [...(SCRAPE ? [`  sources: { scrape: ${SCRAPE} }`] : []), ...(ANOMALY === 'off' ? ['  anomaly: { enabled: false }'] : [])] });
  // `BENCH_CLI=path/to/cli.js` measures another build (e.g. the one before a change), same method.
  const cli = process.env.BENCH_CLI ?? join(__dirname, '..', 'dist', 'cli.js');
  const child = spawn(process.execPath, [...NODE_FLAGS, cli, 'monitor', '--workspace', ws.folder, '--json', '--duration', `${WARMUP_S + WINDOW_S + 5 + Math.ceil(WINDOW_S / 100)}s`], { stdio: ['ignore', 'pipe', 'inherit'], cwd: process.env.BENCH_CWD });
  let last: { series?: number; samplesPerSecond?: number; cost?: { cpuRatio: number }; store?: { diskBytes: number; bytesPerSample: number }; components?: { up: boolean }[] } = {};
  let buf = '';
  child.stdout.on('data', (d) => {
    buf += d;
    const lines = buf.split('\n');
    buf = lines.pop()!;
    // Lines that are not status JSON (e.g. from --trace-gc) go to stderr.
    for (const l of lines) if (l.startsWith('{')) last = JSON.parse(l);
    else if (l.trim()) process.stderr.write(`monitor: ${l}\n`);
  });
  try {
    await sleep(WARMUP_S * 1000);
    const pid = child.pid!;
    const c0 = cpuSeconds(pid);
    const t0 = performance.now();
    const rss: number[] = [];
    // CPU seconds at the end of each second of the window: the by-minute table below.
    const cpuAt: number[] = [];
    for (let i = 0; i < WINDOW_S; i++) {
      // On the window's own clock: a second of `sleep` and the readings after it drifted a few ms
      // each, and a two-hour window outlasted the monitor's --duration, read a /proc file that was
      // gone and printed nothing (28 Nov).
      await sleep(Math.max(0, t0 + (i + 1) * 1000 - performance.now()));
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the monitor exited ${i} s into the window (${child.exitCode ?? child.signalCode})`);
      rss.push(memKiB(pid, 'VmRSS'));
      cpuAt.push(cpuSeconds(pid));
    }
    const cpu = cpuSeconds(pid) - c0;
    const wall = (performance.now() - t0) / 1000;
    const hwm = memKiB(pid, 'VmHWM');
    const up = last.components?.filter((c) => c.up).length ?? 0;
    console.log(`Monitor benchmark: demo system (4 components, ${up} up), ${last.series} series, ${last.samplesPerSecond} samples/s; system and processes every 100 ms, scrapes every ${SCRAPE ?? '1s (default)'}, anomaly detection ${ANOMALY === 'off' ? 'off' : 'on (default)'}; ${WINDOW_S} s window after ${WARMUP_S} s warm-up`);
    console.log('| measure | value |');
    console.log('|---|---|');
    console.log(`| CPU of the monitor process (all threads, /proc) | ${((cpu / wall) * 100).toFixed(2)}% of one core |`);
    console.log(`| CPU as the monitor reports it (its last status: the last minute) | ${((last.cost?.cpuRatio ?? NaN) * 100).toFixed(2)}% of one core |`);
    console.log(`| resident memory, mean / peak (VmHWM) | ${(rss.reduce((a, b) => a + b, 0) / rss.length / 1024).toFixed(1)} MiB / ${(hwm / 1024).toFixed(1)} MiB |`);
    console.log(`| store on disk after the run | ${((last.store?.diskBytes ?? 0) / 1048576).toFixed(1)} MiB |`);
    console.log(`targets (under 1% of one core, under 100 MB RSS): CPU ${cpu / wall < 0.01 ? 'met' : 'NOT met'}, memory ${hwm * 1024 < 100e6 ? 'met' : 'NOT met'}`);
    if (WINDOW_S >= 120) printByMinute(cpuAt, rss, c0);
  } finally {
    // An exited child fires no second 'exit': waiting for one would never end.
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      await new Promise((r) => child.once('exit', r));
    }
    await ws.system.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
