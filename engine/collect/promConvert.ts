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
import { HISTOGRAM_QUANTILES, HistogramGroup } from './histogram';
import { parsePromValue, type MetricFamily, type PromSample } from './promParse';
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

/** The cheap ids made from one labels object (under up to a few names: the sample's, its family's, a histogram group's). */
interface IdMemo {
  names: string[];
  /** Whether the id leaves out the `le` label (a histogram group's). */
  skipLe: boolean[];
  ids: string[];
  /** The `le` label parsed (a histogram bucket's labels: NaN is a bound, undefined is no number), once. */
  le?: number;
  leParsed?: boolean;
}

/** A histogram family's `_count` and `_bucket` sample names, made once per family name. */
interface HistogramNames {
  count: string;
  bucket: string;
}

/** What a step of a recorded conversion does with its sample (see `Plan`). */
const GAUGE = 0;
const RATE = 1;
const BUCKET = 2;
/** A histogram family's end: its touched groups give their quantiles. */
const HISTOGRAM_END = 3;

/**
 * The last full conversion as steps, one per sample it used (in order), with what the maps
 * resolved for it: the key, the rate's id, the histogram group and the bucket's bound. While
 * the scrapes repeat that body's shape (the same families array, its values rewritten in
 * place: promRepeat.ts), a conversion replays the steps instead of looking each sample up again.
 */
interface Plan {
  families: readonly MetricFamily[];
  kind: number[];
  sample: (PromSample | undefined)[];
  key: (SeriesKey | undefined)[];
  id: (string | undefined)[];
  group: (HistogramGroup<SeriesKey> | undefined)[];
  le: number[];
}

/** A key and the scrape that last used it (entries a scrape did not use are forgotten after it). */
interface Used<T> {
  value: T;
  gen: number;
}

export class PrometheusConverter {
  private readonly rates = new RateTracker();
  /** Histogram label sets by id (their bucket counts of the last scrape, their quantile keys). */
  private readonly histograms = new Map<string, HistogramGroup<SeriesKey>>();
  /** The histogram groups filled by the family being converted (reused). */
  private readonly touched: HistogramGroup<SeriesKey>[] = [];
  private readonly rateKeys = new Map<string, Used<SeriesKey>>();
  /**
   * The same SeriesKey object for the same series in every scrape: the store and the alert
   * evaluator cache per key object, so they do not rebuild ids for each sample. Only while the
   * series is in every scrape: a label set a scrape did not have is forgotten, and comes back
   * with a new object (prom-client's nodejs_active_handles{type} does so all the time), so
   * per-series state must also be found by id (test/unit/seriesComeback.test.ts).
   */
  private readonly keys = new Map<string, Used<SeriesKey>>();
  /**
   * Cheap ids by labels object: the parser hands out the same labels object for the same
   * series text in every scrape (its series cache), so ids are built once, not per scrape.
   */
  private readonly ids = new WeakMap<Record<string, string>, IdMemo>();
  /** Scrapes converted so far: marks what the current one used. */
  private gen = 0;
  private readonly histogramNames = new Map<string, HistogramNames>();
  /** The scrape being converted: its samples, time and monotonic time (for `rate`). */
  private out: SeriesSample[] = [];
  private nowMs = 0;
  private monoMs = 0;
  private readonly keepRate = (k: string) => this.rateKeys.has(k);
  /** The last full conversion's steps (`resultsRepeat` only), and the one being recorded. */
  private plan: Plan | undefined;
  private recording: Plan | undefined;
  /** Conversions answered by replaying the last full one's steps (for tests and diagnostics). */
  replays = 0;
  /** Forgets an entry the scrape being converted did not use (made once: no closure per scrape). */
  private readonly dropUnused = (v: { gen: number }, id: string, m: Map<string, unknown>) => {
    if (v.gen !== this.gen) m.delete(id);
  };

  /**
   * `component` becomes the `component` label of every series (none when undefined).
   * `labelsRepeat`: the families come from a parser with a series cache (the scrape
   * collector's), which hands out the same labels object for a series in every scrape, so
   * ids are remembered per labels object; without it each labels object is new and
   * remembering would only cost.
   * `resultsRepeat`: the families come from a parser that hands back the same families array
   * while the body's shape repeats, with only the samples' values rewritten (RepeatedScrape):
   * then the same array is converted by replaying the last full conversion's steps (`Plan`),
   * with the same result. Any other array is converted in full and its steps recorded.
   */
  constructor(
    private readonly component?: string,
    private readonly opts: { labelsRepeat?: boolean; resultsRepeat?: boolean } = {},
  ) {}

  /** Records a step of the full conversion under way (when recording). */
  private step(kind: number, sample: PromSample | undefined, key: SeriesKey | undefined, id: string | undefined, group: HistogramGroup<SeriesKey> | undefined, le: number): void {
    const p = this.recording;
    if (!p) return;
    p.kind.push(kind);
    p.sample.push(sample);
    p.key.push(key);
    p.id.push(id);
    p.group.push(group);
    p.le.push(le);
  }

  /** `cheapId(name, labels, skip)`, remembered per labels object when labels objects repeat. */
  private idOf(name: string, labels: Record<string, string>, skip?: 'le'): string {
    if (!this.opts.labelsRepeat) return cheapId(name, labels, skip);
    const m = this.memo(labels);
    const skipLe = skip !== undefined;
    for (let i = 0; i < m.names.length; i++) if (m.names[i] === name && m.skipLe[i] === skipLe) return m.ids[i];
    const id = cheapId(name, labels, skip);
    if (m.names.length < 4) {
      m.names.push(name);
      m.skipLe.push(skipLe);
      m.ids.push(id);
    }
    return id;
  }

  private memo(labels: Record<string, string>): IdMemo {
    let m = this.ids.get(labels);
    if (!m) this.ids.set(labels, (m = { names: [], skipLe: [], ids: [] }));
    return m;
  }

  /** A bucket's `le` as a number (undefined when it is not one), parsed once per labels object when they repeat. */
  private leOf(labels: Record<string, string>): number | undefined {
    if (!this.opts.labelsRepeat) return parsePromValue(labels.le);
    const m = this.memo(labels);
    if (!m.leParsed) {
      m.le = parsePromValue(labels.le);
      m.leParsed = true;
    }
    return m.le;
  }

  private key(id: string, name: string, labels: Record<string, string>, drop?: string): SeriesKey {
    let k = this.keys.get(id);
    if (!k) this.keys.set(id, (k = { value: { name, labels: withComponent(labels, this.component, drop) }, gen: this.gen }));
    else k.gen = this.gen;
    return k.value;
  }

  /** The rate of counter `name` (a `_rate` sample) into the scrape's samples. */
  private rate(name: string, s: PromSample): void {
    const id = this.idOf(name, s.labels);
    let series = this.rateKeys.get(id);
    if (!series) this.rateKeys.set(id, (series = { value: { name: `${name}_rate`, labels: withComponent(s.labels, this.component) }, gen: this.gen }));
    else series.gen = this.gen;
    this.step(RATE, s, series.value, id, undefined, 0);
    const r = this.rates.update(id, s.value, this.monoMs);
    if (r !== undefined) this.out.push({ series: series.value, t: this.nowMs, v: r });
  }

  convert(families: readonly MetricFamily[], nowMs: number, monoMs: number): SeriesSample[] {
    if (this.plan?.families === families) return this.replay(this.plan, nowMs, monoMs);
    this.plan = undefined;
    this.recording = this.opts.resultsRepeat ? { families, kind: [], sample: [], key: [], id: [], group: [], le: [] } : undefined;
    const out: SeriesSample[] = [];
    const gen = ++this.gen;
    const c = this.component;
    this.out = out;
    this.nowMs = nowMs;
    this.monoMs = monoMs;
    for (const f of families) {
      switch (f.type) {
        case 'gauge':
        case 'untyped':
          for (const s of f.samples) this.gauge(s, nowMs);
          break;
        case 'counter':
          for (const s of f.samples) if (!s.name.endsWith('_created')) this.rate(s.name, s);
          break;
        case 'summary':
          for (const s of f.samples) {
            if (s.name === f.name && s.labels.quantile !== undefined) this.gauge(s, nowMs);
            else if (s.name.length === f.name.length + 6 && s.name.startsWith(f.name) && s.name.endsWith('_count')) this.rate(f.name, s);
          }
          break;
        case 'histogram': {
          let names = this.histogramNames.get(f.name);
          if (!names) {
            if (this.histogramNames.size > 10_000) this.histogramNames.clear(); // a runaway endpoint
            this.histogramNames.set(f.name, (names = { count: `${f.name}_count`, bucket: `${f.name}_bucket` }));
          }
          const countName = names.count;
          const bucketName = names.bucket;
          const touched = this.touched;
          touched.length = 0;
          for (const s of f.samples) {
            if (s.name === countName) this.rate(f.name, s);
            else if (s.name === bucketName && s.labels.le !== undefined) {
              const le = this.leOf(s.labels);
              if (le === undefined) continue;
              const gid = this.idOf(f.name, s.labels, 'le');
              let g = this.histograms.get(gid);
              // Keys are made once per label set, so they stay the same objects.
              if (!g) this.histograms.set(gid, (g = new HistogramGroup(HISTOGRAM_QUANTILES.map(([suffix]) => ({ name: f.name + suffix, labels: withComponent(s.labels, c, 'le') })))));
              if (g.gen !== gen) {
                g.gen = gen;
                g.n = 0;
                touched.push(g);
              }
              this.step(BUCKET, s, undefined, undefined, g, le);
              g.add(le, s.value);
            }
          }
          this.step(HISTOGRAM_END, undefined, undefined, undefined, undefined, 0);
          this.quantiles(touched, out, nowMs);
          break;
        }
      }
    }
    // Series that disappeared from the endpoint are forgotten, so state stays bounded.
    this.keys.forEach(this.dropUnused);
    this.rateKeys.forEach(this.dropUnused);
    this.histograms.forEach(this.dropUnused);
    this.rates.retain(this.keepRate);
    this.out = [];
    this.plan = this.recording;
    this.recording = undefined;
    return out;
  }

  /** A gauge's (or a summary quantile's) sample into the scrape's samples. */
  private gauge(s: PromSample, nowMs: number): void {
    const key = this.key(this.idOf(s.name, s.labels), s.name, s.labels);
    this.step(GAUGE, s, key, undefined, undefined, 0);
    this.out.push({ series: key, t: nowMs, v: s.value });
  }

  /** The quantiles of a histogram family's groups filled by this scrape. */
  private quantiles(touched: readonly HistogramGroup<SeriesKey>[], out: SeriesSample[], nowMs: number): void {
    for (const g of touched) {
      const had = g.finish();
      if (!had) continue;
      for (let i = 0; i < HISTOGRAM_QUANTILES.length; i++) {
        const v = g.quantile(HISTOGRAM_QUANTILES[i][1]);
        if (!Number.isNaN(v)) out.push({ series: g.keys[i], t: nowMs, v });
      }
    }
  }

  /**
   * `convert` of the families the plan was recorded from, their values rewritten: the same
   * steps with the same keys, rates and groups, so the same samples. Nothing is forgotten: the
   * maps hold exactly what the recorded conversion used, and this one uses all of it again
   * (a rate's state that a non-finite value removed is made again by `rates.update`, as before).
   */
  private replay(p: Plan, nowMs: number, monoMs: number): SeriesSample[] {
    this.replays++;
    const out: SeriesSample[] = [];
    const gen = ++this.gen;
    const touched = this.touched;
    touched.length = 0;
    const n = p.kind.length;
    for (let i = 0; i < n; i++) {
      switch (p.kind[i]) {
        case GAUGE:
          out.push({ series: p.key[i]!, t: nowMs, v: p.sample[i]!.value });
          break;
        case RATE: {
          const r = this.rates.update(p.id[i]!, p.sample[i]!.value, monoMs);
          if (r !== undefined) out.push({ series: p.key[i]!, t: nowMs, v: r });
          break;
        }
        case BUCKET: {
          const g = p.group[i]!;
          if (g.gen !== gen) {
            g.gen = gen;
            g.n = 0;
            touched.push(g);
          }
          g.add(p.le[i], p.sample[i]!.value);
          break;
        }
        default:
          this.quantiles(touched, out, nowMs);
          touched.length = 0;
      }
    }
    return out;
  }

  /** Forgets all previous values (after a restart of the component the next scrape gives no rates). */
  reset(): void {
    this.plan = undefined;
    this.rates.clear();
    this.histograms.clear();
    this.rateKeys.clear();
    this.keys.clear();
  }

  /** Number of series with state (for tests and diagnostics). */
  get stateSize(): number {
    return this.rates.size + this.histograms.size;
  }
}
