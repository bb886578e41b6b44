/**
 * The scrape client: GET of one http: URL, again and again, on one kept-alive TCP connection.
 * Node's HTTP client builds a ClientRequest, an IncomingMessage, header objects and stream
 * events for every request; four scrapes a second cost the monitor about 0.2% of a core in
 * them (docs/performance.md, "Monitoring"). Here a request is a prebuilt buffer written to the
 * socket, the answer is read into one reused buffer (`onread`) and parsed as bytes
 * (httpResponseParser.ts) into a body buffer that is reused too.
 *
 * The same bounds as httpGet.ts, with the same outcomes and sentences:
 * - a deadline for the whole request (connect, headers and body): a slow-loris server that
 *   trickles bytes is cut off at the deadline;
 * - a size cap: a Content-Length above it is refused before reading, a body that grows past
 *   it is cut off; headers (and trailers) are capped at 16 KiB, as Node's are;
 * - redirects are never followed (a 3xx is reported with its Location);
 * - a connection closed before the body is complete is reported, not taken as a short body;
 * - no compressed bodies (we do not ask for them: an encoded answer is refused);
 * - the per-endpoint limit of open requests (EndpointSlot, shared with httpGet).
 * The connection is closed after any failure (its state is unknown then), when the server
 * says `Connection: close` (or is HTTP/1.0 without keep-alive), after a body framed by the
 * close, and when the server sends bytes nobody asked for. A request on a kept connection
 * that the server closed before answering a byte (its idle timeout crossing our request) is
 * sent once more on a new connection, within the same deadline: a GET may be repeated.
 *
 * http: only (https: scrapes go through httpGet.ts). One request at a time: a `get` while
 * one is in flight answers `busy`. The body of a success is a view of the reused buffer:
 * valid until the next `get`.
 */
import net from 'node:net';
import { EndpointSlot, MAX_PER_ENDPOINT, type HttpGetOutcome } from './httpGet';
import { HttpResponseParser } from './httpResponseParser';
import type { CollectorProblemKind } from './types';

export interface KeepAliveGetOptions {
  /** Request headers besides Host, User-Agent (alluse-perf) and Connection. */
  headers?: Record<string, string>;
  /** Called whenever a new connection is opened (the port owner check wants to know). */
  onConnect?: () => void;
  /** Requests open at once to the same endpoint, process-wide; default MAX_PER_ENDPOINT. */
  maxPerEndpoint?: number;
  maxHeaderBytes?: number;
  /** Size of the socket's read buffer. */
  readBufferBytes?: number;
}

interface InFlight {
  timeoutMs: number;
  deadline: number;
  timer: NodeJS.Timeout;
  slot: EndpointSlot;
  resolve: (o: HttpGetOutcome<Buffer>) => void;
  /** The socket carrying it, once sent, and whether that socket had carried a request before. */
  socket?: net.Socket;
  reused: boolean;
  /** Bytes of the answer received so far. */
  received: number;
  headChecked: boolean;
  retried: boolean;
}

export class KeepAliveHttpClient {
  private readonly host: string;
  private readonly port: number;
  private readonly origin: string;
  private readonly request: Buffer;
  private readonly maxPerEndpoint: number;
  private readonly readBuf: Buffer;
  private readonly parser: HttpResponseParser;
  private socket?: net.Socket;
  /** Requests the current socket has carried. */
  private carried = 0;
  private current?: InFlight;
  /** New connections opened (for tests and diagnostics). */
  connections = 0;

  constructor(
    readonly url: string,
    private readonly opts: KeepAliveGetOptions = {},
  ) {
    const u = new URL(url);
    if (u.protocol !== 'http:') throw new Error(`${url}: the keep-alive scrape client reads http: URLs only`);
    this.host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
    this.port = Number(u.port || 80);
    this.origin = u.origin;
    const headers: Record<string, string> = { 'user-agent': 'alluse-perf', ...opts.headers };
    if (u.username || u.password) headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
    let text = `GET ${u.pathname}${u.search} HTTP/1.1\r\n`;
    for (const [k, v] of Object.entries(headers)) {
      if (/[\r\n]/.test(k + v) || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(k)) throw new Error(`the HTTP header ${JSON.stringify(k)} has a name or value that cannot be sent`);
      text += `${k}: ${v}\r\n`;
    }
    text += `Host: ${u.host}\r\nConnection: keep-alive\r\n\r\n`;
    this.request = Buffer.from(text, 'latin1');
    this.maxPerEndpoint = Math.max(1, opts.maxPerEndpoint ?? MAX_PER_ENDPOINT);
    this.readBuf = Buffer.allocUnsafe(opts.readBufferBytes ?? 64 * 1024);
    this.parser = new HttpResponseParser(opts.maxHeaderBytes ?? 16 * 1024);
  }

  /** One GET; never rejects. */
  get(timeoutMs: number, maxBytes: number): Promise<HttpGetOutcome<Buffer>> {
    if (this.current) return Promise.resolve({ ok: false, kind: 'busy', message: `${this.url}: the previous request has not finished` });
    return new Promise((resolve) => {
      const slot = new EndpointSlot(this.origin, this.maxPerEndpoint);
      const r: InFlight = {
        timeoutMs,
        deadline: Date.now() + timeoutMs,
        timer: setTimeout(() => this.timedOut(r), timeoutMs),
        slot,
        resolve,
        reused: false,
        received: 0,
        headChecked: false,
        retried: false,
      };
      this.current = r;
      this.parser.maxBodyBytes = maxBytes;
      slot.whenFree(() => {
        if (this.current !== r) return;
        // A slot freed by requests that timed out together with this one: do not connect just to give up.
        if (Date.now() >= r.deadline) return this.finish(r, this.notAsked(r));
        this.send(r);
      });
    });
  }

  /** Closes the connection (a request in flight ends as a failure). */
  close(): void {
    if (this.current) this.finish(this.current, { ok: false, kind: 'unavailable', message: `${this.url}: the client was closed` });
    this.drop();
  }

  private notAsked(r: InFlight): HttpGetOutcome<Buffer> {
    return { ok: false, kind: 'timeout', message: `${this.url} was not asked within ${r.timeoutMs} ms: ${this.maxPerEndpoint} requests to ${this.origin} were already open (the limit per endpoint) and none ended in time` };
  }

  private timedOut(r: InFlight): void {
    if (this.current !== r) return;
    this.finish(r, r.socket ? { ok: false, kind: 'timeout', message: `${this.url} did not answer completely within ${r.timeoutMs} ms` } : this.notAsked(r));
  }

  private send(r: InFlight): void {
    let s = this.socket;
    if (!s || s.destroyed || !s.writable) {
      this.drop();
      s = this.connect();
    }
    r.socket = s;
    r.reused = this.carried > 0;
    r.received = 0;
    r.headChecked = false;
    this.carried++;
    this.parser.reset();
    s.write(this.request);
  }

  private connect(): net.Socket {
    const s: net.Socket = net.connect({
      host: this.host,
      port: this.port,
      noDelay: true,
      onread: { buffer: this.readBuf, callback: (n: number): boolean => (this.onRead(s, n), true) },
    });
    s.on('error', (e: Error & { code?: string }) => this.onError(s, e));
    s.on('end', () => this.onEnd(s));
    s.on('close', () => this.onClose(s));
    this.socket = s;
    this.carried = 0;
    this.connections++;
    this.opts.onConnect?.();
    return s;
  }

  /** Forgets the current connection and closes it. */
  private drop(): void {
    const s = this.socket;
    this.socket = undefined;
    this.carried = 0;
    if (s && !s.destroyed) s.destroy();
  }

  /** `onread`'s callback: `n` bytes in the read buffer (the callback answers true: never pause). */
  private onRead(s: net.Socket, n: number): void {
    const r = this.current;
    if (!r || r.socket !== s) {
      // Bytes nobody asked for (on an idle connection): it cannot be trusted for the next answer.
      if (s === this.socket) this.drop();
      else s.destroy();
      return;
    }
    r.received += n;
    const p = this.parser;
    const state = p.feed(this.readBuf, 0, n);
    if (p.headDone && !r.headChecked) {
      r.headChecked = true;
      const status = p.status;
      if (status >= 300 && status < 400) {
        return this.finish(r, { ok: false, kind: 'bad-response', status, message: `${this.url} redirected (HTTP ${status}) to ${p.location ?? '(no location)'}; redirects are not followed` });
      }
      const encoding = p.contentEncoding;
      if (encoding && encoding.toLowerCase() !== 'identity') {
        return this.finish(r, { ok: false, kind: 'bad-response', status, message: `${this.url} answered with a ${encoding}-encoded body, which is not supported` });
      }
    }
    if (state === 'error') return this.finish(r, this.parserFailure(p));
    if (state === 'done') this.complete(r);
  }

  private onEnd(s: net.Socket): void {
    const r = this.current;
    if (!r || r.socket !== s) return;
    // The server closed a kept connection just as we asked again: once more on a new one.
    if (r.reused && r.received === 0 && !r.retried) return this.retry(r);
    const state = this.parser.end();
    if (state === 'done') this.complete(r);
    else this.finish(r, this.parserFailure(this.parser));
  }

  private onError(s: net.Socket, e: Error & { code?: string }): void {
    const r = this.current;
    if (!r || r.socket !== s) return;
    if (r.reused && r.received === 0 && !r.retried && (e.code === 'ECONNRESET' || e.code === 'EPIPE')) return this.retry(r);
    if (this.parser.headDone && (e.code === 'ECONNRESET' || e.code === 'EPIPE')) {
      return this.finish(r, { ok: false, kind: 'bad-response', status: this.parser.status, message: `${this.url} closed the connection after ${this.parser.bodyLen} bytes, before the end of the response` });
    }
    const kind: CollectorProblemKind = e.code === 'ECONNRESET' ? 'bad-response' : 'unavailable';
    const what = e.code === 'ECONNREFUSED' ? 'refused the connection (is it running?)' : e.code === 'ECONNRESET' ? 'closed the connection' : `failed: ${e.code ?? e.message}`;
    this.finish(r, { ok: false, kind, message: `${this.url} ${what}` });
  }

  private onClose(s: net.Socket): void {
    if (s === this.socket) {
      this.socket = undefined;
      this.carried = 0;
    }
    const r = this.current;
    // A close without an end or an error (destroyed under us): the request cannot finish.
    if (r && r.socket === s) this.finish(r, { ok: false, kind: 'bad-response', message: `${this.url} closed the connection` });
  }

  private retry(r: InFlight): void {
    r.retried = true;
    this.drop();
    if (Date.now() >= r.deadline) return this.timedOut(r);
    this.send(r);
  }

  private parserFailure(p: HttpResponseParser): HttpGetOutcome<Buffer> {
    const e = p.error!;
    return { ok: false, kind: e.kind, ...(p.headDone ? { status: p.status } : {}), message: `${this.url} ${e.message}` };
  }

  private complete(r: InFlight): void {
    const p = this.parser;
    if (!p.keepAlive) this.drop();
    const status = p.status;
    if (status < 200 || status >= 300) {
      const text = p.body.toString('utf8', 0, Math.min(p.bodyLen, 1024));
      return this.finish(r, { ok: false, kind: 'bad-response', status, message: `${this.url} answered HTTP ${status}${text ? ': ' + text.slice(0, 200).trim() : ''}` }, true);
    }
    this.finish(r, { ok: true, status, body: p.body.subarray(0, p.bodyLen), bytes: p.bodyLen, contentType: p.contentType }, true);
  }

  /** Ends the request; a failure closes the connection (unless `keep`: a complete answer, however bad). */
  private finish(r: InFlight, o: HttpGetOutcome<Buffer>, keep = false): void {
    if (this.current !== r) return;
    this.current = undefined;
    clearTimeout(r.timer);
    if (!o.ok && !keep) {
      if (r.socket && r.socket === this.socket) this.drop();
      else r.socket?.destroy();
    }
    r.slot.end();
    r.resolve(o);
  }
}
