/**
 * One timer for all of the monitor's loops and ticks (collection rounds, status, predictions).
 *
 * Why: every wake-up of the monitor's thread costs 55-90 µs of CPU on a virtual machine
 * whatever it then does (docs/performance.md, "Where the CPU goes, per thread and per
 * wake-up"), and each loop had a `setTimeout` of its own: at the demo's scale the four
 * scrape loops, the status and the predictions woke the thread 5 times a second besides the
 * 10 local rounds. Here each client plans its next moment (performance.now() ms) and a
 * single Node timer is armed for the earliest; when it fires, every client due by then (with
 * `TOLERANCE_MS` for the rounding of the plans and of Node's millisecond clock) runs in that
 * one wake-up, earliest plan first. Clients planned at the same moment (see `alignedStarts`
 * in monitor.ts) therefore share a wake-up; clients planned apart (the load benchmark's 50
 * spread loops) still run apart, each at its own moment, as with their own timers.
 *
 * A client runs in the first firing at or after its plan (minus TOLERANCE_MS), as its own
 * `setTimeout` would have run it (see `fire` for Node's clock).
 */

/** Clients planned within this long of each other run in the same wake-up (float sums of intervals, Node's ms clock). */
export const TOLERANCE_MS = 0.5;

export interface TimerClient {
  /** The planned moment (performance.now() ms); NaN while nothing is planned. */
  at: number;
  readonly run: () => void;
  /** Registration order: the tie-break among clients planned at the same moment. */
  readonly order: number;
}

export class SharedTimer {
  private readonly clients: TimerClient[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** When the armed timer is due (performance.now() ms); Infinity when none is armed. */
  private armedAt = Infinity;
  private firing = false;
  private stopped = false;
  /** Scratch for the clients due in one firing. */
  private readonly due: TimerClient[] = [];
  /** Node timer firings (wake-ups this timer caused), for tests and the bench. */
  firings = 0;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** A client that runs `run` at each moment it is planned for (`plan`). */
  add(run: () => void): TimerClient {
    const c: TimerClient = { at: NaN, run, order: this.clients.length };
    this.clients.push(c);
    return c;
  }

  /** Plans `c` to run at `at` (performance.now() ms), replacing its last plan. */
  plan(c: TimerClient, at: number): void {
    if (this.stopped) return;
    c.at = at;
    // While firing, the timer is armed after the due clients ran (`fire`).
    if (!this.firing && at < this.armedAt) this.arm(at);
  }

  /** Cancels `c`'s plan. */
  cancel(c: TimerClient): void {
    c.at = NaN;
  }

  /** Cancels everything; later plans are ignored. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.armedAt = Infinity;
    for (const c of this.clients) c.at = NaN;
  }

  private arm(at: number): void {
    clearTimeout(this.timer);
    this.armedAt = at;
    this.timer = setTimeout(this.onTimer, Math.max(0, at - this.now()));
  }

  private readonly onTimer = (): void => {
    const armedFor = this.armedAt;
    this.timer = undefined;
    this.armedAt = Infinity;
    this.firings++;
    this.fire(armedFor);
  };

  /**
   * Runs every client due, earliest plan first, then arms the timer for the next. Due: planned
   * by now, or by the moment the timer was armed for. Node fires a timer when its loop's
   * millisecond clock, read at the start of the loop's turn, has reached it, which may be a
   * little before performance.now() has: the clients planned for that moment run then, as
   * their own setTimeout would have run them, instead of in a wake-up of their own just after.
   */
  private fire(armedFor: number): void {
    const due = this.due;
    due.length = 0;
    const by = Math.max(this.now(), armedFor) + TOLERANCE_MS;
    for (const c of this.clients) if (c.at <= by) due.push(c);
    if (due.length > 1) due.sort((a, b) => a.at - b.at || a.order - b.order);
    this.firing = true;
    try {
      for (const c of due) {
        if (this.stopped) break;
        // Unplanned before it runs: a client plans its next moment itself (now, or when its round is done).
        c.at = NaN;
        c.run();
      }
    } finally {
      this.firing = false;
      due.length = 0;
      this.armNext();
    }
  }

  private armNext(): void {
    if (this.stopped) return;
    let next = Infinity;
    for (const c of this.clients) if (c.at < next) next = c.at;
    if (next < this.armedAt) this.arm(next);
  }
}
