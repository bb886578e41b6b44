/**
 * The scrape client (engine/collect/keepAliveGet.ts) against real loopback servers: one
 * connection for many requests, what it sends, a new connection when the server closes the
 * kept one (idle, `Connection: close`, or just as a request crosses it), interim 1xx
 * answers, answers trickled a byte at a time, header and encoding refusals, bytes nobody
 * asked for. (Timeouts, caps, redirects, early closes and the per-endpoint limit through the
 * scrape collector: test/integration/collectScrape.test.ts, test/unit/hostileMetricsEndpoint.test.ts.)
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { KeepAliveHttpClient } from '../../engine/collect/keepAliveGet';
import { until } from '../helpers/until';

/** A raw TCP server: `onRequest(socket, n)` runs for each complete request head (n-th on that socket, from 0). */
async function rawServer(onRequest: (s: Socket, n: number, head: string) => void): Promise<{ port: number; connections(): number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = net.createServer((s) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    let pending = '';
    let n = 0;
    s.on('data', (d) => {
      pending += d.toString('latin1');
      let end: number;
      while ((end = pending.indexOf('\r\n\r\n')) >= 0) {
        const head = pending.slice(0, end);
        pending = pending.slice(end + 4);
        onRequest(s, n++, head);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

const ok = (body: string, extra = '') => `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;


describe('keep-alive scrape client', () => {
  const closers: Array<() => Promise<void>> = [];
  after(async () => {
    for (const c of closers) await c();
  });

  it('many GETs on one connection to a Node server, with the headers Node sent (Accept, User-Agent, Host)', async () => {
    const seen: http.IncomingHttpHeaders[] = [];
    const sockets = new Set<Socket>();
    let n = 0;
    const server = http.createServer((req, res) => {
      seen.push(req.headers);
      sockets.add(req.socket);
      const body = `up ${n++}\n`.repeat(1 + (n % 7) * 500);
      if (n % 2) res.end(body); // Content-Length
      else {
        res.write(body.slice(0, 10)); // chunked
        res.end(body.slice(10));
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }));
    const port = (server.address() as AddressInfo).port;
    const c = new KeepAliveHttpClient(`http://127.0.0.1:${port}/metrics?x=1`, { headers: { accept: 'text/plain;version=0.0.4' } });
    for (let i = 0; i < 20; i++) {
      const r = await c.get(2000, 1e6);
      assert.ok(r.ok, JSON.stringify(r));
      assert.equal(r.body.toString(), `up ${i}\n`.repeat(1 + ((i + 1) % 7) * 500));
      assert.equal(r.bytes, r.body.length);
    }
    assert.equal(c.connections, 1);
    assert.equal(sockets.size, 1);
    assert.equal(seen[0].accept, 'text/plain;version=0.0.4');
    assert.equal(seen[0]['user-agent'], 'alluse-perf');
    assert.equal(seen[0].host, `127.0.0.1:${port}`);
    assert.equal(seen[0].connection, 'keep-alive');
    c.close();
  });

  it('a new connection when the server closed the kept one while idle', async () => {
    const s = await rawServer((sock) => sock.end(ok('a 1\n'))); // answers, then closes (no Connection: close header)
    closers.push(s.close);
    const c = new KeepAliveHttpClient(`http://127.0.0.1:${s.port}/m`);
    for (let i = 0; i < 3; i++) {
      const r = await c.get(2000, 1e6);
      assert.ok(r.ok && r.body.toString() === 'a 1\n', JSON.stringify(r));
      await until('the close to arrive', () => s.connections() === i + 1);
      await new Promise((r) => setImmediate(r));
    }
    assert.equal(s.connections(), 3);
    c.close();
  });

  it('a request that crosses the server closing the kept connection is sent once more on a new one', async () => {
    // The second request on each connection is met by a close without an answer.
    const s = await rawServer((sock, n) => (n === 0 ? sock.write(ok(`n ${n}\n`)) : sock.destroy()));
    closers.push(s.close);
    const c = new KeepAliveHttpClient(`http://127.0.0.1:${s.port}/m`);
    for (let i = 0; i < 4; i++) {
      const r = await c.get(2000, 1e6);
      assert.ok(r.ok, JSON.stringify(r));
    }
    assert.equal(s.connections(), 4);
    c.close();
  });

  it('Connection: close and HTTP/1.0 answers are not kept; a body ended by the close is whole', async () => {
    const answers = [ok('a 1\n', 'Connection: close\r\n'), 'HTTP/1.0 200 OK\r\nContent-Length: 4\r\n\r\nb 2\n', 'HTTP/1.1 200 OK\r\n\r\nc 3\n'];
    const s = await rawServer((sock) => {
      const a = answers.shift()!;
      if (a.includes('c 3')) sock.end(a);
      else sock.write(a); // the client must close these itself
    });
    closers.push(s.close);
    const c = new KeepAliveHttpClient(`http://127.0.0.1:${s.port}/m`);
    for (const want of ['a 1\n', 'b 2\n', 'c 3\n']) {
      const r = await c.get(2000, 1e6);
      assert.ok(r.ok && r.body.toString() === want, JSON.stringify(r));
    }
    assert.equal(c.connections, 3);
    c.close();
  });

  it('an answer trickled one byte at a time, after a 100 Continue, chunked with extensions and trailers', async () => {
    const text = 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\nup 1\r\n1\r\n\n\r\n0\r\nX-T: 1\r\n\r\n';
    const s = await rawServer((sock) => {
      let i = 0;
      const t = setInterval(() => {
        if (sock.destroyed) return clearInterval(t);
        sock.write(text[i++]);
        if (i === text.length) clearInterval(t);
      }, 1);
    });
    closers.push(s.close);
    const c = new KeepAliveHttpClient(`http://127.0.0.1:${s.port}/m`);
    const r = await c.get(10_000, 1e6);
    assert.ok(r.ok && r.body.toString() === 'up 1\n', JSON.stringify(r));
    c.close();
  });

  it('headers past 16 KiB, and an encoded body, are refused with a sentence', async () => {
    let asked = 0; // over all connections (the first failure closes its connection)
    const s = await rawServer((sock) => sock.write(asked++ === 0 ? `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n` : ok('x', 'Content-Encoding: gzip\r\n')));
    closers.push(s.close);
    const c = new KeepAliveHttpClient(`http://127.0.0.1:${s.port}/m`);
    const big = await c.get(2000, 1e6);
    assert.ok(!big.ok && big.kind === 'bad-response', JSON.stringify(big));
    assert.match(big.message, /sent more than 16384 bytes of headers/);
    const gz = await c.get(2000, 1e6);
    assert.ok(!gz.ok && gz.kind === 'bad-response', JSON.stringify(gz));
    assert.match(gz.message, /answered with a gzip-encoded body, which is not supported/);
    c.close();
  });

  it('bytes nobody asked for close the connection; the next request gets a new one', async () => {
    const s = await rawServer((sock, n) => {
      sock.write(ok(`n ${n}\n`));
      setTimeout(() => sock.writable && sock.write('HTTP/1.1 200 OK\r\n'), 20);
    });
    closers.push(s.close);
    const c = new KeepAliveHttpClient(`http://127.0.0.1:${s.port}/m`);
    const a = await c.get(2000, 1e6);
    assert.ok(a.ok && a.body.toString() === 'n 0\n');
    await until('the stray bytes to close the connection', () => s.connections() === 1 && (c as unknown as { socket?: unknown }).socket === undefined);
    const b = await c.get(2000, 1e6);
    assert.ok(b.ok && b.body.toString() === 'n 0\n', JSON.stringify(b));
    assert.equal(c.connections, 2);
    c.close();
  });

  it('a second request while one is in flight answers busy; only http: URLs are taken', async () => {
    const s = await rawServer(() => undefined);
    closers.push(s.close);
    const c = new KeepAliveHttpClient(`http://127.0.0.1:${s.port}/m`);
    const first = c.get(200, 1e6);
    const second = await c.get(200, 1e6);
    assert.ok(!second.ok && second.kind === 'busy');
    const r = await first;
    assert.ok(!r.ok && r.kind === 'timeout' && /did not answer completely within 200 ms/.test(r.message), JSON.stringify(r));
    assert.throws(() => new KeepAliveHttpClient('https://127.0.0.1/m'), /http: URLs only/);
    c.close();
  });
});
