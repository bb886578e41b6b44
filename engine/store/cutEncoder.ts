/**
 * The store's side of the cut's encoding worker (encodeWorker.ts): started on the first
 * large cut only (a worker thread costs 10+ MiB of memory, which a small monitor must not
 * pay), sent batches of packed columns (sealBatch.ts) and answering with their records, in
 * order. The worker holds no data: every sample stays in the store until its record comes
 * back, so a worker that fails or is killed loses nothing: its batches are rejected, the
 * store encodes them in its own thread, and this encoder is not used again (`failure`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import type { EncodeRequest, EncodeResponse } from './encodeWorker';
import { transferList, type EncodeBatch, type EncodedBatch } from './sealBatch';

/** Where the worker's code is: a file, or code to evaluate. */
export interface WorkerScript {
  file: string;
  options: WorkerOptions;
}

/**
 * The worker's script: `storeEncodeWorker.js` next to the bundle (scripts/build.mjs puts it
 * beside dist/server.js and dist/cli.js), else, running from the sources (tests and benches
 * under tsx), `encodeWorker.ts` beside this file, loaded through tsx's require hook.
 */
export function findWorkerScript(): WorkerScript | undefined {
  const here = typeof __dirname === 'string' ? __dirname : undefined;
  if (!here) return undefined;
  const bundled = join(here, 'storeEncodeWorker.js');
  if (existsSync(bundled)) return { file: bundled, options: {} };
  const source = join(here, 'encodeWorker.ts');
  if (!existsSync(source)) return undefined;
  let tsx: string;
  try {
    // A variable, so that a bundler leaves it alone: only the sources take this path.
    const api = 'tsx/cjs/api';
    tsx = require.resolve(api);
  } catch {
    return undefined;
  }
  const code = `require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(source)});`;
  return { file: code, options: { eval: true, execArgv: [] } };
}

/**
 * Column buffers of this many numbers (2 MiB) are given back by the worker and reused: a cut
 * at the load benchmark's scale sends about 20 batches every 20 s, and a fresh 2 MiB buffer
 * for each is churn for malloc that a process's resident memory keeps.
 */
export const POOLED_VALUES = 1 << 18;
const POOL_SIZE = 4;

interface Waiting {
  resolve: (out: EncodedBatch) => void;
  reject: (e: Error) => void;
}

export class CutEncoder {
  private worker?: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  private failed?: string;
  private closed = false;
  private readonly pool: ArrayBuffer[] = [];

  private readonly script: WorkerScript | null;

  /**
   * `onFailure` is told once, with a sentence, when the worker cannot start or stops.
   * `script`: where the worker is (default `findWorkerScript()`; null: none, as when not found).
   */
  constructor(private readonly onFailure: (message: string) => void, script?: WorkerScript | null) {
    this.script = script === undefined ? (findWorkerScript() ?? null) : script;
  }

  /** Why the worker is not used any more (undefined while it is usable). */
  get failure(): string | undefined {
    return this.failed;
  }

  /** Whether the worker thread is running (it is started by the first `encode`). */
  get running(): boolean {
    return this.worker !== undefined;
  }

  /** Column buffers given back by the worker, waiting for the next batch. */
  get pooledBuffers(): number {
    return this.pool.length;
  }

  /** A column array of `n` numbers for a batch: on a buffer given back by the worker when there is one. */
  columns(n: number): Float64Array {
    if (n > POOLED_VALUES) return new Float64Array(n);
    return new Float64Array(this.pool.pop() ?? new ArrayBuffer(POOLED_VALUES * 8), 0, n);
  }

  /** Encodes the batch on the worker; its buffers are transferred (unusable here afterwards). Rejects when the worker fails. */
  encode(batch: EncodeBatch): Promise<EncodedBatch> {
    const w = this.start();
    if (!w) return Promise.reject(new Error(this.failed));
    const id = this.nextId++;
    const done = new Promise<EncodedBatch>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    const req: EncodeRequest = { id, batch };
    try {
      w.postMessage(req, transferList(batch));
    } catch (e) {
      this.fail(`could not be sent a batch (${(e as Error).message})`);
    }
    // Keep the process alive while a batch is out (a closing store awaits it), not otherwise.
    w.ref();
    return done;
  }

  private start(): Worker | undefined {
    if (this.failed || this.closed) return undefined;
    if (this.worker) return this.worker;
    if (!this.script) {
      this.fail('was not found (storeEncodeWorker.js is missing next to the bundle: rebuild with `npm run build`)');
      return undefined;
    }
    let w: Worker;
    try {
      w = new Worker(this.script.file, this.script.options);
    } catch (e) {
      this.fail(`could not start (${(e as Error).message})`);
      return undefined;
    }
    w.on('message', (r: EncodeResponse) => this.answer(r));
    w.on('error', (e) => this.fail(`failed (${e.message})`));
    w.on('exit', (code) => {
      if (this.worker === w && !this.closed) this.fail(`stopped (exit code ${code})`);
    });
    w.unref();
    this.worker = w;
    return w;
  }

  private answer(r: EncodeResponse): void {
    const p = this.waiting.get(r.id);
    if (!p) return;
    this.waiting.delete(r.id);
    if (this.waiting.size === 0) this.worker?.unref();
    if (r.ok) {
      if (r.spent.buffer.byteLength === POOLED_VALUES * 8 && this.pool.length < POOL_SIZE) this.pool.push(r.spent.buffer as ArrayBuffer);
      p.resolve(r.out);
    }
    else p.reject(new Error(r.error));
  }

  private fail(why: string): void {
    if (this.failed) return;
    this.failed = why;
    const w = this.worker;
    this.worker = undefined;
    void w?.terminate().catch(() => undefined);
    const err = new Error(`the encoding worker ${why}`);
    for (const p of this.waiting.values()) p.reject(err);
    this.waiting.clear();
    if (!this.closed) this.onFailure(why);
  }

  /** Tests: ends the worker as a crash would (its batches in flight are rejected). */
  async kill(): Promise<void> {
    await this.worker?.terminate();
  }

  /** Ends the worker; batches still out are rejected (the store has waited for its cuts first). */
  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = undefined;
    for (const p of this.waiting.values()) p.reject(new Error('the store was closed'));
    this.waiting.clear();
    await w?.terminate();
  }
}
