/**
 * A small client of the Node inspector protocol (Chrome DevTools Protocol) over a
 * WebSocket (`ws`: Node 20 has no global WebSocket). It connects only to loopback
 * inspector ports: the inspector runs arbitrary code, so we never reach across a network.
 *
 * Worker threads have no socket of their own: the main thread's `NodeWorker` domain
 * attaches to each one and carries its protocol messages inside
 * `NodeWorker.sendMessageToWorker` / `NodeWorker.receivedMessageFromWorker`. A
 * `ProtocolSession` is either the main thread's (direct) or a worker's (tunnelled); both
 * offer the same `send()`.
 */
import http from 'node:http';
import WebSocket from 'ws';

export interface InspectorTarget {
  id: string;
  title: string;
  url: string;
  webSocketDebuggerUrl: string;
}

export interface WorkerInfo {
  sessionId: string;
  workerId: string;
  title: string;
  url: string;
}

type Pending = { resolve(v: unknown): void; reject(e: Error): void; method: string };
type Listener = (params: Record<string, unknown>) => void;

/** One protocol endpoint: the main thread, or a worker thread reached through it. */
export class ProtocolSession {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private closedError?: Error;

  constructor(readonly label: string, private readonly write: (text: string) => void) {}

  send<T = Record<string, unknown>>(method: string, params: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<T> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.label}: ${method} got no answer in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        method,
        resolve: (v) => { clearTimeout(timer); resolve(v as T); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      try {
        this.write(JSON.stringify({ id, method, params }));
      } catch (e) {
        this.pending.get(id)?.reject(e as Error);
        this.pending.delete(id);
      }
    });
  }

  on(event: string, listener: Listener): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Feeds one protocol message (already a string) received for this session. */
  receive(text: string): void {
    let msg: { id?: number; result?: unknown; error?: { message: string }; method?: string; params?: Record<string, unknown> };
    try { msg = JSON.parse(text); } catch { return; }
    if (typeof msg.id === 'number') {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(new Error(`${this.label}: ${p.method} failed: ${msg.error.message}`));
      else p.resolve(msg.result ?? {});
    } else if (msg.method) {
      for (const l of this.listeners.get(msg.method) ?? []) l(msg.params ?? {});
    }
  }

  close(reason: Error): void {
    this.closedError = reason;
    for (const p of this.pending.values()) p.reject(reason);
    this.pending.clear();
  }
}

/** True for 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

function getJson(url: string, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => {
        try { resolve(JSON.parse(body)); } catch (e) { reject(new Error(`${url} did not answer JSON: ${(e as Error).message}`)); }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${url} did not answer in ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

/** The inspector targets listening on a loopback port (`/json/list`). */
export async function listTargets(port: number, host = '127.0.0.1', timeoutMs = 3000): Promise<InspectorTarget[]> {
  if (!isLoopbackHost(host)) throw new Error(`refusing to connect to the inspector on ${host}: only loopback addresses are allowed`);
  try {
    return (await getJson(`http://${host}:${port}/json/list`, timeoutMs)) as InspectorTarget[];
  } catch (e) {
    throw new Error(`no Node inspector answers on ${host}:${port} (${(e as Error).message}). Start the component with --inspect=127.0.0.1:${port}, or set process.inspectPort in alluse-perf.yaml to the port it uses.`);
  }
}

/** A connection to a process's inspector, with sessions for its worker threads. */
export class InspectorConnection {
  readonly main: ProtocolSession;
  private readonly workers = new Map<string, { info: WorkerInfo; session: ProtocolSession }>();
  private closed = false;

  private constructor(private readonly socket: WebSocket, readonly target: InspectorTarget) {
    this.main = new ProtocolSession('main', (t) => socket.send(t));
    socket.on('message', (data) => this.main.receive(data.toString()));
    socket.on('close', () => this.shutdown(new Error('the inspector connection closed (did the component exit?)')));
    socket.on('error', () => { /* 'close' follows */ });
    this.main.on('NodeWorker.receivedMessageFromWorker', (p) => {
      this.workers.get(String(p.sessionId))?.session.receive(String(p.message));
    });
    this.main.on('NodeWorker.detachedFromWorker', (p) => {
      const w = this.workers.get(String(p.sessionId));
      if (w) { w.session.close(new Error(`worker ${w.info.title} detached`)); this.workers.delete(String(p.sessionId)); }
    });
  }

  static async connect(port: number, host = '127.0.0.1', timeoutMs = 5000): Promise<InspectorConnection> {
    const targets = await listTargets(port, host, timeoutMs);
    const target = targets.find((t) => t.webSocketDebuggerUrl);
    if (!target) throw new Error(`the inspector on ${host}:${port} lists no target to attach to`);
    const wsUrl = new URL(target.webSocketDebuggerUrl);
    if (!isLoopbackHost(wsUrl.hostname)) throw new Error(`the inspector's WebSocket address ${wsUrl.host} is not a loopback address: refusing to connect`);
    const socket = new WebSocket(target.webSocketDebuggerUrl, { perMessageDeflate: false, maxPayload: 1024 * 1024 * 1024 });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { socket.terminate(); reject(new Error(`the inspector on ${host}:${port} did not accept a connection in ${timeoutMs} ms (is another debugger attached?)`)); }, timeoutMs);
      socket.once('open', () => { clearTimeout(timer); resolve(); });
      socket.once('error', (e) => { clearTimeout(timer); reject(new Error(`could not connect to the inspector on ${host}:${port}: ${e.message}`)); });
    });
    return new InspectorConnection(socket, target);
  }

  /**
   * Attaches to every worker thread running now (the inspector reports them right after
   * `NodeWorker.enable`) and to those started later. Waits until the reports stop
   * arriving (`settleMs` without a new one) so the caller sees every current worker.
   */
  async attachWorkers(settleMs = 150, onAttached?: (w: WorkerInfo, s: ProtocolSession) => void): Promise<{ info: WorkerInfo; session: ProtocolSession }[]> {
    let last = Date.now();
    this.main.on('NodeWorker.attachedToWorker', (p) => {
      const wi = p.workerInfo as { workerId: string; title: string; url: string };
      const info: WorkerInfo = { sessionId: String(p.sessionId), workerId: String(wi.workerId), title: wi.title, url: wi.url };
      const session = new ProtocolSession(`worker ${info.workerId}`, (message) => {
        void this.main.send('NodeWorker.sendMessageToWorker', { sessionId: info.sessionId, message }).catch(() => { /* the worker went away */ });
      });
      this.workers.set(info.sessionId, { info, session });
      last = Date.now();
      onAttached?.(info, session);
    });
    await this.main.send('NodeWorker.enable', { waitForDebuggerOnStart: false });
    while (Date.now() - last < settleMs) await new Promise((r) => setTimeout(r, Math.max(10, settleMs - (Date.now() - last))));
    return [...this.workers.values()];
  }

  workerSessions(): { info: WorkerInfo; session: ProtocolSession }[] {
    return [...this.workers.values()];
  }

  private shutdown(reason: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.main.close(reason);
    for (const w of this.workers.values()) w.session.close(reason);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try { await this.main.send('NodeWorker.disable', {}, 2000); } catch { /* closing anyway */ }
    this.shutdown(new Error('connection closed'));
    await new Promise<void>((resolve) => {
      if (this.socket.readyState === WebSocket.CLOSED) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.close();
      setTimeout(() => { this.socket.terminate(); resolve(); }, 1000).unref();
    });
  }
}
