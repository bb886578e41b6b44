/**
 * Runs the mocha suite of test/e2e/host inside the extension host of a real VS Code 1.99.3
 * (code-server 4.99.4, driven by Debian's chromium), and reports each mocha test as a
 * node:test test, so the suite's counts are the real per-test counts.
 *
 * How: code-server serves the workbench; the page is opened with the `payload` query that
 * sets extensionDevelopmentPath (the repo root, with the built dist/) and
 * extensionTestsPath (the bundled out/test/e2e/host/index). The host's console (our mocha
 * reporter's `ALLUSE_TEST {...}` lines) reaches the page console; the page calls
 * `window.codeAutomationExit(code)` when run() settles.
 */
import { describe, it } from 'node:test';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { codeServerLib, copyFixtureWorkspace, hostBuildLib, resultsDir, ROOT, type CodeServer } from '../support/harness';

const TEST_PREFIX = 'ALLUSE_TEST ';
const DONE_PREFIX = 'ALLUSE_DONE ';
const SESSION_TIMEOUT_MS = 180_000;

interface HostTestResult {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  err?: string;
}
interface Done { passes: number; failures: number; pending: number }

/**
 * Pulls the JSON object that follows `prefix` out of a console line. The workbench may wrap
 * forwarded host output (a "[Extension Host]" prefix, %c styling arguments), so the object
 * is cut at the last `}` that still parses.
 */
export function parsePrefixed<T>(text: string, prefix: string): T | undefined {
  const at = text.indexOf(prefix);
  if (at < 0) return undefined;
  const rest = text.slice(at + prefix.length);
  const start = rest.indexOf('{');
  if (start < 0) return undefined;
  for (let end = rest.lastIndexOf('}'); end > start; end = rest.lastIndexOf('}', end - 1)) {
    try {
      return JSON.parse(rest.slice(start, end + 1)) as T;
    } catch {
      /* try a shorter cut */
    }
  }
  return undefined;
}

interface Session {
  results: HostTestResult[];
  done?: Done;
  exitCode?: number;
  error?: Error;
  ms: number;
}

async function runHostSession(): Promise<Session> {
  const started = Date.now();
  const results: HostTestResult[] = [];
  const seen = new Set<string>();
  let done: Done | undefined;
  const log: string[] = [];
  const out = resultsDir('e2e-host');

  if (!existsSync(join(ROOT, 'dist/client.js'))) {
    return { results, ms: 0, error: new Error('dist/client.js is missing: build the extension first (node scripts/package-vsix.mjs; npm test does it).') };
  }
  const lib = await codeServerLib();
  const { buildHostTests } = await hostBuildLib();
  const testsEntry = await buildHostTests();
  const folder = copyFixtureWorkspace('alluse-e2e-host-');

  let cs: CodeServer | undefined;
  const browser = await lib.launchBrowser();
  try {
    cs = await lib.startCodeServer({ folder });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    let exitCode: number | undefined;
    await page.exposeFunction('codeAutomationExit', (code: number) => {
      exitCode = code;
    });
    page.on('console', (msg) => {
      const text = msg.text();
      log.push(`[${msg.type()}] ${text}`);
      for (const line of text.split('\n')) {
        const r = parsePrefixed<HostTestResult>(line, TEST_PREFIX);
        // The host may forward a line twice (e.g. to the log and the console): keep the first.
        if (r && typeof r.title === 'string') {
          const key = `${r.title}\u0000${r.state}`;
          if (!seen.has(key)) { seen.add(key); results.push(r); }
        }
        const d = parsePrefixed<Done>(line, DONE_PREFIX);
        if (d) done = d;
      }
    });
    page.on('pageerror', (e) => log.push(`[pageerror] ${e.message}`));

    const payload = [
      ['extensionDevelopmentPath', cs.remoteUri(ROOT.replace(/\/$/, ''))],
      ['extensionTestsPath', cs.remoteUri(testsEntry)],
    ];
    await page.goto(`${cs.folderUrl(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    try {
      await lib.waitFor(() => exitCode !== undefined, { timeout: SESSION_TIMEOUT_MS, interval: 100, what: 'window.codeAutomationExit() from the extension host tests' });
    } catch (e) {
      await page.screenshot({ path: join(out, 'timeout.png') }).catch(() => undefined);
      throw e;
    }
    return { results, done, exitCode, ms: Date.now() - started };
  } catch (e) {
    return { results, done, ms: Date.now() - started, error: e as Error };
  } finally {
    writeFileSync(join(out, 'host-console.log'), log.join('\n') + '\n');
    if (cs) writeFileSync(join(out, 'code-server.log'), cs.output());
    await browser.close().catch(() => undefined);
    await cs?.stop();
  }
}

describe('extension host tests (mocha in code-server 4.99.4 / VS Code 1.99.3)', async () => {
  const s = await runHostSession();
  for (const r of s.results) {
    if (r.state === 'pending') it(r.title, { skip: 'pending in mocha' }, () => undefined);
    else it(r.title, (t) => {
      if (r.durationMs !== undefined) t.diagnostic(`took ${r.durationMs} ms in the host`);
      if (r.state === 'failed') throw new Error(r.err ?? 'failed');
    });
  }
  // Anything that makes the per-test results incomplete or untrustworthy is one more failure.
  const problems: string[] = [];
  if (s.error) problems.push(s.error.message);
  if (!s.error && s.results.length === 0) problems.push('the host reported no test results (see test-results/e2e-host/host-console.log)');
  if (!s.error && !s.done) problems.push('the mocha run did not report its end (ALLUSE_DONE)');
  if (s.done && s.done.passes + s.done.failures + s.done.pending !== s.results.length) {
    problems.push(`mocha reported ${JSON.stringify(s.done)} but ${s.results.length} results arrived`);
  }
  const failed = s.results.filter((r) => r.state === 'failed').length;
  if (s.exitCode !== undefined && (s.exitCode === 0) !== (failed === 0)) {
    problems.push(`the host exited with code ${s.exitCode} while ${failed} test(s) failed`);
  }
  if (problems.length) {
    it('host session completed', () => {
      throw new Error(problems.join('\n'));
    });
  }
  console.log(`# host session: ${s.results.length} results in ${(s.ms / 1000).toFixed(1)} s, exit code ${s.exitCode}`);
});
