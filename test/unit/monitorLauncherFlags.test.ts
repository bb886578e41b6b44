/**
 * The monitor's V8 flags (cli/monitorLauncher.ts) are set at run time, after the main thread's
 * isolate was made: with `--single-threaded`, that isolate's first incremental
 * mark-compact was a fatal V8 error (cppgc: "Check failed: concurrent_marking_handle_ implies
 * !concurrent_marking_handle_->IsValid()"). Both threads here run several mark-compacts under
 * the flags the launcher sets (test/fixtures/launcherGcLoad.ts, a child process: a fatal error
 * ends it with SIGTRAP or SIGABRT); `LAUNCHER_FLAGS=--single-threaded` makes it crash on Node 20.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { MONITOR_V8_FLAGS } from '../../cli/monitorLauncher';

test("the monitor's flags leave V8's marking as the main thread's isolate was made", () => {
  // Changed at run time, these broke the main thread's collector (see cli/monitorLauncher.ts).
  for (const f of MONITOR_V8_FLAGS) assert.ok(!/single-threaded|marking/.test(f), f);
  assert.ok(MONITOR_V8_FLAGS.includes('--no-concurrent-recompilation'));
});

test('main thread and worker survive mark-compacts under the flags set at run time', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, '..', 'fixtures', 'launcherGcLoad.ts')], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, LAUNCHER_FLAGS: process.env.LAUNCHER_FLAGS ?? '' } });
  assert.equal(r.signal, null, `the child died of ${r.signal}: ${r.stderr.split('\n').slice(0, 6).join('\n')}`);
  assert.equal(r.status, 0, r.stderr);
  const m = /major main=(\d+) worker=(\d+)/.exec(r.stdout);
  assert.ok(m, `no result line in: ${r.stdout}`);
  assert.ok(Number(m[1]) >= 3 && Number(m[2]) >= 3, r.stdout);
});
