// The life cycle every component shares: parse flags, load the config, serve /metrics,
// /healthz, /stats and the loopback-only admin endpoints, write the pid file, and shut
// down cleanly on SIGTERM/SIGINT (or when the launcher's stdin pipe closes) so that a
// stopped system leaves no process, worker thread or listening port behind.
import http from 'node:http';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs, type ComponentArgs } from './args.js';
import { ConfigError, loadConfig, type ConfigOf, type Schema } from './config.js';
import { Faults, isFaultName, type FaultHook, type FaultName } from './faults.js';
import { createMetrics, type CommonMetrics } from './metrics.js';
import { isLoopback, readBody, send, type Handler, type Reply } from './http.js';

export interface ComponentContext<S extends Schema> {
  name: string;
  config: ConfigOf<S>;
  args: ComponentArgs;
  metrics: CommonMetrics;
  faults: Faults;
  dataDir: string;
  /** Peer URL: `--peer name=URL` wins over the config's `<name>_url`. */
  peer(name: string, fromConfig: string): string;
  route(method: string, path: string, handler: Handler, opts?: { admin?: boolean; business?: boolean }): void;
  log(msg: string): void;
}

export interface ComponentHandle {
  /** Extra fields for GET /stats (used by the bench). */
  stats(): Record<string, unknown>;
  stop(): Promise<void>;
}

export interface ComponentSpec<S extends Schema> {
  name: string;
  defaultPort: number;
  schema: S;
  faults: FaultName[];
  /** Faults the component applies itself instead of the generic request middleware. */
  ownsLatencySpike?: boolean;
  faultHooks?: (ctx: ComponentContext<S>) => Partial<Record<FaultName, FaultHook>>;
  start(ctx: ComponentContext<S>): Promise<ComponentHandle>;
}

interface Route { handler: Handler; admin: boolean; business: boolean }

export async function runComponent<S extends Schema>(spec: ComponentSpec<S>): Promise<void> {
  const log = (m: string) => process.stderr.write(`[${spec.name}] ${m}\n`);
  let args: ComponentArgs;
  let config: ConfigOf<S>;
  try {
    args = parseArgs(process.argv.slice(2));
    config = loadConfig(spec.schema, args.config, log);
  } catch (e) {
    log(`error: ${(e as Error).message}`);
    process.exit(e instanceof ConfigError ? 2 : 64);
  }

  const metrics = createMetrics(spec.name);
  const routes = new Map<string, Route>();
  const hooks: Partial<Record<FaultName, FaultHook>> = {};
  const faults = new Faults(metrics, new Set(spec.faults), hooks, log);
  const dataDir = resolve(args.dataDir ?? (args.config ? resolve(dirname(args.config), '..', 'data', spec.name) : `data/${spec.name}`));

  const ctx: ComponentContext<S> = {
    name: spec.name, config, args, metrics, faults, dataDir, log,
    peer: (name, fromConfig) => args.peers[name] ?? fromConfig,
    route: (method, path, handler, opts) => routes.set(`${method} ${path}`, { handler, admin: !!opts?.admin, business: opts?.business ?? !opts?.admin }),
  };
  Object.assign(hooks, spec.faultHooks?.(ctx) ?? {});

  let ready = false;
  let handle: ComponentHandle | undefined;

  ctx.route('GET', '/metrics', async () => ({ text: await metrics.registry.metrics(), contentType: metrics.registry.contentType }), { business: false });
  ctx.route('GET', '/healthz', () => ready ? { json: { status: 'ok', component: spec.name, pid: process.pid } } : { status: 503, json: { status: 'starting' } }, { business: false });
  ctx.route('GET', '/stats', () => {
    const cpu = process.cpuUsage();
    const mem = process.memoryUsage();
    return { json: { component: spec.name, pid: process.pid, uptime_s: process.uptime(), cpu_seconds: (cpu.user + cpu.system) / 1e6, rss_bytes: mem.rss, heap_used_bytes: mem.heapUsed, faults: faults.list(), ...(handle?.stats() ?? {}) } };
  }, { business: false });
  ctx.route('GET', '/admin/fault', () => ({ json: { supported: [...faults.supported], active: faults.list() } }), { admin: true });
  ctx.route('POST', '/admin/fault', (req) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    if (!isFaultName(b.fault)) return { status: 400, json: { error: `unknown fault ${JSON.stringify(b.fault)}` } };
    if (typeof b.on !== 'boolean') return { status: 400, json: { error: '"on" must be true or false' } };
    const { fault, on, ...params } = b;
    try { faults.set(fault, on, params as Record<string, number | string | boolean>); }
    catch (e) { return { status: 400, json: { error: (e as Error).message } }; }
    return { json: { ok: true, active: faults.list() } };
  }, { admin: true });

  const server = http.createServer((req, res) => { void dispatch(req, res); });
  server.keepAliveTimeout = 5000;

  async function dispatch(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = routes.get(`${req.method} ${url.pathname}`);
    const label = route ? url.pathname : 'unknown';
    let reply: Reply;
    try {
      if (!route) reply = { status: 404, json: { error: `no route ${req.method} ${url.pathname}` } };
      else if (route.admin && !isLoopback(req.socket.remoteAddress)) reply = { status: 403, json: { error: 'admin endpoints are loopback only' } };
      else {
        const text = req.method === 'GET' ? '' : await readBody(req);
        const body = text ? JSON.parse(text) : undefined;
        if (route.business && faults.shouldFail()) {
          metrics.errors.inc({ kind: 'injected' });
          reply = { status: 500, json: { error: 'injected error (error-burst fault)' } };
        } else {
          reply = await route.handler({ method: req.method ?? 'GET', url, body, remote: req.socket.remoteAddress ?? '', raw: req });
        }
        const delay = route.business && !spec.ownsLatencySpike ? faults.extraDelayMs() : 0;
        if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      }
    } catch (e) {
      metrics.errors.inc({ kind: 'handler' });
      reply = { status: e instanceof SyntaxError ? 400 : 500, json: { error: (e as Error).message } };
    }
    if (!res.destroyed) send(res, reply);
    metrics.requests.inc({ route: label, code: String(reply.status ?? 200) });
    metrics.requestDuration.observe({ route: label }, (performance.now() - started) / 1000);
  }

  let stopping = false;
  async function shutdown(why: string, code = 0): Promise<void> {
    if (stopping) return;
    stopping = true;
    ready = false;
    log(`stopping (${why})`);
    // A hard deadline: a component that cannot stop in time must still go away.
    setTimeout(() => { log('forced exit after shutdown timeout'); process.exit(code || 1); }, 5000).unref();
    server.close();
    server.closeAllConnections();
    faults.stop();
    try { await handle?.stop(); } catch (e) { log(`error while stopping: ${(e as Error).message}`); code = code || 1; }
    if (args.pidFile) rmSync(args.pidFile, { force: true });
    process.exit(code);
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  if (args.watchStdin) {
    // The launcher holds the other end of stdin: if it dies (even by SIGKILL) the pipe
    // closes and we stop, so a crashed launcher cannot leave orphans behind.
    process.stdin.on('end', () => void shutdown('launcher gone'));
    process.stdin.on('error', () => void shutdown('launcher gone'));
    process.stdin.resume();
  }

  try {
    mkdirSync(dataDir, { recursive: true });
    handle = await spec.start(ctx);
    for (const f of args.faults) {
      if (!isFaultName(f.name)) throw new Error(`unknown fault "${f.name}" in --fault`);
      faults.set(f.name, true, f.params);
    }
    await new Promise<void>((res, rej) => {
      server.once('error', rej);
      server.listen(args.port ?? spec.defaultPort, args.host, () => res());
    });
  } catch (e) {
    log(`error: ${(e as Error).message}`);
    await shutdown('start failed', 1);
    return;
  }
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : args.port;
  if (args.pidFile) { mkdirSync(dirname(args.pidFile), { recursive: true }); writeFileSync(args.pidFile, `${process.pid}\n`); }
  ready = true;
  log(`listening on http://${args.host}:${port} (pid ${process.pid})`);
}
