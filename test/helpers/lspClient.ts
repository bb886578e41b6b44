/**
 * A real LSP client over stdio for the built server (dist/server.js --stdio), used by the
 * integration tests and the LSP benchmark.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import {
  createProtocolConnection,
  IPCMessageReader,
  IPCMessageWriter,
  StreamMessageReader,
  StreamMessageWriter,
  type Diagnostic,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';
import { AnalysisDoneNotification } from '../../protocol/index';
import { SERVER_NODE_FLAGS, serverEnv } from '../../protocol/serverProcess';

export const ROOT = join(__dirname, '..', '..');

export interface PublishedDiagnostics {
  version?: number;
  diagnostics: Diagnostic[];
  at: number;
}

export class TestLspClient {
  readonly connection: ProtocolConnection;
  readonly published = new Map<string, PublishedDiagnostics>();
  readonly analyses: AnalysisDoneNotification.Params[] = [];
  private waiters: (() => void)[] = [];
  readonly stderr: string[] = [];
  /** How the server process ended, once it has. */
  exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** Resolves (never rejects) when the server process has ended. */
  private readonly ended: Promise<void>;

  private constructor(readonly proc: ChildProcess, ipc = false) {
    this.ended = new Promise((done) => proc.once('exit', (code, signal) => ((this.exited = { code, signal }), done())));
    this.connection = ipc
      ? createProtocolConnection(new IPCMessageReader(proc), new IPCMessageWriter(proc))
      : createProtocolConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    proc.stderr!.on('data', (d) => this.stderr.push(String(d)));
    this.connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.published.set(p.uri, { version: p.version, diagnostics: p.diagnostics, at: performance.now() });
      this.wake();
    });
    this.connection.onNotification(AnalysisDoneNotification.method, (p: AnalysisDoneNotification.Params) => {
      this.analyses.push(p);
      this.wake();
    });
    this.connection.onNotification('window/logMessage', () => undefined);
    this.connection.listen();
  }

  /**
   * Starts the server as the editor's client does (its node flags and environment:
   * protocol/serverProcess.ts). `nodeFlags` go to the server's node as well (e.g. `--cpu-prof`
   * for a benchmark); `serverModule` picks another build of the server and `plain` starts it
   * without those settings (a benchmark comparing an older build as it was run before).
   * `ipc` talks to the server over node's IPC channel (`--node-ipc`) instead of stdio, which
   * leaves the server's stdout free for V8's own traces (`--trace-gc-nvp`: bench:load).
   */
  static async start(initializationOptions: Record<string, unknown> = { debounceMs: 50 }, nodeFlags: string[] = [], serverModule = join(ROOT, 'dist/server.js'), plain = false, ipc = false): Promise<TestLspClient> {
    const flags = plain ? nodeFlags : [...SERVER_NODE_FLAGS, ...nodeFlags];
    const env = plain ? process.env : serverEnv(process.env);
    const proc = ipc
      ? spawn(process.execPath, [...flags, serverModule, '--node-ipc'], { stdio: ['pipe', 'pipe', 'pipe', 'ipc'], env })
      : spawn(process.execPath, [...flags, serverModule, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], env });
    const c = new TestLspClient(proc, ipc);
    await c.connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions });
    await c.connection.sendNotification('initialized', {});
    return c;
  }

  /** Handles a server notification and wakes `waitFor` after each one. */
  on<P>(method: string, handler: (params: P) => void): void {
    this.connection.onNotification(method, (p: P) => {
      handler(p);
      this.wake();
    });
  }

  private wake(): void {
    const ws = this.waiters;
    this.waiters = [];
    ws.forEach((w) => w());
  }

  /** Resolves when `cond` holds, re-checking after each notification; rejects after `ms`. */
  async waitFor<T>(cond: () => T | undefined | false, ms = 10_000, what = 'condition'): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = cond();
      if (v) return v;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; server stderr: ${this.stderr.join('').slice(-2000)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async open(uri: string, text: string, version = 1): Promise<void> {
    await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version, text } });
  }

  async change(uri: string, version: number, text: string): Promise<void> {
    await this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
  }

  diagnosticsFor(uri: string, version: number): Promise<Diagnostic[]> {
    return this.waitFor(() => {
      const p = this.published.get(uri);
      return p && p.version === version ? p.diagnostics : undefined;
    }, 10_000, `diagnostics of ${uri} v${version}`);
  }

  /**
   * A request that fails, saying how the server ended and what it last printed, when the server
   * process ends before answering: the connection's own request waits for ever on a dead server
   * (a test's clean-up hung that way in CI, the server gone, its stderr lost).
   */
  async request<R>(method: string, params?: unknown): Promise<R> {
    const answer = await Promise.race([this.connection.sendRequest<R>(method, params).then((v) => ({ v })), this.ended.then(() => undefined)]);
    if (!answer) throw new Error(`the analysis server ended (code ${this.exited?.code}, signal ${this.exited?.signal}) before answering ${method}; its stderr ends: ${this.stderr.join('').slice(-3000)}`);
    return answer.v;
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
      await this.connection.sendNotification('exit');
    } catch {
      /* the server may already be gone */
    }
    this.connection.dispose();
    if (this.proc.exitCode === null) {
      await Promise.race([new Promise((r) => this.proc.once('exit', r)), new Promise((r) => setTimeout(r, 3000))]);
      this.proc.kill('SIGKILL');
    }
  }
}
