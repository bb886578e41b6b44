// Loopback HTTP plumbing: a tiny JSON router for the servers and a keep-alive client for
// the calls between components (a new TCP connection per call would dominate the cost).
import http from 'node:http';

export interface Request { method: string; url: URL; body: unknown; remote: string; raw: http.IncomingMessage }
export interface Reply { status?: number; json?: unknown; text?: string; contentType?: string }
export type Handler = (req: Request) => Reply | Promise<Reply>;

const MAX_BODY = 32 * 1024 * 1024;

export function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) { reject(new Error('request body too large')); req.destroy(); return; }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function send(res: http.ServerResponse, r: Reply): void {
  const status = r.status ?? 200;
  if (r.text !== undefined) {
    res.writeHead(status, { 'content-type': r.contentType ?? 'text/plain; charset=utf-8' });
    res.end(r.text);
  } else {
    const body = JSON.stringify(r.json ?? {});
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body);
  }
}

export function isLoopback(addr: string | undefined): boolean {
  if (!addr) return false;
  return addr === '::1' || addr.startsWith('127.') || addr.startsWith('::ffff:127.');
}

/** One shared keep-alive agent per process: components call each other many times a second. */
export const agent = new http.Agent({ keepAlive: true, maxSockets: 64, keepAliveMsecs: 1000 });

export interface ClientResponse { status: number; body: unknown }

/** POST (or GET when body is undefined) JSON to a URL; rejects on network error or timeout. */
export function requestJson(url: string, body: unknown, timeoutMs = 5000, method?: string): Promise<ClientResponse> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = http.request(url, {
      method: method ?? (payload ? 'POST' : 'GET'),
      agent,
      headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {},
      timeout: timeoutMs,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        if ((res.headers['content-type'] ?? '').includes('json')) {
          try { parsed = JSON.parse(text); } catch { /* leave as text */ }
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms: ${url}`)));
    req.on('error', reject);
    req.end(payload);
  });
}
