/**
 * UI end-to-end test of coordination: in a real VS Code (code-server + chromium) on the
 * coordination fixture (test/fixtures/coord-workspace: engine and learner share 6 declared
 * cores), whose two studies' logs recommend workers and threads that together need more
 * than 6 cores (the logs are made first by the built CLI, `alluse-perf optimize`):
 * - the Queue view is shown with its budget line;
 * - "Check Recommendation Conflicts" lists the cores conflict, resolved by priority (the
 *   fixture's `component: engine, priority: 10`), and selecting it shows the explanation;
 * - "Allocate Resources…" measures the fixture's system trial (system-trial.js, no demo
 *   system), shows the allocation job in the Queue view, applies its change set as one
 *   WorkspaceEdit (the files change on disk after Save All) and one Undo reverts it.
 * Screenshots: test-results/e2e-ui/coordination-*.png. Every wait is a condition with a deadline.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { parse } from 'yaml';
import { codeServerLib, resultsDir, ROOT, runCommand, type CodeServer } from '../support/harness';

const VSIX = join(ROOT, 'out/alluse-performance.vsix');
const CLI = join(ROOT, 'dist/cli.js');
const SHOTS = resultsDir('e2e-ui');
const STEP = { timeout: 180_000 };
const T = 45_000;

describe('coordination in the VS Code UI', () => {
  let cs: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let folder: string;
  let engineFile: string;
  let learnerFile: string;
  const log: string[] = [];

  const screenshot = (name: string) => page.screenshot({ path: join(SHOTS, `coordination-${name}.png`) });
  const queueRows = () => page.locator('.pane:has(.pane-header[aria-label^="Queue"]) .monaco-list-row');

  before(async () => {
    assert.ok(existsSync(VSIX), `${VSIX} is missing: run node scripts/package-vsix.mjs (npm test does it)`);
    assert.ok(existsSync(CLI), `${CLI} is missing: run node scripts/build.mjs`);
    folder = mkdtempSync(join(tmpdir(), 'alluse-e2e-coord-'));
    cpSync(join(ROOT, 'test/fixtures/coord-workspace'), folder, { recursive: true });
    engineFile = join(folder, 'config/engine.yaml');
    learnerFile = join(folder, 'config/learner.yaml');
    // The studies' logs (what the conflict check reads): workers 4-5 and threads 3-4 recommended, 7+ of 6 cores.
    for (const study of ['engine-workers', 'learner-threads']) await promisify(execFile)(process.execPath, [CLI, 'optimize', '--workspace', folder, '--study', study, '--json'], { cwd: folder });
    const lib = await codeServerLib();
    cs = await lib.startCodeServer({ folder, vsix: VSIX, settings: { 'files.autoSave': 'off', 'alluse-perf.monitor.autoStart': false } });
    browser = await lib.launchBrowser();
    page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
    page.on('console', (m) => log.push(`[${m.type()}] ${m.text()}`));
  });

  afterEach(async (t) => {
    // What the window showed when a step failed.
    if (page && (t as unknown as { passed?: boolean }).passed === false) await screenshot(`failed-${t.name.replace(/\W+/g, '-').slice(0, 40)}`).catch(() => undefined);
  });

  after(async () => {
    writeFileSync(join(SHOTS, 'coordination-page-console.log'), log.join('\n') + '\n');
    await browser?.close().catch(() => undefined);
    await cs?.stop();
  });

  it('shows the Queue view with its budget', STEP, async () => {
    await page.goto(cs!.folderUrl(folder));
    await page.locator('.monaco-workbench').waitFor({ timeout: T });
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'alluse-perf.yaml' }).waitFor({ timeout: T });
    await page.locator('.activitybar .action-item [aria-label^="ALL-USE Performance"]').first().waitFor({ timeout: T });
    await runCommand(page, 'ALL-USE Performance: Focus on Queue View', T);
    // The budget of coordination.trials (maxConcurrent: 2) and, with nothing run in this window, the empty queue.
    await queueRows().filter({ hasText: /0\/2 trials, 0\/\d+ cores in use/ }).first().waitFor({ timeout: T });
    await queueRows().filter({ hasText: 'Nothing queued' }).first().waitFor({ timeout: T });
    await screenshot('queue');
  });

  it('"Check Recommendation Conflicts" lists the cores conflict and its resolution by priority', STEP, async () => {
    await runCommand(page, 'ALL-USE Performance: Check Recommendation Conflicts', T);
    const title = page.locator('.quick-input-widget .quick-input-title');
    await title.filter({ hasText: /1 conflict\(s\), 0 unresolved; 1 of 2 recommendation\(s\) offered/ }).waitFor({ timeout: T });
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: 'cpu-cores over its total' }).first();
    await row.waitFor({ timeout: T });
    const text = await row.innerText();
    assert.match(text, /by priority; keeps engine\.workers=[45]/, text);
    await screenshot('conflicts');
    // Selecting it shows the full explanation: the engine's priority drops the learner's threads.
    await page.keyboard.press('Enter');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.filter({ hasText: /component engine has priority 10/ }).waitFor({ timeout: T });
    assert.match(await dialog.innerText(), /withdrawn: study "learner-threads" \(learner threads 1 -> [34]\)/);
    await screenshot('conflict-explanation');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden', timeout: T });
  });

  it('"Allocate Resources…" applies one WorkspaceEdit that one Undo reverts', STEP, async () => {
    const lib = await codeServerLib();
    const engineBefore = readFileSync(engineFile, 'utf8');
    const learnerBefore = readFileSync(learnerFile, 'utf8');
    // Open engine.yaml so there is an editor to undo in.
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible', timeout: T });
    await input.fill('engine.yaml');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'engine.yaml' }).first().waitFor({ timeout: T });
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab.active', { hasText: 'engine.yaml' }).waitFor({ timeout: T });

    await runCommand(page, 'ALL-USE Performance: Allocate Resources…', T);
    // The allocation runs as a queue job; then a modal shows the change set.
    const apply = page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Apply as One Change' });
    await apply.waitFor({ timeout: 90_000 });
    const detail = await page.locator('.monaco-dialog-box').innerText();
    assert.match(detail, /engine workers: 2 -> \d/, detail);
    await queueRows().filter({ hasText: /Alloc/i }).first().waitFor({ timeout: T });
    await screenshot('allocation-dialog');
    await apply.click();
    await page.locator('.notification-toast', { hasText: 'Undo reverts it in one step' }).first().waitFor({ timeout: T });
    await page.locator('.tabs-container .tab.dirty', { hasText: 'engine.yaml' }).waitFor({ timeout: T });
    await screenshot('allocation-applied');

    // Saved, the files hold the allocation (within the 6 cores, comments kept).
    await runCommand(page, 'File: Save All', T);
    const allocated = (await lib.waitFor(() => (readFileSync(engineFile, 'utf8') !== engineBefore ? readFileSync(engineFile, 'utf8') : undefined), { timeout: T, what: 'the allocation on disk' })) as string;
    const learnerAllocated = readFileSync(learnerFile, 'utf8');
    assert.match(allocated, /# engine: pricing threads\. Keep this comment\./);
    assert.ok(parse(allocated).workers + parse(learnerAllocated).threads <= 6, `${allocated}\n${learnerAllocated}`);
    assert.ok(parse(allocated).workers > 2, 'more workers than today');
    const changedFiles = [engineBefore !== allocated, learnerBefore !== learnerAllocated].filter(Boolean).length;

    // One Undo in the engine.yaml editor reverts the whole change (across files, if it touched two).
    await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
    await page.locator('.monaco-editor.focused').waitFor({ timeout: T });
    await page.keyboard.press('Control+Z');
    if (changedFiles > 1) {
      const all = page.locator('.monaco-dialog-box .monaco-button', { hasText: /Undo in \d+ Files/ });
      await all.waitFor({ timeout: T });
      await all.click();
    }
    await page.locator('.tabs-container .tab.dirty', { hasText: 'engine.yaml' }).waitFor({ timeout: T });
    await runCommand(page, 'File: Save All', T);
    await lib.waitFor(() => readFileSync(engineFile, 'utf8') === engineBefore && readFileSync(learnerFile, 'utf8') === learnerBefore, { timeout: T, what: 'both files as before the allocation' });
    await screenshot('allocation-undone');
  });
});
