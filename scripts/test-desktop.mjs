#!/usr/bin/env node
// `npm run test:desktop`: the in-host mocha suite (test/e2e/host) in desktop VS Code, through
// @vscode/test-electron. It downloads VS Code from update.code.visualstudio.com into
// .vscode-test/ on first use, so it needs internet access and a display: it cannot run on
// the CI/dev containers of this project (they use the code-server host of `npm run test:e2e`
// instead; see docs/testing.md). On a headless Linux box run it under Xvfb:
//   xvfb-run -a npm run test:desktop
// Environment:
//   ALLUSE_VSCODE_VERSION  VS Code to test with (default 1.99.3, the lowest the extension
//                          supports and the one code-server 4.99.4 embeds; "stable" or
//                          "insiders" also work).
// Ends with the same "N passed, N failed" line as scripts/test.mjs.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, CLEAN_SETTINGS } from './lib/code-server.mjs';
import { buildHostTests } from '../test/e2e/host/build.mjs';

const version = process.env.ALLUSE_VSCODE_VERSION || '1.99.3';

// 1. The extension's dist/ (extensionDevelopmentPath is the repo root) and the test bundle.
const b = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts/build.mjs')], { cwd: REPO_ROOT, stdio: 'inherit' });
if (b.status !== 0) {
  console.log('\nbuild failed\n0 passed, 1 failed');
  process.exit(1);
}
const extensionTestsPath = await buildHostTests();

// 2. A fresh copy of the fixture workspace and a fresh profile with the clean-window settings.
const scratch = mkdtempSync(join(tmpdir(), 'alluse-desktop-'));
const workspace = join(scratch, 'workspace');
cpSync(join(REPO_ROOT, 'test/fixtures/e2e-workspace'), workspace, { recursive: true });
const userDataDir = join(scratch, 'user-data');
mkdirSync(join(userDataDir, 'User'), { recursive: true });
writeFileSync(join(userDataDir, 'User/settings.json'), JSON.stringify({ ...CLEAN_SETTINGS, 'files.autoSave': 'off' }, null, 2));

// 3. Count the reporter's lines (test/e2e/host/reporter.ts) in the output test-electron relays.
const results = { passed: 0, failed: 0, skipped: 0 };
const origWrite = process.stdout.write.bind(process.stdout);
let pending = '';
process.stdout.write = (chunk, ...rest) => {
  pending += String(chunk);
  let nl;
  while ((nl = pending.indexOf('\n')) >= 0) {
    const line = pending.slice(0, nl);
    pending = pending.slice(nl + 1);
    const m = line.match(/ALLUSE_TEST (\{.*\})\s*$/);
    if (m) {
      try {
        const r = JSON.parse(m[1]);
        if (r.state === 'passed') results.passed++;
        else if (r.state === 'failed') results.failed++;
        else results.skipped++;
      } catch { /* not ours */ }
    }
  }
  return origWrite(chunk, ...rest);
};

const { runTests } = await import('@vscode/test-electron');
let exitCode = 0;
try {
  exitCode = await runTests({
    version,
    extensionDevelopmentPath: REPO_ROOT,
    extensionTestsPath,
    // The workspace to open, then: no other extensions, no trust prompt, our own profile.
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes', `--user-data-dir=${userDataDir}`],
  });
} catch (e) {
  console.error(`VS Code test run failed: ${e instanceof Error ? e.message : e}`);
  exitCode = 1;
}
process.stdout.write = origWrite;
// A run that failed before reporting any test still counts as a failure.
if (exitCode !== 0 && results.failed === 0) results.failed = 1;
console.log(`\ntest:desktop (VS Code ${version}): ${results.passed} passed, ${results.failed} failed${results.skipped ? `, ${results.skipped} skipped` : ''}`);
console.log(`${results.passed} passed, ${results.failed} failed${results.skipped ? `, ${results.skipped} skipped` : ''}`);
process.exit(exitCode === 0 && results.failed === 0 ? 0 : 1);
