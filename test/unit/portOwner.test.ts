/**
 * Who holds a component's metrics port (engine/collect/procNetTcp.ts, portOwner.ts): the
 * parsing of /proc/net/tcp and tcp6 on text captured from a real machine, the choice of the
 * listening socket a target reaches, and the verdict on a fake /proc tree (processes, their
 * fds as `socket:[inode]` links, parents, command lines), with a fake clock for the cache.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { PortOwnerCheck, portOwnerCheck, portOwnerReads } from '../../engine/collect/portOwner';
import { decodeProcAddress, listenersFor, localTarget, parseListeners, socketInode, type ListenEntry } from '../../engine/collect/procNetTcp';

// Captured from /proc/net/tcp of an x86-64 machine (trailing blanks as the kernel writes them).
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode                                                     
   0: 0100007F:B4A9 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2268881 1 0000000074c5045a 100 0 0 10 0                   
   4: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1066 1 00000000871de9ec 100 0 0 10 0                      
   5: 0100007F:A6E7 0100007F:ADE6 06 00000000:00000000 03:00000984 00000000     0        0 0 3 00000000ef5da6fd                                      
   6: 0100007F:24F5 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4455667 1 0000000085abb298 100 0 0 10 0                   
`;
// Captured from /proc/net/tcp6 with Node servers listening on [::1]:9461, [::]:9471 and [::ffff:127.0.0.1]:9481.
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:24F5 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2281956 1 00000000210ce27c 100 0 0 10 0
   1: 00000000000000000000000000000000:24FF 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2281957 1 00000000388a15c9 100 0 0 10 0
   2: 0000000000000000FFFF00000100007F:2509 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2281958 1 00000000ff61111d 100 0 0 10 0
`;

describe('/proc/net/tcp and tcp6', () => {
  it('lists the LISTEN entries with address, port, uid and inode; other states are skipped', () => {
    assert.deepEqual(parseListeners(TCP, true), [
      { address: '127.0.0.1', port: 0xb4a9, uid: 0, inode: 2268881 },
      { address: '0.0.0.0', port: 2024, uid: 0, inode: 1066 },
      { address: '127.0.0.1', port: 9461, uid: 1000, inode: 4455667 },
    ]);
  });

  it('reads IPv6 listeners: loopback, the wildcard, an IPv4-mapped address', () => {
    assert.deepEqual(parseListeners(TCP6, true), [
      { address: '::1', port: 9461, uid: 0, inode: 2281956 },
      { address: '::', port: 9471, uid: 0, inode: 2281957 },
      { address: '::ffff:7f00:1', port: 9481, uid: 0, inode: 2281958 },
    ]);
    // What a scrape of 127.0.0.1 reaches among them.
    assert.deepEqual(listenersFor(parseListeners(TCP6, true), { port: 9481, addresses: ['127.0.0.1'] }).map((e) => e.inode), [2281958]);
    assert.deepEqual(listenersFor(parseListeners(TCP6, true), { port: 9471, addresses: ['127.0.0.1'] }).map((e) => e.inode), [2281957]);
    assert.deepEqual(listenersFor(parseListeners(TCP6, true), { port: 9461, addresses: ['127.0.0.1'] }), []);
  });

  it('decodes addresses in the byte order of the machine that wrote them', () => {
    assert.equal(decodeProcAddress('0100007F', true), '127.0.0.1');
    assert.equal(decodeProcAddress('7F000001', false), '127.0.0.1');
    assert.equal(decodeProcAddress('0201A8C0', true), '192.168.1.2');
    assert.equal(decodeProcAddress('00000000000000000000000001000000', true), '::1');
    assert.equal(decodeProcAddress('00000000000000000000000000000001', false), '::1');
    assert.equal(decodeProcAddress('0000000000000000FFFF00000100007F', true), '::ffff:7f00:1');
    assert.equal(decodeProcAddress('B80D0120000000000000000001000000', true), '2001:db8::1');
    assert.equal(decodeProcAddress('0100007', true), undefined);
    assert.equal(decodeProcAddress('0100007G', true), undefined);
  });

  it('reads fd links of sockets only', () => {
    assert.equal(socketInode('socket:[4455667]'), 4455667);
    assert.equal(socketInode('pipe:[4455667]'), undefined);
    assert.equal(socketInode('/tmp/socket:[1]'), undefined);
  });
});

describe('the target of a scrape', () => {
  const ifaces = ['127.0.0.1', '10.1.2.3', '::1', 'fd00::5'];
  it('is local for localhost, loopback and unspecified addresses, and this machine’s interfaces', () => {
    assert.deepEqual(localTarget('http://127.0.0.1:9461/metrics', ifaces), { port: 9461, addresses: ['127.0.0.1'] });
    assert.deepEqual(localTarget('http://localhost:9461/metrics', ifaces), { port: 9461, addresses: ['127.0.0.1', '::1'] });
    assert.deepEqual(localTarget('http://127.1/metrics', ifaces), { port: 80, addresses: ['127.0.0.1'] });
    assert.deepEqual(localTarget('https://[::1]/metrics', ifaces), { port: 443, addresses: ['::1'] });
    assert.deepEqual(localTarget('http://[::ffff:127.0.0.1]:9/m', ifaces), { port: 9, addresses: ['127.0.0.1'] });
    assert.deepEqual(localTarget('http://0.0.0.0:9461/', ifaces), { port: 9461, addresses: ['127.0.0.1'] });
    assert.deepEqual(localTarget('http://10.1.2.3:9461/', ifaces), { port: 9461, addresses: ['10.1.2.3'] });
    assert.deepEqual(localTarget('http://[fd00:0::5]:1/', ifaces), { port: 1, addresses: ['fd00::5'] });
  });
  it('is not local for another machine or a name that would need resolving', () => {
    assert.equal(localTarget('http://10.1.2.4:9461/metrics', ifaces), undefined);
    assert.equal(localTarget('http://metrics.example.com:9461/metrics', ifaces), undefined);
    assert.equal(localTarget('http://[fd00::6]:9461/metrics', ifaces), undefined);
    assert.equal(localTarget('ftp://127.0.0.1/x', ifaces), undefined);
    assert.equal(localTarget('not a url', ifaces), undefined);
  });

  const e = (address: string, port: number, inode: number): ListenEntry => ({ address, port, uid: 0, inode });
  it('reaches the exact bind of its address, else the wildcard of its family', () => {
    const t = { port: 9461, addresses: ['127.0.0.1'] };
    assert.deepEqual(listenersFor([e('0.0.0.0', 9461, 1), e('127.0.0.1', 9461, 2), e('127.0.0.1', 9462, 3)], t).map((x) => x.inode), [2]);
    assert.deepEqual(listenersFor([e('0.0.0.0', 9461, 1), e('::1', 9461, 4)], t).map((x) => x.inode), [1]);
    assert.deepEqual(listenersFor([e('::', 9461, 5)], t).map((x) => x.inode), [5]); // dual-stack
    assert.deepEqual(listenersFor([e('::ffff:7f00:1', 9461, 6), e('::', 9461, 5)], t).map((x) => x.inode), [6]);
    assert.deepEqual(listenersFor([e('0.0.0.0', 9461, 1)], { port: 9461, addresses: ['::1'] }), []);
    assert.deepEqual(listenersFor([e('127.0.0.1', 9461, 2), e('::1', 9461, 4)], { port: 9461, addresses: ['127.0.0.1', '::1'] }).map((x) => x.inode), [2, 4]);
  });
});

/** A fake /proc: processes with a parent, a start time, a command line and fds. */
class FakeProc {
  readonly root = mkdtempSync(join(tmpdir(), 'alluse-portowner-'));
  constructor(selfPid: number) {
    mkdirSync(join(this.root, 'net'));
    this.proc(selfPid, { ppid: 1, cmd: 'node monitor', netns: 'net:[1]' });
    mkdirSync(join(this.root, 'self', 'ns'), { recursive: true });
    symlinkSync('net:[1]', join(this.root, 'self', 'ns', 'net'));
  }
  tcp(text: string, file = 'tcp'): void {
    writeFileSync(join(this.root, 'net', file), text);
  }
  proc(pid: number, o: { ppid: number; cmd: string; start?: number; fds?: Record<string, string>; netns?: string; unreadableFds?: boolean }): void {
    const dir = join(this.root, String(pid));
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'ns'), { recursive: true });
    writeFileSync(join(dir, 'stat'), `${pid} (${o.cmd.split(' ')[0]}) S ${o.ppid} 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 ${o.start ?? pid * 10} 100000 250 0\n`);
    writeFileSync(join(dir, 'cmdline'), o.cmd.split(' ').join('\0') + '\0');
    symlinkSync(o.netns ?? 'net:[1]', join(dir, 'ns', 'net'));
    if (o.unreadableFds) return; // as another user's process: the fd folder cannot be listed
    mkdirSync(join(dir, 'fd'));
    for (const [fd, link] of Object.entries(o.fds ?? { 0: '/dev/null', 1: 'pipe:[77]' })) symlinkSync(link, join(dir, 'fd', fd));
  }
  kill(pid: number): void {
    rmSync(join(this.root, String(pid)), { recursive: true, force: true });
  }
  closeFd(pid: number, fd: string): void {
    unlinkSync(join(this.root, String(pid), 'fd', fd));
  }
  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

const line = (sl: number, hexAddr: string, port: number, inode: number, uid = 1000) =>
  `  ${sl}: ${hexAddr}:${port.toString(16).toUpperCase().padStart(4, '0')} 00000000:0000 0A 00000000:00000000 00:00000000 00000000  ${uid}        0 ${inode} 1 0000000000000000 100 0 0 10 0\n`;
const HEADER = TCP.split('\n')[0] + '\n';

describe('who holds the port', () => {
  const SELF = 50;
  const fakes: FakeProc[] = [];
  after(() => fakes.forEach((f) => f.dispose()));
  let mono = 0;
  const clock = { monoMs: () => mono };

  function setup(componentPid: { pid?: number }, spec: { pidFile?: string; commandMatch?: string } = { commandMatch: 'engine\\.js' }) {
    const f = new FakeProc(SELF);
    fakes.push(f);
    f.tcp(HEADER + line(0, '0100007F', 9461, 7001) + line(1, '0100007F', 9462, 7002));
    const check = new PortOwnerCheck('protocol-engine', { port: 9461, addresses: ['127.0.0.1'] }, { componentPid: () => componentPid.pid, spec, folder: f.root, procRoot: f.root, clock, selfPid: SELF });
    return { f, check };
  }

  it('is the component when its process holds the listening socket', async () => {
    const { f, check } = setup({ pid: 100 });
    f.proc(100, { ppid: 1, cmd: 'node engine.js', fds: { 0: '/dev/null', 21: 'socket:[7001]' } });
    f.proc(200, { ppid: 1, cmd: 'node other.js', fds: { 5: 'socket:[7002]' } });
    assert.deepEqual(await check.verdict(), { held: 'component', pid: 100 });
    assert.equal(await check.heldByOther(), undefined);
  });

  it('is the component when a child of its process holds it (a wrapper script), or a process its section names', async () => {
    const { f, check } = setup({ pid: 100 }, { pidFile: 'run/engine.pid' });
    f.proc(100, { ppid: 1, cmd: 'sh -c node server.js' });
    f.proc(101, { ppid: 100, cmd: 'node server.js', fds: { 3: 'socket:[7001]' } });
    assert.deepEqual(await check.verdict(), { held: 'component', pid: 101 });
    // Restarted: the pid file names the new wrapper before the process collector has seen it.
    const c2 = setup({ pid: 100 }, { pidFile: 'run/engine.pid' });
    mkdirSync(join(c2.f.root, 'run'));
    writeFileSync(join(c2.f.root, 'run/engine.pid'), '300\n');
    c2.f.proc(300, { ppid: 1, cmd: 'sh -c node server.js' });
    c2.f.proc(301, { ppid: 300, cmd: 'node server.js', fds: { 3: 'socket:[7001]' } });
    assert.deepEqual(await c2.check.verdict(), { held: 'component', pid: 301 });
    // A cluster: commandMatch found a worker; its parent, the primary, holds the socket.
    const c3 = setup({ pid: 401 });
    c3.f.proc(400, { ppid: 1, cmd: 'node engine.js', fds: { 9: 'socket:[7001]' } });
    c3.f.proc(401, { ppid: 400, cmd: 'node engine.js' });
    assert.deepEqual(await c3.check.verdict(), { held: 'component', pid: 400 });
  });

  /** The component holds the port (seen once), then `takeover` runs and the next scrape opens a new connection. */
  async function takenOver(f: FakeProc, check: PortOwnerCheck, componentHolder: number, takeover: () => void) {
    f.proc(componentHolder, { ppid: 1, cmd: 'node engine.js', start: 50 * 100, fds: { 21: 'socket:[7001]' } });
    assert.equal((await check.verdict()).held, 'component');
    takeover();
    f.tcp(HEADER + line(0, '0100007F', 9461, 7003));
    mono += 1000; // past the shared read of /proc/net/tcp
    check.connectionOpened();
    return check.verdict();
  }

  it('does not take a stale pid file (its pid reused by the other program) for the component', async () => {
    const { f, check } = setup({}, { pidFile: 'run/engine.pid' });
    writeFileSync(join(f.root, 'stat'), 'cpu  1 2 3 4\nbtime 1000000\n'); // booted at 1e9 ms
    mkdirSync(join(f.root, 'run'));
    writeFileSync(join(f.root, 'run/engine.pid'), '4242\n');
    utimesSync(join(f.root, 'run/engine.pid'), 1_000_100, 1_000_100); // written 100 s after boot
    // The component (pid 4242, started 50 s after boot) dies; its pid is reused by a program
    // started 200 s after boot, which takes the port: the pid file is stale.
    const v = await takenOver(f, check, 4242, () => f.proc(4242, { ppid: 1, cmd: 'python3 -m http.server', start: 200 * 100, fds: { 3: 'socket:[7003]' } }));
    assert.equal(v.held, 'other');
    // The same pid started 50 s after boot, before the file was written: the component.
    const c2 = setup({}, { pidFile: 'run/engine.pid' });
    writeFileSync(join(c2.f.root, 'stat'), 'cpu  1 2 3 4\nbtime 1000000\n');
    mkdirSync(join(c2.f.root, 'run'));
    writeFileSync(join(c2.f.root, 'run/engine.pid'), '4242\n');
    utimesSync(join(c2.f.root, 'run/engine.pid'), 1_000_100, 1_000_100);
    c2.f.proc(4242, { ppid: 1, cmd: 'node engine.js', start: 50 * 100, fds: { 3: 'socket:[7001]' } });
    assert.deepEqual(await c2.check.verdict(), { held: 'component', pid: 4242 });
  });

  it('names another process that holds it, with its command line and what to do', async () => {
    const { f, check } = setup({ pid: 100 });
    // The component closes its listening socket; another program listens on the port.
    const v = await takenOver(f, check, 100, () => {
      f.closeFd(100, '21');
      f.proc(4242, { ppid: SELF, cmd: 'python3 -m http.server 9461', fds: { 3: 'socket:[7003]' } });
    });
    assert.deepEqual(v, { held: 'other', pid: 4242, command: 'python3 -m http.server 9461', componentPid: 100 });
    assert.equal(
      await check.heldByOther(),
      "protocol-engine's metrics port 9461 is held by pid 4242 (python3 -m http.server 9461), not by protocol-engine (pid 100): stop that process or change `metrics:` in alluse-perf.yaml. Its answers are not recorded as protocol-engine's.",
    );
  });

  it('names it too when the component is not running, and never takes the monitor or its children for the component', async () => {
    const { f, check } = setup({}, { commandMatch: 'node' });
    // The other program runs under the monitor, whose own command line matches the loose commandMatch.
    await takenOver(f, check, 300, () => {
      f.kill(300);
      f.proc(4242, { ppid: SELF, cmd: 'python3 impostor.py', fds: { 3: 'socket:[7003]' } });
    });
    assert.match((await check.heldByOther()) ?? '', /held by pid 4242 \(python3 impostor\.py\), not by protocol-engine \(its process was not found\)/);
  });

  it('takes a process that held the port from the start for a separate exporter of the component', async () => {
    mono = 0;
    const { f, check } = setup({ pid: 100 }, { commandMatch: 'redis-server' });
    f.proc(100, { ppid: 1, cmd: 'redis-server *:6379' });
    f.proc(4242, { ppid: 1, cmd: 'redis_exporter', fds: { 3: 'socket:[7001]' } });
    const v = await check.verdict();
    assert.equal(v.held, 'unknown');
    assert.match(v.held === 'unknown' ? v.why : '', /pid 4242 \(redis_exporter\) has held the port since monitoring started/);
    assert.equal(await check.heldByOther(), undefined);
  });

  it('says nothing when the holder cannot be told', async () => {
    // Another user's process: its fds cannot be listed.
    const a = setup({ pid: 100 });
    a.f.proc(100, { ppid: 1, cmd: 'node engine.js' });
    a.f.proc(4242, { ppid: 1, cmd: 'python3 -m http.server', unreadableFds: true });
    assert.equal((await a.check.verdict()).held, 'unknown');
    // Nothing listens on the port in our network namespace (forwarded into a container, say).
    const b = setup({ pid: 100 });
    b.f.tcp(HEADER + line(1, '0100007F', 9462, 7002));
    b.f.proc(100, { ppid: 1, cmd: 'node engine.js' });
    assert.equal((await b.check.verdict()).held, 'unknown');
    // The component runs in another network namespace.
    const c = setup({ pid: 100 });
    c.f.proc(100, { ppid: 1, cmd: 'node engine.js', netns: 'net:[2]' });
    c.f.proc(4242, { ppid: 1, cmd: 'docker-proxy', fds: { 3: 'socket:[7001]' } });
    assert.equal((await c.check.verdict()).held, 'unknown');
    // No process section to compare with.
    const d = setup({}, {});
    d.f.proc(4242, { ppid: 1, cmd: 'python3', fds: { 3: 'socket:[7001]' } });
    assert.equal((await d.check.verdict()).held, 'unknown');
    // Not Linux; a remote target.
    assert.equal(portOwnerCheck('x', 'http://127.0.0.1:9461/metrics', { componentPid: () => 1, platform: 'darwin' }), undefined);
    assert.equal(portOwnerCheck('x', 'http://192.0.2.7:9461/metrics', { componentPid: () => 1, platform: 'linux', interfaceAddresses: [] }), undefined);
    assert.ok(portOwnerCheck('x', 'http://127.0.0.1:9461/metrics', { componentPid: () => 1, platform: 'linux', interfaceAddresses: [] }));
  });

  it('keeps its verdict for a few seconds, checks again on a new connection, and recovers', async () => {
    mono = 0;
    const pid = { pid: 100 as number | undefined };
    const { f, check } = setup(pid);
    f.proc(100, { ppid: 1, cmd: 'node engine.js', fds: { 21: 'socket:[7001]' } });
    assert.equal((await check.verdict()).held, 'component');
    // The component dies and another program takes the port (a new socket, a new inode) …
    f.kill(100);
    f.proc(4242, { ppid: 1, cmd: 'python3 -m http.server', fds: { 3: 'socket:[7003]' } });
    f.tcp(HEADER + line(0, '0100007F', 9461, 7003));
    // … while the old connection is kept alive and the process collector has not noticed: the cached verdict.
    mono = 1000;
    assert.equal((await check.verdict()).held, 'component');
    // A new connection: the last holder no longer holds its socket, so it is checked at once.
    check.connectionOpened();
    assert.deepEqual(await check.verdict(), { held: 'other', pid: 4242, command: 'python3 -m http.server', componentPid: 100 });
    // The process collector notices the death: checked again (the component pid changed).
    pid.pid = undefined;
    assert.equal((await check.verdict()).held, 'other');
    // The other program stops and the component starts again.
    f.kill(4242);
    f.proc(500, { ppid: 1, cmd: 'node engine.js', fds: { 21: 'socket:[7004]' } });
    f.tcp(HEADER + line(0, '0100007F', 9461, 7004));
    mono = 1500;
    assert.equal((await check.verdict()).held, 'other', 'cached until a new connection or the period');
    check.connectionOpened();
    assert.deepEqual(await check.verdict(), { held: 'component', pid: 500 });
    pid.pid = 500;
    assert.deepEqual(await check.verdict(), { held: 'component', pid: 500 });
    // A new connection to the same holder: one readlink confirms it (no full check: a changed tcp file is not read).
    f.tcp(HEADER);
    check.connectionOpened();
    mono = 2000;
    assert.deepEqual(await check.verdict(), { held: 'component', pid: 500 });
    // After the period it is confirmed the same cheap way, and once a minute checked in full.
    mono = 2000 + 5000;
    assert.deepEqual(await check.verdict(), { held: 'component', pid: 500 });
    mono = 1500 + 60_000;
    assert.equal((await check.verdict()).held, 'unknown', 'the tcp file is read again');
  });

  it('shares one read of /proc/net/tcp among checks that start within 250 ms', async () => {
    mono = 0;
    const { f, check } = setup({ pid: 100 });
    f.proc(100, { ppid: 1, cmd: 'node engine.js', fds: { 21: 'socket:[7001]' } });
    const second = new PortOwnerCheck('account-service', { port: 9462, addresses: ['127.0.0.1'] }, { componentPid: () => 200, spec: {}, procRoot: f.root, clock, selfPid: SELF });
    f.proc(200, { ppid: 1, cmd: 'node account.js', fds: { 5: 'socket:[7002]' } });
    assert.equal((await check.verdict()).held, 'component');
    f.tcp(HEADER); // nothing listens any more, but the read is shared for 250 ms
    mono = 249;
    assert.deepEqual(await second.verdict(), { held: 'component', pid: 200 });
    const third = new PortOwnerCheck('account-service', { port: 9462, addresses: ['127.0.0.1'] }, { componentPid: () => 200, spec: {}, procRoot: f.root, clock, selfPid: SELF });
    mono = 250;
    assert.equal((await third.verdict()).held, 'unknown');
  });

  it('confirms its verdict every few seconds without a new connection', async () => {
    mono = 0;
    const { f, check } = setup({ pid: 100 });
    f.proc(100, { ppid: 1, cmd: 'node engine.js', fds: { 21: 'socket:[7001]' } });
    assert.equal((await check.verdict()).held, 'component');
    // The component closes its listening socket and another program listens on the port (kept-alive connection aside).
    f.closeFd(100, '21');
    f.proc(4242, { ppid: 1, cmd: 'python3 -m http.server', fds: { 3: 'socket:[7003]' } });
    f.tcp(HEADER + line(0, '0100007F', 9461, 7003));
    mono = 4999;
    assert.equal((await check.verdict()).held, 'component');
    mono = 5000;
    assert.equal((await check.verdict()).held, 'other');
    // While another process holds it: confirmed every second.
    f.kill(4242);
    f.proc(100, { ppid: 1, cmd: 'node engine.js', fds: { 22: 'socket:[7004]' } });
    f.tcp(HEADER + line(0, '0100007F', 9461, 7004));
    mono = 5999;
    assert.equal((await check.verdict()).held, 'other');
    mono = 6000;
    assert.deepEqual(await check.verdict(), { held: 'component', pid: 100 });
  });

  it("reads the tables once a minute for the periodic checks of all components (scrapes spread over a second), not once per component", async () => {
    const f = new FakeProc(SELF);
    fakes.push(f);
    const ports = [9461, 9462, 9463, 9464];
    f.tcp(HEADER + ports.map((p, k) => line(k, '0100007F', p, 8000 + k)).join(''));
    ports.forEach((_, k) => f.proc(100 + k, { ppid: 1, cmd: `node c${k}.js`, fds: { 21: `socket:[${8000 + k}]` } }));
    const checks = ports.map((port, k) => new PortOwnerCheck(`c${k}`, { port, addresses: ['127.0.0.1'] }, { componentPid: () => 100 + k, spec: { commandMatch: `c${k}` }, procRoot: f.root, clock, selfPid: SELF }));
    const offsets = [0, 200, 500, 700]; // the demo's four scrape loops on the 100 ms rounds
    const readsByMinute: number[] = [];
    const start = 10_000_000;
    for (let second = 0; second < 5 * 60; second++) {
      for (let k = 0; k < 4; k++) {
        mono = start + second * 1000 + offsets[k];
        const before = portOwnerReads.tables;
        assert.deepEqual(await checks[k].verdict(), { held: 'component', pid: 100 + k });
        const minute = Math.floor(second / 60);
        readsByMinute[minute] = (readsByMinute[minute] ?? 0) + portOwnerReads.tables - before;
      }
    }
    // The first checks: the 250 ms sharing (0 and 200 ms, then 500 and 700 ms); then one read a
    // minute serves all four periodic checks (four reads a minute before).
    assert.deepEqual(readsByMinute, [2, 1, 1, 1, 1]);
    // A change is still seen as before: the third component's socket is taken over, and its next scrape opens a new connection.
    f.closeFd(102, '21');
    f.proc(4242, { ppid: 1, cmd: 'python3 -m http.server', fds: { 3: 'socket:[8010]' } });
    f.tcp(HEADER + ports.map((p, k) => line(k, '0100007F', p, k === 2 ? 8010 : 8000 + k)).join(''));
    mono += 1000;
    checks[2].connectionOpened();
    assert.deepEqual(await checks[2].verdict(), { held: 'other', pid: 4242, command: 'python3 -m http.server', componentPid: 102 });
  });
});
