/**
 * Runs the monitor's rounds' processing (a collector's samples stored, alert-evaluated and
 * anomaly-scored: `Monitor.ingest`) with a time budget per turn of the event loop.
 *
 * Why: libuv runs every I/O callback that is ready in one poll phase back to back, and under
 * the load benchmark (50 endpoints scraped every 100 ms) their answers come together: 50
 * rounds' appends (5-49 ms each) ran without a timer phase between them, and the editor's
 * requests and the server's own timers waited 100-220 ms (docs/performance.md, "Load").
 * Here a task runs at once while the turn's work since its first task is under `budgetMs`;
 * after that it waits in a queue that runs on later turns (`setImmediate`, one turn per
 * budget's worth of tasks), so timers and I/O run between them.
 *
 * The queue is bounded by its callers: each of the monitor's loops has at most one round in
 * flight (its next round is scheduled when its task has run), so it never holds more tasks
 * than there are loops, and a monitor short of CPU collects less often ("behind") instead of
 * queueing.
 */
export interface TurnQueueOptions {
  /** The work per turn, in ms, after which tasks wait for a later turn. */
  budgetMs: number;
  now?: () => number;
  /** Runs `f` on a later turn of the event loop (setImmediate; a test's fake loop). */
  defer?: (f: () => void) => void;
}

export class TurnQueue {
  private readonly queue: (() => void)[] = [];
  /** When the current turn's first task started (undefined: no task ran in this turn yet). */
  private turnStart: number | undefined;
  private draining = false;
  private readonly now: () => number;
  private readonly defer: (f: () => void) => void;
  /** Tasks that waited for a later turn (for tests and the bench). */
  deferred = 0;

  constructor(private readonly o: TurnQueueOptions) {
    this.now = o.now ?? (() => performance.now());
    this.defer = o.defer ?? ((f) => void setImmediate(f));
  }

  /** Tasks waiting. */
  get length(): number {
    return this.queue.length;
  }

  /** Runs `task` now when the turn has budget left and nothing waits before it, else on a later turn. */
  run(task: () => void): void {
    if (this.queue.length === 0 && !this.overBudget()) {
      if (this.turnStart === undefined) {
        this.turnStart = this.now();
        // The check phase of this turn (after its poll phase's I/O callbacks) ends the turn.
        this.defer(() => (this.turnStart = undefined));
      }
      task();
      return;
    }
    this.deferred++;
    this.queue.push(task);
    if (!this.draining) {
      this.draining = true;
      this.defer(() => this.drain());
    }
  }

  /** Runs every waiting task now (the monitor stopping: samples asked for are stored). */
  flush(): void {
    while (this.queue.length) this.queue.shift()!();
  }

  private overBudget(): boolean {
    return this.turnStart !== undefined && this.now() - this.turnStart >= this.o.budgetMs;
  }

  /** One turn's worth of waiting tasks (at least one), then the rest on a later turn. */
  private drain(): void {
    this.turnStart = this.now();
    try {
      // At least one task (the queue may have been emptied by `flush` since this drain was planned).
      let first = true;
      while (this.queue.length && (first || !this.overBudget())) {
        first = false;
        this.queue.shift()!();
      }
    } finally {
      // The next turn (its timers, then its I/O) is a new one: its tasks run at once again if nothing waits.
      this.turnStart = undefined;
      if (this.queue.length) this.defer(() => this.drain());
      else this.draining = false;
    }
  }
}
