import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';
import { getHeapSnapshot } from 'node:v8';
import fc from 'fast-check';
import { formatPrometheusText, parsePrometheusText, parsePromValue, type MetricFamily } from '../../engine/collect/index';
import type { SeriesTextCache } from '../../engine/collect/promParse';
import { parseValueBytes, RepeatedScrape } from '../../engine/collect/promRepeat';

const SAMPLE = `# HELP http_requests_total The total number of HTTP requests.
# TYPE http_requests_total counter
http_requests_total{method="post",code="200"} 1027 1395066363000
http_requests_total{method="post",code="400"}    3 1395066363000

# Escaping in label values:
msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9

# Minimalistic line:
metric_without_timestamp_and_labels 12.47

# A weird metric from before the epoch:
something_weird{problem="division by zero"} +Inf -3982045

# A histogram, which has a pretty complex representation in the text format:
# HELP http_request_duration_seconds A histogram of the request duration.
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.05"} 24054
http_request_duration_seconds_bucket{le="0.1"} 33444
http_request_duration_seconds_bucket{le="+Inf"} 144320
http_request_duration_seconds_sum 53423
http_request_duration_seconds_count 144320

# Finally a summary, which has a complex representation, too:
# HELP rpc_duration_seconds A summary of the RPC duration in seconds.
# TYPE rpc_duration_seconds summary
rpc_duration_seconds{quantile="0.01"} 3102
rpc_duration_seconds{quantile="0.5"} 4773
rpc_duration_seconds{quantile="0.99"} NaN
rpc_duration_seconds_sum 1.7560473e+07
rpc_duration_seconds_count 2693
neg_inf -Inf
`;

describe('Prometheus text parser', () => {
  it('reads the example of the exposition format documentation', () => {
    const r = parsePrometheusText(SAMPLE);
    assert.deepEqual(r.errors, []);
    assert.equal(r.sampleCount, 16);
    const byName = new Map(r.families.map((f) => [f.name, f]));
    const c = byName.get('http_requests_total')!;
    assert.equal(c.type, 'counter');
    assert.equal(c.help, 'The total number of HTTP requests.');
    assert.deepEqual(c.samples[1], { name: 'http_requests_total', labels: { method: 'post', code: '400' }, value: 3, timestampMs: 1395066363000 });
    assert.deepEqual(byName.get('msdos_file_access_time_seconds')!.samples[0].labels, { path: 'C:\\DIR\\FILE.TXT', error: 'Cannot find file:\n"FILE.TXT"' });
    const weird = byName.get('something_weird')!.samples[0];
    assert.equal(weird.value, Infinity);
    assert.equal(weird.timestampMs, -3982045);
    const h = byName.get('http_request_duration_seconds')!;
    assert.equal(h.type, 'histogram');
    assert.deepEqual(h.samples.map((s) => s.name), ['http_request_duration_seconds_bucket', 'http_request_duration_seconds_bucket', 'http_request_duration_seconds_bucket', 'http_request_duration_seconds_sum', 'http_request_duration_seconds_count']);
    const s = byName.get('rpc_duration_seconds')!;
    assert.equal(s.type, 'summary');
    assert.equal(s.samples.length, 5);
    assert.ok(Number.isNaN(s.samples[2].value));
    assert.equal(byName.get('neg_inf')!.samples[0].value, -Infinity);
    assert.equal(byName.get('neg_inf')!.type, 'untyped');
  });

  it('reports bad lines with their numbers and keeps the good ones', () => {
    const r = parsePrometheusText('ok 1\n{bad} 2\nx{a="1"} notanumber\ny{a="1} 3\nz{a="1",a="2"} 4\nw 1 2 3\nv 0x10\nu 5 1.5\n# TYPE t bogus\nfine{a="b",} 7\r\n');
    assert.deepEqual(r.families.map((f) => [f.name, f.samples.map((s) => s.value)]), [['ok', [1]], ['fine', [7]]]);
    assert.deepEqual(r.errors.map((e) => e.line), [2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(r.errorCount, 8);
    assert.match(r.errors[1].message, /invalid value "notanumber"/);
  });

  it('values follow Go ParseFloat, not JavaScript Number', () => {
    assert.equal(parsePromValue('1e3'), 1000);
    assert.equal(parsePromValue('-0.5'), -0.5);
    assert.equal(parsePromValue('+Inf'), Infinity);
    assert.equal(parsePromValue('-Infinity'), -Infinity);
    assert.ok(Number.isNaN(parsePromValue('Nan')!)); // as prom-client writes it
    for (const bad of ['', ' ', '0x1F', '0b1', '1_000', 'abc', '+NaN', 'Infinit', '1 2']) assert.equal(parsePromValue(bad), undefined, bad);
  });

  it('keeps the number of stored errors bounded for garbage', () => {
    const r = parsePrometheusText('<html>\n'.repeat(10_000));
    assert.equal(r.errorCount, 10_000);
    assert.equal(r.errors.length, 20);
    assert.equal(r.sampleCount, 0);
  });

  it('with a series cache: the same result as without, the labels of repeated series reused (seeded fuzz)', () => {
    const alphabet = fc.constantFrom('a', '_', '{', '}', '"', '\\', ',', '=', ' ', '\n', '#', 'TYPE', 'counter', 'le', '1', '.', 'x_bucket', 'Inf', 'b="}"', 'c="1"');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 120 }).map((a) => a.join('')), (text) => {
        const seriesCache = new Map();
        const plain = parsePrometheusText(text);
        const first = parsePrometheusText(text, { seriesCache });
        const second = parsePrometheusText(text, { seriesCache });
        assert.deepEqual(first, plain);
        assert.deepEqual(second, plain);
      }),
      { seed: 4343, numRuns: 3000 },
    );
    const seriesCache = new Map();
    const a = parsePrometheusText(SAMPLE, { seriesCache });
    const b = parsePrometheusText(SAMPLE, { seriesCache });
    assert.equal(b.families[0].samples[0].labels, a.families[0].samples[0].labels);
    assert.deepEqual(b, parsePrometheusText(SAMPLE));
  });

  it('never throws, whatever the input (seeded fuzz)', () => {
    const alphabet = fc.constantFrom('a', '_', ':', '{', '}', '"', '\\', ',', '=', ' ', '\t', '\n', '\r', '#', 'HELP', 'TYPE', 'counter', 'histogram', 'le', '1', '.', 'e', '-', '+', 'Inf', 'NaN', 'x_bucket', 'é', '\u0000');
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(alphabet, { maxLength: 80 }).map((a) => a.join(''))), (text) => {
        const r = parsePrometheusText(text);
        assert.ok(r.errorCount >= r.errors.length);
        assert.ok(r.families.every((f) => f.samples.every((s) => typeof s.value === 'number')));
      }),
      { seed: 4242, numRuns: 3000 },
    );
  });

  it('round-trips families it formatted itself (seeded property)', () => {
    const name = fc.stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,12}$/);
    const labelName = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,8}$/).filter((n) => n !== '__proto__');
    const labelValue = fc.string({ maxLength: 12 });
    const value = fc.oneof(fc.double(), fc.integer().map(Number), fc.constantFrom(NaN, Infinity, -Infinity, 0));
    const family = fc.record({
      name,
      type: fc.constantFrom('counter', 'gauge', 'untyped' as const),
      help: fc.option(fc.string({ maxLength: 20 }).map((h) => h.replace(/\r/g, '')), { nil: undefined }),
      samples: fc.array(fc.record({ labels: fc.dictionary(labelName, labelValue, { maxKeys: 3 }), value, ts: fc.option(fc.integer({ min: -1e12, max: 1e13 }), { nil: undefined }) }), { minLength: 1, maxLength: 4 }),
    });
    fc.assert(
      fc.property(fc.uniqueArray(family, { selector: (f) => f.name, maxLength: 5 }), (fams) => {
        // Names must not collide with another family's _sum/_count/_bucket grouping: only plain types here.
        const families: MetricFamily[] = fams.map((f) => ({
          name: f.name,
          type: f.type,
          ...(f.help !== undefined ? { help: f.help.trim() === f.help ? f.help : f.help.trim() } : {}),
          samples: f.samples.map((s) => ({ name: f.name, labels: { ...s.labels }, value: s.value, ...(s.ts !== undefined ? { timestampMs: s.ts } : {}) })),
        }));
        const text = formatPrometheusText(families);
        const r = parsePrometheusText(text);
        assert.deepEqual(r.errors, [], text);
        assert.deepEqual(r.families, families.map((f) => (f.help === '' ? { ...f, help: '' } : f)));
      }),
      { seed: 1234, numRuns: 500 },
    );
  });
  it('value tokens read from bytes are what parsePromValue reads (seeded property)', () => {
    const token = fc.oneof(
      fc.double().map(String),
      fc.integer().map(String),
      fc.stringMatching(/^[-+]?[0-9]{0,18}(\.[0-9]{0,18})?$/),
      fc.constantFrom('NaN', 'Nan', '+Inf', '-Inf', 'Infinity', '1e3', '.', '-', '+', '', '0x10', '1.2.3', '-0', '+.5', '5.', 'é1', '1_0'),
    );
    fc.assert(
      fc.property(token, (t) => {
        const buf = Buffer.from(`x ${t} y`, 'utf8');
        const got = parseValueBytes(buf, 2, buf.length - 2);
        const want = parsePromValue(buf.toString('utf8', 2, buf.length - 2));
        assert.ok(Object.is(got, want), `${JSON.stringify(t)}: ${got} != ${want}`);
      }),
      { seed: 77, numRuns: 20000 },
    );
  });

  it('a repeated scrape: the same result as a full parse, whatever changes between bodies (seeded property)', () => {
    // Bodies of one endpoint: the same lines with new values most of the time, and now and
    // then a change anywhere (a new series, a timestamp, a bad value, CRLF, a changed HELP).
    const value = fc.oneof(fc.integer({ min: -1e6, max: 1e6 }).map(String), fc.double({ noNaN: false }).map(String), fc.constantFrom('NaN', '+Inf', '-Inf', '1e3', '0.40163600000000005', 'bad', '', '1 2', '1}'));
    const line = fc.oneof(
      fc.tuple(fc.constantFrom('a', 'b_total', 'h_bucket{le="0.5"}', 'h_bucket{le="+Inf"}', 'g{x="}",y="é"}', 's{quantile="0.5"}', '  c'), fc.constantFrom(' ', '\t', '  ')).map(([series, blank]) => ({ series, blank })),
      fc.constantFrom('# HELP a help', '# TYPE h histogram', '# TYPE b_total counter', '# a comment', '', '   '),
    );
    const body = fc.record({ lines: fc.array(line, { maxLength: 12 }), crlf: fc.boolean(), finalNewline: fc.boolean() });
    const scrapes = fc.tuple(body, fc.array(fc.record({ values: fc.array(value, { minLength: 12, maxLength: 12 }), change: fc.option(body, { freq: 4, nil: undefined }) }), { minLength: 1, maxLength: 6 }));
    let repeats = 0;
    fc.assert(
      fc.property(scrapes, ([first, rest]) => {
        const seriesCache = new Map();
        const repeated = new RepeatedScrape(seriesCache);
        let shape = first;
        const text = (b: typeof first, values: string[]) =>
          b.lines.map((l, i) => (typeof l === 'string' ? l : `${l.series}${l.blank}${values[i]}`)).join(b.crlf ? '\r\n' : '\n') + (b.finalNewline ? '\n' : '');
        const check = (t: string) => {
          const got = repeated.parse(Buffer.from(t, 'utf8'));
          assert.deepEqual(got, parsePrometheusText(t), JSON.stringify(t));
        };
        check(text(first, Array(12).fill('1')));
        for (const r of rest) {
          if (r.change) shape = r.change;
          check(text(shape, r.values));
        }
        repeats += repeated.repeats;
      }),
      { seed: 99, numRuns: 3000 },
    );
    assert.ok(repeats > 1000, `the fast path ran ${repeats} times`);
  });

  it('a repeated scrape of a real endpoint reads the values only, into the same sample objects', () => {
    const repeated = new RepeatedScrape(new Map());
    const untimed = SAMPLE.replace(/ (1395066363000|-3982045)$/gm, ''); // a body with timestamps is always parsed in full
    const a = repeated.parse(Buffer.from(untimed));
    const before = a.families[0].samples[0];
    const b = repeated.parse(Buffer.from(untimed.replace('1027', '1030')));
    assert.equal(repeated.repeats, 1);
    assert.equal(b.families[0].samples[0], before);
    assert.equal(before.value, 1030);
    assert.deepEqual(b, parsePrometheusText(untimed.replace('1027', '1030')));
    repeated.parse(Buffer.from(SAMPLE));
    assert.equal(repeated.repeats, 1);
    // A caller that reads every body into the same buffer: the last body is compared with a copy.
    const reused = new RepeatedScrape(new Map());
    const buf = Buffer.alloc(64);
    const into = (t: string) => buf.subarray(0, buf.write(t));
    reused.parse(into('a 1\nb 2\n'));
    assert.deepEqual(reused.parse(into('a 1\nc 3\n')), parsePrometheusText('a 1\nc 3\n'));
    assert.deepEqual(reused.parse(into('a 5\nc 4\n')), parsePrometheusText('a 5\nc 4\n'));
    assert.equal(reused.repeats, 1);
  });
});

test('the series cache keeps no view of the scrape body it was filled from', async () => {
  // A label value of 13 characters or more cut from the body is, in V8, a view that keeps the
  // whole body alive: the cache (and the series' keys) held one 25 kB body per scrape that
  // brought a new series. The body is made at run time, so no constant in this file equals it.
  const marker = ['pinned', 'scrape', 'body'].join('_');
  const lines = [['#', 'HELP', marker, 'a gauge'].join(' ')];
  for (let i = 0; i < 400; i++) lines.push(`${marker}{component="protocol-engine-${i}",space="large_object_space_${i}"} ${i}`);
  const seriesCache: SeriesTextCache = new Map();
  // The families are kept, as a repeated scrape keeps its last parse (promRepeat.ts): their
  // names, help and samples must not hold the body either. The body itself lives only in `fill`.
  const fill = () => parsePrometheusText(lines.join('\n') + '\n', { seriesCache }).families;
  const families = fill();
  assert.equal(families[0].samples.length, 400);
  assert.equal(families[0].help, 'a gauge');
  assert.equal(seriesCache.size, 400);
  /x/.exec('x'); // the last match of a regular expression keeps its subject (a line of the body)
  const bodies = await stringsStartingWith(`# HELP ${marker}`, 10_000);
  assert.equal(bodies, 0, 'a copy of the body is still in the heap');
  assert.equal(families[0].name, marker);
  // The cache still answers with its copies.
  const again = parsePrometheusText(`${marker}{component="protocol-engine-7",space="large_object_space_7"} 1\n`, { seriesCache });
  assert.deepEqual(again.families[0].samples[0].labels, { component: 'protocol-engine-7', space: 'large_object_space_7' });
});

/** Strings in this process's heap (after the full collection a heap snapshot makes) longer than `minLength` and starting with `prefix`. */
async function stringsStartingWith(prefix: string, minLength: number): Promise<number> {
  const chunks: string[] = [];
  for await (const c of getHeapSnapshot()) chunks.push(String(c));
  const snap = JSON.parse(chunks.join('')) as { snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }; nodes: number[]; strings: string[] };
  const { node_fields: fields, node_types: [types] } = snap.snapshot.meta;
  const nf = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  let n = 0;
  for (let i = 0; i < snap.nodes.length; i += nf) {
    if (types[snap.nodes[i + typeAt]] !== 'string' || snap.nodes[i + sizeAt] < minLength) continue;
    if (snap.strings[snap.nodes[i + nameAt]].startsWith(prefix)) n++;
  }
  return n;
}
