/**
 * When to notify a time-to-limit prediction: once per limit when it comes within the
 * threshold (the setting `alluse-perf.limits.notifyWithinMinutes`), not at every update.
 * A limit is notified again only after it has been clear (no prediction, or one beyond 1.5 ×
 * the threshold) for `rearmMs`, so a prediction that hovers around the threshold, or briefly
 * drops out between two updates, does not nag. Pure logic; the client shows the message.
 */
import type { MonitorStatus } from '../../protocol/index';

export type Prediction = MonitorStatus['predictions'][number];

/** The identity of a limit: a component's limit key, or a file system. */
export const limitId = (p: Prediction): string => `${p.component}:${p.limitKey}${p.mount !== undefined ? `:${p.mount}` : ''}`;

export class LimitNotificationPolicy {
  /** Limits notified, and when each was last seen near (within 1.5 × the threshold). */
  private readonly near = new Map<string, number>();

  constructor(private readonly rearmMs = 10 * 60_000) {}

  /** The predictions to notify now; `withinMs` ≤ 0 turns notifications off. */
  update(predictions: readonly Prediction[], withinMs: number, now: number): Prediction[] {
    if (!(withinMs > 0)) return [];
    const fresh: Prediction[] = [];
    for (const p of predictions) {
      const id = limitId(p);
      if (p.etaMs <= withinMs && !this.near.has(id)) fresh.push(p);
      if (p.etaMs <= withinMs || (this.near.has(id) && p.etaMs <= 1.5 * withinMs)) this.near.set(id, now);
    }
    for (const [id, seen] of this.near) if (now - seen > this.rearmMs) this.near.delete(id);
    return fresh;
  }
}
