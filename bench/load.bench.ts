/**
 * `npm run bench:load`: the analysis server under a large monitoring load.
 *
 * Method: 50 synthetic components, each a loopback `/metrics` endpoint with 200 moving
 * series (bench/load/metricsServer.mjs; 5 Node processes of 10 endpoints, each process the
 * `pidFile` of its 10 components), are monitored by the REAL language server (the built
 * dist/server.js over stdio, as the editor runs it) with every source at 100 ms: 10,000
 * scraped series asked for 10 times a second, plus each component's process metrics and
 * the system's. For `--minutes` (default 10) it samples every 5 s:
 * - the server's resident memory (VmRSS from /proc) and V8 heap (`alluse/serverInfo`);
 * - the server's event-loop delay (`alluse/serverInfo`: `monitorEventLoopDelay` at 10 ms
 *   resolution inside the server, one window per 5 s sample);
 * - the monitor's own status (series, samples/s stored, problems);
 * and once a second the round trip of an editor request (hover, alternating with
 * completion, on alluse-perf.yaml) while the load runs: what a person typing would wait.
 * Memory is called bounded when the median RSS of the last third of the run is within 10%
 * of the second third's, or grew less than half as much as from the first third to the
 * second (a leak keeps growing; a short peak, such as a save, does not move a median).
 *
 * Usage: node --import tsx bench/load.bench.ts [--minutes 10] [--components 50] [--series 200]
 * (`npm run bench:load` builds first). Prints the method, a table of the curve, an ASCII
 * chart of RSS, and a summary; `--out FILE` also writes the markdown report there.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MonitorControlRequest, MonitorStatusNotification, ServerInfoRequest, type MonitorStatus } from '../protocol/index';
import { SERVER_ENV, SERVER_NODE_FLAGS } from '../protocol/serverProcess';
import { TestLspClient } from '../test/helpers/lspClient';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const MINUTES = arg('minutes', 10);
const COMPONENTS = arg('components', 50);
const SERIES = arg('series', 200);
const PER_PROCESS = 10;
const SAMPLE_MS = 5000;
const outIndex = process.argv.indexOf('--out');
const OUT = outIndex > 0 ? process.argv[outIndex + 1] : undefined;

interface Fixture {
  proc: ChildProcess;
  pid: number;
  ports: number[];
  pidFile: string;
}

async function startFixture(index: number, count: number, folder: string): Promise<Fixture> {
  const proc = spawn(process.execPath, [join(__dirname, 'load', 'metricsServer.mjs'), String(count), String(SERIES), String(index + 1)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    let buf = '';
    proc.stdout!.on('data', (d) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(buf.slice(0, nl));
    });
    proc.once('exit', (code) => reject(new Error(`metrics server ${index} exited with ${code}`)));
  });
  const { pid, ports } = JSON.parse(line) as { pid: number; ports: number[] };
  const pidFile = join(folder, `fixture-${index}.pid`);
  writeFileSync(pidFile, `${pid}\n`);
  return { proc, pid, ports, pidFile };
}

function memKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

function pct(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/**
 * `BENCH_SCHED_TRACE=FILE`: every 50 ms one JSON line with the wall time (epoch ms), the
 * server's main thread's scheduler figures (/proc/PID/task/PID/schedstat: ns on the CPU, ns
 * runnable but waiting for a CPU, timeslices; status: involuntary context switches), the whole
 * server's and the load generator's CPU ticks, and the machine's run queue (/proc/loadavg's
 * running count and 1-minute average). `node bench/load/schedAround.mjs FILE LOOP` then tells,
 * for each stall the server's own timer saw (bench/load/gcTrace.cjs), how much of it the main
 * thread ran and how much it waited for a CPU (descheduled) rather than ran a long task.
 */
function startSchedTrace(file: string, pid: number, fixturePids: number[]): { stop(): void } {
  const out = createWriteStream(file);
  const ticks = (p: number) => {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return Number(f[11]) + Number(f[12]);
    } catch {
      return NaN;
    }
  };
  const timer = setInterval(() => {
    try {
      const [run, wait, slices] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').trim().split(' ').map(Number);
      const status = readFileSync(`/proc/${pid}/task/${pid}/status`, 'utf8');
      const nv = Number(/^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1]);
      const v = Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1]);
      const la = readFileSync('/proc/loadavg', 'utf8').split(' ');
      const gen = fixturePids.reduce((a, p) => a + ticks(p), 0);
      out.write(`${JSON.stringify({ t: Date.now(), run, wait, slices, nv, v, cpu: ticks(pid), gen, load: Number(la[0]), running: Number(la[3].split('/')[0]) })}\n`);
    } catch {
      /* the server has exited */
    }
  }, 50);
  return { stop: () => (clearInterval(timer), out.end()) };
}

const mib = (bytes: number) => bytes / 1048576;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Point {
  s: number;
  rssMiB: number;
  heapMiB: number;
  loopMaxMs: number;
  loopP99Ms: number;
  samplesPerS: number;
  series: number;
  rttMaxMs: number;
  cpu: number;
  /** The machine's 1-minute load average (2 cores): other work competes with the server. */
  load: number;
  /** Bytes per second the server sent the editor (notifications and answers). */
  outKiBs: number;
}

/** A one-line chart of a series, eight levels from the minimum to the maximum. */
function spark(values: number[], width = 60): string {
  const bars = '▁▂▃▄▅▆▇█';
  const step = Math.max(1, Math.ceil(values.length / width));
  const pts: number[] = [];
  for (let i = 0; i < values.length; i += step) pts.push(Math.max(...values.slice(i, i + step)));
  const lo = Math.min(...pts);
  const hi = Math.max(...pts);
  return pts.map((v) => bars[hi === lo ? 0 : Math.round(((v - lo) / (hi - lo)) * 7)]).join('');
}

async function main(): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'alluse-bench-load-'));
  const fixtures: Fixture[] = [];
  for (let i = 0; i * PER_PROCESS < COMPONENTS; i++) fixtures.push(await startFixture(i, Math.min(PER_PROCESS, COMPONENTS - i * PER_PROCESS), folder));
  const lines = ['version: 1', 'components:'];
  for (let c = 0; c < COMPONENTS; c++) {
    const f = fixtures[Math.floor(c / PER_PROCESS)];
    lines.push(
      `  - name: load-${String(c).padStart(2, '0')}`,
      '    kind: node',
      `    process: { pidFile: ${JSON.stringify(f.pidFile)} }`,
      '    metrics:',
      `      url: http://127.0.0.1:${f.ports[c % PER_PROCESS]}/metrics`,
      '      interval: 100ms',
    );
  }
  lines.push('monitor:', '  interval: 100ms', '  retention: 1h', '  storePath: store', '  sources: { scrape: 100ms }', '');
  const text = lines.join('\n');
  const file = join(folder, 'alluse-perf.yaml');
  writeFileSync(file, text);
  const uri = pathToFileURL(file).href;

  // `BENCH_NODE_FLAGS=--cpu-prof` profiles the server (the profile is written when it exits).
  // The server starts with the editor's node flags and environment (protocol/serverProcess.ts).
  // `BENCH_SERVER=/path/to/dist/server.js` runs another build (an older one, side by side);
  // `BENCH_SERVER_PLAIN=1` starts it without those settings, as this benchmark did before them.
  const serverModule = process.env.BENCH_SERVER ? resolve(process.env.BENCH_SERVER) : undefined;
  const plain = process.env.BENCH_SERVER_PLAIN === '1';
  // `BENCH_GC_TRACE=FILE` writes V8's trace of every garbage collection of the server
  // (`--trace-gc-nvp`: kind, pause, promoted bytes) to FILE; V8 prints it on stdout, so the
  // server then talks over node's IPC channel instead (the traffic column is not measured).
  const gcTrace = process.env.BENCH_GC_TRACE;
  const nodeFlags = [...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean), ...(gcTrace ? ['--trace-gc-nvp'] : [])];
  const client = await TestLspClient.start(undefined, nodeFlags, serverModule, plain, !!gcTrace);
  const serverPid = client.proc.pid!;
  let outBytes = 0;
  if (gcTrace) client.proc.stdout!.pipe(createWriteStream(gcTrace));
  else client.proc.stdout!.on('data', (d: Buffer) => (outBytes += d.length));
  let status: MonitorStatus | undefined;
  client.on<MonitorStatus>(MonitorStatusNotification.method, (s) => (status = s));
  await client.open(uri, text, 1);
  const diags = await client.diagnosticsFor(uri, 1);
  const errors = diags.filter((d) => d.severity === 1);
  if (errors.length) throw new Error(`the generated workspace has errors: ${JSON.stringify(errors.slice(0, 3))}`);
  const started = (await client.connection.sendRequest(MonitorControlRequest.method, { uri, action: 'start', trusted: true })) as MonitorStatus;
  if (!started.running) throw new Error(`monitoring did not start: ${started.message}`);
  // Bounded: an answer stuck behind the server's output for a minute is recorded as missing.
  const info = () =>
    Promise.race([
      client.connection.sendRequest(ServerInfoRequest.method, { resetEventLoop: true } satisfies ServerInfoRequest.Params) as Promise<ServerInfoRequest.Result>,
      sleep(60_000).then((): ServerInfoRequest.Result => ({ pid: serverPid, version: '', uptimeS: NaN, analyses: NaN })),
    ]);
  await info(); // the window starts with the monitor
  const sched = process.env.BENCH_SCHED_TRACE ? startSchedTrace(process.env.BENCH_SCHED_TRACE, serverPid, fixtures.map((f) => f.pid)) : undefined;

  // The editor's side: a hover on a component's name or a completion in its entry, once a second.
  const rtts: number[] = [];
  let rttWindow: number[] = [];
  let probing = true;
  const hoverLine = text.split('\n').findIndex((l) => l.includes('interval: 100ms'));
  const probe = (async () => {
    for (let i = 0; probing; i++) {
      const t0 = performance.now();
      if (i % 2 === 0) await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: hoverLine, character: 8 } });
      else await client.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: 3, character: 4 } });
      const ms = performance.now() - t0;
      rtts.push(ms);
      rttWindow.push(ms);
      await sleep(1000);
    }
  })();

  const points: Point[] = [];
  const t0 = performance.now();
  const cpu0 = cpuSeconds(serverPid);
  let lastCpu = cpu0;
  let lastAt = t0;
  let lastOut = 0;
  const end = t0 + MINUTES * 60_000;
  console.error(`load: ${COMPONENTS} components x ${SERIES} series at 100 ms for ${MINUTES} min; server pid ${serverPid}; workspace ${folder}; t0 at epoch ${Date.now()} ms`);
  while (performance.now() < end) {
    await sleep(SAMPLE_MS);
    const i = await info();
    const now = performance.now();
    const cpu = cpuSeconds(serverPid);
    const p: Point = {
      s: Math.round((now - t0) / 1000),
      rssMiB: memKiB(serverPid, 'VmRSS') / 1024,
      heapMiB: mib(i.memory?.heapUsedBytes ?? NaN),
      loopMaxMs: i.eventLoop?.maxDelayMs ?? NaN,
      loopP99Ms: i.eventLoop?.p99DelayMs ?? NaN,
      samplesPerS: status?.samplesPerSecond ?? 0,
      series: status?.series ?? 0,
      rttMaxMs: rttWindow.length ? Math.max(...rttWindow) : NaN,
      cpu: (cpu - lastCpu) / ((now - lastAt) / 1000),
      load: loadavg()[0],
      outKiBs: (outBytes - lastOut) / 1024 / ((now - lastAt) / 1000),
    };
    lastOut = outBytes;
    rttWindow = [];
    lastCpu = cpu;
    lastAt = now;
    points.push(p);
    console.error(`  ${p.s}s rss ${p.rssMiB.toFixed(0)} MiB heap ${p.heapMiB.toFixed(0)} MiB loop max ${p.loopMaxMs} ms p99 ${p.loopP99Ms} ms, ${p.samplesPerS} samples/s, ${p.series} series, editor ${p.rttMaxMs.toFixed(1)} ms, cpu ${(p.cpu * 100).toFixed(0)}%, load ${p.load.toFixed(1)}, out ${p.outKiBs.toFixed(0)} KiB/s`);
  }
  probing = false;
  await probe;
  sched?.stop();
  const wall = (performance.now() - t0) / 1000;
  const cpuShare = (cpuSeconds(serverPid) - cpu0) / wall;
  const hwm = memKiB(serverPid, 'VmHWM') / 1024;
  const last = status;
  const problems = [...new Set([...(last?.problems ?? []), ...(last?.components ?? []).map((c) => c.problem).filter((x): x is string => !!x)])];
  const up = last?.components.filter((c) => c.up).length ?? 0;
  await client.connection.sendRequest(MonitorControlRequest.method, { uri, action: 'stop', trusted: true }).catch(() => undefined);
  await client.stop();
  for (const f of fixtures) f.proc.kill();

  // Bounded: the median of the last third is near the second's, or grew much less than before.
  const third = Math.max(1, Math.floor(points.length / 3));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const rss = points.map((p) => p.rssMiB);
  const first = pct(rss.slice(0, third), 50);
  const middle = pct(rss.slice(third, 2 * third), 50);
  const lastThird = pct(rss.slice(2 * third), 50);
  const bounded = lastThird <= middle * 1.1 || lastThird - middle < (middle - first) / 2;
  // A window whose serverInfo answer did not come within a minute has no loop figures.
  const answered = points.filter((p) => Number.isFinite(p.loopMaxMs));
  const loopMax = Math.max(...answered.map((p) => p.loopMaxMs));
  const loopP99 = pct(answered.map((p) => p.loopP99Ms), 50);
  const over100 = points.filter((p) => p.loopMaxMs > 100).length;
  const expected = COMPONENTS * SERIES * 10;
  const stored = mean(points.slice(third).map((p) => p.samplesPerS));

  const out: string[] = [];
  out.push(`Load benchmark: ${COMPONENTS} components x ${SERIES} series (${COMPONENTS * SERIES} scraped series), every source at 100 ms, ${MINUTES} min, the built language server (${serverModule ?? 'dist/server.js'}, ${plain ? 'plain node' : `${SERVER_NODE_FLAGS.join(' ')} and ${Object.entries(SERVER_ENV).map(([k, v]) => `${k}=${v}`).join(' ')}`}${process.env.BENCH_NODE_FLAGS ? `, with ${process.env.BENCH_NODE_FLAGS}` : ''}) over stdio; Node ${process.version}, ${new Date().toISOString()}`);
  out.push('');
  out.push('| measure | value |');
  out.push('|---|---|');
  out.push(`| components up at the end | ${up} of ${COMPONENTS} |`);
  out.push(`| series the monitor holds | ${last?.series ?? 0} |`);
  out.push(`| samples stored per second (mean after the first third) | ${Math.round(stored)} of ${expected} asked for (${((stored / expected) * 100).toFixed(0)}%) |`);
  out.push(`| server CPU (utime + stime, /proc) | ${(cpuShare * 100).toFixed(0)}% of one core |`);
  out.push(`| server RSS: first / last / peak (VmHWM) | ${rss[0].toFixed(0)} / ${rss[rss.length - 1].toFixed(0)} / ${hwm.toFixed(0)} MiB |`);
  out.push(`| memory bounded (median of the last third within 10% of the second's, or growing less than half as fast) | ${bounded ? 'yes' : 'no'} (median of the first third ${first.toFixed(0)} MiB, second ${middle.toFixed(0)} MiB, last ${lastThird.toFixed(0)} MiB) |`);
  out.push(`| event-loop delay beyond the 10 ms timer: max / median of the 5 s windows' p99 | ${loopMax.toFixed(0)} ms / ${loopP99.toFixed(1)} ms |`);
  out.push(`| 5 s windows with a stall over 100 ms | ${over100} of ${answered.length}${answered.length < points.length ? ` (${points.length - answered.length} windows without an answer within 60 s)` : ''} |`);
  out.push(`| editor request round trip (hover / completion): p50 / p99 / max | ${pct(rtts, 50).toFixed(1)} / ${pct(rtts, 99).toFixed(1)} / ${Math.max(...rtts).toFixed(1)} ms (${rtts.length} requests) |`);
  out.push(`| server → editor traffic (notifications and answers): mean / max of the 5 s windows | ${(points.reduce((a, p) => a + p.outKiBs, 0) / points.length).toFixed(0)} / ${Math.max(...points.map((p) => p.outKiBs)).toFixed(0)} KiB/s |`);
  out.push(`| machine load average (1 min, 2 cores): median / max over the run | ${pct(points.map((p) => p.load), 50).toFixed(1)} / ${Math.max(...points.map((p) => p.load)).toFixed(1)} |`);
  out.push(`| problems reported at the end | ${problems.length ? problems.slice(0, 5).join('; ') : 'none'} |`);
  out.push('');
  out.push(`RSS (MiB, ${rss.length} samples, ${Math.min(...rss).toFixed(0)} to ${Math.max(...rss).toFixed(0)}): \`${spark(rss)}\``);
  out.push('');
  out.push(`Event-loop max delay per 5 s (ms, ${Math.min(...answered.map((p) => p.loopMaxMs)).toFixed(0)} to ${loopMax.toFixed(0)}): \`${spark(answered.map((p) => p.loopMaxMs))}\``);
  out.push('');
  out.push('| t (s) | RSS (MiB) | heap (MiB) | loop max (ms) | loop p99 (ms) | samples/s | series | editor max (ms) | CPU | load avg | to the editor (KiB/s) |');
  out.push('|---|---|---|---|---|---|---|---|---|---|---|');
  const every = Math.max(1, Math.round(points.length / 40)); // at most about 40 rows in the doc
  points.forEach((p, i) => {
    if (i % every === 0 || i === points.length - 1)
      out.push(`| ${p.s} | ${p.rssMiB.toFixed(0)} | ${p.heapMiB.toFixed(0)} | ${p.loopMaxMs.toFixed(0)} | ${p.loopP99Ms.toFixed(0)} | ${p.samplesPerS} | ${p.series} | ${p.rttMaxMs.toFixed(0)} | ${(p.cpu * 100).toFixed(0)}% | ${p.load.toFixed(1)} | ${p.outKiBs.toFixed(0)} |`);
  });
  const report = out.join('\n');
  console.log(report);
  if (OUT) writeFileSync(OUT, `${report}\n`);
  rmSync(folder, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
