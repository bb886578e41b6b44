/**
 * One bounded HTTP GET, for scrapes and Prometheus API calls:
 *
 * - a deadline for the WHOLE request (connect, headers and body): a slow-loris server that
 *   trickles bytes is cut off at the deadline, not kept alive by each byte;
 * - a size cap: a Content-Length above it is refused before reading, a body that grows past
 *   it is cut off;
 * - redirects are never followed (a 3xx is reported with its Location);
 * - a connection closed before the body is complete is reported, not taken as a short body;
 * - http: and https: only; no compressed bodies (we do not ask for them).
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
}

export type HttpGetOutcome =
  | { ok: true; status: number; body: string; bytes: number; contentType?: string }
  | { ok: false; kind: CollectorProblemKind; message: string; status?: number };

export function httpGet(url: string, opts: HttpGetOptions): Promise<HttpGetOutcome> {
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
  return new Promise((resolvePromise) => {
    let settled = false;
    let req: http.ClientRequest | undefined;
    const done = (o: HttpGetOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!o.ok) req?.destroy();
      resolvePromise(o);
    };
    const timer = setTimeout(() => done({ ok: false, kind: 'timeout', message: `${url} did not answer completely within ${opts.timeoutMs} ms` }), opts.timeoutMs);
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
          const body = Buffer.concat(chunks, bytes).toString('utf8');
          if (status < 200 || status >= 300) return done({ ok: false, kind: 'bad-response', status, message: `${url} answered HTTP ${status}${body ? ': ' + body.slice(0, 200).trim() : ''}` });
          done({ ok: true, status, body, bytes, contentType: res.headers['content-type'] });
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
  });
}
