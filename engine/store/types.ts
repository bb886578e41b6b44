import type { Labels, Sample, SeriesKey } from '../metrics/series';
import type { StoreIo } from './io';
import type { TierName } from './rollup';

export type Aggregation = 'mean' | 'min' | 'max' | 'last' | 'count' | 'sum' | 'p50' | 'p90' | 'p95' | 'p99';
export type Resolution = 'raw' | TierName;

export interface StoreOptions {
  /** The store's folder (created when missing). */
  dir: string;
  /** How long raw samples and the 1 s tier are kept (default 30 days). */
  rawRetentionMs?: number;
  /** How long the 1 min and 1 h tiers are kept (default 365 days). */
  rollupRetentionMs?: number;
  /** How often the WAL is written (a kill -9 loses at most this); at most 1000 (default 500). */
  flushIntervalMs?: number;
  /**
   * How often the WAL's records are fdatasync'ed (a crash of the machine loses at most this;
   * default 5000; at most `flushIntervalMs`: every record). A segment's first record, a cut,
   * a checkpoint, `flush()` and `close()` sync at once.
   */
  walSyncIntervalMs?: number;
  /** How often the head is sealed into compressed blocks (default 5 min). */
  cutIntervalMs?: number;
  /** Clock (ms since the epoch); injected by tests and benchmarks. */
  now?: () => number;
  /** Read-only openers reload what the writer wrote this often (default 1000; 0 = only on `refresh()`). */
  refreshIntervalMs?: number;
  /** Compressed data kept in memory when the disk cannot be written (default 64 MiB). */
  memoryLimitBytes?: number;
  /**
   * Block entries the in-memory index of the chunk file being written may hold before the next
   * cut starts a new file for the same window (default 250,000: about 10–20 MiB). Bounds the
   * index when many series are cut often: a 1 s tier file spans 2 hours (engine/store/store.ts).
   */
  maxFileIndexEntries?: number;
  /** No timers: flushes happen only on `flush()` (tests and benchmarks with an injected clock). */
  manualFlush?: boolean;
  /**
   * A cut encodes its blocks in slices of about this many milliseconds, yielding to the event
   * loop between them (default 8). Tests compare 0 (a yield after every series) with
   * Infinity (the whole cut in one step).
   */
  sealSliceMs?: number;
  /**
   * The share of the main thread a cut's slices may take over time (default 0.3; 1 = as fast
   * as the event loop turns): a cut of 10,000 series is about a second of work every 20 s
   * under the load benchmark, and run flat out it kept timers waiting 100-470 ms
   * (engine/store/cutPacer.ts). Not used by a closing store or the recovery cut at open.
   */
  cutShare?: number;
  /**
   * Where a cut encodes its raw head and 1 s buckets: `auto` (default) on a worker thread
   * when the cut is large (about a million samples; a small monitor never starts one), else
   * in this thread in slices; `always` / `never` for tests and comparisons.
   */
  encodeWorker?: 'auto' | 'always' | 'never';
  /** Replaces the store's writes (tests simulate a full disk). */
  io?: StoreIo;
}

export type StoreProblemKind =
  | 'corrupt' // a damaged file or part of one was skipped
  | 'truncated' // a file ended in the middle of a record (usually a crash); the complete part is used
  | 'read-only' // the folder cannot be written, or another process holds the write lock
  | 'degraded' // writing failed (disk full, permissions): samples are kept in memory only
  | 'dropped' // samples were refused (out of order, bad timestamp)
  | 'worker' // the cut's encoding worker failed: cuts are encoded in the store's thread (nothing is lost)
  | 'internal'; // a bug in the store was contained (the message says what it cost and what to do)

export interface StoreProblem {
  kind: StoreProblemKind;
  message: string;
  file?: string;
  /** Store clock time when it was found. */
  at: number;
}

export interface StoreQuery {
  /** Canonical series ids (`seriesId`). */
  series?: string[];
  name?: string;
  labels?: Labels;
  from: number;
  to: number;
  /** Without a step, raw samples; with one, one point per step (aligned to multiples of the step). */
  stepMs?: number;
  /** How each step is summarized (default mean). */
  agg?: Aggregation;
}

export interface QueryResult {
  id: string;
  series: SeriesKey;
  /** Where the points came from. */
  resolution: Resolution;
  stepMs?: number;
  points: Sample[];
}

export interface DiskUsage {
  rawBytes: number;
  rollupBytes: number;
  walBytes: number;
  checkpointBytes: number;
  /** Bytes per tier file set. */
  tiers: Record<Resolution, number>;
  /** Raw samples in the chunk files. */
  samples: number;
  /** rawBytes / samples (0 when empty). */
  bytesPerSample: number;
}
