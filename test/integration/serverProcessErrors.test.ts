/**
 * Errors nothing caught in the analysis server (server/src/processErrors.ts): a throw in a timer
 * callback is written with its stack to stderr, to the client's output (window/logMessage) and
 * to a crash file, and the server exits with code 70 (the client restarts it); a rejection left
 * unhandled in a timer is written out the same way and the server goes on answering. The fault
 * is the server's test-only ALLUSE_SERVER_TEST_FAULT.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { TestLspClient } from '../helpers/lspClient';

interface LogMessage { type: number; message: string }

async function startWithFault(fault: string): Promise<{ client: TestLspClient; logs: LogMessage[] }> {
  const before = process.env.ALLUSE_SERVER_TEST_FAULT;
  process.env.ALLUSE_SERVER_TEST_FAULT = fault;
  try {
    const client = await TestLspClient.start();
    const logs: LogMessage[] = [];
    client.on<LogMessage>('window/logMessage', (p) => logs.push(p));
    return { client, logs };
  } finally {
    if (before === undefined) delete process.env.ALLUSE_SERVER_TEST_FAULT;
    else process.env.ALLUSE_SERVER_TEST_FAULT = before;
  }
}

const crashFile = (pid: number) => join(tmpdir(), `alluse-perf-server-${pid}.crash.log`);

describe('errors nothing caught in the analysis server', () => {
  let client: TestLspClient | undefined;
  afterEach(async () => {
    if (!client) return;
    const pid = client.proc.pid!;
    await client.stop();
    rmSync(crashFile(pid), { force: true });
    client = undefined;
  });

  it('an exception thrown in a timer callback is reported with its stack, and the server exits with code 70', async () => {
    const s = await startWithFault('throw-in-timer');
    client = s.client;
    const stderr = () => s.client.stderr.join('');
    await s.client.waitFor(() => s.client.exited, 30_000, 'the server to exit');
    assert.equal(s.client.exited?.code, 70, stderr());
    assert.match(stderr(), /uncaught exception, the server exits \(code 70\)/);
    assert.match(stderr(), /Error: test fault: thrown in a timer callback[^\n]*\n\s+at /, 'the stack is written');
    const logged = s.logs.find((l) => l.type === 1 && l.message.includes('test fault: thrown in a timer callback'));
    assert.ok(logged, `the client's output has the error: ${JSON.stringify(s.logs)}`);
    assert.match(logged.message, /\n\s+at /);
    const file = crashFile(s.client.proc.pid!);
    assert.ok(existsSync(file), file);
    assert.match(readFileSync(file, 'utf8'), /test fault: thrown in a timer callback/);
  });

  it('a rejection left unhandled in a timer callback is reported with its stack, and the server goes on', async () => {
    const s = await startWithFault('reject-in-timer');
    client = s.client;
    const logged = await s.client.waitFor(() => s.logs.find((l) => l.type === 1 && l.message.includes('test fault: rejected in a timer callback')), 30_000, 'the rejection in the client\'s output');
    assert.match(logged.message, /unhandled promise rejection, the server goes on/);
    assert.match(logged.message, /\n\s+at /, 'the stack is written');
    assert.match(s.client.stderr.join(''), /test fault: rejected in a timer callback/);
    // Still answering.
    const info = await s.client.request<{ version: string }>('alluse/serverInfo');
    assert.equal(typeof info.version, 'string');
    assert.equal(s.client.exited, undefined);
  });
});
