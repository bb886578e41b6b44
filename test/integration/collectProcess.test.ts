/**
 * Process metrics of REAL processes: a small Node child (test/fixtures/collect/busyChild.cjs)
 * started through startComponent, found by its pid file and by its command line, measured
 * from /proc, and found again after it is restarted. Waits are conditions with deadlines,
 * never fixed sleeps standing in for timing assertions.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ProcessCollector, ProcSystemCollector, startComponent, type CollectResult } from '../../engine/collect/index';

const FIXTURE = join(__dirname, '..', 'fixtures', 'collect', 'busyChild.cjs');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, collect: () => Promise<CollectResult>, ok: (v: Record<string, number>, r: CollectResult) => boolean, deadlineMs = 20_000): Promise<{ values: Record<string, number>; seen: CollectResult[] }> {
  const end = Date.now() + deadlineMs;
  const seen: CollectResult[] = [];
  let values: Record<string, number> = {};
  while (Date.now() < end) {
    const r = await collect();
    seen.push(r);
    values = Object.fromEntries(r.samples.map((s) => [s.series.name, s.v]));
    if (ok(values, r)) return { values, seen };
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}; last values ${JSON.stringify(values)}; problems ${JSON.stringify(seen.flatMap((r) => r.problems).map((p) => p.message))}`);
}

function waitExit(child: ChildProcess): Promise<void> {
  return new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));
}

describe('process collector on real processes', () => {
  const folder = mkdtempSync(join(tmpdir(), 'alluse-collect-proc-'));
  const tag = `busychild-${process.pid}-${Date.now()}`;
  const spec = { command: process.execPath, args: [FIXTURE, '--tag', tag, '--pid-file', '.run/child.pid', '--busy-ms', '40'], cwd: '.' };
  const children: ChildProcess[] = [];
  const start = () => {
    const c = startComponent(spec, folder);
    children.push(c);
    return c;
  };
  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGKILL');
      await waitExit(c);
    }
    rmSync(folder, { recursive: true, force: true });
  });

  it('measures CPU, memory, threads, open files and I/O of a child found by its pid file, and finds it again after a restart', async () => {
    const collector = new ProcessCollector('child', { pidFile: '.run/child.pid', start: spec }, folder);
    const first = start();
    const { values } = await until('the child to be measured', () => collector.collect(Date.now()), (v) => v.process_up === 1 && v.process_cpu_ratio > 0.05 && v.process_open_fds !== undefined); // open files are counted once a second
    assert.equal(collector.locator.identity?.pid, first.pid);
    assert.equal(collector.locator.identity?.foundBy, 'pidFile');
    assert.ok(values.process_cpu_ratio < 2.5, `cpu ${values.process_cpu_ratio}`); // it busy-loops 40% of the time; one thread
    assert.ok(values.process_resident_memory_bytes > 10 * 1024 * 1024 && values.process_resident_memory_bytes < 1024 ** 3, `rss ${values.process_resident_memory_bytes}`);
    assert.ok(values.process_threads >= 2, `threads ${values.process_threads}`);
    assert.ok(values.process_open_fds >= 5 + 3, `fds ${values.process_open_fds}`); // five held files plus stdio
    assert.ok(values.process_read_bytes_per_second >= 0 && values.process_write_bytes_per_second >= 0);

    // restart: stop it, start it again; the collector reports the change and measures the new pid
    first.kill('SIGTERM');
    await waitExit(first);
    const gone = await until('the stop to be seen', () => collector.collect(Date.now()), (v) => v.process_up === 0);
    assert.ok(gone.seen.flatMap((r) => r.problems).some((p) => p.kind === 'process-not-found' && p.component === 'child'));
    const second = start();
    const back = await until('the restarted child', () => collector.collect(Date.now()), (v) => v.process_up === 1 && v.process_cpu_ratio > 0.05 && v.process_open_fds !== undefined); // open files are counted once a second
    assert.equal(collector.locator.identity?.pid, second.pid);
    assert.notEqual(second.pid, first.pid);
    assert.ok(back.values.process_cpu_ratio < 2.5);
  });

  it('finds the child by its command line (and never this test process), then notices it exit', async () => {
    const child = children[children.length - 1]!;
    const collector = new ProcessCollector('by-cmd', { commandMatch: tag }, folder, { rescanMs: 0 });
    await until('a command-line match', () => collector.collect(Date.now()), (v) => v.process_up === 1);
    assert.equal(collector.locator.identity?.pid, child.pid);
    assert.equal(collector.locator.identity?.foundBy, 'commandMatch');
    child.kill('SIGKILL');
    await waitExit(child);
    const r = await until('the exit to be seen', () => collector.collect(Date.now()), (v) => v.process_up === 0);
    assert.match(r.seen.flatMap((x) => x.problems).map((p) => p.message).join('\n'), /by-cmd: process not found: no running process matches/);
  });

  it('a component with only a start command is "not started" until it is, then the started child is used', async () => {
    const collector = new ProcessCollector('started', { start: spec }, folder);
    const r = await collector.collect(Date.now());
    assert.match(r.problems[0].message, /has not been started/);
    const c = start();
    collector.locator.adopt(c.pid!);
    await until('the adopted child', () => collector.collect(Date.now()), (v) => v.process_up === 1);
    assert.equal(collector.locator.identity?.foundBy, 'started');
    c.kill('SIGKILL');
    await waitExit(c);
  });

  it('system metrics from the real /proc', async () => {
    const sys = new ProcSystemCollector();
    await sys.collect(Date.now());
    const { values } = await until('system rates', () => sys.collect(Date.now()), (v) => v.system_cpu_ratio !== undefined);
    assert.ok(values.system_cpu_ratio >= 0 && values.system_cpu_ratio <= 1);
    assert.ok(values.system_memory_total_bytes > values.system_memory_used_bytes);
    assert.ok(values.system_load1 >= 0);
  });
});
