// Wall-clock milliseconds with sub-millisecond resolution. Ticks carry their creation
// time across processes, so every process must use the same epoch-based clock.
import { performance } from 'node:perf_hooks';

const origin = performance.timeOrigin;
export function nowMs(): number { return origin + performance.now(); }

/** Blocks the calling thread for `ms` without burning CPU (used only by fault injection to model a slow device). */
const sab = new Int32Array(new SharedArrayBuffer(4));
export function blockFor(ms: number): void { if (ms > 0) Atomics.wait(sab, 0, 0, ms); }
