// Fixed-size pool of pricing worker threads with a watchdog: a batch that does not come
// back within the timeout marks its worker as stuck; the worker is terminated and
// replaced so that one wedged thread cannot stall the engine forever.
import { Worker } from 'node:worker_threads';
import type { BatchRequest, JobResult, WorkerReply } from './types.js';

export interface PoolOptions {
  size: number;
  script: string;
  timeoutMs: number;
  workerData: { spotShocks: number; volShocks: number; surfaceStrikes: number; surfaceExpiries: number };
  onTimeout(slot: number): void;
  onRestart(slot: number): void;
}

interface Slot {
  index: number;
  worker: Worker;
  /** Shared flag the stuck-worker fault sets to wedge this slot's thread. */
  stuck: Int32Array;
  busy?: { id: number; resolve(r: JobResult[]): void; reject(e: Error): void; timer: NodeJS.Timeout };
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly opts: PoolOptions) {
    for (let i = 0; i < opts.size; i++) this.slots.push(this.spawn(i, new Int32Array(new SharedArrayBuffer(4))));
  }

  get size(): number { return this.slots.length; }
  get busyCount(): number { return this.slots.filter((s) => s.busy).length; }
  hasIdle(): boolean { return !this.closed && this.slots.some((s) => !s.busy); }

  private spawn(index: number, stuck: Int32Array): Slot {
    const worker = new Worker(this.opts.script, { workerData: { ...this.opts.workerData, stuckFlag: stuck } });
    const slot: Slot = { index, worker, stuck };
    worker.on('message', (m: WorkerReply) => {
      const b = slot.busy;
      if (!b || b.id !== m.id) return; // a late answer for a batch the watchdog already failed
      clearTimeout(b.timer);
      slot.busy = undefined;
      if (m.type === 'result') b.resolve(m.results); else b.reject(new Error(m.message));
    });
    worker.on('error', (e) => {
      const b = slot.busy;
      slot.busy = undefined;
      if (b) { clearTimeout(b.timer); b.reject(e); }
      if (!this.closed) this.replace(slot);
    });
    return slot;
  }

  private replace(slot: Slot): void {
    void slot.worker.terminate();
    this.slots[slot.index] = this.spawn(slot.index, slot.stuck);
    this.opts.onRestart(slot.index);
  }

  /** Runs a batch on an idle worker; the caller must check hasIdle() first. */
  run(req: Omit<BatchRequest, 'id' | 'type'>): Promise<JobResult[]> {
    const slot = this.slots.find((s) => !s.busy);
    if (!slot || this.closed) return Promise.reject(new Error('no idle worker'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (slot.busy?.id !== id) return;
        slot.busy = undefined;
        this.opts.onTimeout(slot.index);
        reject(new Error(`worker ${slot.index} did not answer within ${this.opts.timeoutMs} ms`));
        this.replace(slot);
      }, this.opts.timeoutMs);
      slot.busy = { id, resolve, reject, timer };
      slot.worker.postMessage({ type: 'batch', id, ...req } satisfies BatchRequest);
    });
  }

  /** stuck-worker fault: wedge (or release) the first `count` slots. */
  setStuck(on: boolean, count: number): void {
    this.slots.forEach((s, i) => {
      Atomics.store(s.stuck, 0, on && i < count ? 1 : 0);
      Atomics.notify(s.stuck, 0);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.slots) { Atomics.store(s.stuck, 0, 0); Atomics.notify(s.stuck, 0); if (s.busy) { clearTimeout(s.busy.timer); s.busy.reject(new Error('engine stopping')); s.busy = undefined; } }
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
