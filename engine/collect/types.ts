/**
 * The collector contract: what the monitor schedules. A collector is cheap to call, never
 * throws for expected failures (a process that is gone, an endpoint that is down, garbage
 * in a response) and reports them as problems next to whatever samples it could take.
 */
import type { SeriesSample } from '../metrics/series';

export type CollectorProblemKind =
  | 'unavailable' // a source could not be read at all (file missing, connection refused)
  | 'process-not-found' // no process matched the component's `process` section
  | 'process-restarted' // the process changed (new pid, or the same pid with another start time)
  | 'timeout' // a scrape or API call took longer than its timeout
  | 'too-large' // a response was larger than the size cap
  | 'too-many-samples' // a scrape held more samples than its limit and was dropped
  | 'bad-response' // HTTP status, redirect, wrong content, connection closed mid-body
  | 'parse-error' // lines that are not Prometheus text format (the rest is still used)
  | 'port-taken' // another process holds the metrics port of a component (see portOwner.ts)
  | 'busy' // the previous scrape of the same target has not finished; this one was skipped
  | 'clock-jump' // the wall clock moved differently from the monotonic clock
  | 'internal'; // a bug: an unexpected exception, caught and reported

export interface CollectorProblem {
  /** Id of the collector that reports it. */
  collector: string;
  kind: CollectorProblemKind;
  /** A sentence for the user, naming the source, e.g. "protocol-engine: http://…/metrics timed out after 2000 ms". */
  message: string;
  /** Component the problem concerns, when there is one. */
  component?: string;
}

export interface CollectResult {
  samples: SeriesSample[];
  problems: CollectorProblem[];
}

export interface Collector {
  /** Stable and unique among the collectors of a monitor, e.g. `system`, `process:protocol-engine`. */
  readonly id: string;
  /** How often the collector should be called when the workspace does not say otherwise. */
  readonly defaultIntervalMs: number;
  /** Takes one round of samples, all stamped `nowMs` (wall clock, ms since the epoch). Never rejects for expected failures. */
  collect(nowMs: number): Promise<CollectResult>;
  /**
   * The same round without a promise, for collectors that read local files (the /proc
   * collectors on Linux), so the monitor's 100 ms round runs in one go. Undefined (or
   * returning undefined) means: call `collect`.
   */
  collectSync?(nowMs: number): CollectResult | undefined;
  /** Frees sockets, timers and state. */
  dispose?(): void;
}

/** The defaults of the issue: cheap sources at the monitor's rate, expensive ones slower. */
export const DEFAULT_INTERVAL_MS = 100;
export const SLOW_INTERVAL_MS = 10_000;
