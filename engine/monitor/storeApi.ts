/** What the monitor needs of a metric store; the embedded store (engine/store) provides it. */
import type { Labels, Sample, SeriesKey, SeriesSample } from '../metrics/series';

export type Aggregate = 'mean' | 'min' | 'max' | 'last' | 'count' | 'sum' | 'p50' | 'p90' | 'p95' | 'p99';

export interface MetricQuery {
  name: string;
  labels?: Labels;
  from: number;
  to: number;
  /** 0 or undefined: raw samples; otherwise the rollup step in ms. */
  stepMs?: number;
  agg?: Aggregate;
}

export interface MetricStore {
  append(samples: readonly SeriesSample[]): void;
  query(q: MetricQuery): { series: SeriesKey; points: Sample[] }[];
  listSeries(matcher?: { name?: string; labels?: Labels }): SeriesKey[];
  readonly readOnly: boolean;
  /** True when samples are kept in memory only (the folder is not writable, the disk is full). */
  readonly memoryOnly: boolean;
  readonly problems: readonly { message: string }[];
  /**
   * Changes whenever samples a query could have returned are gone or replaced (retention, the
   * memory limit, a reload): readers that cache query results (monitor/windowQueryCache.ts)
   * start over then. Stores without it are not cached.
   */
  readonly dataGeneration?: number;
  diskUsage(): { rawBytes: number; rollupBytes: number; walBytes: number; bytesPerSample: number };
  flush(): Promise<void>;
  close(): Promise<void>;
}
