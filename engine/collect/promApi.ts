/**
 * Reads series from a Prometheus-compatible server (Prometheus, Thanos, Mimir,
 * VictoriaMetrics) through its HTTP API, for when the fleet is already scraped there.
 *
 * - `queryRange(promql, range)`: `/api/v1/query_range`; ranges longer than 11,000 steps (the
 *   server's limit) are read in chunks. A result series keeps its labels; it is named after
 *   `__name__`, or after `options.name` for expressions that have none (rate(), …).
 * - `series(matchers, range)`: `/api/v1/series`.
 * - `readComponent(component, range)`: the series of one component under the names local
 *   collection uses, so everything downstream works the same:
 *
 *   | local name                        | PromQL on the server                                                        |
 *   |-----------------------------------|------------------------------------------------------------------------------|
 *   | `up`                              | `up{job="C"}`                                                                |
 *   | `process_cpu_ratio`               | `rate(process_cpu_seconds_total{job="C"}[W])`                                |
 *   | `process_resident_memory_bytes`   | `process_resident_memory_bytes{job="C"}` (prom-client / Go client names)     |
 *   | `process_open_fds`                | `process_open_fds{job="C"}`                                                  |
 *   | gauge `G`                         | `G{job="C"}`                                                                 |
 *   | counter `X` → `X_rate`            | `rate(X{job="C"}[W])`                                                        |
 *   | histogram `H` → `H_pNN`           | `histogram_quantile(0.NN, rate(H_bucket{job="C"}[W]))`                       |
 *   | histogram `H` → `H_rate`          | `rate(H_count{job="C"}[W])`                                                  |
 *   | summary `S`                       | `S{job="C"}` (label `quantile` kept), `S_rate` from `rate(S_count{…}[W])`   |
 *
 *   The component is the label `job` by default (the scrape job is named after the component;
 *   `componentLabel` changes that); in the result it becomes the label `component`, and
 *   `instance` and `job` are dropped. The metric types come from `/api/v1/metadata`; metrics
 *   without metadata are treated by their name (`_total` counter, `_bucket` histogram, else gauge).
 *   W, the rate window, is 4 steps but at least 4 scrape intervals (`scrapeIntervalMs`, default 15 s).
 *
 * Bounded like a scrape: a timeout per request, a size cap per response; errors are returned as
 * problems with the server's own message.
 */
import type { SeriesKey, SeriesSample } from '../metrics/series';
import { httpGet } from './httpGet';
import { isMetricName, parsePromValue } from './promParse';
import type { CollectorProblem, CollectResult } from './types';

export interface PrometheusApiOptions {
  /** Base URL of the server, e.g. `http://127.0.0.1:9090` (or a Mimir/Thanos prefix such as `…/prometheus`). */
  baseUrl: string;
  timeoutMs?: number;
  maxBytes?: number;
  headers?: Record<string, string>;
  /** Label that names the component on the server. Default `job`. */
  componentLabel?: string;
  /** Scrape interval of the server, for the rate window. Default 15,000 ms. */
  scrapeIntervalMs?: number;
}

export interface TimeRange {
  startMs: number;
  endMs: number;
  stepMs: number;
}

const MAX_POINTS = 11_000;
const QUANTILES: Array<[string, number]> = [['_p50', 0.5], ['_p90', 0.9], ['_p95', 0.95], ['_p99', 0.99]];

interface ApiResponse<T> {
  status: 'success' | 'error';
  data?: T;
  errorType?: string;
  error?: string;
  warnings?: string[];
}

function quoteLabel(v: string): string {
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

export class PrometheusApiSource {
  readonly id: string;
  private readonly base: string;

  constructor(private readonly opts: PrometheusApiOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, '');
    this.id = `prometheus:${this.base}`;
  }

  private async get<T>(path: string, params: Array<[string, string]>): Promise<{ data?: T; problem?: CollectorProblem; warnings?: string[] }> {
    const qs = params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
    const url = `${this.base}${path}?${qs}`;
    const r = await httpGet(url, { timeoutMs: this.opts.timeoutMs ?? 10_000, maxBytes: this.opts.maxBytes ?? 64 * 1024 * 1024, headers: { accept: 'application/json', ...this.opts.headers } });
    const shortUrl = `${this.base}${path}`;
    let body: string | undefined;
    if (r.ok) body = r.body;
    else if (r.status && r.status >= 400 && r.kind === 'bad-response') body = r.message.slice(r.message.indexOf(': ') + 2);
    if (body === undefined) return { problem: { collector: this.id, kind: r.ok ? 'internal' : r.kind, message: `Prometheus server: ${r.ok ? shortUrl : r.message.replace(url, shortUrl)}.` } };
    let json: ApiResponse<T>;
    try {
      json = JSON.parse(body) as ApiResponse<T>;
    } catch {
      const detail = r.ok ? 'an answer that is not JSON' : r.message.replace(url, shortUrl);
      return { problem: { collector: this.id, kind: 'bad-response', message: `Prometheus server: ${shortUrl} gave ${detail}.` } };
    }
    if (json.status !== 'success') {
      return { problem: { collector: this.id, kind: 'bad-response', message: `Prometheus server: ${shortUrl} failed: ${json.errorType ?? 'error'}: ${json.error ?? 'no message'}.` } };
    }
    return { data: json.data, warnings: json.warnings };
  }

  /** Evaluates `promql` over the range. `name` names result series without `__name__`. */
  async queryRange(promql: string, range: TimeRange, options: { name?: string; rename?: (labels: Record<string, string>) => Record<string, string> } = {}): Promise<CollectResult> {
    const samples: SeriesSample[] = [];
    const problems: CollectorProblem[] = [];
    const stepMs = Math.max(1, range.stepMs);
    if (!(range.endMs >= range.startMs)) return { samples, problems: [{ collector: this.id, kind: 'internal', message: 'Prometheus server: the time range ends before it starts.' }] };
    for (let start = range.startMs; start <= range.endMs; start += stepMs * MAX_POINTS) {
      const end = Math.min(range.endMs, start + stepMs * (MAX_POINTS - 1));
      const r = await this.get<{ resultType: string; result: Array<{ metric: Record<string, string>; values?: Array<[number, string]> }> }>('/api/v1/query_range', [
        ['query', promql],
        ['start', (start / 1000).toFixed(3)],
        ['end', (end / 1000).toFixed(3)],
        ['step', `${stepMs / 1000}`],
      ]);
      if (r.problem) {
        problems.push({ ...r.problem, message: r.problem.message.replace(/\.$/, '') + ` (query: ${promql}).` });
        break;
      }
      for (const w of r.warnings ?? []) problems.push({ collector: this.id, kind: 'bad-response', message: `Prometheus server warning for ${promql}: ${w}` });
      if (r.data?.resultType !== 'matrix' || !Array.isArray(r.data.result)) {
        problems.push({ collector: this.id, kind: 'bad-response', message: `Prometheus server: query_range did not return a matrix (query: ${promql}).` });
        break;
      }
      for (const s of r.data.result) {
        const { __name__: metricName, ...rest } = s.metric ?? {};
        const name = options.name ?? metricName;
        if (!name || !isMetricName(name)) continue;
        const labels = options.rename ? options.rename(rest) : rest;
        const series: SeriesKey = { name, labels };
        for (const [ts, val] of s.values ?? []) {
          const v = parsePromValue(String(val));
          if (v === undefined || !Number.isFinite(Number(ts))) continue;
          samples.push({ series, t: Math.round(Number(ts) * 1000), v });
        }
      }
    }
    return { samples, problems };
  }

  /** The series matching any of `matchers` (e.g. `{job="protocol-engine"}`) in the range. */
  async series(matchers: readonly string[], range: Pick<TimeRange, 'startMs' | 'endMs'>): Promise<{ series: SeriesKey[]; problems: CollectorProblem[] }> {
    const r = await this.get<Array<Record<string, string>>>('/api/v1/series', [
      ...matchers.map((m) => ['match[]', m] as [string, string]),
      ['start', (range.startMs / 1000).toFixed(3)],
      ['end', (range.endMs / 1000).toFixed(3)],
    ]);
    if (r.problem) return { series: [], problems: [r.problem] };
    const series = (Array.isArray(r.data) ? r.data : []).flatMap((m) => {
      const { __name__: name, ...labels } = m ?? {};
      return name && isMetricName(name) ? [{ name, labels }] : [];
    });
    return { series, problems: [] };
  }

  /** Metric types by name from `/api/v1/metadata` (empty when the server has none). */
  async metadata(): Promise<Map<string, string>> {
    const r = await this.get<Record<string, Array<{ type: string }>>>('/api/v1/metadata', []);
    const out = new Map<string, string>();
    for (const [name, entries] of Object.entries(r.data ?? {})) if (entries?.[0]?.type) out.set(name, entries[0].type);
    return out;
  }

  /**
   * Every series of one component, named as local collection names them (see the table
   * above). `metrics` limits it to those source metric names (default: all the server has).
   */
  async readComponent(component: string, range: TimeRange, options: { metrics?: readonly string[] } = {}): Promise<CollectResult> {
    const label = this.opts.componentLabel ?? 'job';
    const sel = `{${label}=${quoteLabel(component)}}`;
    const windowMs = Math.max(4 * range.stepMs, 4 * (this.opts.scrapeIntervalMs ?? 15_000));
    const w = `[${Math.ceil(windowMs / 1000)}s]`;
    const rename = (labels: Record<string, string>) => {
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(labels)) if (k !== label && k !== 'instance' && k !== 'job' && k !== 'component') out[k] = v;
      out.component = component;
      return out;
    };
    const problems: CollectorProblem[] = [];
    let names: string[];
    if (options.metrics) names = [...options.metrics];
    else {
      const s = await this.series([sel], range);
      problems.push(...s.problems);
      names = [...new Set(s.series.map((k) => k.name))];
    }
    const types = names.length ? await this.metadata() : new Map<string, string>();
    const queries: Array<{ q: string; name: string }> = [];
    const histograms = new Set<string>();
    for (const n of names) {
      if (n.endsWith('_bucket') && (types.get(n.slice(0, -7)) ?? 'histogram') === 'histogram') histograms.add(n.slice(0, -7));
    }
    for (const n of names) {
      const base = n.replace(/_(bucket|count|sum)$/, '');
      if (histograms.has(base)) continue;
      if (types.get(base) === 'summary') {
        if (n === base) queries.push({ q: `${n}${sel}`, name: n }); // keeps its quantile label
        else if (n === `${base}_count`) queries.push({ q: `rate(${n}${sel}${w})`, name: `${base}_rate` });
        continue;
      }
      const type = types.get(n) ?? (n.endsWith('_total') ? 'counter' : 'gauge');
      if (n === 'process_cpu_seconds_total') queries.push({ q: `rate(${n}${sel}${w})`, name: 'process_cpu_ratio' });
      else if (n.startsWith('scrape_')) continue;
      else if (type === 'counter') queries.push({ q: `rate(${n}${sel}${w})`, name: `${n}_rate` });
      else if (type === 'summary' || type === 'histogram') continue;
      else queries.push({ q: `${n}${sel}`, name: n });
    }
    for (const h of histograms) {
      for (const [suffix, q] of QUANTILES) queries.push({ q: `histogram_quantile(${q}, rate(${h}_bucket${sel}${w}))`, name: h + suffix });
      queries.push({ q: `rate(${h}_count${sel}${w})`, name: `${h}_rate` });
    }
    const samples: SeriesSample[] = [];
    for (const { q, name } of queries) {
      const r = await this.queryRange(q, range, { name, rename });
      for (const s of r.samples) if (Number.isFinite(s.v)) samples.push(s);
      problems.push(...r.problems);
    }
    return { samples, problems };
  }
}
