/**
 * VS Code's standard test entry for tests inside the extension host: the host loads this
 * module (the `extensionTestsPath`, bundled by ./build.mjs into out/test/e2e/host/index.js)
 * and calls run(); a rejection makes the host exit with code 1.
 *
 * Used by test/e2e/host-driver/host.test.ts (code-server + chromium, here) and by
 * scripts/test-desktop.mjs (@vscode/test-electron, on a desktop).
 */
import Mocha from 'mocha';
import { AlluseReporter } from './reporter';

export async function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'bdd',
    color: false,
    // Each test waits on its own conditions with deadlines; this is only the outer bound.
    timeout: 60_000,
    reporter: AlluseReporter as unknown as Mocha.ReporterConstructor,
  });
  // The test files are part of this bundle; define mocha's globals (describe, it, before...)
  // the way mocha does before requiring a file, then load them.
  mocha.suite.emit('pre-require', globalThis, 'extension.test', mocha);
  await import('./extension.test');
  // Last: it kills the server until it is given up on, then restarts it by hand.
  mocha.suite.emit('pre-require', globalThis, 'restart.test', mocha);
  await import('./restart.test');
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} in-host test(s) failed`);
}
