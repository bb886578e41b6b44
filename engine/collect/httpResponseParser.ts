/**
 * An incremental parser of HTTP/1.1 responses to GET, for the scrape client (keepAliveGet.ts):
 * bytes go in as the socket delivers them, cut anywhere, and the body comes out in one buffer
 * that is reused from response to response (the caller reads it before the next `reset`).
 *
 * What it reads: the status line and headers (at most `maxHeaderBytes`, trailers included);
 * 1xx interim responses are skipped; a body framed by `Transfer-Encoding: chunked` (chunk
 * extensions ignored, trailers read and dropped), by `Content-Length`, or by the end of the
 * connection; no body for 204 and 304. A `Content-Length` above `maxBodyBytes` is refused as
 * soon as the headers are read, a body that grows past it as soon as it does. Anything
 * ambiguous (two different lengths, a length together with chunked, a transfer coding other
 * than chunked, a bad chunk size) is an error rather than a guess, as Node's llhttp does.
 * Lines may end in CRLF or a bare LF.
 *
 * Only the headers the client acts on are kept: content-length, transfer-encoding,
 * connection, content-type, content-encoding and location. The head is parsed as bytes, and
 * only the values kept become strings (the content type only when it changes), so an answer
 * makes almost no garbage (four scrapes a second, every second, in the monitor).
 */

export type ParserState = 'head' | 'body' | 'done' | 'error';

export interface ParserError {
  kind: 'too-large' | 'bad-response';
  message: string;
}

const LF = 10;
const CR = 13;

/** How the body ends. */
const enum Framing {
  None,
  Length,
  Chunked,
  UntilClose,
}

/** Where the chunked decoder is. */
const enum Chunk {
  Size,
  Ext,
  SizeLF,
  Data,
  DataCR,
  DataLF,
  Trailer,
}

/** The longest chunk-size line (hex digits and extensions) accepted. */
const MAX_CHUNK_LINE = 4096;

export class HttpResponseParser {
  state: ParserState = 'head';
  error?: ParserError;
  /** Set once the final (non-1xx) response's headers are read. */
  headDone = false;
  status = 0;
  /** HTTP/1.0 (closes after the response unless it says keep-alive). */
  http10 = false;
  contentLength = -1;
  chunked = false;
  /** The Connection header's tokens `close` and `keep-alive`. */
  connectionClose = false;
  connectionKeepAlive = false;
  contentType?: string;
  contentEncoding?: string;
  location?: string;
  /** The body so far: `body[0, bodyLen)`. Reused by the next response. */
  body: Buffer;
  bodyLen = 0;
  /** Bytes received after the end of the response (a server that sends more than it answers). */
  extra = 0;

  private head: Buffer;
  private headLen = 0;
  private lastContentType?: string;
  private framing = Framing.None;
  private remaining = 0;
  private chunkState = Chunk.Size;
  private chunkSize = 0;
  private chunkDigits = 0;
  private lineLen = 0;
  /** Bytes of trailer lines read, and of the current one (an empty line ends them). */
  private trailerBytes = 0;

  constructor(
    readonly maxHeaderBytes = 16 * 1024,
    public maxBodyBytes = 10 * 1024 * 1024,
  ) {
    this.head = Buffer.allocUnsafe(Math.min(4096, maxHeaderBytes));
    this.body = Buffer.allocUnsafe(0);
  }

  /** Ready for the next response (the body buffer is kept for it unless it grew large). */
  reset(): void {
    this.state = 'head';
    this.error = undefined;
    this.headDone = false;
    this.status = 0;
    this.http10 = false;
    this.contentLength = -1;
    this.chunked = false;
    this.connectionClose = this.connectionKeepAlive = false;
    this.contentType = this.contentEncoding = this.location = undefined;
    // A body of several MiB once (a cap of 10 MiB) should not be held for good.
    if (this.body.length > 1024 * 1024 && this.bodyLen < this.body.length / 4) this.body = Buffer.allocUnsafe(0);
    this.bodyLen = 0;
    this.extra = 0;
    this.headLen = 0;
    this.framing = Framing.None;
    this.remaining = 0;
    this.chunkState = Chunk.Size;
    this.chunkSize = this.chunkDigits = this.lineLen = this.trailerBytes = 0;
  }

  /** Whether the connection can carry another request after this response. */
  get keepAlive(): boolean {
    if (this.state !== 'done' || this.extra > 0 || this.framing === Framing.UntilClose) return false;
    if (this.connectionClose) return false;
    return !this.http10 || this.connectionKeepAlive;
  }

  /** Takes in `buf[start, end)`; returns the state after it. */
  feed(buf: Uint8Array, start: number, end: number): ParserState {
    let i = start;
    while (i < end) {
      if (this.state === 'head') i = this.feedHead(buf, i, end);
      else if (this.state === 'body') i = this.framing === Framing.Chunked ? this.feedChunked(buf, i, end) : this.feedBody(buf, i, end);
      else {
        if (this.state === 'done') this.extra += end - i;
        break;
      }
    }
    return this.state;
  }

  /** The connection ended: a body framed by the close is complete, anything else is cut short. */
  end(): ParserState {
    if (this.state === 'body' && this.framing === Framing.UntilClose) this.state = 'done';
    else if (this.state === 'head' || this.state === 'body') {
      this.fail('bad-response', this.state === 'head' ? (this.headLen ? 'closed the connection in the middle of the headers' : 'closed the connection') : `closed the connection after ${this.bodyLen} bytes, before the end of the response`);
    }
    return this.state;
  }

  private fail(kind: ParserError['kind'], message: string): number {
    this.state = 'error';
    this.error = { kind, message };
    return Infinity;
  }

  /** Copies head bytes up to the blank line that ends the headers; parses them then. */
  private feedHead(buf: Uint8Array, i: number, end: number): number {
    while (i < end) {
      let nl = buf.indexOf(LF, i);
      if (nl >= end) nl = -1;
      const stop = nl < 0 ? end : nl + 1;
      const n = stop - i;
      if (this.headLen + n > this.maxHeaderBytes) return this.fail('bad-response', `sent more than ${this.maxHeaderBytes} bytes of headers`);
      if (this.headLen + n > this.head.length) {
        const bigger = Buffer.allocUnsafe(Math.min(this.maxHeaderBytes, Math.max(this.headLen + n, this.head.length * 2)));
        this.head.copy(bigger, 0, 0, this.headLen);
        this.head = bigger;
      }
      this.head.set(buf.subarray(i, stop), this.headLen);
      this.headLen += n;
      i = stop;
      // The end of the headers: LF (CR) LF.
      if (nl >= 0 && this.headLen >= 2) {
        const h = this.head;
        const p = h[this.headLen - 2];
        if (p === LF || (p === CR && this.headLen >= 3 && h[this.headLen - 3] === LF)) {
          const len = this.headLen;
          this.headLen = 0;
          this.parseHead(len);
          return i;
        }
      }
    }
    return i;
  }

  /**
   * Parses `head[0, len)` as bytes: only the values of the headers kept become strings (the
   * content type only when it differs from the last one's), so an answer's head makes almost
   * no garbage.
   */
  private parseHead(len: number): void {
    const h = this.head;
    let eol = lineEnd(h, 0, len);
    // "HTTP/1.x DDD[ reason]"
    const ok =
      eol >= 12 &&
      h[0] === 72 && h[1] === 84 && h[2] === 84 && h[3] === 80 && h[4] === 47 && h[5] === 49 && h[6] === 46 &&
      (h[7] === 48 || h[7] === 49) && h[8] === 32 &&
      isDigit(h[9]) && isDigit(h[10]) && isDigit(h[11]) &&
      (eol === 12 || h[12] === 32);
    if (!ok) {
      this.fail('bad-response', `did not answer in HTTP (first line: ${JSON.stringify(h.toString('latin1', 0, Math.min(eol, 60)))})`);
      return;
    }
    const status = (h[9] - 48) * 100 + (h[10] - 48) * 10 + (h[11] - 48);
    this.http10 = h[7] === 48;
    let length = -1;
    let teCount = 0;
    let teChunked = false;
    let teA = 0;
    let teB = 0;
    let last = Header.Other;
    let a = nextLine(h, eol, len);
    while (a < len) {
      eol = lineEnd(h, a, len);
      if (eol === a) break; // the blank line
      if (h[a] === 32 || h[a] === 9) {
        // An obsolete folded line continues the last header's value.
        this.setHeader(last, h, trimStart(h, a, eol), trimEnd(h, a, eol), true);
        a = nextLine(h, eol, len);
        continue;
      }
      const colon = h.indexOf(58, a);
      if (colon < 0 || colon >= eol || colon === a) {
        this.fail('bad-response', `sent a header line without a name (${JSON.stringify(h.toString('latin1', a, Math.min(eol, a + 60)))})`);
        return;
      }
      const va = trimStart(h, colon + 1, eol);
      const vb = trimEnd(h, va, eol);
      const name = headerName(h, a, colon);
      last = name;
      if (name === Header.ContentLength) {
        const v = digits(h, va, vb);
        if (v < 0 || (length >= 0 && v !== length)) {
          this.fail('bad-response', `sent an invalid Content-Length (${JSON.stringify(h.toString('latin1', va, Math.min(vb, va + 40)))})`);
          return;
        }
        length = v;
      } else if (name === Header.TransferEncoding) {
        teCount++;
        teChunked = vb - va === 7 && equalsLower(h, va, vb, 'chunked');
        teA = va;
        teB = vb;
      } else this.setHeader(name, h, va, vb, false);
      a = nextLine(h, eol, len);
    }
    // An interim response (100 Continue, 103 Early Hints): the real one follows.
    if (status >= 100 && status < 200 && status !== 101) {
      this.connectionClose = this.connectionKeepAlive = false;
      this.contentType = this.contentEncoding = this.location = undefined;
      return;
    }
    this.status = status;
    this.headDone = true;
    if (status === 101) {
      this.fail('bad-response', 'switched protocols (HTTP 101)');
      return;
    }
    if (teCount) {
      if (teCount > 1 || !teChunked) {
        this.fail('bad-response', `sent a body with Transfer-Encoding ${JSON.stringify(teCount > 1 ? 'given more than once' : h.toString('latin1', teA, Math.min(teB, teA + 40)))}, which is not supported`);
        return;
      }
      if (length >= 0) {
        this.fail('bad-response', 'sent both Content-Length and Transfer-Encoding: chunked');
        return;
      }
      this.chunked = true;
    }
    this.contentLength = length;
    if (status === 204 || status === 304 || (!this.chunked && length === 0)) {
      this.state = 'done';
      return;
    }
    if (length > this.maxBodyBytes) {
      this.fail('too-large', `announced ${length} bytes, more than the limit of ${this.maxBodyBytes}`);
      return;
    }
    this.state = 'body';
    if (this.chunked) this.framing = Framing.Chunked;
    else if (length >= 0) {
      this.framing = Framing.Length;
      this.remaining = length;
      this.reserve(length);
    } else this.framing = Framing.UntilClose;
  }

  private setHeader(name: Header, h: Buffer, a: number, b: number, folded: boolean): void {
    switch (name) {
      case Header.Connection:
        // Tokens separated by commas (a folded line goes on with the list).
        for (let i = a; i <= b; ) {
          let j = h.indexOf(44, i);
          if (j < 0 || j > b) j = b;
          const ta = trimStart(h, i, j);
          const tb = trimEnd(h, ta, j);
          if (tb - ta === 5 && equalsLower(h, ta, tb, 'close')) this.connectionClose = true;
          else if (tb - ta === 10 && equalsLower(h, ta, tb, 'keep-alive')) this.connectionKeepAlive = true;
          i = j + 1;
        }
        break;
      case Header.ContentType:
        if (folded) this.contentType = `${this.contentType ?? ''} ${h.toString('latin1', a, b)}`;
        // The same bytes as the last answer's: the same string.
        else if (this.lastContentType === undefined || !sameLatin1(h, a, b, this.lastContentType)) this.contentType = this.lastContentType = h.toString('latin1', a, b);
        else this.contentType = this.lastContentType;
        break;
      case Header.ContentEncoding:
        this.contentEncoding = folded && this.contentEncoding ? `${this.contentEncoding} ${h.toString('latin1', a, b)}` : h.toString('latin1', a, b);
        break;
      case Header.Location:
        this.location = folded && this.location ? `${this.location} ${h.toString('latin1', a, b)}` : h.toString('latin1', a, b);
        break;
    }
  }

  /** Room for `n` more body bytes (the caller has checked the cap). */
  private reserve(n: number): void {
    const need = this.bodyLen + n;
    if (need <= this.body.length) return;
    const bigger = Buffer.allocUnsafe(Math.min(this.maxBodyBytes, Math.max(need, this.body.length * 2, 16 * 1024)));
    this.body.copy(bigger, 0, 0, this.bodyLen);
    this.body = bigger;
  }

  /** Copies `n` bytes of body, or fails when they would pass the cap. */
  private take(buf: Uint8Array, i: number, n: number): boolean {
    if (this.bodyLen + n > this.maxBodyBytes) {
      this.fail('too-large', `sent more than the limit of ${this.maxBodyBytes} bytes`);
      return false;
    }
    this.reserve(n);
    this.body.set(buf.subarray(i, i + n), this.bodyLen);
    this.bodyLen += n;
    return true;
  }

  private feedBody(buf: Uint8Array, i: number, end: number): number {
    const n = this.framing === Framing.Length ? Math.min(end - i, this.remaining) : end - i;
    if (!this.take(buf, i, n)) return Infinity;
    if (this.framing === Framing.Length) {
      this.remaining -= n;
      if (this.remaining === 0) this.state = 'done';
    }
    return i + n;
  }

  private feedChunked(buf: Uint8Array, i: number, end: number): number {
    while (i < end && this.state === 'body') {
      const c = buf[i];
      switch (this.chunkState) {
        case Chunk.Size: {
          if (++this.lineLen > MAX_CHUNK_LINE) return this.fail('bad-response', 'sent a chunked body with an overlong chunk-size line');
          const d = hexDigit(c);
          if (d >= 0) {
            this.chunkSize = this.chunkSize * 16 + d;
            // A size past the cap fails now (and before it could lose precision).
            if (this.bodyLen + this.chunkSize > this.maxBodyBytes) return this.fail('too-large', `sent more than the limit of ${this.maxBodyBytes} bytes`);
            this.chunkDigits++;
          } else if (this.chunkDigits && (c === 59 /* ; */ || c === 32 || c === 9)) this.chunkState = Chunk.Ext;
          else if (this.chunkDigits && c === CR) this.chunkState = Chunk.SizeLF;
          else if (this.chunkDigits && c === LF) this.startChunk();
          else return this.fail('bad-response', 'sent a chunked body with an invalid chunk size');
          i++;
          break;
        }
        case Chunk.Ext:
          if (++this.lineLen > MAX_CHUNK_LINE) return this.fail('bad-response', 'sent a chunked body with an overlong chunk-size line');
          if (c === CR) this.chunkState = Chunk.SizeLF;
          else if (c === LF) this.startChunk();
          i++;
          break;
        case Chunk.SizeLF:
          if (c !== LF) return this.fail('bad-response', 'sent a chunked body with a malformed chunk-size line');
          this.startChunk();
          i++;
          break;
        case Chunk.Data: {
          const n = Math.min(end - i, this.remaining);
          if (!this.take(buf, i, n)) return Infinity;
          this.remaining -= n;
          i += n;
          if (this.remaining === 0) this.chunkState = Chunk.DataCR;
          break;
        }
        case Chunk.DataCR:
          if (c === CR) this.chunkState = Chunk.DataLF;
          else if (c === LF) this.chunkState = Chunk.Size;
          else return this.fail('bad-response', 'sent a chunk longer than its size');
          i++;
          break;
        case Chunk.DataLF:
          if (c !== LF) return this.fail('bad-response', 'sent a chunk longer than its size');
          this.chunkState = Chunk.Size;
          i++;
          break;
        case Chunk.Trailer:
          // Trailer lines up to an empty one; a line is empty when LF comes with nothing but CR before it.
          if (++this.trailerBytes > this.maxHeaderBytes) return this.fail('bad-response', `sent more than ${this.maxHeaderBytes} bytes of trailers`);
          if (c === LF) {
            if (this.lineLen === 0) this.state = 'done';
            this.lineLen = 0;
          } else if (c !== CR || this.lineLen > 0) this.lineLen++;
          i++;
          break;
      }
    }
    return i;
  }

  /** After a chunk-size line: the data, or the trailers after the last (zero) chunk. */
  private startChunk(): void {
    this.lineLen = 0;
    if (this.chunkSize === 0) {
      this.chunkState = Chunk.Trailer;
      return;
    }
    this.remaining = this.chunkSize;
    this.reserve(this.chunkSize);
    this.chunkSize = this.chunkDigits = 0;
    this.chunkState = Chunk.Data;
  }
}

/** The headers acted on. */
const enum Header {
  Other,
  ContentLength,
  TransferEncoding,
  Connection,
  ContentType,
  ContentEncoding,
  Location,
}

const HEADER_NAMES: Array<[string, Header]> = [
  ['content-length', Header.ContentLength],
  ['transfer-encoding', Header.TransferEncoding],
  ['connection', Header.Connection],
  ['content-type', Header.ContentType],
  ['content-encoding', Header.ContentEncoding],
  ['location', Header.Location],
];

function headerName(h: Uint8Array, a: number, b: number): Header {
  for (const [name, id] of HEADER_NAMES) if (b - a === name.length && equalsLower(h, a, b, name)) return id;
  return Header.Other;
}

/** Whether `h[a, b)` is `lower` in any case (`lower` is lower-case ASCII). */
function equalsLower(h: Uint8Array, a: number, b: number, lower: string): boolean {
  if (b - a !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    let c = h[a + i];
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

function sameLatin1(h: Uint8Array, a: number, b: number, s: string): boolean {
  if (b - a !== s.length) return false;
  for (let i = 0; i < s.length; i++) if (h[a + i] !== s.charCodeAt(i)) return false;
  return true;
}

/** A Content-Length value: its digits as a number, or -1 when it is not only digits (or is too long to be exact). */
function digits(h: Uint8Array, a: number, b: number): number {
  if (a === b || b - a > 15) return -1;
  let v = 0;
  for (let i = a; i < b; i++) {
    if (!isDigit(h[i])) return -1;
    v = v * 10 + (h[i] - 48);
  }
  return v;
}

const isDigit = (c: number) => c >= 48 && c <= 57;

/** The end of the line starting at `a` (its LF, or a CR just before it), or `len`. */
function lineEnd(h: Uint8Array, a: number, len: number): number {
  let nl = h.indexOf(LF, a);
  if (nl < 0 || nl >= len) nl = len;
  return nl > a && h[nl - 1] === CR ? nl - 1 : nl;
}

/** The start of the line after the one that ends at `eol`. */
function nextLine(h: Uint8Array, eol: number, len: number): number {
  if (eol < len && h[eol] === CR) eol++;
  return eol + 1;
}

function trimStart(h: Uint8Array, a: number, b: number): number {
  while (a < b && (h[a] === 32 || h[a] === 9)) a++;
  return a;
}

function trimEnd(h: Uint8Array, a: number, b: number): number {
  while (b > a && (h[b - 1] === 32 || h[b - 1] === 9)) b--;
  return b;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}
