/**
 * Per-second rates from monotonically increasing counters (bytes read, CPU ticks, requests).
 *
 * - The time delta comes from a monotonic clock (see clock.ts), never from the wall clock.
 * - A counter that goes down was reset (process restart, counter wrap): as Prometheus does,
 *   the increase is then the new value (the counter restarted from zero).
 * - The first observation of a key gives no rate; nor does a zero or negative time delta.
 */
export class RateTracker {
  private readonly last = new Map<string, { v: number; t: number }>();

  /** Records `value` at monotonic time `monoMs`; returns the rate per second since the last call for `key`. */
  update(key: string, value: number, monoMs: number): number | undefined {
    const prev = this.last.get(key);
    if (!Number.isFinite(value)) {
      this.last.delete(key);
      return undefined;
    }
    if (!prev) {
      this.last.set(key, { v: value, t: monoMs });
      return undefined;
    }
    // Updated in place: the 100 ms path allocates nothing here.
    const pv = prev.v;
    const dt = (monoMs - prev.t) / 1000;
    prev.v = value;
    prev.t = monoMs;
    if (!(dt > 0)) return undefined;
    return counterIncrease(pv, value) / dt;
  }

  /** Whether `key` has a previous value. */
  has(key: string): boolean {
    return this.last.has(key);
  }

  /** Forgets keys not in `keep` (series that disappeared), so memory stays bounded. */
  retain(keep: (key: string) => boolean): void {
    for (const k of this.last.keys()) if (!keep(k)) this.last.delete(k);
  }

  clear(): void {
    this.last.clear();
  }

  get size(): number {
    return this.last.size;
  }
}

/** The increase of a counter from `prev` to `cur`, treating a decrease as a reset to zero. */
export function counterIncrease(prev: number, cur: number): number {
  return cur >= prev ? cur - prev : cur;
}
