/**
 * Series identity and samples: the common language of collectors, the store, alerts and
 * the dashboards. A series is a metric name plus labels, written as Prometheus does:
 * `name{label="value",...}` with labels sorted by name.
 */

export type Labels = Readonly<Record<string, string>>;

export interface SeriesKey {
  /** Metric name, Prometheus style: `[a-zA-Z_:][a-zA-Z0-9_:]*`, e.g. `process_cpu_ratio`. */
  name: string;
  labels: Labels;
}

/** One measurement: time in milliseconds since the Unix epoch, and a value. */
export interface Sample {
  t: number;
  v: number;
}

/** A sample of one series, as collectors emit them. */
export interface SeriesSample extends Sample {
  series: SeriesKey;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** The canonical id of a series: `name{a="1",b="2"}` (labels sorted), or `name` without labels. */
export function seriesId(key: SeriesKey): string {
  const names = Object.keys(key.labels).sort();
  if (names.length === 0) return key.name;
  return `${key.name}{${names.map((n) => `${n}="${escapeLabel(key.labels[n])}"`).join(',')}}`;
}

/** Parses a canonical series id back into its key; undefined when it is not one. */
export function parseSeriesId(id: string): SeriesKey | undefined {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?$/s.exec(id);
  if (!m) return undefined;
  const labels: Record<string, string> = {};
  const body = m[2] ?? '';
  const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/gy;
  let pos = 0;
  while (pos < body.length) {
    re.lastIndex = pos;
    const l = re.exec(body);
    if (!l) return undefined;
    labels[l[1]] = l[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    pos = re.lastIndex;
  }
  return { name: m[1], labels };
}

/** Whether a series has every label of `matcher` with the same value. */
export function matchesLabels(key: SeriesKey, matcher: Labels): boolean {
  for (const [k, v] of Object.entries(matcher)) if (key.labels[k] !== v) return false;
  return true;
}

/**
 * Hands out the same SeriesKey object for the same series on every call. Collectors use it
 * so that the store and the alert evaluator, which cache per key object, do not rebuild a
 * series id for every sample of the 100 ms path.
 */
export class SeriesKeyCache {
  private readonly keys = new Map<string, SeriesKey>();

  get(name: string, labels: Labels = {}): SeriesKey {
    let id = name;
    for (const k in labels) id += `\u0000${k}\u0000${labels[k]}`;
    let key = this.keys.get(id);
    if (!key) {
      // A runaway label set (a new device name every call) must not grow this forever.
      if (this.keys.size > 50_000) this.keys.clear();
      this.keys.set(id, (key = { name, labels }));
    }
    return key;
  }
}

const ids = new WeakMap<SeriesKey, string>();

/** `seriesId`, remembered per key object. */
export function cachedSeriesId(key: SeriesKey): string {
  let id = ids.get(key);
  if (id === undefined) ids.set(key, (id = seriesId(key)));
  return id;
}
