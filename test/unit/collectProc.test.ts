import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cpuRatio, parseCmdline, parseDiskstats, parseLoadavg, parseMeminfo, parseNetDev, parsePidIo, parsePidStat, parseProcStat, ProcessCollector, ProcessLocator, ProcSystemCollector, seriesIdOf } from './collectHelpers';
import { ProcFile } from '../../engine/collect/procFile';

// Captured on a 2-core Debian 12 VM (trimmed).
const STAT = `cpu  10132153 290696 3084719 46828483 16683 0 25195 0 0 0
cpu0 1393280 32966 447880 6694878 4669 0 11457 0 0 0
cpu1 1335616 34000 393450 6725131 2061 0 8054 0 0 0
intr 199292188 9 0 0
ctxt 1990473894
btime 1062191376
processes 2915936
`;
const MEMINFO = `MemTotal:       16318412 kB
MemFree:         1217392 kB
MemAvailable:   10571004 kB
Buffers:          611412 kB
Cached:          8542640 kB
SwapTotal:       2097148 kB
SwapFree:        2095100 kB
HugePages_Total:       0
`;
const NETDEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo: 480238231  344267    0    0    0     0          0         0 480238231  344267    0    0    0     0       0          0
  eth0:12345678901 9000 0 0 0 0 0 0 987654 800 0 0 0 0 0 0
`;
const DISKSTATS = `   7       0 loop0 10 0 20 0 0 0 0 0 0 0 0 0 0 0 0 0 0
 253       0 vda 83531 27146 5418206 28561 1283042 1224233 32186856 1245632 0 1067444 1296636 0 0 0 0 82466 22441
 253       1 vda1 83000 27000 5400000 28000 1283000 1224000 32186000 1245000 0 1067000 1296000 0 0 0 0 0 0
`;
// A command name with spaces and parentheses, as /proc shows it.
const PIDSTAT = '4242 (my (weird) proc) S 1 4242 4242 0 -1 4194560 5000 0 3 0 250 75 0 0 20 0 11 0 987654 1234567890 3000 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n';

describe('/proc parsers (captured samples)', () => {
  it('/proc/stat: total and per-core jiffies; busy share between two readings', () => {
    const cpus = parseProcStat(STAT);
    assert.deepEqual([...cpus.keys()], ['total', '0', '1']);
    const t = cpus.get('total')!;
    assert.equal(t.busy, 10132153 + 290696 + 3084719 + 0 + 25195 + 0);
    assert.equal(t.total, t.busy + 46828483 + 16683);
    assert.equal(cpuRatio({ busy: 100, total: 1000 }, { busy: 175, total: 1100 }), 0.75);
    assert.equal(cpuRatio({ busy: 100, total: 1000 }, { busy: 100, total: 1000 }), undefined);
  });
  it('/proc/meminfo, /proc/loadavg', () => {
    const m = parseMeminfo(MEMINFO);
    assert.deepEqual(m, { memTotal: 16318412 * 1024, memFree: 1217392 * 1024, memAvailable: 10571004 * 1024, buffers: 611412 * 1024, cached: 8542640 * 1024, swapTotal: 2097148 * 1024, swapFree: 2095100 * 1024 });
    // SwapCached is not Cached; a file without MemAvailable (old kernels) leaves it NaN.
    assert.ok(Number.isNaN(parseMeminfo('SwapCached:  5 kB\nMemTotal: 10 kB\n').cached));
    assert.ok(Number.isNaN(parseMeminfo('MemTotal: 10 kB\n').memAvailable));
    assert.deepEqual(parseLoadavg('0.52 0.58 0.59 2/1234 12345\n'), [0.52, 0.58, 0.59]);
    assert.equal(parseLoadavg('garbage'), undefined);
  });
  it('/proc/net/dev (also a counter glued to the colon), /proc/diskstats in bytes', () => {
    const n = parseNetDev(NETDEV);
    assert.deepEqual(n.get('eth0'), { rxBytes: 12345678901, txBytes: 987654 });
    assert.deepEqual(n.get('lo'), { rxBytes: 480238231, txBytes: 480238231 });
    assert.equal(n.size, 2);
    const d = parseDiskstats(DISKSTATS);
    assert.deepEqual(d.get('vda'), { readBytes: 5418206 * 512, writeBytes: 32186856 * 512 });
  });
  it('/proc/PID/stat with a command name holding spaces and parentheses; io; cmdline', () => {
    assert.deepEqual(parsePidStat(PIDSTAT), { pid: 4242, comm: 'my (weird) proc', state: 'S', ppid: 1, utimeTicks: 250, stimeTicks: 75, threads: 11, startTime: 987654, rssPages: 3000 });
    assert.equal(parsePidStat('4242 (x) S 1 2'), undefined);
    assert.deepEqual(parsePidIo('rchar: 1\nwchar: 2\nread_bytes: 4096\nwrite_bytes: 8192\ncancelled_write_bytes: 0\n'), { readBytes: 4096, writeBytes: 8192 });
    assert.equal(parseCmdline('node\0dist/a.js\0--x\0'), 'node dist/a.js --x');
  });
});

/** A fake /proc in a temp folder, so readers and discovery are tested without timing. */
function fakeProc() {
  const root = mkdtempSync(join(tmpdir(), 'alluse-fakeproc-'));
  const write = (p: string, text: string) => {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), text);
  };
  const proc = (pid: number, o: { cmd: string; start: number; ppid?: number; utime?: number; state?: string; fds?: number; readBytes?: number }) => {
    write(`${pid}/stat`, `${pid} (x) ${o.state ?? 'S'} ${o.ppid ?? 1} 0 0 0 -1 0 0 0 0 0 ${o.utime ?? 0} 0 0 0 20 0 3 0 ${o.start} 100000 250 0\n`);
    write(`${pid}/cmdline`, o.cmd.split(' ').join('\0') + '\0');
    write(`${pid}/io`, `read_bytes: ${o.readBytes ?? 0}\nwrite_bytes: 0\n`);
    mkdirSync(join(root, String(pid), 'fd'), { recursive: true });
    for (let i = 0; i < (o.fds ?? 3); i++) writeFileSync(join(root, String(pid), 'fd', String(i)), '');
  };
  const kill = (pid: number) => rmSync(join(root, String(pid)), { recursive: true, force: true });
  // boot at 1,000,000 s after the epoch
  write('stat', STAT.replace('btime 1062191376', 'btime 1000000'));
  return { root, write, proc, kill };
}

describe('system collector on a fake /proc', () => {
  const f = fakeProc();
  after(() => rmSync(f.root, { recursive: true, force: true }));
  it('gives levels at once and rates from the second round, on the monotonic clock', async () => {
    f.write('loadavg', '1.5 1.0 0.5 1/100 42\n');
    f.write('meminfo', MEMINFO);
    f.write('net/dev', NETDEV);
    f.write('diskstats', DISKSTATS);
    const block = mkdtempSync(join(tmpdir(), 'alluse-sysblock-'));
    mkdirSync(join(block, 'vda'));
    mkdirSync(join(block, 'loop0'));
    let mono = 0;
    const c = new ProcSystemCollector({ procRoot: f.root, sysBlock: block, clock: { monoMs: () => mono } });
    const first = await c.collect(5_000_000);
    const ids = first.samples.map(seriesIdOf);
    assert.ok(ids.includes('system_load1') && ids.includes('system_memory_used_bytes'));
    assert.ok(!ids.some((i) => i.startsWith('system_cpu_ratio') || i.includes('per_second')));
    assert.equal(first.samples.find((s) => s.series.name === 'system_memory_used_bytes')!.v, (16318412 - 10571004) * 1024);
    assert.equal(first.samples.find((s) => s.series.name === 'system_swap_used_bytes')!.v, (2097148 - 2095100) * 1024);

    mono = 2000;
    f.write('net/dev', NETDEV.replace('12345678901', '12345679901'));
    f.write('diskstats', DISKSTATS.replace('5418206', '5418210'));
    f.write('stat', STAT.replace('cpu  10132153', 'cpu  10132253'));
    // the wall clock jumped back an hour: rates must not care, and the jump is reported
    const second = await c.collect(5_000_000 - 3_600_000);
    const v = Object.fromEntries(second.samples.map((s) => [seriesIdOf(s), s.v]));
    assert.equal(v['system_network_receive_bytes_per_second{interface="eth0"}'], 500);
    assert.equal(v['system_disk_read_bytes_per_second{device="vda"}'], 1024);
    assert.equal(v['system_disk_read_bytes_per_second{device="vda1"}'], undefined); // partitions are not counted twice
    assert.equal(v['system_disk_read_bytes_per_second{device="loop0"}'], undefined);
    assert.equal(v['system_cpu_ratio{cpu="total"}'], 1);
    assert.equal(v['system_cpu_ratio{cpu="0"}'], undefined); // no jiffies passed on core 0
    assert.deepEqual(second.problems.map((p) => p.kind), ['clock-jump']);
    rmSync(block, { recursive: true });
  });
  it('a missing file is a problem, reported once while it lasts; the rest goes on', async () => {
    const g = fakeProc();
    g.write('loadavg', '1 1 1 1/1 1\n');
    const c = new ProcSystemCollector({ procRoot: g.root, sysBlock: '/nonexistent' });
    const r = await c.collect(0);
    assert.ok(r.samples.some((s) => s.series.name === 'system_load1'));
    assert.deepEqual(r.problems.map((p) => p.kind), ['unavailable', 'unavailable', 'unavailable']); // meminfo, diskstats, net/dev
    assert.equal((await c.collect(100)).problems.length, 0);
    rmSync(g.root, { recursive: true, force: true });
  });
});

describe('process discovery on a fake /proc', () => {
  it('commandMatch: skips our own process, prefers the child of a matching wrapper, finds it again after a restart', async () => {
    const f = fakeProc();
    f.proc(100, { cmd: 'node test-runner engine\\.js', start: 10 }); // "our" process
    f.proc(200, { cmd: 'sh -c node engine.js', start: 20 });
    f.proc(201, { cmd: 'node engine.js', start: 21, ppid: 200 });
    const loc = new ProcessLocator({ commandMatch: 'engine\\.js' }, f.root, { procRoot: f.root, selfPid: 100, rescanMs: 0 });
    let r = await loc.locate();
    assert.deepEqual(r.identity, { pid: 201, startTime: 21, foundBy: 'commandMatch' });
    assert.equal(r.changed, true);
    r = await loc.locate();
    assert.equal(r.changed, false);
    // restart: the old pid is gone, a new one appears
    f.kill(201);
    f.proc(305, { cmd: 'node engine.js', start: 99, ppid: 200 });
    r = await loc.locate();
    assert.deepEqual([r.identity?.pid, r.previous?.pid, r.changed], [305, 201, true]);
    // pid reuse: same pid, another start time → another process, so it is looked for again
    f.kill(305);
    f.kill(200); // (else the wrapper, which matches too, would be taken)
    f.proc(305, { cmd: 'vim notes.txt', start: 150 });
    r = await loc.locate();
    assert.equal(r.identity, undefined);
    assert.match(r.reason!, /no running process matches/);
    rmSync(f.root, { recursive: true, force: true });
  });

  it('pidFile: read every round; a zombie, a stale file and a reused pid are "not running"', async () => {
    const f = fakeProc();
    const folder = mkdtempSync(join(tmpdir(), 'alluse-ws-'));
    mkdirSync(join(folder, '.run'));
    const pidFile = join(folder, '.run/c.pid');
    // process started 500 s after boot (boot = 1,000,000 s), pid file written 1 s later
    const setFile = (pid: number, atS: number) => {
      writeFileSync(pidFile, `${pid}\n`);
      utimesSync(pidFile, atS, atS);
    };
    f.proc(300, { cmd: 'node c.js', start: 500 * 100 });
    setFile(300, 1_000_501);
    const loc = new ProcessLocator({ pidFile: '.run/c.pid' }, folder, { procRoot: f.root });
    assert.deepEqual((await loc.locate()).identity, { pid: 300, startTime: 50000, foundBy: 'pidFile' });
    // the component restarts under a new pid and rewrites its pid file
    f.kill(300);
    f.proc(301, { cmd: 'node c.js', start: 600 * 100 });
    setFile(301, 1_000_601);
    const r = await loc.locate();
    assert.deepEqual([r.identity?.pid, r.changed, r.previous?.pid], [301, true, 300]);
    // it dies; its pid is reused by a process started long after the pid file was written
    f.kill(301);
    f.proc(301, { cmd: 'other', start: 900 * 100 });
    const stale = await loc.locate();
    assert.equal(stale.identity, undefined);
    assert.match(stale.reason!, /stale.*reused/);
    // a zombie is not running
    f.kill(301);
    f.proc(301, { cmd: '', start: 600 * 100, state: 'Z' });
    assert.match((await loc.locate()).reason!, /not running/);
    writeFileSync(pidFile, 'garbage');
    assert.match((await loc.locate()).reason!, /does not hold a process id/);
    rmSync(folder, { recursive: true, force: true });
    rmSync(f.root, { recursive: true, force: true });
  });

  it('pidFile: while its process lives, the file is checked once a second', async () => {
    const f = fakeProc();
    const folder = mkdtempSync(join(tmpdir(), 'alluse-pidfile2-'));
    const pidFile = join(folder, 'c.pid');
    f.proc(300, { cmd: 'node c.js', start: 500 * 100 });
    f.proc(301, { cmd: 'node c.js', start: 600 * 100 });
    writeFileSync(pidFile, '300\n');
    utimesSync(pidFile, 1_000_700, 1_000_700);
    let mono = 0;
    const loc = new ProcessLocator({ pidFile: 'c.pid' }, folder, { procRoot: f.root, clock: { monoMs: () => mono } });
    assert.equal((await loc.locate()).identity?.pid, 300);
    // A new instance rewrites the pid file while the old one still runs.
    writeFileSync(pidFile, '301\n');
    utimesSync(pidFile, 1_000_701, 1_000_701);
    mono = 900;
    assert.equal((await loc.locate()).identity?.pid, 300);
    mono = 1000;
    const r = await loc.locate();
    assert.deepEqual([r.identity?.pid, r.changed], [301, true]);
    rmSync(folder, { recursive: true, force: true });
    rmSync(f.root, { recursive: true, force: true });
  });

  it('process collector: up, CPU ratio from ticks over monotonic time, fds, I/O rates; restart clears rates', async () => {
    const f = fakeProc();
    f.proc(400, { cmd: 'node svc.js', start: 1, utime: 100, fds: 4, readBytes: 0 });
    let mono = 0;
    const c = new ProcessCollector('svc', { commandMatch: 'svc\\.js' }, f.root, { procRoot: f.root, selfPid: 1, clock: { monoMs: () => mono }, pageSize: 4096, rescanMs: 0 });
    const a = await c.collect(1000);
    const va = Object.fromEntries(a.samples.map((s) => [s.series.name, s.v]));
    assert.deepEqual(va, { process_up: 1, process_resident_memory_bytes: 250 * 4096, process_threads: 3, process_open_fds: 4 });
    assert.ok(a.samples.every((s) => s.series.labels.component === 'svc'));
    mono = 500;
    f.proc(400, { cmd: 'node svc.js', start: 1, utime: 125, fds: 4, readBytes: 1000 });
    const vb = Object.fromEntries((await c.collect(1500)).samples.map((s) => [s.series.name, s.v]));
    assert.equal(vb.process_cpu_ratio, 0.5); // 25 ticks = 0.25 s of CPU in 0.5 s
    assert.equal(vb.process_read_bytes_per_second, 2000);
    // restart: new pid, counters start over; no rate across processes
    f.kill(400);
    f.proc(401, { cmd: 'node svc.js', start: 5, utime: 1 });
    mono = 1000;
    const cr = await c.collect(2000);
    assert.equal(cr.samples.find((s) => s.series.name === 'process_cpu_ratio'), undefined);
    assert.deepEqual(cr.problems.map((p) => p.kind), ['process-restarted']);
    f.kill(401);
    const d = await c.collect(2100);
    assert.deepEqual(d.samples.map((s) => [s.series.name, s.v]), [['process_up', 0]]);
    assert.deepEqual(d.problems.map((p) => p.kind), ['process-not-found']);
    assert.equal((await c.collect(2200)).problems.length, 0); // reported once while it lasts
    rmSync(f.root, { recursive: true, force: true });
  });
});

describe('ProcFile: a file re-read into one buffer', () => {
  it('reads files larger than its buffer whole, sees rewrites, and throws the error of a missing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'alluse-procfile-'));
    const p = join(dir, 'big');
    const text = Array.from({ length: 700 }, (_, i) => `line ${i}`).join('\n'); // about 5.6 kB
    writeFileSync(p, text);
    const f = new ProcFile(p, true, 1024);
    assert.equal(f.read(), Buffer.byteLength(text));
    assert.equal(f.buf.toString('latin1', 0, f.len), text);
    writeFileSync(p, 'short\n'); // same inode, as /proc regenerates a file
    assert.equal(f.read(), 6);
    assert.equal(f.buf.toString('latin1', 0, f.len), 'short\n');
    f.close();
    assert.throws(() => new ProcFile(join(dir, 'missing')).read(), /ENOENT/);
    rmSync(dir, { recursive: true, force: true });
  });
  it('an open /proc/PID/stat of a process that exited answers ESRCH (why a kept file is an identity check)', { skip: process.platform !== 'linux' }, async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 200)']);
    const f = new ProcFile(`/proc/${child.pid}/stat`);
    assert.ok(f.read() > 0);
    await new Promise((r) => child.once('exit', r));
    // The exit event comes after the parent reaped the child.
    assert.throws(() => f.read(), /ESRCH/);
  });
});
