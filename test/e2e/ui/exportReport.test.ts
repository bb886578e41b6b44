/**
 * UI end-to-end test of "ALL-USE Performance: Export Report…" in a real workbench (code-server
 * + chromium, the packaged extension), on a workspace whose store holds 24 hours of known
 * history (test/helpers/reportWorkspace.ts): the range pick, the save dialog (the web
 * workbench's own), the progress, then the notification with "Open"; the file is the report.
 * Screenshots in test-results/e2e-ui/export-report-*.png.
 */
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { REPORT_SECTIONS } from '../../../engine/report/html';
import { makeReportWorkspace } from '../../helpers/reportWorkspace';
import { codeServerLib, resultsDir, ROOT, type CodeServer } from '../support/harness';

const VSIX = join(ROOT, 'out/alluse-performance.vsix');
const SHOTS = resultsDir('e2e-ui');
const T = 30_000;

describe('Export Report… in the VS Code UI', () => {
  let cs: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let folder: string;
  const log: string[] = [];
  const screenshot = (name: string) => page.screenshot({ path: join(SHOTS, `export-report-${name}.png`) });

  before(async () => {
    assert.ok(existsSync(VSIX), `${VSIX} is missing: run node scripts/package-vsix.mjs (npm test does it)`);
    folder = (await makeReportWorkspace()).dir;
    const lib = await codeServerLib();
    // Monitoring would take the store's lock and add samples; the report reads the store as it is.
    cs = await lib.startCodeServer({ folder, vsix: VSIX, settings: { 'alluse-perf.monitor.autoStart': false } });
    browser = await lib.launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('console', (m) => log.push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => log.push(`[pageerror] ${e.message}`));
    await page.goto(cs.folderUrl(folder));
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'alluse-perf.yaml' }).waitFor({ timeout: T });
  });

  after(async () => {
    if (page && !page.isClosed()) await screenshot('final').catch(() => undefined);
    writeFileSync(join(SHOTS, 'export-report-console.log'), log.join('\n') + '\n');
    await browser?.close().catch(() => undefined);
    await cs?.stop();
  });

  it('asks the range and the file, shows progress, and offers to open the written report', { timeout: 120_000 }, async () => {
    const input = page.locator('.quick-input-widget input.input');
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: T });
    // The palette lists the extension's commands once the extension host has them
    // ("Activating Extensions…" in the status bar): type again until it does.
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: 'ALL-USE Performance: Export Report' }).first();
    const deadline = Date.now() + 60_000;
    for (;;) {
      await input.fill('>ALL-USE Performance: Export Report');
      if (await row.waitFor({ timeout: 2000 }).then(() => true, () => false)) break;
      if (Date.now() > deadline) assert.fail('the command never appeared in the palette');
      await input.fill('>');
    }
    await page.keyboard.press('Enter');
    // The range.
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Last 24 hours' }).first().waitFor({ timeout: T });
    await screenshot('range');
    await page.keyboard.press('Enter');
    // The web workbench's save dialog: a path in the quick input, prefilled in the workspace.
    await page.waitForFunction(() => (document.querySelector('.quick-input-widget input.input') as HTMLInputElement | null)?.value.includes('alluse-perf-report-'), undefined, { timeout: T });
    const out = join(folder, 'day-report.html');
    await input.fill(out);
    await screenshot('save-dialog');
    await page.keyboard.press('Enter');
    const done = page.locator('.notification-toast', { hasText: /Report of the last 1 d \(5 min steps\) written: 2 components/ });
    await done.waitFor({ timeout: 60_000 });
    assert.equal(await done.locator('.monaco-button', { hasText: 'Open' }).count(), 1);
    await screenshot('done');
    const html = readFileSync(out, 'utf8');
    for (const [id] of REPORT_SECTIONS) assert.ok(html.includes(`<section id="${id}">`), id);
  });
});
