/**
 * A collector that reads one component's series from a Prometheus-compatible server instead
 * of collecting them locally: each round fetches the steps since the last round, so
 * downstream (store, alerts, dashboards) sees the same series names as local collection.
 */
import { PrometheusApiSource } from '../collect/promApi';
import type { Collector, CollectResult } from '../collect/types';
import { seriesId, type SeriesSample } from '../metrics/series';
import type { DatasourceConfig } from '../workspace/config';

/** How far back the first round reads, so charts are not empty right after the start. */
const FIRST_LOOKBACK_MS = 10 * 60_000;

export class DatasourceCollector implements Collector {
  readonly id: string;
  readonly defaultIntervalMs: number;
  private readonly source: PrometheusApiSource;
  private readonly last = new Map<string, number>();
  private readFrom: number | undefined;

  constructor(
    private readonly component: string,
    private readonly ds: DatasourceConfig,
  ) {
    this.id = `datasource:${component}`;
    this.defaultIntervalMs = ds.stepMs;
    this.source = new PrometheusApiSource({ baseUrl: ds.url, timeoutMs: ds.timeoutMs, componentLabel: ds.componentLabel, scrapeIntervalMs: ds.stepMs });
  }

  async collect(nowMs: number): Promise<CollectResult> {
    const step = this.ds.stepMs;
    const startMs = this.readFrom ?? nowMs - FIRST_LOOKBACK_MS;
    const r = await this.source.readComponent(this.component, { startMs, endMs: nowMs, stepMs: step });
    const samples: SeriesSample[] = [];
    for (const s of r.samples) {
      // The server's `up` says whether the target answered: our process_up for the status.
      const series = s.series.name === 'up' ? { name: 'process_up', labels: s.series.labels } : s.series;
      const id = seriesId(series);
      if (s.t <= (this.last.get(id) ?? -Infinity)) continue; // already read in an earlier round
      this.last.set(id, s.t);
      samples.push({ series, t: s.t, v: s.v });
    }
    // Re-read the last step next time: the server may not have evaluated it completely yet.
    if (r.problems.length === 0) this.readFrom = Math.max(startMs, nowMs - step);
    samples.sort((a, b) => a.t - b.t);
    return { samples, problems: r.problems.map((p) => ({ ...p, collector: this.id, component: this.component })) };
  }
}
