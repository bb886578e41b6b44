// Run-time switchable faults. They exist so the anomaly detection, forecasting and
// alerting features have something real to find: each one changes real resource usage
// or real request outcomes, and each moves a specific metric (see README.md).
import type { CommonMetrics } from './metrics.js';

export const FAULT_NAMES = ['memory-leak', 'cpu-hog', 'latency-spike', 'error-burst', 'slow-disk', 'stuck-worker'] as const;
export type FaultName = (typeof FAULT_NAMES)[number];
export type FaultParams = Record<string, number | string | boolean>;

export function isFaultName(s: unknown): s is FaultName {
  return typeof s === 'string' && (FAULT_NAMES as readonly string[]).includes(s);
}

/** Component-specific reaction to a fault (slow-disk and stuck-worker need the component's internals). */
export type FaultHook = (on: boolean, params: FaultParams) => void;

export class Faults {
  private readonly active = new Map<FaultName, FaultParams>();
  private leak: number[][] = [];
  private leakTimer?: NodeJS.Timeout;
  private hogTimer?: NodeJS.Timeout;

  constructor(
    private readonly metrics: CommonMetrics,
    readonly supported: ReadonlySet<FaultName>,
    private readonly hooks: Partial<Record<FaultName, FaultHook>> = {},
    private readonly log: (m: string) => void = () => {},
  ) {
    for (const f of supported) metrics.faultActive.set({ fault: f }, 0);
  }

  isOn(name: FaultName): boolean { return this.active.has(name); }
  params(name: FaultName): FaultParams | undefined { return this.active.get(name); }
  list(): Record<string, FaultParams> { return Object.fromEntries(this.active); }

  set(name: FaultName, on: boolean, params: FaultParams = {}): void {
    if (!this.supported.has(name)) throw new Error(`fault "${name}" is not supported by this component (supported: ${[...this.supported].join(', ')})`);
    if (on) this.active.set(name, params); else this.active.delete(name);
    this.metrics.faultActive.set({ fault: name }, on ? 1 : 0);
    this.log(`fault ${name} ${on ? 'ON' : 'off'}${on && Object.keys(params).length ? ' ' + JSON.stringify(params) : ''}`);
    if (name === 'memory-leak') this.memoryLeak(on, params);
    if (name === 'cpu-hog') this.cpuHog(on, params);
    this.hooks[name]?.(on, params);
  }

  num(name: FaultName, key: string, dflt: number): number {
    const v = this.active.get(name)?.[key];
    return typeof v === 'number' && Number.isFinite(v) ? v : dflt;
  }

  /** error-burst: the fraction `rate` (default 0.5) of business requests fail with 500. */
  shouldFail(): boolean {
    return this.isOn('error-burst') && Math.random() < this.num('error-burst', 'rate', 0.5);
  }

  /** latency-spike: with probability `probability` (default 0.2) add `delay_ms` (default 250). */
  extraDelayMs(): number {
    if (!this.isOn('latency-spike')) return 0;
    return Math.random() < this.num('latency-spike', 'probability', 0.2) ? this.num('latency-spike', 'delay_ms', 250) : 0;
  }

  /** slow-disk: every write also waits `delay_ms` (default 40), as on a saturated device. */
  diskDelayMs(): number { return this.isOn('slow-disk') ? this.num('slow-disk', 'delay_ms', 40) : 0; }

  stop(): void {
    clearInterval(this.leakTimer);
    clearInterval(this.hogTimer);
    this.leak = [];
  }

  /** Steady heap growth of `mb_per_s` (default 16), capped at `max_mb` (default 1024) so the machine survives. */
  private memoryLeak(on: boolean, p: FaultParams): void {
    clearInterval(this.leakTimer);
    this.leakTimer = undefined;
    if (!on) { this.leak = []; return; }
    const mbPerS = typeof p.mb_per_s === 'number' ? p.mb_per_s : 16;
    const maxMb = typeof p.max_mb === 'number' ? p.max_mb : 1024;
    let leakedMb = 0;
    this.leakTimer = setInterval(() => {
      if (leakedMb >= maxMb) return;
      const mb = mbPerS / 10;
      // A packed array of doubles lives in the V8 heap, so heap_used and RSS both grow.
      const arr = new Array<number>(Math.floor((mb * 1024 * 1024) / 8));
      for (let i = 0; i < arr.length; i++) arr[i] = i * 0.5;
      this.leak.push(arr);
      leakedMb += mb;
    }, 100);
  }

  /** Burns `duty` (default 0.7) of every `period_ms` (default 100) on the main thread: CPU up, event loop stalls. */
  private cpuHog(on: boolean, p: FaultParams): void {
    clearInterval(this.hogTimer);
    this.hogTimer = undefined;
    if (!on) return;
    const period = typeof p.period_ms === 'number' ? p.period_ms : 100;
    const duty = Math.min(0.98, Math.max(0.01, typeof p.duty === 'number' ? p.duty : 0.7));
    this.hogTimer = setInterval(() => {
      const until = performance.now() + period * duty;
      let x = 0;
      while (performance.now() < until) for (let i = 0; i < 1000; i++) x += Math.sqrt(i + x);
      if (x === -1) this.log('unreachable'); // keeps the loop from being optimised away
    }, period);
  }
}
