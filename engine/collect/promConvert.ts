/**
 * Turns scraped metric families into series samples, keeping state between scrapes:
 *
 * - gauges and untyped samples stay as they are;
 * - counters become `<name>_rate` (per second, over the monotonic time between scrapes,
 *   counter resets handled);
 * - histograms become `<name>_p50`, `_p90`, `_p95`, `_p99` from the bucket increases since the
 *   previous scrape (histogram_quantile interpolation; nothing when nothing was observed) and
 *   `<name>_rate` from `<name>_count`;
 * - summaries keep their quantiles (`<name>{quantile="0.5"}`) and get `<name>_rate` from `_count`.
 *
 * Every series gets the label `component`; a scraped label of that name with another value is
 * kept as `exported_component`, as Prometheus does. Samples are stamped with the scrape time.
 */
import type { SeriesKey, SeriesSample } from '../metrics/series';
import { bucketDeltas, HISTOGRAM_QUANTILES, histogramQuantile, type Bucket } from './histogram';
import { parsePromValue, type MetricFamily } from './promParse';
import { RateTracker } from './rates';

function withComponent(labels: Record<string, string>, component: string | undefined, drop?: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in labels) {
    if (k === drop) continue;
    if (k === 'component' && component !== undefined && labels[k] !== component) out.exported_component = labels[k];
    else out[k] = labels[k];
  }
  if (component !== undefined) out.component = component;
  return out;
}

/** A cheap identity of a series: the labels in the endpoint's own order, which is stable between scrapes. */
function cheapId(name: string, labels: Record<string, string>, skip?: string): string {
  let id = name;
  for (const k in labels) if (k !== skip) id += `\u0000${k}\u0000${labels[k]}`;
  return id;
}

export class PrometheusConverter {
  private readonly rates = new RateTracker();
  private readonly buckets = new Map<string, Bucket[]>();
  private readonly rateKeys = new Map<string, SeriesKey>();
  /**
   * The same SeriesKey object for the same series in every scrape: the store and the alert
   * evaluator cache per key object, so they do not rebuild ids for each sample.
   */
  private keys = new Map<string, SeriesKey>();

  /** `component` becomes the `component` label of every series (none when undefined). */
  constructor(private readonly component?: string) {}

  convert(families: readonly MetricFamily[], nowMs: number, monoMs: number): SeriesSample[] {
    const out: SeriesSample[] = [];
    const seenRates = new Set<string>();
    const seenBuckets = new Set<string>();
    const c = this.component;
    const prevKeys = this.keys;
    const keys = new Map<string, SeriesKey>();
    const key = (id: string, name: string, make: () => Record<string, string>): SeriesKey => {
      let k = keys.get(id);
      if (!k) keys.set(id, (k = prevKeys.get(id) ?? { name, labels: make() }));
      return k;
    };
    const rate = (name: string, labels: Record<string, string>, value: number) => {
      const id = cheapId(name, labels);
      seenRates.add(id);
      let series = this.rateKeys.get(id);
      if (!series) this.rateKeys.set(id, (series = { name: `${name}_rate`, labels: withComponent(labels, c) }));
      const r = this.rates.update(id, value, monoMs);
      if (r !== undefined) out.push({ series, t: nowMs, v: r });
    };
    for (const f of families) {
      switch (f.type) {
        case 'gauge':
        case 'untyped':
          for (const s of f.samples) out.push({ series: key(cheapId(s.name, s.labels), s.name, () => withComponent(s.labels, c)), t: nowMs, v: s.value });
          break;
        case 'counter':
          for (const s of f.samples) if (!s.name.endsWith('_created')) rate(s.name, s.labels, s.value);
          break;
        case 'summary':
          for (const s of f.samples) {
            if (s.name === f.name && s.labels.quantile !== undefined) out.push({ series: key(cheapId(s.name, s.labels), s.name, () => withComponent(s.labels, c)), t: nowMs, v: s.value });
            else if (s.name === `${f.name}_count`) rate(f.name, s.labels, s.value);
          }
          break;
        case 'histogram': {
          const groups = new Map<string, { labels: Record<string, string>; buckets: Bucket[] }>();
          for (const s of f.samples) {
            if (s.name === `${f.name}_count`) rate(f.name, s.labels, s.value);
            else if (s.name === `${f.name}_bucket` && s.labels.le !== undefined) {
              const le = parsePromValue(s.labels.le);
              if (le === undefined) continue;
              const gid = cheapId(f.name, s.labels, 'le');
              let g = groups.get(gid);
              if (!g) groups.set(gid, (g = { labels: withComponent(s.labels, c, 'le'), buckets: [] }));
              g.buckets.push({ le, count: s.value });
            }
          }
          for (const [gid, g] of groups) {
            // Keys are taken even when nothing was observed, so they stay the same objects.
            const qkeys = HISTOGRAM_QUANTILES.map(([suffix]) => key(gid + suffix, f.name + suffix, () => g.labels));
            g.buckets.sort((a, b) => a.le - b.le);
            seenBuckets.add(gid);
            const prev = this.buckets.get(gid);
            this.buckets.set(gid, g.buckets);
            if (!prev) continue;
            const d = bucketDeltas(prev, g.buckets);
            if (!d || !(d[d.length - 1]?.count > 0)) continue;
            HISTOGRAM_QUANTILES.forEach(([, q], i) => {
              const v = histogramQuantile(q, d);
              if (!Number.isNaN(v)) out.push({ series: qkeys[i], t: nowMs, v });
            });
          }
          break;
        }
      }
    }
    // Series that disappeared from the endpoint are forgotten, so state stays bounded.
    this.keys = keys;
    this.rates.retain((k) => seenRates.has(k));
    for (const k of this.rateKeys.keys()) if (!seenRates.has(k)) this.rateKeys.delete(k);
    for (const k of this.buckets.keys()) if (!seenBuckets.has(k)) this.buckets.delete(k);
    return out;
  }

  /** Forgets all previous values (after a restart of the component the next scrape gives no rates). */
  reset(): void {
    this.rates.clear();
    this.buckets.clear();
    this.rateKeys.clear();
    this.keys.clear();
  }

  /** Number of series with state (for tests and diagnostics). */
  get stateSize(): number {
    return this.rates.size + this.buckets.size;
  }
}
