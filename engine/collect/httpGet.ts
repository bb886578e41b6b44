/**
 * One bounded HTTP GET, for scrapes and Prometheus API calls:
 *
 * - a deadline for the WHOLE request (connect, headers and body): a slow-loris server that
 *   trickles bytes is cut off at the deadline, not kept alive by each byte;
 * - a size cap: a Content-Length above it is refused before reading, a body that grows past
 *   it is cut off;
 * - redirects are never followed (a 3xx is reported with its Location);
 * - a connection closed before the body is complete is reported, not taken as a short body;
 * - http: and https: only; no compressed bodies (we do not ask for them);
 * - at most `maxPerEndpoint` (default 4) requests open to one endpoint (scheme, host and
 *   port) at a time, from the whole process: a server that accepts connections and never
 *   answers holds at most that many sockets, and the requests beyond wait for a free one
 *   within their own deadline (then time out saying so) instead of opening more.
 *
 * Never rejects: the outcome says what went wrong in a sentence.
 */
import http from 'node:http';
import https from 'node:https';
import type { CollectorProblemKind } from './types';

export interface HttpGetOptions {
  timeoutMs: number;
  maxBytes: number;
  headers?: Record<string, string>;
  /** Agent to reuse connections (keep-alive) and limit them; default: a new connection per request. */
  agent?: http.Agent;
  /** Requests open at once to the same endpoint, process-wide; default MAX_PER_ENDPOINT. */
  maxPerEndpoint?: number;
}

/** Requests open at once to one endpoint (scheme://host:port) unless the caller says otherwise. */
export const MAX_PER_ENDPOINT = 4;

/** Per endpoint: requests open now, and the starts of those waiting for a free slot (first come, first served). */
const endpoints = new Map<string, { open: number; waiting: Array<() => void> }>();

/** Requests open now to an endpoint (for tests). */
export function openRequests(url: string): number {
  try {
    return endpoints.get(new URL(url).origin)?.open ?? 0;
  } catch {
    return 0;
  }
}

/**
 * One request's place at an endpoint (also taken by the scrape client, keepAliveGet.ts): `whenFree(start)` runs `start` at once if fewer than
 * `max` requests are open there, else when one ends; `end()` (safe to call more than once,
 * and before the start) gives the place back or leaves the queue.
 */
export class EndpointSlot {
  private started = false;
  private ended = false;
  private run?: () => void;

  constructor(
    private readonly origin: string,
    private readonly max: number,
  ) {}

  whenFree(start: () => void): void {
    let e = endpoints.get(this.origin);
    if (!e) endpoints.set(this.origin, (e = { open: 0, waiting: [] }));
    const entry = e;
    this.run = () => {
      this.started = true;
      entry.open++;
      start();
    };
    if (entry.open < this.max) this.run();
    else entry.waiting.push(this.run);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    const entry = endpoints.get(this.origin);
    if (!entry) return;
    if (this.started) {
      entry.open--;
      const next = entry.waiting.shift();
      if (next) next();
    } else if (this.run) {
      const i = entry.waiting.indexOf(this.run);
      if (i >= 0) entry.waiting.splice(i, 1);
    }
    if (!entry.open && !entry.waiting.length) endpoints.delete(this.origin);
  }
}

export type HttpGetOutcome<B = string> =
  | { ok: true; status: number; body: B; bytes: number; contentType?: string }
  | { ok: false; kind: CollectorProblemKind; message: string; status?: number };

export function httpGet(url: string, opts: HttpGetOptions): Promise<HttpGetOutcome> {
  return request(url, opts, (b) => b.toString('utf8'));
}

/** `httpGet` with the body as bytes (the scrape collector compares them with the last body's: promRepeat.ts). */
export function httpGetBytes(url: string, opts: HttpGetOptions): Promise<HttpGetOutcome<Buffer>> {
  return request(url, opts, (b) => b);
}

function request<B>(url: string, opts: HttpGetOptions, decode: (body: Buffer) => B): Promise<HttpGetOutcome<B>> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return Promise.resolve({ ok: false, kind: 'unavailable', message: `"${url}" is not a valid URL` });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    return Promise.resolve({ ok: false, kind: 'unavailable', message: `${url}: only http and https URLs can be read` });
  }
  const lib = u.protocol === 'https:' ? https : http;
  const max = Math.max(1, opts.maxPerEndpoint ?? MAX_PER_ENDPOINT);
  return new Promise((resolvePromise) => {
    let settled = false;
    let req: http.ClientRequest | undefined;
    const slot = new EndpointSlot(u.origin, max);
    const done = (o: HttpGetOutcome<B>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!o.ok) req?.destroy();
      slot.end();
      resolvePromise(o);
    };
    const deadline = Date.now() + opts.timeoutMs;
    const expired = () => done({ ok: false, kind: 'timeout', message: `${url} was not asked within ${opts.timeoutMs} ms: ${max} requests to ${u.origin} were already open (the limit per endpoint) and none ended in time` });
    const timer = setTimeout(() => (req ? done({ ok: false, kind: 'timeout', message: `${url} did not answer completely within ${opts.timeoutMs} ms` }) : expired()), opts.timeoutMs);
    slot.whenFree(send);
    function send(): void {
      if (settled) return;
      // A slot freed by requests that timed out together with this one: do not connect just to give up.
      if (Date.now() >= deadline) return expired();
      try {
        req = lib.get(u, { headers: { 'user-agent': 'alluse-perf', ...opts.headers }, agent: opts.agent ?? false }, (res) => {
          const status = res.statusCode ?? 0;
          if (status >= 300 && status < 400) {
            res.resume();
            return done({ ok: false, kind: 'bad-response', status, message: `${url} redirected (HTTP ${status}) to ${res.headers.location ?? '(no location)'}; redirects are not followed` });
          }
          const encoding = res.headers['content-encoding'];
          if (encoding && encoding !== 'identity') {
            res.resume();
            return done({ ok: false, kind: 'bad-response', status, message: `${url} answered with a ${encoding}-encoded body, which is not supported` });
          }
          const declared = Number(res.headers['content-length']);
          if (Number.isFinite(declared) && declared > opts.maxBytes) {
            return done({ ok: false, kind: 'too-large', status, message: `${url} announced ${declared} bytes, more than the limit of ${opts.maxBytes}` });
          }
          const chunks: Buffer[] = [];
          let bytes = 0;
          res.on('data', (c: Buffer) => {
            bytes += c.length;
            if (bytes > opts.maxBytes) return done({ ok: false, kind: 'too-large', status, message: `${url} sent more than the limit of ${opts.maxBytes} bytes` });
            chunks.push(c);
          });
          res.on('end', () => {
            if (!res.complete) return done({ ok: false, kind: 'bad-response', status, message: `${url} closed the connection after ${bytes} bytes, before the end of the response` });
            const raw = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, bytes);
            if (status < 200 || status >= 300) {
              const text = raw.toString('utf8');
              return done({ ok: false, kind: 'bad-response', status, message: `${url} answered HTTP ${status}${text ? ': ' + text.slice(0, 200).trim() : ''}` });
            }
            done({ ok: true, status, body: decode(raw), bytes, contentType: res.headers['content-type'] });
          });
          res.on('aborted', () => done({ ok: false, kind: 'bad-response', status, message: `${url} closed the connection after ${bytes} bytes, before the end of the response` }));
          res.on('error', (e) => done({ ok: false, kind: 'bad-response', status, message: `${url} closed the connection after ${bytes} bytes (${(e as { code?: string }).code ?? e.message})` }));
          res.on('close', () => {
            if (!res.complete) done({ ok: false, kind: 'bad-response', status, message: `${url} closed the connection after ${bytes} bytes, before the end of the response` });
          });
        });
        req.on('error', (e: Error & { code?: string }) => {
          const kind: CollectorProblemKind = 'unavailable';
          const what = e.code === 'ECONNREFUSED' ? 'refused the connection (is it running?)' : e.code === 'ECONNRESET' ? 'closed the connection' : `failed: ${e.code ?? e.message}`;
          done({ ok: false, kind: e.code === 'ECONNRESET' ? 'bad-response' : kind, message: `${url} ${what}` });
        });
      } catch (e) {
        done({ ok: false, kind: 'unavailable', message: `${url}: ${e instanceof Error ? e.message : String(e)}` });
      }
    }
  });
}
