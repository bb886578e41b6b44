/**
 * Paces a cut's background work on the main thread (store.ts): every slice of the cut (the
 * blocks it encodes, the batches it packs for the worker, its checkpoint entries, its chunk
 * groups) runs through one pacer, one slice at a time, and all of them together get at most a
 * share of the event loop's time. Under the load benchmark (50 endpoints scraped every 100 ms)
 * the cut's slices, run side by side as fast as `setImmediate` allowed, took the loop for about
 * a second at each cut and a timer waited 100-470 ms behind them (docs/performance.md, "Load").
 * A paced cut takes longer in wall time; nothing waits for it but the next cut.
 *
 * The budget is a token bucket: tokens (milliseconds of work) refill at `share` per millisecond
 * of wall time up to `burstMs`; a slice starts when at least `minSliceMs` tokens are there and
 * runs for at most `sliceMs` or the tokens it has, and its actual duration is taken off (a
 * slice that overran leaves a debt). Between slices the pacer yields with `setImmediate` when it
 * has tokens (I/O callbacks and timers run in between) and with `setTimeout` until they refill
 * when it has not.
 */

export interface PaceOptions {
  /** The longest slice, in ms (the store's `sealSliceMs`). */
  sliceMs: number;
  /** The share of the main thread's time the cut may take over time, 0 < share <= 1. */
  share: number;
  /** Tokens the bucket holds at most, in ms (the longest burst of slices with only `setImmediate` between them). */
  burstMs: number;
  /** A slice does not start with fewer tokens than this, in ms. */
  minSliceMs: number;
}

/** The load benchmark's cut (about 0.6-1 s of main-thread work every 20 s) in 2-4 s of wall time, at most a third of the loop. */
export const DEFAULT_PACE: PaceOptions = { sliceMs: 8, share: 0.3, burstMs: 16, minSliceMs: 2 };

/** The bucket's state: tokens as of `at` (ms, the pacer's clock). */
export interface PaceState {
  tokens: number;
  at: number;
}

/** Tokens at time `now`: refilled since `s.at`, capped at the burst. */
export function tokensAt(s: PaceState, now: number, o: PaceOptions): number {
  return Math.min(o.burstMs, s.tokens + Math.max(0, now - s.at) * o.share);
}

/**
 * What the next slice may do at `now`: wait `waitMs` first (0: run now), then run for at most
 * `sliceMs`. It runs at once with `minSliceMs` tokens or more; with fewer it waits for a whole
 * slice's worth (fewer, longer waits than many short slices). Pure (test/unit/storeCutPacer.test.ts).
 */
export function nextSlice(s: PaceState, now: number, o: PaceOptions): { waitMs: number; sliceMs: number } {
  const tokens = tokensAt(s, now, o);
  const full = Math.min(o.sliceMs, o.burstMs);
  if (tokens >= Math.min(o.minSliceMs, full)) return { waitMs: 0, sliceMs: Math.min(o.sliceMs, Math.max(0, tokens)) };
  return { waitMs: Math.ceil((full - tokens) / o.share), sliceMs: full };
}

/** The state after a slice that ran from `start` to `end` (the bucket refills meanwhile, too). */
export function afterSlice(s: PaceState, start: number, end: number, o: PaceOptions): PaceState {
  const spent = Math.max(0, end - start);
  return { tokens: Math.min(o.burstMs, tokensAt(s, start, o) + spent * o.share) - spent, at: end };
}

interface Waiter {
  slice: (deadline: number) => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  /** Urgent work (a closing store, the recovery cut at open) is not held back by the budget. */
  urgent: boolean;
}

export class CutPacer {
  private state: PaceState;
  private readonly queue: Waiter[] = [];
  private running = false;

  constructor(private readonly o: PaceOptions = DEFAULT_PACE, private readonly now: () => number = () => performance.now()) {
    this.state = { tokens: o.burstMs, at: now() };
  }

  /**
   * Runs `slice(deadline)` on a later turn of the event loop, after every slice queued before
   * it, when the budget allows; `slice` works until `now() >= deadline` (at least one step) and
   * returns. Resolves with what it returned.
   */
  run<T>(slice: (deadline: number) => T, urgent = false): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ slice, resolve: resolve as (v: unknown) => void, reject, urgent });
      if (!this.running) {
        this.running = true;
        this.schedule();
      }
    });
  }

  /** Slices waiting (for tests and the bench). */
  get waiting(): number {
    return this.queue.length;
  }

  private schedule(): void {
    const w = this.queue[0];
    if (!w) {
      this.running = false;
      return;
    }
    const plan = w.urgent ? { waitMs: 0, sliceMs: this.o.sliceMs } : nextSlice(this.state, this.now(), this.o);
    if (plan.waitMs > 0) setTimeout(() => this.step(), plan.waitMs);
    else setImmediate(() => this.step());
  }

  private step(): void {
    const w = this.queue.shift()!;
    const start = this.now();
    const plan = w.urgent ? { waitMs: 0, sliceMs: this.o.sliceMs } : nextSlice(this.state, start, this.o);
    try {
      w.resolve(w.slice(start + Math.max(0, plan.sliceMs)));
    } catch (e) {
      w.reject(e);
    }
    const end = this.now();
    this.state = w.urgent ? { tokens: tokensAt(this.state, end, this.o), at: end } : afterSlice(this.state, start, end, this.o);
    // The caller's continuation (a microtask) queues its next slice before this schedules: round robin between chains.
    queueMicrotask(() => this.schedule());
  }
}
