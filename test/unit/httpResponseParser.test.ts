/**
 * The scrape client's HTTP/1.1 response parser (engine/collect/httpResponseParser.ts): random
 * responses framed by Content-Length, chunked (random chunk sizes, extensions, trailers) or
 * the end of the connection, with CRLF or bare LF line ends and interim 1xx answers, cut into
 * pieces at arbitrary byte boundaries, read back exactly; caps, truncations and ambiguous
 * framings are errors at any cut. Seeded fast-check properties.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { HttpResponseParser } from '../../engine/collect/httpResponseParser';

type Framing = 'length' | 'chunked' | 'close';

interface Model {
  status: number;
  http10: boolean;
  framing: Framing;
  body: Uint8Array;
  /** Chunk sizes (chunked only), summing to the body's length. */
  chunks: number[];
  extensions: boolean;
  trailers: string[];
  eol: '\r\n' | '\n';
  interim: boolean;
  contentType: string;
  extraHeaders: Array<[string, string]>;
  /** The Connection header's value, if any. */
  connection?: string;
  headerCase: 'canonical' | 'lower' | 'upper';
  /** Optional white space around header values. */
  ows: string;
}

/** Whether the Connection value says close / keep-alive (tokens, any case). */
const tokens = (v: string | undefined) => (v ?? '').split(',').map((t) => t.trim().toLowerCase());

const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/).filter((n) => !['content-length', 'transfer-encoding', 'connection', 'content-type', 'content-encoding', 'location'].includes(n.toLowerCase()));
const value = fc.stringMatching(/^[ -~]{0,40}$/).map((v) => v.trim());

const model: fc.Arbitrary<Model> = fc
  .record({
    status: fc.constantFrom(200, 201, 203, 404, 500, 503),
    http10: fc.boolean(),
    framing: fc.constantFrom<Framing>('length', 'chunked', 'close'),
    body: fc.uint8Array({ maxLength: 3000 }),
    cuts: fc.array(fc.nat(), { maxLength: 8 }),
    extensions: fc.boolean(),
    trailers: fc.array(fc.tuple(token, value).map(([n, v]) => `${n}: ${v}`), { maxLength: 3 }),
    eol: fc.constantFrom<'\r\n' | '\n'>('\r\n', '\n'),
    interim: fc.boolean(),
    contentType: value,
    extraHeaders: fc.array(fc.tuple(token, value), { maxLength: 5 }),
    connection: fc.option(fc.constantFrom('close', 'keep-alive', 'Keep-Alive', 'CLOSE', 'keep-alive, Upgrade', 'Upgrade,  close', 'closed', 'x-keep-alive'), { nil: undefined }),
    headerCase: fc.constantFrom<'canonical' | 'lower' | 'upper'>('canonical', 'lower', 'upper'),
    ows: fc.constantFrom('', ' ', '\t', '  '),
  })
  .map((r) => {
    // Chunk sizes from cut points in the body (empty chunks are not allowed: zero ends the body).
    const points = [...new Set(r.cuts.map((c) => (r.body.length ? c % r.body.length : 0)).filter((c) => c > 0))].sort((a, b) => a - b);
    const chunks: number[] = [];
    let at = 0;
    for (const p of [...points, r.body.length]) {
      if (p > at) chunks.push(p - at);
      at = p;
    }
    return { ...r, http10: r.framing === 'chunked' ? false : r.http10, chunks };
  });

function serialize(m: Model): Buffer {
  const e = m.eol;
  const name = (n: string) => (m.headerCase === 'lower' ? n.toLowerCase() : m.headerCase === 'upper' ? n.toUpperCase() : n);
  const header = (n: string, v: string) => `${name(n)}:${m.ows}${v}${m.ows}${e}`;
  let head = '';
  if (m.interim) head += `HTTP/1.1 100 Continue${e}X-Interim: yes${e}Connection: close${e}${e}`;
  head += `HTTP/1.${m.http10 ? 0 : 1} ${m.status} Some Reason${e}${header('Content-Type', m.contentType)}`;
  for (const [n, v] of m.extraHeaders) head += header(n, v);
  if (m.connection !== undefined) head += header('Connection', m.connection);
  if (m.framing === 'length') head += header('Content-Length', String(m.body.length));
  if (m.framing === 'chunked') head += header('Transfer-Encoding', 'chunked');
  head += e;
  const parts: Buffer[] = [Buffer.from(head, 'latin1')];
  if (m.framing !== 'chunked') parts.push(Buffer.from(m.body));
  else {
    let at = 0;
    for (const size of m.chunks) {
      parts.push(Buffer.from(`${size.toString(16)}${m.extensions ? ';name="v"' : ''}${e}`, 'latin1'), Buffer.from(m.body.subarray(at, at + size)), Buffer.from(e));
      at += size;
    }
    parts.push(Buffer.from(`0${e}${m.trailers.map((t) => t + e).join('')}${e}`, 'latin1'));
  }
  return Buffer.concat(parts);
}

/** Feeds `bytes` cut at `cuts` (positions, any order); calls `end()` when `close`. */
function feedCut(p: HttpResponseParser, bytes: Buffer, cuts: number[], close: boolean): void {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  let at = 0;
  for (const c of [...points, bytes.length]) {
    // Feed from a larger buffer, as the client's reused read buffer is: only [at, c) counts.
    const view = Buffer.alloc(c - at + 8, 0x41);
    bytes.copy(view, 4, at, c);
    p.feed(view, 4, 4 + c - at);
    at = c;
  }
  if (close) p.end();
}

const cutsArb = fc.array(fc.nat(), { maxLength: 20 });

describe('HTTP response parser', () => {
  it('reads any response back exactly, cut at any byte boundaries (seeded property)', () => {
    const p = new HttpResponseParser();
    fc.assert(
      fc.property(model, cutsArb, (m, cuts) => {
        p.reset();
        feedCut(p, serialize(m), cuts, m.framing === 'close');
        assert.equal(p.state, 'done', p.error?.message);
        assert.equal(p.status, m.status);
        assert.equal(p.contentType, m.contentType);
        assert.deepEqual(new Uint8Array(p.body.subarray(0, p.bodyLen)), m.body);
        assert.equal(p.extra, 0);
        const t = tokens(m.connection);
        assert.equal(p.keepAlive, m.framing !== 'close' && !t.includes('close') && (!m.http10 || t.includes('keep-alive')));
      }),
      { seed: 8101, numRuns: 1500 },
    );
  });

  it('several responses in a row through one parser reuse its buffers and read each exactly (seeded property)', () => {
    const p = new HttpResponseParser();
    fc.assert(
      fc.property(fc.array(fc.tuple(model, cutsArb), { minLength: 2, maxLength: 5 }), (list) => {
        for (const [m, cuts] of list) {
          p.reset();
          feedCut(p, serialize(m), cuts, m.framing === 'close');
          assert.equal(p.state, 'done');
          assert.deepEqual(new Uint8Array(p.body.subarray(0, p.bodyLen)), m.body);
        }
      }),
      { seed: 8102, numRuns: 300 },
    );
  });

  it('a response cut short is an error, never a short body, when it says how long it is (seeded property)', () => {
    const p = new HttpResponseParser();
    fc.assert(
      fc.property(
        model.filter((m) => m.framing !== 'close'),
        fc.nat(),
        cutsArb,
        (m, cut, cuts) => {
          const bytes = serialize(m);
          const short = bytes.subarray(0, cut % bytes.length);
          p.reset();
          feedCut(p, short, cuts, true);
          assert.equal(p.state, 'error');
          assert.equal(p.error?.kind, 'bad-response');
          assert.match(p.error!.message, /closed the connection/);
        },
      ),
      { seed: 8103, numRuns: 1500 },
    );
  });

  it('a body past the cap is refused at whatever cut: an announced length before any body byte (seeded property)', () => {
    fc.assert(
      fc.property(
        model.filter((m) => m.body.length > 0),
        fc.nat(),
        cutsArb,
        (m, capSeed, cuts) => {
          const cap = capSeed % m.body.length;
          const p = new HttpResponseParser(16 * 1024, cap);
          feedCut(p, serialize(m), cuts, m.framing === 'close');
          assert.equal(p.state, 'error');
          assert.equal(p.error?.kind, 'too-large');
          if (m.framing === 'length') {
            assert.equal(p.error?.message, `announced ${m.body.length} bytes, more than the limit of ${cap}`);
            assert.equal(p.bodyLen, 0);
          } else assert.equal(p.error?.message, `sent more than the limit of ${cap} bytes`);
          assert.ok(p.bodyLen <= cap);
        },
      ),
      { seed: 8104, numRuns: 1000 },
    );
  });

  it('headers past the cap are refused, at whatever cut (seeded property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 64, max: 2048 }), cutsArb, (cap, cuts) => {
        const p = new HttpResponseParser(cap);
        const bytes = Buffer.from(`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(cap)}\r\nContent-Length: 0\r\n\r\n`, 'latin1');
        feedCut(p, bytes, cuts, false);
        assert.equal(p.state, 'error');
        assert.match(p.error!.message, new RegExp(`more than ${cap} bytes of headers`));
      }),
      { seed: 8105, numRuns: 200 },
    );
  });

  it('bytes after the end of a response are counted and the connection is not kept', () => {
    const p = new HttpResponseParser();
    const bytes = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1 200 OK\r\n');
    p.feed(bytes, 0, bytes.length);
    assert.equal(p.state, 'done');
    assert.equal(p.body.toString('latin1', 0, p.bodyLen), 'abc');
    assert.equal(p.extra, bytes.length - 41);
    assert.equal(p.keepAlive, false);
  });

  const bad: Array<[string, string, RegExp]> = [
    ['not HTTP', 'SSH-2.0-OpenSSH_9.6\r\n\r\n', /did not answer in HTTP/],
    ['two different lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd', /invalid Content-Length/],
    ['a length that is not a number', 'HTTP/1.1 200 OK\r\nContent-Length: 3x\r\n\r\nabc', /invalid Content-Length/],
    ['a length with chunked', 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n', /both Content-Length and Transfer-Encoding/],
    ['a transfer coding other than chunked', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n', /Transfer-Encoding "gzip, chunked"/],
    ['a chunk size that is not hex', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /invalid chunk size/],
    ['a chunk longer than its size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n', /longer than its size/],
    ['a header line without a colon', 'HTTP/1.1 200 OK\r\nnonsense\r\n\r\n', /without a name/],
    ['101 Switching Protocols', 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n', /switched protocols/],
  ];
  for (const [what, text, message] of bad) {
    it(`${what}: an error, not a guess`, () => {
      const p = new HttpResponseParser();
      const bytes = Buffer.from(text, 'latin1');
      p.feed(bytes, 0, bytes.length);
      assert.equal(p.state, 'error');
      assert.equal(p.error?.kind, 'bad-response');
      assert.match(p.error!.message, message);
    });
  }

  it('204 and 304 have no body; redirects keep their Location; headers are matched without case', () => {
    const p = new HttpResponseParser();
    for (const [text, status] of [
      ['HTTP/1.1 204 No Content\r\n\r\n', 204],
      ['HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n', 304],
    ] as const) {
      p.reset();
      p.feed(Buffer.from(text), 0, text.length);
      assert.equal(p.state, 'done');
      assert.equal(p.status, status);
      assert.equal(p.bodyLen, 0);
    }
    p.reset();
    const r = 'HTTP/1.1 302 Found\r\nLOCATION: http://example.invalid/m\r\ncontent-ENCODING: gzip\r\nContent-Length: 0\r\n\r\n';
    p.feed(Buffer.from(r), 0, r.length);
    assert.equal(p.location, 'http://example.invalid/m');
    assert.equal(p.contentEncoding, 'gzip');
  });
});
