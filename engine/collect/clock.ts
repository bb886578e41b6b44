/**
 * Time for rates. Samples carry wall-clock time (what the user sees), but every delta used
 * for a rate comes from the monotonic clock, so a wall-clock jump (NTP step, suspend, manual
 * change) never produces an absurd or negative rate.
 */
import { performance } from 'node:perf_hooks';

export interface MonotonicClock {
  /** Milliseconds from an arbitrary origin; never goes backwards. */
  monoMs(): number;
}

export const systemClock: MonotonicClock = { monoMs: () => performance.now() };

/**
 * Watches the wall clock against the monotonic one. `check(nowMs)` returns the size of a jump
 * (wall delta minus monotonic delta, in ms) when it exceeds the tolerance, else undefined.
 */
export class ClockJumpDetector {
  private last?: { wall: number; mono: number };

  constructor(
    private readonly clock: MonotonicClock = systemClock,
    private readonly toleranceMs = 1000,
  ) {}

  check(nowMs: number): number | undefined {
    const mono = this.clock.monoMs();
    const prev = this.last;
    this.last = { wall: nowMs, mono };
    if (!prev) return undefined;
    const skew = nowMs - prev.wall - (mono - prev.mono);
    return Math.abs(skew) > this.toleranceMs ? skew : undefined;
  }
}
