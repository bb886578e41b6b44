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
