/**
 * Problems of conditions that last (an endpoint that is down, a process that is gone) would
 * otherwise be reported on every 100 ms round. The throttle passes a problem when it is new
 * (its kind and message differ from the last one of that source) and again every `repeatMs`
 * while it lasts; `clear` ends the condition so the next failure is reported at once.
 */
import type { CollectorProblem } from './types';

export class ProblemThrottle {
  private readonly last = new Map<string, { sig: string; at: number }>();

  constructor(private readonly repeatMs = 30_000) {}

  /** Returns the problem when it should be reported now, else undefined. `monoMs` is monotonic time. */
  pass(source: string, p: CollectorProblem, monoMs: number): CollectorProblem | undefined {
    const sig = `${p.kind}\u0000${p.message}`;
    const prev = this.last.get(source);
    if (prev && prev.sig === sig && monoMs - prev.at < this.repeatMs) return undefined;
    this.last.set(source, { sig, at: monoMs });
    return p;
  }

  clear(source: string): void {
    this.last.delete(source);
  }
}

export function errorMessage(e: unknown): string {
  const err = e as { code?: unknown; message?: unknown } | null | undefined;
  const msg = typeof err?.message === 'string' ? err.message : String(e);
  const code = typeof err?.code === 'string' ? err.code : undefined;
  return code && !msg.includes(code) ? `${code}: ${msg}` : msg;
}
