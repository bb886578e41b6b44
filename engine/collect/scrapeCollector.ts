/**
 * Scrapes a component's Prometheus endpoint and turns it into series (see promConvert.ts):
 * app metrics with the label `component`, plus `up` (1/0), `scrape_duration_seconds` and
 * `scrape_samples_scraped`, as Prometheus records them.
 *
 * Bounded in every way: a timeout for the whole scrape (default 2 s, and never more than the
 * interval allows a caller to wait), a size cap (default 10 MB), at most one scrape of a
 * target in flight (a call while one runs returns a `busy` problem and no samples), one
 * keep-alive connection per target (our own HTTP/1.1 client for http: targets,
 * keepAliveGet.ts; Node's with a keep-alive agent for https:), no redirects. Garbage lines are reported with their line
 * number and skipped; a body with no sample at all counts as a failed scrape.
 */
import http from 'node:http';
import https from 'node:https';
import { SeriesKeyCache, type SeriesSample } from '../metrics/series';
import { systemClock, type MonotonicClock } from './clock';
import { httpGetBytes } from './httpGet';
import { KeepAliveHttpClient } from './keepAliveGet';
import type { PortOwnerCheck } from './portOwner';
import { ProblemThrottle } from './problems';
import { PrometheusConverter } from './promConvert';
import type { SeriesTextCache } from './promParse';
import { RepeatedScrape } from './promRepeat';
import { DEFAULT_INTERVAL_MS, type CollectorProblem, type Collector, type CollectResult } from './types';

export interface ScrapeOptions {
  timeoutMs?: number;
  maxBytes?: number;
  intervalMs?: number;
  clock?: MonotonicClock;
  /** Re-report a lasting failure every this many ms (default 30 s). */
  repeatProblemsMs?: number;
  /**
   * Most samples one scrape may hold (default 20,000). A scrape with more is dropped as a
   * whole, with `up` 0 and a problem, as Prometheus's `sample_limit` does: keeping part of it
   * would make series come and go, and keeping all of it lets an endpoint whose labels take
   * ever-new values (request ids, timestamps) fill the memory and the store.
   */
  sampleLimit?: number;
  /** Who holds the target's port (portOwner.ts): answers of another process are not the component's. */
  portOwner?: PortOwnerCheck;
}

export const DEFAULT_SCRAPE_TIMEOUT_MS = 2000;
export const DEFAULT_SCRAPE_MAX_BYTES = 10 * 1024 * 1024;
export const DEFAULT_SCRAPE_SAMPLE_LIMIT = 20_000;
const ACCEPT = 'text/plain;version=0.0.4;q=1,*/*;q=0.1';

export class ScrapeCollector implements Collector {
  private readonly keys = new SeriesKeyCache();
  readonly id: string;
  readonly defaultIntervalMs: number;
  private readonly converter: PrometheusConverter;
  private readonly clock: MonotonicClock;
  private readonly throttle: ProblemThrottle;
  /** http: targets: our client on one kept-alive socket; https: Node's, through a keep-alive agent. */
  private readonly client?: KeepAliveHttpClient;
  private readonly agent?: http.Agent;
  private inFlight = false;
  /** Series of this endpoint already parsed: the next scrapes reuse them (see ParseOptions.seriesCache). */
  private readonly seriesCache: SeriesTextCache = new Map();
  /** Bodies that repeat the last one's lines with other values are not parsed again (promRepeat.ts). */
  private readonly repeated = new RepeatedScrape(this.seriesCache);

  constructor(
    readonly component: string,
    readonly url: string,
    private readonly opts: ScrapeOptions = {},
  ) {
    this.id = `scrape:${component}`;
    this.defaultIntervalMs = opts.intervalMs ?? DEFAULT_INTERVAL_MS;
    // The parser's series cache (below) hands out the same labels objects every scrape, and
    // RepeatedScrape the same families while the body's shape repeats (converted by replay).
    this.converter = new PrometheusConverter(component, { labelsRepeat: true, resultsRepeat: true });
    this.clock = opts.clock ?? systemClock;
    this.throttle = new ProblemThrottle(opts.repeatProblemsMs);
    let client: KeepAliveHttpClient | undefined;
    try {
      if (url.startsWith('http:')) client = new KeepAliveHttpClient(url, { headers: { accept: ACCEPT }, onConnect: () => opts.portOwner?.connectionOpened() });
    } catch {
      /* not a URL it takes: httpGetBytes reports why at each scrape */
    }
    this.client = client;
    if (!client) {
      const Agent = url.startsWith('https:') ? https.Agent : http.Agent;
      this.agent = new Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 });
      opts.portOwner?.watch(this.agent);
    }
  }

  async collect(nowMs: number): Promise<CollectResult> {
    const problems: CollectorProblem[] = [];
    const samples: SeriesSample[] = [];
    const labels = { component: this.component };
    const report = (p: Omit<CollectorProblem, 'collector' | 'component'>, source = 'scrape') => {
      const q = this.throttle.pass(source, { collector: this.id, component: this.component, ...p }, this.clock.monoMs());
      if (q) problems.push(q);
    };
    if (this.inFlight) {
      report({ kind: 'busy', message: `${this.component}: the previous scrape of ${this.url} has not finished; skipped this one.` }, 'busy');
      return { samples, problems };
    }
    this.inFlight = true;
    const started = this.clock.monoMs();
    try {
      const timeoutMs = this.opts.timeoutMs ?? DEFAULT_SCRAPE_TIMEOUT_MS;
      const maxBytes = this.opts.maxBytes ?? DEFAULT_SCRAPE_MAX_BYTES;
      // The body of our client is a view of its reused buffer: parsed below, before the next scrape.
      const r = this.client
        ? await this.client.get(timeoutMs, maxBytes)
        : await httpGetBytes(this.url, { timeoutMs, maxBytes, headers: { accept: ACCEPT }, agent: this.agent });
      const mono = this.clock.monoMs();
      const up = (v: number) => samples.push({ series: this.keys.get('up', labels), t: nowMs, v });
      samples.push({ series: this.keys.get('scrape_duration_seconds', labels), t: nowMs, v: (mono - started) / 1000 });
      if (!r.ok) {
        up(0);
        report({ kind: r.kind, message: `${this.component}: ${r.message}.` });
        return { samples, problems };
      }
      const heldByOther = this.opts.portOwner && (await this.opts.portOwner.heldByOther());
      if (heldByOther) {
        up(0);
        report({ kind: 'port-taken', message: heldByOther }, 'owner');
        return { samples, problems };
      } else this.throttle.clear('owner');
      const sampleLimit = this.opts.sampleLimit ?? DEFAULT_SCRAPE_SAMPLE_LIMIT;
      // One more than the limit is parsed, to know that it was passed without parsing all the rest.
      const parsed = this.repeated.parse(r.body, sampleLimit + 1);
      if (parsed.sampleCount > sampleLimit) {
        up(0);
        report(
          {
            kind: 'too-many-samples',
            message: `${this.component}: ${this.url} holds more than ${sampleLimit} samples, so its scrapes are dropped. If these series are wanted, raise \`metrics.sampleLimit\` of ${this.component} in alluse-perf.yaml; if a label takes ever-new values (request ids, timestamps), remove it from the endpoint.`,
          },
          'limit',
        );
        return { samples, problems };
      } else this.throttle.clear('limit');
      if (parsed.errorCount > 0) {
        const first = parsed.errors[0];
        const garbage = parsed.sampleCount === 0;
        report(
          {
            kind: garbage ? 'bad-response' : 'parse-error',
            message: garbage
              ? `${this.component}: ${this.url} did not answer in the Prometheus text format (line ${first.line}: ${first.message}).`
              : `${this.component}: ${parsed.errorCount} line(s) of ${this.url} are not Prometheus text format and were skipped (line ${first.line}: ${first.message}).`,
          },
          'parse',
        );
        if (garbage) {
          up(0);
          return { samples, problems };
        }
      } else this.throttle.clear('parse');
      this.throttle.clear('scrape');
      up(1);
      samples.push({ series: this.keys.get('scrape_samples_scraped', labels), t: nowMs, v: parsed.sampleCount });
      for (const s of this.converter.convert(parsed.families, nowMs, mono)) samples.push(s);
    } catch (e) {
      problems.push({ collector: this.id, component: this.component, kind: 'internal', message: `${this.component}: scrape of ${this.url} failed: ${e instanceof Error ? e.message : String(e)}` });
    } finally {
      this.inFlight = false;
    }
    return { samples, problems };
  }

  dispose(): void {
    this.client?.close();
    this.agent?.destroy();
  }
}
