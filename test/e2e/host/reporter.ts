/**
 * A mocha reporter for the tests that run inside the VS Code extension host.
 *
 * The host's console reaches the driver only as text (through the browser page's console
 * under code-server, or the process output under @vscode/test-electron), so every result is
 * printed as one machine-readable line that the driver parses:
 *
 *   ALLUSE_TEST {"title":"suite test","state":"passed"|"failed"|"pending","durationMs":12,"err":"..."}
 *   ALLUSE_DONE {"passes":5,"failures":0,"pending":0}
 *
 * A human-readable line follows each, so the host log stays readable too.
 */
import Mocha from 'mocha';

export const TEST_PREFIX = 'ALLUSE_TEST ';
export const DONE_PREFIX = 'ALLUSE_DONE ';

export interface HostTestResult {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  err?: string;
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    // assert's messages already carry expected/actual; keep the top of the stack for the location.
    const stack = (err.stack ?? '').split('\n').slice(1, 4).join('\n');
    return `${err.message}${stack ? `\n${stack}` : ''}`;
  }
  return String(err);
}

export class AlluseReporter {
  constructor(runner: Mocha.Runner) {
    const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING, EVENT_RUN_END } = Mocha.Runner.constants;
    let passes = 0;
    let failures = 0;
    let pending = 0;
    const emit = (r: HostTestResult) => {
      console.log(TEST_PREFIX + JSON.stringify(r));
      const mark = r.state === 'passed' ? 'ok' : r.state === 'failed' ? 'FAILED' : 'skipped';
      console.log(`  ${mark}: ${r.title}${r.durationMs !== undefined ? ` (${r.durationMs} ms)` : ''}${r.err ? `\n    ${r.err.split('\n')[0]}` : ''}`);
    };
    runner.on(EVENT_TEST_PASS, (test: Mocha.Test) => {
      passes++;
      emit({ title: test.fullTitle(), state: 'passed', durationMs: test.duration });
    });
    // Also emitted for failing hooks (their title says which hook), so those count as failures.
    runner.on(EVENT_TEST_FAIL, (test: Mocha.Runnable, err: unknown) => {
      failures++;
      emit({ title: test.fullTitle(), state: 'failed', durationMs: test.duration, err: errorText(err) });
    });
    runner.on(EVENT_TEST_PENDING, (test: Mocha.Test) => {
      pending++;
      emit({ title: test.fullTitle(), state: 'pending' });
    });
    runner.once(EVENT_RUN_END, () => {
      console.log(DONE_PREFIX + JSON.stringify({ passes, failures, pending }));
    });
  }
}
