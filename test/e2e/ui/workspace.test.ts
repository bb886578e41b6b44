/**
 * UI end-to-end test: what a person sees in a real VS Code 1.99.3 workbench (code-server
 * 4.99.4 + Debian chromium) with the packaged extension (out/alluse-performance.vsix).
 *
 * Open alluse-perf.yaml -> warning squiggle and Problems row for `intervall` -> quick fix
 * `Change to "interval"` from the editor -> save -> the file on disk changed and the
 * problem is gone -> "Open Workspace Overview" lists the component.
 * Each step saves a screenshot to test-results/e2e-ui/. Waits are conditions with deadlines.
 */
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { codeServerLib, copyFixtureWorkspace, resultsDir, ROOT, runCommand, type CodeServer } from '../support/harness';

const VSIX = join(ROOT, 'out/alluse-performance.vsix');
const SHOTS = resultsDir('e2e-ui');
const STEP = { timeout: 60_000 };
/** Deadline of a single UI condition. */
const T = 20_000;

describe('ALL-USE Performance in the VS Code UI (code-server + chromium)', () => {
  let cs: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let folder: string;
  let file: string;
  const log: string[] = [];
  let shot = 0;

  const screenshot = async (name: string) => {
    const path = join(SHOTS, `${String(++shot).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path });
    return path;
  };


  const problemRows = () => page.locator('.markers-panel .monaco-list-row');
  const unknownKeyRow = () => problemRows().filter({ hasText: 'Unknown key "intervall"' });

  before(async () => {
    assert.ok(existsSync(VSIX), `${VSIX} is missing: run node scripts/package-vsix.mjs (npm test does it)`);
    const lib = await codeServerLib();
    folder = copyFixtureWorkspace('alluse-e2e-ui-');
    file = join(folder, 'alluse-perf.yaml');
    // The web workbench auto-saves after a delay by default; turn that off so the test's own
    // Control+S is what writes the file.
    cs = await lib.startCodeServer({ folder, vsix: VSIX, settings: { 'files.autoSave': 'off' } });
    browser = await lib.launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('console', (m) => log.push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => log.push(`[pageerror] ${e.message}`));
  });

  after(async () => {
    if (page && !page.isClosed()) await screenshot('final').catch(() => undefined);
    writeFileSync(join(SHOTS, 'page-console.log'), log.join('\n') + '\n');
    if (cs) writeFileSync(join(SHOTS, 'code-server.log'), cs.output());
    await browser?.close().catch(() => undefined);
    await cs?.stop();
  });

  it('opens the workspace in the workbench', STEP, async () => {
    await page.goto(cs!.folderUrl(folder));
    await page.locator('.monaco-workbench').waitFor({ timeout: T });
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'alluse-perf.yaml' }).waitFor({ timeout: T });
    await screenshot('workbench');
  });

  it('shows the unknown-key warning as a squiggle and in the Problems panel', STEP, async () => {
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible', timeout: T });
    await input.fill('alluse-perf.yaml');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'alluse-perf.yaml' }).first().waitFor({ timeout: T });
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab', { hasText: 'alluse-perf.yaml' }).waitFor({ timeout: T });
    await page.locator('.monaco-editor .squiggly-warning').first().waitFor({ timeout: T });
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: T });
    await screenshot('squiggles');

    await runCommand(page, 'View: Focus Problems');
    await unknownKeyRow().first().waitFor({ timeout: T });
    const row = await unknownKeyRow().first().innerText();
    assert.match(row, /Did you mean "interval"\?/);
    await problemRows().filter({ hasText: /unit/i }).first().waitFor({ timeout: T });
    await screenshot('problems-panel');
  });

  it('shows the language status "ready" with the last analysis time', STEP, async () => {
    // The language status items of the active editor are listed in the hover of the {} entry.
    const entry = page.locator('#status\\.languageStatus');
    await entry.waitFor({ timeout: T });
    await entry.hover();
    const item = page.locator('.monaco-hover', { hasText: 'ALL-USE Perf' });
    await item.first().waitFor({ timeout: T });
    const text = await item.first().innerText();
    assert.match(text, /ALL-USE Perf: ready · \d+(\.\d+)? ms/);
    await screenshot('language-status');
    await page.mouse.move(700, 400);
  });

  it('applies the quick fix Change to "interval" from the editor and saves it to disk', STEP, async () => {
    // Clicking the problem and pressing Enter moves the cursor to its range in the editor.
    await unknownKeyRow().first().click();
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor.focused').waitFor({ timeout: T });
    await page.keyboard.press('Control+.');
    const fix = page.locator('.action-widget .monaco-list-row', { hasText: 'Change to "interval"' });
    await fix.first().waitFor({ timeout: T });
    await screenshot('quick-fix-menu');
    // Move the keyboard focus onto the fix (clicking rows was unreliable), then apply it.
    const focused = page.locator('.action-widget .monaco-list-row.focused');
    for (let i = 0; i < 10 && !((await focused.count()) && (await focused.first().innerText()).includes('Change to "interval"')); i++) {
      await page.keyboard.press('ArrowDown');
    }
    assert.match(await focused.first().innerText(), /Change to "interval"/);
    await page.keyboard.press('Enter');
    await page.locator('.action-widget').waitFor({ state: 'hidden', timeout: T });
    await page.locator('.tabs-container .tab.dirty', { hasText: 'alluse-perf.yaml' }).waitFor({ timeout: T });

    await page.keyboard.press('Control+S');
    const lib = await codeServerLib();
    await lib.waitFor(() => /^ {2}interval: 100ms$/m.test(readFileSync(file, 'utf8')), { timeout: T, what: '"interval: 100ms" in the file on disk' });
    assert.doesNotMatch(readFileSync(file, 'utf8'), /^\s*intervall:/m);
    await page.locator('.tabs-container .tab.dirty').waitFor({ state: 'detached', timeout: T });
    await screenshot('fixed-and-saved');
  });

  it('no longer shows the unknown-key problem', STEP, async () => {
    await unknownKeyRow().first().waitFor({ state: 'detached', timeout: T });
    await page.locator('.monaco-editor .squiggly-warning').first().waitFor({ state: 'detached', timeout: T });
    // The unit problem is still there: the panel is live, not just empty.
    await problemRows().filter({ hasText: /unit/i }).first().waitFor({ timeout: T });
    await screenshot('problem-gone');
  });

  it('opens the workspace overview webview listing the component', STEP, async () => {
    await runCommand(page, 'ALL-USE Performance: Open Workspace Overview');
    await page.locator('.tabs-container .tab', { hasText: 'ALL-USE Overview' }).waitFor({ timeout: T });
    const view = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    await view.locator('body[data-rendered="true"]').waitFor({ timeout: T });
    const component = view.locator('.component', { hasText: 'protocol-engine' });
    await component.first().waitFor({ timeout: T });
    assert.equal(await view.locator('.component').count(), 1);
    await screenshot('overview');
  });
});
