/**
 * A minimal, fast parser of the Prometheus text exposition format 0.0.4.
 *
 * It never throws: lines it cannot read are reported in `errors` (with their line number)
 * and skipped, and everything else is kept. Samples are grouped into families by their
 * `# TYPE` line: `x_bucket`, `x_sum` and `x_count` belong to the histogram `x`; `x_sum`,
 * `x_count` and `x{quantile=…}` to the summary `x`. Samples without a TYPE are `untyped`.
 *
 * Written for the 100 ms path: one pass over the text with indexOf/charCodeAt, no regular
 * expressions per line (see bench/prometheusParse.bench.ts).
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface PromSample {
  /** The sample's own name, e.g. `http_request_duration_seconds_bucket`. */
  name: string;
  labels: Record<string, string>;
  value: number;
  /** Milliseconds since the epoch, when the line has a timestamp. */
  timestampMs?: number;
}

export interface MetricFamily {
  name: string;
  type: MetricType;
  help?: string;
  samples: PromSample[];
}

export interface ParseError {
  /** 1-based line number. */
  line: number;
  message: string;
}

export interface ParseResult {
  families: MetricFamily[];
  /** The first `maxErrors` errors. */
  errors: ParseError[];
  /** How many lines had errors in all (may exceed errors.length). */
  errorCount: number;
  sampleCount: number;
}

export interface ParseOptions {
  /** Errors kept in `errors` (all are counted). Default 20. */
  maxErrors?: number;
  /** Samples kept; parsing stops at the next one, with one error. Default 1,000,000. */
  maxSamples?: number;
  /**
   * Series already parsed in earlier scrapes of the same endpoint, by their text (the line
   * up to its value): a hit reuses the name and labels objects instead of parsing them
   * again, so repeated scrapes build almost nothing. Filled by the parser; bounded.
   */
  seriesCache?: SeriesTextCache;
  /** Filled with every sample kept, in the order of their lines (for RepeatedScrape). */
  order?: PromSample[];
}

/** See ParseOptions.seriesCache. */
export type SeriesTextCache = Map<string, { name: string; labels: Record<string, string> }>;
/** A cache that grows past this (labels with ever-new values) is emptied. */
const SERIES_CACHE_LIMIT = 20_000;

/**
 * A copy of `s` that shares no memory with the text it was cut from. V8 makes a slice of 13
 * characters or more a view of its parent string, which it keeps alive: a name or label value
 * kept in the cache (and from there in the series' keys, for as long as the series exists) kept
 * the whole scrape body it came from, 25 kB at the demo, one body for each scrape that brought a
 * new series (17 bodies in the monitor's heap after 5 minutes; docs/performance.md, "Monitoring").
 * Only strings that are kept are copied: those entering the cache (a series' first sample), and
 * the families' names and help of a parse in full (a body whose shape changed), not every scrape.
 */
function ownString(s: string): string {
  return s.length < 13 ? s : (JSON.parse(JSON.stringify(s)) as string);
}

/** The series' name and label values as copies of their own (see ownString). */
function ownStrings(r: { name: string; labels: Record<string, string> }): void {
  r.name = ownString(r.name);
  for (const k of Object.keys(r.labels)) r.labels[k] = ownString(r.labels[k]);
}

const SUFFIXES = new Set(['_bucket', '_count', '_sum', '_created']);
const TYPES = new Set<string>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58; // a-z A-Z _ :
}
function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57);
}
function isLabelStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
function isLabelChar(c: number): boolean {
  return isLabelStart(c) || (c >= 48 && c <= 57);
}

/** Whether `s` is a valid metric name. */
export function isMetricName(s: string): boolean {
  if (s.length === 0 || !isNameStart(s.charCodeAt(0))) return false;
  for (let i = 1; i < s.length; i++) if (!isNameChar(s.charCodeAt(i))) return false;
  return true;
}

/** Whether `s` is a valid label name. */
export function isLabelName(s: string): boolean {
  if (s.length === 0 || !isLabelStart(s.charCodeAt(0))) return false;
  for (let i = 1; i < s.length; i++) if (!isLabelChar(s.charCodeAt(i))) return false;
  return true;
}

/**
 * Parses a sample value as Prometheus does (Go ParseFloat): decimal numbers, and NaN, Inf and
 * Infinity in any letter case, the infinities with an optional sign (prom-client writes `Nan`).
 */
export function parsePromValue(s: string): number | undefined {
  if (s.length === 0) return undefined;
  const c = s.charCodeAt(0);
  if (!((c >= 48 && c <= 57) || c === 46)) {
    if (s.length <= 9) {
      const l = s.toLowerCase();
      if (l === 'nan') return NaN;
      const body = l[0] === '+' || l[0] === '-' ? l.slice(1) : l;
      if (body === 'inf' || body === 'infinity') return l[0] === '-' ? -Infinity : Infinity;
    }
    if (c !== 43 && c !== 45) return undefined;
  }
  // Number() also accepts ' ', '0x1F' and '0b1': only allow what Go accepts for decimals.
  for (let i = 0; i < s.length; i++) {
    const d = s.charCodeAt(i);
    if (!((d >= 48 && d <= 57) || d === 46 || d === 43 || d === 45 || d === 101 || d === 69)) return undefined;
  }
  const v = Number(s);
  return Number.isNaN(v) ? undefined : v;
}

function unescapeHelp(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
}

function familyBase(name: string, declared: Map<string, MetricFamily>): MetricFamily | undefined {
  const exact = declared.get(name);
  if (exact) return exact;
  for (const suffix of ['_bucket', '_count', '_sum', '_created']) {
    if (name.endsWith(suffix)) {
      const f = declared.get(name.slice(0, -suffix.length));
      if (f && (f.type === 'histogram' || f.type === 'summary' || (f.type === 'counter' && suffix === '_created'))) {
        if (suffix === '_bucket' && f.type !== 'histogram') return undefined;
        return f;
      }
    }
  }
  return undefined;
}

interface ParsedSeries {
  name: string;
  labels: Record<string, string>;
  /** Index in the line just after the series (at the blank before the value). */
  end: number;
}

/** The name and labels of a sample line from index `i`; a message when they are malformed. */
function parseSeries(line: string, i: number): ParsedSeries | string {
  const start = i;
  if (!isNameStart(line.charCodeAt(i))) return `expected a metric name, got "${line.slice(i, i + 40)}"`;
  i++;
  while (i < line.length && isNameChar(line.charCodeAt(i))) i++;
  const name = line.slice(start, i);
  const labels: Record<string, string> = {};
  if (line.charCodeAt(i) === 123) {
    // '{'
    i++;
    for (;;) {
      while (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9) i++;
      if (line.charCodeAt(i) === 125) {
        i++;
        break;
      }
      const ls = i;
      if (!isLabelStart(line.charCodeAt(i))) return `invalid label name at column ${i + 1}`;
      while (i < line.length && isLabelChar(line.charCodeAt(i))) i++;
      const lname = line.slice(ls, i);
      while (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9) i++;
      if (line.charCodeAt(i) !== 61 || line.charCodeAt(i + 1) !== 34) return `expected ="…" after label ${lname}`;
      i += 2;
      let value = '';
      let chunk = i;
      let closed = false;
      while (i < line.length) {
        const c = line.charCodeAt(i);
        if (c === 34) {
          value += line.slice(chunk, i);
          i++;
          closed = true;
          break;
        }
        if (c === 92) {
          value += line.slice(chunk, i);
          const e = line[i + 1];
          value += e === 'n' ? '\n' : e === '"' ? '"' : e === '\\' ? '\\' : e === undefined ? '' : '\\' + e;
          i += 2;
          chunk = i;
          continue;
        }
        i++;
      }
      if (!closed) return `unterminated value of label ${lname}`;
      if (Object.prototype.hasOwnProperty.call(labels, lname)) return `duplicate label ${lname}`;
      if (lname === '__proto__') Object.defineProperty(labels, lname, { value, enumerable: true, writable: true, configurable: true });
      else labels[lname] = value;
      while (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9) i++;
      if (line.charCodeAt(i) === 44) {
        i++;
        continue;
      }
      if (line.charCodeAt(i) === 125) {
        i++;
        break;
      }
      return `expected , or } after label ${lname}`;
    }
  }
  return { name, labels, end: i };
}

export function parsePrometheusText(text: string, options: ParseOptions = {}): ParseResult {
  const maxErrors = options.maxErrors ?? 20;
  const maxSamples = options.maxSamples ?? 1_000_000;
  const families: MetricFamily[] = [];
  const byName = new Map<string, MetricFamily>();
  const errors: ParseError[] = [];
  let errorCount = 0;
  let sampleCount = 0;
  const fail = (line: number, message: string) => {
    errorCount++;
    if (errors.length < maxErrors) errors.push({ line, message });
  };
  const family = (name: string): MetricFamily => {
    let f = byName.get(name);
    if (!f) {
      // A copy (ownString): a repeated scrape keeps this parse's families for as long as its
      // bodies keep their shape (promRepeat.ts), and what converts them keeps their names longer.
      f = { name: ownString(name), type: 'untyped', samples: [] };
      byName.set(name, f);
      families.push(f);
    }
    return f;
  };

  const n = typeof text === 'string' ? text.length : 0;
  let pos = 0;
  let lineNo = 0;
  let last: MetricFamily | undefined;
  while (pos < n) {
    // The line is text[ls, le): no substring is made for it (the 1 s path: only the
    // series text, looked up in the cache, and the value are).
    const ls = pos;
    let le = text.indexOf('\n', pos);
    if (le < 0) le = n;
    lineNo++;
    pos = le + 1;
    if (le > ls && text.charCodeAt(le - 1) === 13) le--; // \r\n
    // Leading blanks are allowed before samples and comments.
    let i = ls;
    while (i < le && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
    if (i === le) continue;
    if (text.charCodeAt(i) === 35) {
      // '#': HELP / TYPE or a comment.
      let k = i + 1;
      while (k < le && (text.charCodeAt(k) === 32 || text.charCodeAt(k) === 9)) k++;
      const kc = text.charCodeAt(k);
      if (k === i + 1 || (kc !== 72 && kc !== 84)) continue; // neither "# HELP" nor "# TYPE": an ordinary comment
      const m = /^#[ \t]+(HELP|TYPE)[ \t]+([^ \t]+)(?:[ \t]+(.*))?$/.exec(text.slice(i, le));
      if (!m) continue; // an ordinary comment
      const [, kw, name, rest = ''] = m;
      if (!isMetricName(name)) {
        fail(lineNo, `invalid metric name "${name.slice(0, 80)}" in ${kw}`);
        continue;
      }
      if (kw === 'HELP') {
        const f = family(name);
        f.help = ownString(unescapeHelp(rest));
      } else {
        const t = rest.trim();
        if (!TYPES.has(t)) {
          fail(lineNo, `unknown metric type "${t.slice(0, 40)}" for ${name}`);
          continue;
        }
        const f = family(name);
        if (f.samples.length > 0 && f.type !== t) {
          fail(lineNo, `TYPE of ${name} comes after its samples`);
          continue;
        }
        f.type = t as MetricType;
      }
      continue;
    }
    // A sample: name [{labels}] value [timestamp]
    const cache = options.seriesCache;
    let name: string | undefined;
    let labels: Record<string, string> | undefined;
    let seriesText: string | undefined;
    if (cache) {
      // The series text ends at the last '}' when there are labels (values and timestamps
      // never hold one), else at the first blank.
      let e = i;
      while (e < le && isNameChar(text.charCodeAt(e))) e++;
      if (e < le && text.charCodeAt(e) === 123) {
        const close = text.lastIndexOf('}', le - 1);
        e = close >= e ? close + 1 : i;
      }
      if (e > i) {
        seriesText = text.slice(i, e);
        const hit = cache.get(seriesText);
        if (hit) {
          name = hit.name;
          labels = hit.labels;
          i = e;
        }
      }
    }
    if (name === undefined || labels === undefined) {
      const r = parseSeries(text.slice(ls, le), i - ls);
      if (typeof r === 'string') {
        fail(lineNo, r);
        continue;
      }
      if (cache && seriesText !== undefined && seriesText.length === r.end - (i - ls)) {
        if (cache.size >= SERIES_CACHE_LIMIT) cache.clear();
        ownStrings(r);
        cache.set(ownString(seriesText), { name: r.name, labels: r.labels });
      }
      name = r.name;
      labels = r.labels;
      i = ls + r.end;
    }
    // value and optional timestamp, separated by blanks
    if (i < le && text.charCodeAt(i) !== 32 && text.charCodeAt(i) !== 9) {
      fail(lineNo, `expected a blank after ${name}`);
      continue;
    }
    let fields = 0;
    let vb = 0;
    let ve = 0;
    let tb = 0;
    let te = 0;
    for (let j = i; j < le; ) {
      while (j < le && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) j++;
      const b = j;
      while (j < le && text.charCodeAt(j) !== 32 && text.charCodeAt(j) !== 9) j++;
      if (j > b) {
        fields++;
        if (fields === 1) { vb = b; ve = j; } else if (fields === 2) { tb = b; te = j; }
      }
    }
    if (fields < 1 || fields > 2) {
      fail(lineNo, fields ? `too many fields after ${name}` : `missing value for ${name}`);
      continue;
    }
    const valueText = text.slice(vb, ve);
    const value = parsePromValue(valueText);
    if (value === undefined) {
      fail(lineNo, `invalid value "${valueText.slice(0, 40)}" for ${name}`);
      continue;
    }
    let timestampMs: number | undefined;
    if (fields === 2) {
      const ts = text.slice(tb, te);
      if (!/^-?\d{1,16}$/.test(ts)) {
        fail(lineNo, `invalid timestamp "${ts.slice(0, 40)}" for ${name}`);
        continue;
      }
      timestampMs = Number(ts);
    }
    if (sampleCount >= maxSamples) {
      // The rest is not read: a body over the limit is dropped or cut here, and parsing
      // megabytes of lines that are not kept would cost as much as keeping them.
      fail(lineNo, `more than ${maxSamples} samples; the rest were dropped`);
      sampleCount++;
      break;
    }
    sampleCount++;
    // Consecutive samples of one family are the common case.
    let f =
      last && (last.name === name || (last.type !== 'untyped' && name.startsWith(last.name) && SUFFIXES.has(name.slice(last.name.length)) && familyBase(name, byName) === last))
        ? last
        : familyBase(name, byName);
    if (!f) f = family(name);
    last = f;
    const s: PromSample = { name, labels, value };
    if (timestampMs !== undefined) s.timestampMs = timestampMs;
    f.samples.push(s);
    options.order?.push(s);
  }
  return { families, errors, errorCount, sampleCount: Math.min(sampleCount, maxSamples) };
}

function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

export function formatPromValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** Writes families in the text format (the inverse of parsePrometheusText for valid input). */
export function formatPrometheusText(families: readonly MetricFamily[]): string {
  let out = '';
  for (const f of families) {
    if (f.help !== undefined) out += `# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n`;
    out += `# TYPE ${f.name} ${f.type}\n`;
    for (const s of f.samples) {
      const names = Object.keys(s.labels);
      const labels = names.length ? `{${names.map((k) => `${k}="${escapeLabelValue(s.labels[k])}"`).join(',')}}` : '';
      out += `${s.name}${labels} ${formatPromValue(s.value)}${s.timestampMs !== undefined ? ' ' + s.timestampMs : ''}\n`;
    }
  }
  return out;
}
