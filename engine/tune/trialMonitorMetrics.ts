/**
 * `objectiveSource: monitor`: a trial's metrics read from the monitor's store instead of the
 * command's output. Each metric is a series name of the study's component (label
 * `component`); its value is the mean of the raw samples in the trial's window after the
 * warm-up, summed over the label sets of that name (routes, kinds) like the capacity fit
 * does. The store is opened read-only beside the running monitor, whose samples reach the
 * disk up to a flush interval late: the reader waits until the store has caught up with the
 * end of the window (or gives up after `maxWaitMs` and uses what is there).
 */
import type { StoreQuery, QueryResult } from '../store/types';

/** The metrics of one window: name -> value; a name without samples is absent. */
export type MonitorReader = (names: readonly string[], fromMs: number, toMs: number) => Promise<Record<string, number>>;

/** The part of the store the reader needs (TimeSeriesStore, or a fake in tests). */
export interface MonitorStoreView {
  query(q: StoreQuery): QueryResult[];
  refresh(): Promise<void>;
}

export interface MonitorReaderOptions {
  component: string;
  /** How long to wait for the monitor's samples to cover the window's end. */
  maxWaitMs?: number;
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function windowMean(store: MonitorStoreView, name: string, component: string, fromMs: number, toMs: number): number | undefined {
  let total: number | undefined;
  for (const r of store.query({ name, labels: { component }, from: fromMs, to: toMs })) {
    const pts = r.points.filter((p) => Number.isFinite(p.v));
    if (!pts.length) continue;
    total = (total ?? 0) + pts.reduce((a, p) => a + p.v, 0) / pts.length;
  }
  return total;
}

/** The newest sample time of the component's series `name` up to `toMs`, or -Infinity. */
function newest(store: MonitorStoreView, names: readonly string[], component: string, fromMs: number, toMs: number): number {
  let t = Number.NEGATIVE_INFINITY;
  for (const name of names) for (const r of store.query({ name, labels: { component }, from: fromMs, to: toMs + 60_000 })) for (const p of r.points) t = Math.max(t, p.t);
  return t;
}

export function monitorReader(store: MonitorStoreView, o: MonitorReaderOptions): MonitorReader {
  const sleep = o.sleep ?? defaultSleep;
  const maxWaitMs = o.maxWaitMs ?? 5000;
  const pollMs = o.pollMs ?? 200;
  return async (names, fromMs, toMs) => {
    // Wait for a sample at or after the window's end: then the window is complete on disk.
    for (let waited = 0; ; waited += pollMs) {
      await store.refresh();
      if (newest(store, names, o.component, fromMs, toMs) >= toMs || waited >= maxWaitMs) break;
      await sleep(pollMs);
    }
    const out: Record<string, number> = {};
    for (const n of names) {
      const v = windowMean(store, n, o.component, fromMs, toMs);
      if (v !== undefined) out[n] = v;
    }
    return out;
  };
}
