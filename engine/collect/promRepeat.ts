/**
 * Parses an endpoint's scrapes, reading only the values when a body repeats the last one's
 * shape. A metrics endpoint answers the same lines every second with other numbers; the
 * monitor scrapes four of them, and decoding each body into a string and parsing it again
 * allocated about 0.3 MB/s (the bodies, the value strings, a sample object per line), which
 * keeps V8's young generation at its largest size.
 *
 * So the bytes of the last body that parsed without an error (and without timestamps) are
 * kept with the place of each sample's value. A new body is compared with it piece by piece:
 * everything between two values (series, comments, HELP and TYPE lines, blanks) must be the
 * same bytes, and each value token must be a valid value; then the result is the last one's,
 * with the new values written into its sample objects. Anything else (a new series, a
 * changed HELP, a value that does not parse, a timestamp) is parsed in full by
 * `parsePrometheusText`, which then learns the new shape. The result is the same either way:
 * the text between the values decides everything but the values (test/unit/collectPrometheusParse.test.ts).
 *
 * The result returned is reused by the next call: read it before parsing again.
 */
import { parsePromValue, parsePrometheusText, type ParseResult, type PromSample, type SeriesTextCache } from './promParse';

const SPACE = 32;
const TAB = 9;
const LF = 10;
const CR = 13;

/** Powers of ten exact in a double. */
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * A value token `buf[a, b)` as parsePromValue reads it. Plain decimals of at most 15 digits
 * (what endpoints mostly write) are read from the bytes: the digits make an exact integer
 * and one division by an exact power of ten is correctly rounded, as Number() is (Clinger's
 * fast path). Anything else goes through parsePromValue.
 */
export function parseValueBytes(buf: Buffer, a: number, b: number): number | undefined {
  let i = a;
  let neg = false;
  const c0 = buf[i];
  if (c0 === 45 || c0 === 43) {
    neg = c0 === 45;
    i++;
  }
  let m = 0;
  let digits = 0;
  let frac = -1;
  for (; i < b; i++) {
    const c = buf[i];
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
      if (frac >= 0) frac++;
    } else if (c === 46 && frac < 0) frac = 0;
    else break;
  }
  if (i === b && digits > 0 && digits <= 15) {
    const v = frac > 0 ? m / POW10[frac] : m;
    return neg ? -v : v;
  }
  return parsePromValue(buf.toString('latin1', a, b));
}

export class RepeatedScrape {
  /**
   * A copy of the last body learned (`prev[0, prevLen)`; the caller's buffer may be reused),
   * and where its values are: `[vb[k], ve[k])` for the k-th sample line.
   */
  private prev: Buffer | undefined;
  private prevLen = 0;
  private vb = new Int32Array(256);
  private ve = new Int32Array(256);
  private nb = new Int32Array(256);
  private ne = new Int32Array(256);
  private values = new Float64Array(256);
  /** The samples of the last full parse, in line order, and its result. */
  private samples: PromSample[] = [];
  private result: ParseResult | undefined;
  /** Bodies answered without a full parse (for tests and diagnostics). */
  repeats = 0;

  constructor(private readonly seriesCache?: SeriesTextCache) {}

  /** `maxSamples`: the parser keeps no more (see ParseOptions.maxSamples). */
  parse(body: Buffer, maxSamples?: number): ParseResult {
    if (this.result && this.readValues(body)) {
      this.repeats++;
      return this.result;
    }
    const order: PromSample[] = [];
    const r = parsePrometheusText(body.toString('utf8'), { seriesCache: this.seriesCache, order, maxSamples });
    this.learn(body, r, order);
    return r;
  }

  /** Whether `body` has the last body's shape; if so its values are in the last result. */
  private readValues(body: Buffer): boolean {
    const prev = this.prev!;
    const prevLen = this.prevLen;
    const K = this.samples.length;
    const n = body.length;
    let p = 0;
    let q = 0;
    for (let k = 0; k < K; k++) {
      const seg = this.vb[k] - q;
      if (p + seg > n || body.compare(prev, q, this.vb[k], p, p + seg) !== 0) return false;
      p += seg;
      let e = p;
      while (e < n) {
        const c = body[e];
        if (c === SPACE || c === TAB || c === LF || c === CR) break;
        e++;
      }
      if (e === p) return false;
      const v = parseValueBytes(body, p, e);
      if (v === undefined) return false;
      this.values[k] = v;
      this.nb[k] = p;
      this.ne[k] = e;
      p = e;
      q = this.ve[k];
    }
    if (n - p !== prevLen - q || body.compare(prev, q, prevLen, p, n) !== 0) return false;
    for (let k = 0; k < K; k++) this.samples[k].value = this.values[k];
    [this.vb, this.nb] = [this.nb, this.vb];
    [this.ve, this.ne] = [this.ne, this.ve];
    this.keep(body);
    return true;
  }

  /** Copies `body` into the buffer kept for the next comparison. */
  private keep(body: Buffer): void {
    if (!this.prev || this.prev.length < body.length) this.prev = Buffer.allocUnsafe(Math.max(body.length, 2 * (this.prev?.length ?? 0)));
    body.copy(this.prev, 0, 0, body.length);
    this.prevLen = body.length;
  }

  /**
   * Remembers a body that parsed cleanly: the place of each sample line's value. A body with
   * errors, timestamps or dropped samples is not remembered (the next one is parsed in full).
   */
  private learn(body: Buffer, r: ParseResult, order: PromSample[]): void {
    this.result = undefined;
    if (r.errorCount > 0 || order.length !== r.sampleCount) return;
    const K = order.length;
    if (this.vb.length < K) {
      const size = Math.max(K, this.vb.length * 2);
      this.vb = new Int32Array(size);
      this.ve = new Int32Array(size);
      this.nb = new Int32Array(size);
      this.ne = new Int32Array(size);
      this.values = new Float64Array(size);
    }
    const n = body.length;
    let k = 0;
    let pos = 0;
    while (pos < n) {
      const ls = pos;
      let le = body.indexOf(LF, pos);
      if (le < 0) le = n;
      pos = le + 1;
      if (le > ls && body[le - 1] === CR) le--;
      let i = ls;
      while (i < le && (body[i] === SPACE || body[i] === TAB)) i++;
      if (i === le || body[i] === 35) continue; // blank, or a comment ('#')
      // The series ends at the last '}' when it has labels (a value never holds one), else at the first blank.
      while (i < le && body[i] !== SPACE && body[i] !== TAB && body[i] !== 123) i++;
      if (i < le && body[i] === 123) i = body.lastIndexOf(125, le - 1) + 1;
      while (i < le && (body[i] === SPACE || body[i] === TAB)) i++;
      const b = i;
      while (i < le && body[i] !== SPACE && body[i] !== TAB) i++;
      const e = i;
      while (i < le && (body[i] === SPACE || body[i] === TAB)) i++;
      if (i < le || e === b || k >= K) return; // a timestamp, or not the lines the parser saw
      this.vb[k] = b;
      this.ve[k] = e;
      k++;
    }
    if (k !== K) return;
    this.keep(body);
    this.samples = order;
    this.result = r;
  }
}
