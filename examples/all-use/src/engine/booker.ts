// Books priced results with the account service with at most `maxInFlight` requests open.
// Results priced while those are out wait and leave together in the next request (group
// commit). Without this bound every priced batch sent its own request at once: when the
// account service fell behind (a loaded machine), hundreds of requests queued in the HTTP
// agent, timed out after 5 s with their pricing work wasted, and the service spent its time
// on requests whose callers had given up, so it fell further behind (and its /stats, queued
// behind them, timed out). Bounded, a slow account service makes bookings bigger instead of
// more numerous, and `backlog` lets the dispatcher stop pricing what cannot be booked.
import type { PositionUpdate } from './types.js';

interface Group { updates: PositionUpdate[]; ticks: number; done: Array<(ok: boolean) => void> }

export class Booker {
  private pending: Group = { updates: [], ticks: 0, done: [] };
  private open = 0;

  /** `send` books one request's updates and resolves true when the account service accepted them. */
  constructor(private readonly send: (updates: PositionUpdate[]) => Promise<boolean>, readonly maxInFlight = 2) {
    if (!(maxInFlight >= 1)) throw new Error('maxInFlight must be at least 1');
  }

  /** Ticks priced and waiting for a booking request (not counting those in flight). */
  get backlog(): number { return this.pending.ticks; }
  get inFlight(): number { return this.open; }

  /** Books the updates of `ticks` ticks; resolves true once booked, false when their request failed. */
  book(updates: PositionUpdate[], ticks: number): Promise<boolean> {
    return new Promise((resolve) => {
      for (const u of updates) this.pending.updates.push(u);
      this.pending.ticks += ticks;
      this.pending.done.push(resolve);
      this.pump();
    });
  }

  private pump(): void {
    while (this.open < this.maxInFlight && this.pending.done.length > 0) {
      const g = this.pending;
      this.pending = { updates: [], ticks: 0, done: [] };
      this.open++;
      this.send(g.updates).catch(() => false).then((ok) => {
        this.open--;
        for (const d of g.done) d(ok);
        this.pump();
      });
    }
  }
}
