/**
 * What the analysis server does with an error nothing caught: a throw in a timer's or an I/O
 * callback (`uncaughtException`) or a rejected promise nobody handled (`unhandledRejection`).
 *
 * Without handlers node prints the error to stderr and ends the process, for both. The editor's
 * client then restarts the server (client/src/analysisClient.ts), but the error itself was only
 * in a stderr nobody kept: a CI run once hung in a test's clean-up because the server had died
 * this way, its stderr lost. Here every such error is written, with its stack, to stderr, to the
 * client's output (connection.console.error: the "ALL-USE Performance" output channel) and to a
 * crash file in the temp folder (which outlives a client that dropped the server's stderr).
 *
 * Then:
 * - `uncaughtException`: the server exits (code 70, after a moment for the messages to reach
 *   the client). The throw unwound a synchronous callback half-way, so whatever it was updating
 *   (a monitor's round, a store's series) may be left inconsistent, and going on could corrupt
 *   data or answer wrongly for ever after. A restarted server starts from the store's files,
 *   which are written so that a process that ends at any moment recovers (the kill -9 tests):
 *   the client's restart (issue 10's "the server is killed" path) is the safe way back.
 * - `unhandledRejection`: the server keeps running. The rejection ended an async operation
 *   whose caller did not wait for it; nothing was unwound half-way by it (the async function had
 *   already returned its promise), and the work it did is lost either way. Killing the server
 *   for it would stop monitoring and validation for everyone over a failure that has already
 *   been contained; it is reported loudly instead, so it gets fixed.
 */
import { appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The exit code after an uncaught exception (EX_SOFTWARE: an internal software error). */
export const UNCAUGHT_EXIT_CODE = 70;
/** How long the server waits after reporting an uncaught exception before it exits: the report travels over the LSP connection. */
const EXIT_DELAY_MS = 250;

/** Where the server writes the errors nothing caught (one file per process). */
export function crashFilePath(pid = process.pid): string {
  return join(tmpdir(), `alluse-perf-server-${pid}.crash.log`);
}

export interface ErrorSink {
  /** The LSP connection's console (window/logMessage, type Error). */
  error(message: string): void;
}

function describe(e: unknown): string {
  if (e instanceof Error) return e.stack ?? `${e.name}: ${e.message}`;
  try {
    return `a non-Error value was thrown: ${typeof e === 'string' ? e : JSON.stringify(e)}`;
  } catch {
    return `a non-Error value was thrown: ${String(e)}`;
  }
}

/** Writes `text` to stderr, the client's output and the crash file; each may fail alone. */
function report(text: string, sink: ErrorSink, crashFile: string): void {
  try {
    process.stderr.write(`${text}\n`);
  } catch { /* stderr closed */ }
  try {
    sink.error(text);
  } catch { /* the connection is gone */ }
  try {
    appendFileSync(crashFile, `${new Date().toISOString()} ${text}\n\n`);
  } catch { /* the temp folder cannot be written: stderr and the client's output have it */ }
}

/**
 * Installs the server's handlers (see the file's comment). `exit` is replaceable for tests of
 * this module in one process; the server uses process.exit.
 */
export function installProcessErrorHandlers(sink: ErrorSink, exit: (code: number) => void = (c) => process.exit(c)): void {
  const crashFile = crashFilePath();
  let exiting = false;
  process.on('uncaughtException', (e) => {
    report(`ALL-USE Performance analysis server: uncaught exception, the server exits (code ${UNCAUGHT_EXIT_CODE}) and the editor restarts it; this is a bug, please report it with this message (also in ${crashFile}):\n${describe(e)}`, sink, crashFile);
    if (exiting) return;
    exiting = true;
    setTimeout(() => exit(UNCAUGHT_EXIT_CODE), EXIT_DELAY_MS);
  });
  process.on('unhandledRejection', (reason) => {
    report(`ALL-USE Performance analysis server: unhandled promise rejection, the server goes on; this is a bug, please report it with this message (also in ${crashFile}):\n${describe(reason)}`, sink, crashFile);
  });
}

/**
 * A test-only fault, chosen by the environment variable ALLUSE_SERVER_TEST_FAULT:
 * `throw-in-timer` throws from a timer's callback, `reject-in-timer` leaves a rejected promise
 * unhandled in one (test/integration/serverProcessErrors.test.ts). Unset, nothing happens.
 */
export function scheduleTestFault(env: NodeJS.ProcessEnv = process.env): void {
  const fault = env.ALLUSE_SERVER_TEST_FAULT;
  if (fault === 'throw-in-timer') setTimeout(() => { throw new Error('test fault: thrown in a timer callback (ALLUSE_SERVER_TEST_FAULT)'); }, 50);
  else if (fault === 'reject-in-timer') setTimeout(() => { void Promise.reject(new Error('test fault: rejected in a timer callback (ALLUSE_SERVER_TEST_FAULT)')); }, 50);
}
