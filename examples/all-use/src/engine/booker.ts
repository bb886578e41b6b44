// Books priced results with the account service with at most `maxInFlight` requests open.
// Results priced while those are out wait and leave together in the next request (group
// commit). Without this bound every priced batch sent its own request at once: when the
// account service fell behind (a loaded machine), hundreds of requests queued in the HTTP
// agent, timed out after 5 s with their pricing work wasted, and the service spent its time
// on requests whose callers had given up, so it fell further behind (and its /stats, queued
// behind them, timed out). Bounded, a slow account service makes bookings bigger instead of
// more numerous, and `backlog` lets the dispatcher stop pricing what cannot be booked.
// One request carries at most `maxUpdates` updates (whole batches; a batch larger than that
// goes alone), so that a long backlog does not become one request that holds the account
// service's event loop for seconds.
import type { PositionUpdate } from './types.js';

interface Batch { updates: PositionUpdate[]; ticks: number; done: (ok: boolean) => void }

export class Booker {
  private readonly waiting: Batch[] = [];
  private head = 0;
  private waitingTicks = 0;
  private open = 0;

  /** `send` books one request's updates and resolves true when the account service accepted them. */
  constructor(private readonly send: (updates: PositionUpdate[]) => Promise<boolean>, readonly maxInFlight = 2, readonly maxUpdates = 512) {
    if (!(maxInFlight >= 1)) throw new Error('maxInFlight must be at least 1');
    if (!(maxUpdates >= 1)) throw new Error('maxUpdates must be at least 1');
  }

  /** Ticks priced and waiting for a booking request (not counting those in flight). */
  get backlog(): number { return this.waitingTicks; }
  get inFlight(): number { return this.open; }

  /** Books the updates of `ticks` ticks; resolves true once booked, false when their request failed. */
  book(updates: PositionUpdate[], ticks: number): Promise<boolean> {
    return new Promise((done) => {
      this.waiting.push({ updates, ticks, done });
      this.waitingTicks += ticks;
      this.pump();
    });
  }

  /** The next request: waiting batches in order, up to maxUpdates (at least one batch). */
  private nextGroup(): { updates: PositionUpdate[]; done: Array<(ok: boolean) => void> } {
    const updates: PositionUpdate[] = [];
    const done: Array<(ok: boolean) => void> = [];
    while (this.head < this.waiting.length) {
      const b = this.waiting[this.head];
      if (done.length > 0 && updates.length + b.updates.length > this.maxUpdates) break;
      for (const u of b.updates) updates.push(u);
      done.push(b.done);
      this.waitingTicks -= b.ticks;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.waiting.length) { this.waiting.splice(0, this.head); this.head = 0; }
    return { updates, done };
  }

  private pump(): void {
    while (this.open < this.maxInFlight && this.head < this.waiting.length) {
      const g = this.nextGroup();
      this.open++;
      this.send(g.updates).catch(() => false).then((ok) => {
        this.open--;
        for (const d of g.done) d(ok);
        this.pump();
      });
    }
  }
}
