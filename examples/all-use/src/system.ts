// Launcher for the whole ALL-USE demo system: starts the four components as child
// processes, waits until each answers /healthz (a condition, not a fixed sleep), and
// stops them (SIGTERM, wait for exit, SIGKILL after a timeout) so no orphan survives.
// Run directly (`node dist/system.js`) it keeps the system up in the foreground until Ctrl-C.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { basename, dirname, join, resolve } from 'node:path';
import http from 'node:http';

export const COMPONENT_NAMES = ['account-service', 'learning-worker', 'protocol-engine', 'market-feed'] as const;
export type ComponentName = (typeof COMPONENT_NAMES)[number];
export const DEFAULT_PORTS: Record<ComponentName, number> = { 'market-feed': 9461, 'protocol-engine': 9462, 'account-service': 9463, 'learning-worker': 9464 };

/** examples/all-use, whether this runs bundled (dist/) or from source (src/ through tsx). */
export const DEMO_ROOT = ['dist', 'src'].includes(basename(__dirname)) ? dirname(__dirname) : __dirname;

export interface SystemOptions {
  /** Folder with <component>.yaml files; a missing file falls back to the shipped config. */
  configDir?: string;
  /** 'default' (9461-9464), 'ephemeral' (free ports chosen now) or explicit ports. */
  ports?: 'default' | 'ephemeral' | Partial<Record<ComponentName, number>>;
  /** Pid files and logs go here (default examples/all-use/.run). */
  runDir?: string;
  /** Component data (account files, model checkpoints); default <runDir>/data. */
  dataDir?: string;
  /** Start the market feed paused (the bench starts the workload itself). */
  paused?: boolean;
  /** Faults switched on at start, e.g. { 'protocol-engine': ['cpu-hog:duty=0.5'] }. */
  faults?: Partial<Record<ComponentName, string[]>>;
  /** 'inherit': component logs to our stderr; 'file': <runDir>/logs/<name>.log. */
  logs?: 'inherit' | 'file';
  startTimeoutMs?: number;
  /** Extra node flags for the components (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /**
   * Components started with a Node inspector on a loopback port (for CPU and heap
   * profiles): the port, or 0 for a free one. `npm run demo:system` opens 9465 for the
   * protocol engine, the port alluse-perf.yaml names as its `process.inspectPort`.
   */
  inspect?: Partial<Record<ComponentName, number>>;
}

/** The protocol engine's inspector port in the demo workspace (alluse-perf.yaml: process.inspectPort). */
export const DEFAULT_INSPECT_PORTS: Partial<Record<ComponentName, number>> = { 'protocol-engine': 9465 };

export interface RunningComponent {
  name: ComponentName;
  pid: number;
  port: number;
  url: string;
  metricsUrl: string;
  configFile: string;
  pidFile: string;
  logFile?: string;
  /** The loopback port of its Node inspector, when started with one. */
  inspectPort?: number;
  child: ChildProcess;
  exited: Promise<number | null>;
}

export interface RunningSystem {
  components: Record<ComponentName, RunningComponent>;
  runDir: string;
  stop(timeoutMs?: number): Promise<void>;
}

/** Free loopback ports, found by binding port 0 (all held at once so they are distinct). */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: n }, () => new Promise<net.Server>((res, rej) => {
    const s = net.createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => res(s));
  })));
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

export function httpGet(url: string, timeoutMs = 2000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // A fresh connection each time (agent: false): Node's global agent keeps sockets alive,
    // and a request sent on one just as the server closes it for idleness (keepAliveTimeout
    // 5 s, the bench's probe length) fails with ECONNRESET.
    const req = http.get(url, { timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
  });
}

function tail(file: string | undefined, lines = 15): string {
  if (!file || !existsSync(file)) return '';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

async function waitHealthy(c: RunningComponent, deadline: number): Promise<void> {
  let exitCode: number | null | undefined;
  void c.exited.then((code) => { exitCode = code; });
  for (;;) {
    if (exitCode !== undefined) throw new Error(`${c.name} exited with code ${exitCode} during start${c.logFile ? `:\n${tail(c.logFile)}` : ''}`);
    try {
      const r = await httpGet(`${c.url}/healthz`, 1000);
      if (r.status === 200) return;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error(`${c.name} did not become healthy at ${c.url}/healthz in time${c.logFile ? `:\n${tail(c.logFile)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startSystem(opts: SystemOptions = {}): Promise<RunningSystem> {
  const dist = join(DEMO_ROOT, 'dist');
  for (const n of COMPONENT_NAMES) if (!existsSync(join(dist, `${n}.js`))) throw new Error(`${join(dist, n + '.js')} is missing: build first (node examples/all-use/build.mjs)`);
  const runDir = resolve(opts.runDir ?? join(DEMO_ROOT, '.run'));
  const dataDir = resolve(opts.dataDir ?? join(runDir, 'data'));
  const configDir = resolve(opts.configDir ?? join(DEMO_ROOT, 'config'));
  if (!existsSync(configDir)) throw new Error(`config folder ${configDir} does not exist`);
  mkdirSync(join(runDir, 'logs'), { recursive: true });

  let ports: Record<ComponentName, number>;
  if (opts.ports === 'ephemeral') {
    const free = await freePorts(COMPONENT_NAMES.length);
    ports = Object.fromEntries(COMPONENT_NAMES.map((n, i) => [n, free[i]])) as Record<ComponentName, number>;
  } else ports = { ...DEFAULT_PORTS, ...(typeof opts.ports === 'object' ? opts.ports : {}) };
  const url = (n: ComponentName) => `http://127.0.0.1:${ports[n]}`;
  const inspectPorts: Partial<Record<ComponentName, number>> = { ...(opts.inspect ?? {}) };
  const wantFree = (Object.keys(inspectPorts) as ComponentName[]).filter((n) => inspectPorts[n] === 0);
  if (wantFree.length) (await freePorts(wantFree.length)).forEach((p, i) => { inspectPorts[wantFree[i]] = p; });
  const peers = COMPONENT_NAMES.flatMap((n) => ['--peer', `${n}=${url(n)}`]);

  const started: RunningComponent[] = [];
  const system: RunningSystem = {
    components: {} as Record<ComponentName, RunningComponent>,
    runDir,
    stop: (timeoutMs = 5000) => stopAll(started, timeoutMs),
  };

  const launch = (name: ComponentName): RunningComponent => {
    const own = join(configDir, `${name}.yaml`);
    const configFile = existsSync(own) ? own : join(DEMO_ROOT, 'config', `${name}.yaml`);
    const pidFile = join(runDir, `${name}.pid`);
    const inspectPort = inspectPorts[name];
    const args = [...(opts.nodeArgs ?? []), ...(inspectPort ? [`--inspect=127.0.0.1:${inspectPort}`] : []), '--enable-source-maps', join(dist, `${name}.js`),
      '--config', configFile, '--port', String(ports[name]), '--pid-file', pidFile,
      '--data-dir', join(dataDir, name), '--watch-stdin', ...peers];
    if (name === 'market-feed' && opts.paused) args.push('--paused');
    for (const f of opts.faults?.[name] ?? []) args.push('--fault', f);
    let logFile: string | undefined;
    let stdio: ('pipe' | 'inherit' | number)[] = ['pipe', 'inherit', 'inherit'];
    if (opts.logs === 'file') {
      logFile = join(runDir, 'logs', `${name}.log`);
      const fd = openSync(logFile, 'w');
      stdio = ['pipe', fd, fd];
    }
    const child = spawn(process.execPath, args, { cwd: DEMO_ROOT, stdio });
    if (typeof stdio[1] === 'number') closeSync(stdio[1]);
    const exited = new Promise<number | null>((res) => child.once('exit', (code, sig) => res(code ?? (sig ? 128 : null))));
    child.stdin?.on('error', () => { /* the child may be gone already */ });
    const c: RunningComponent = { name, pid: child.pid ?? -1, port: ports[name], url: url(name), metricsUrl: `${url(name)}/metrics`, configFile, pidFile, logFile, inspectPort, child, exited };
    started.push(c);
    system.components[name] = c;
    return c;
  };

  const deadline = Date.now() + (opts.startTimeoutMs ?? 20000);
  try {
    // Dependencies first, so the feed's first ticks find an engine that can book them.
    await Promise.all([launch('account-service'), launch('learning-worker')].map((c) => waitHealthy(c, deadline)));
    await waitHealthy(launch('protocol-engine'), deadline);
    await waitHealthy(launch('market-feed'), deadline);
  } catch (e) {
    await stopAll(started, 5000);
    throw e;
  }
  return system;
}

async function stopAll(list: RunningComponent[], timeoutMs: number): Promise<void> {
  // Reverse order: stop the load first, then the services it uses.
  const order = [...list].reverse();
  const alive = (c: RunningComponent) => c.child.exitCode === null && c.child.signalCode === null;
  for (const c of order) if (alive(c)) c.child.kill('SIGTERM');
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
  await Promise.race([Promise.all(order.map((c) => c.exited)), timeout]);
  for (const c of order) if (alive(c)) { process.stderr.write(`[system] ${c.name} did not stop in ${timeoutMs} ms: SIGKILL\n`); c.child.kill('SIGKILL'); }
  await Promise.all(order.map((c) => c.exited));
  for (const c of order) { c.child.stdin?.destroy(); rmSync(c.pidFile, { force: true }); }
}

async function main(argv: string[]): Promise<void> {
  const opts: SystemOptions = { logs: 'inherit', faults: {}, inspect: { ...DEFAULT_INSPECT_PORTS } };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--config') opts.configDir = argv[++i];
    else if (a === '--run-dir') opts.runDir = argv[++i];
    else if (a === '--ephemeral') { opts.ports = 'ephemeral'; opts.inspect = Object.fromEntries(Object.keys(opts.inspect ?? {}).map((n) => [n, 0])); }
    else if (a === '--no-inspect') opts.inspect = {};
    else if (a === '--logs') opts.logs = argv[++i] === 'file' ? 'file' : 'inherit';
    else if (a === '--fault') {
      // --fault protocol-engine=cpu-hog:duty=0.5
      const v = argv[++i] ?? ''; const eq = v.indexOf('=');
      const name = v.slice(0, eq) as ComponentName;
      if (eq < 1 || !COMPONENT_NAMES.includes(name)) { console.error(`--fault expects COMPONENT=FAULT[:k=v,...], got "${v}"`); process.exit(2); }
      (opts.faults![name] ??= []).push(v.slice(eq + 1));
    } else if (a === '--help' || a === '-h') {
      console.error('usage: node dist/system.js [--config DIR] [--run-dir DIR] [--ephemeral] [--logs inherit|file] [--no-inspect] [--fault COMPONENT=FAULT[:k=v,...]]...');
      process.exit(0);
    } else { console.error(`unknown argument "${a}" (try --help)`); process.exit(2); }
  }
  let system: RunningSystem;
  try { system = await startSystem(opts); } catch (e) { console.error(`[system] ${(e as Error).message}`); process.exit(1); }
  console.error('[system] ALL-USE demo system is up (Ctrl-C to stop):');
  for (const c of Object.values(system.components)) console.error(`[system]   ${c.name.padEnd(16)} pid ${String(c.pid).padEnd(7)} ${c.metricsUrl}${c.inspectPort ? `  inspector 127.0.0.1:${c.inspectPort}` : ''}`);
  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    console.error(`[system] stopping (${why})`);
    await system.stop();
    console.error('[system] stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // A component that dies on its own is reported, and the rest are stopped with it.
  for (const c of Object.values(system.components)) void c.exited.then((code) => { if (!stopping) { console.error(`[system] ${c.name} exited unexpectedly (code ${code})`); void stop(`${c.name} died`); } });
}

if (typeof require !== 'undefined' && require.main === module) void main(process.argv.slice(2));
