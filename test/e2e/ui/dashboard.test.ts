/**
 * UI end-to-end test of monitoring: the real demo system runs, the packaged extension in a
 * real VS Code (code-server + chromium) monitors it on its own (auto-start), the status bar
 * and the Components tree show the four components up, and the dashboard webview draws live
 * charts (screenshot in test-results/e2e-ui/dashboard-*.png). Waits are conditions.
 */
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { startDemoWorkspace, type DemoWorkspace } from '../../helpers/demoWorkspace';
import { codeServerLib, resultsDir, ROOT, runCommand, type CodeServer } from '../support/harness';

const VSIX = join(ROOT, 'out/alluse-performance.vsix');
const SHOTS = resultsDir('e2e-ui');
const STEP = { timeout: 90_000 };
const T = 30_000;

describe('monitoring the demo system in the VS Code UI', () => {
  let ws: DemoWorkspace;
  let cs: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const log: string[] = [];

  const screenshot = (name: string) => page.screenshot({ path: join(SHOTS, `dashboard-${name}.png`) });


  const dashboard = (): FrameLocator => page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');

  before(async () => {
    assert.ok(existsSync(VSIX), `${VSIX} is missing: run node scripts/package-vsix.mjs (npm test does it)`);
    ws = await startDemoWorkspace({ prefix: 'alluse-e2e-dash-' });
    const lib = await codeServerLib();
    cs = await lib.startCodeServer({ folder: ws.folder, vsix: VSIX });
    browser = await lib.launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('console', (m) => log.push(`[${m.type()}] ${m.text()}`));
  });

  after(async () => {
    writeFileSync(join(SHOTS, 'dashboard-page-console.log'), log.join('\n') + '\n');
    await browser?.close().catch(() => undefined);
    await cs?.stop();
    await ws?.system.stop();
  });

  it('starts monitoring on its own and shows every component up in the status bar', STEP, async () => {
    await page.goto(cs!.folderUrl(ws.folder));
    await page.locator('.monaco-workbench').waitFor({ timeout: T });
    const item = page.locator('.statusbar-item', { hasText: 'ALL-USE: 4/4 up' });
    await item.first().waitFor({ timeout: 60_000 });
    await screenshot('status-bar');
  });

  it('lists the components with their live state in the Components tree', STEP, async () => {
    await runCommand(page, 'ALL-USE Performance: Focus on Components View');
    const rows = page.locator('.monaco-list-row', { hasText: /up · \d+% CPU/ });
    const lib = await codeServerLib();
    await lib.waitFor(async () => (await rows.count()) === 4, { timeout: T, what: 'four components up in the tree' });
    for (const name of ['market-feed', 'protocol-engine', 'account-service', 'learning-worker']) {
      assert.equal(await page.locator('.monaco-list-row', { hasText: name }).count() > 0, true, name);
    }
    await screenshot('components-tree');
  });

  it('opens the dashboard with live charts, and switches ranges', STEP, async () => {
    await runCommand(page, 'ALL-USE Performance: Open Dashboard');
    const body = dashboard().locator('body[data-rendered="true"]');
    await body.waitFor({ timeout: T });
    const lib = await codeServerLib();
    // Live data: the number of points grows as the extension refreshes the charts.
    let first = 0;
    await lib.waitFor(async () => (first = Number(await body.getAttribute('data-points'))) > 500, { timeout: T, what: 'over 500 points on the charts' });
    await lib.waitFor(async () => Number(await body.getAttribute('data-points')) > first, { timeout: T, what: 'the charts to refresh with new points' });
    const painted = await dashboard()
      .locator('.component[data-name="protocol-engine"] canvas')
      .first()
      .evaluate((c: HTMLCanvasElement) => {
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
        return n;
      });
    assert.ok(painted > 500, `the protocol-engine CPU chart painted only ${painted} pixels`);
    assert.equal(await dashboard().locator('.component').count(), 4);
    await screenshot('live');

    await dashboard().locator('.ranges button', { hasText: '1h' }).click();
    await dashboard().locator('body[data-range="1h"]').waitFor({ timeout: T });
    await screenshot('range-1h');
  });

  it('lists an anomaly finding on the protocol engine after a CPU-hog fault', { timeout: 180_000 }, async () => {
    const engine = ws.system.components['protocol-engine'];
    const lib = await codeServerLib();
    // The detectors learn from their first 300 samples before they score: wait until the
    // dashboard (still open, back on raw samples) shows that many CPU samples of the engine.
    await dashboard().locator('.ranges button', { hasText: '5m' }).click();
    await dashboard().locator('body[data-range="5m"]').waitFor({ timeout: T });
    const cpu = dashboard().locator('.chart[data-key="protocol-engine/cpu"]');
    await lib.waitFor(async () => Number(await cpu.getAttribute('data-points')) >= 350, { timeout: 90_000, what: '350 CPU samples of the engine' });
    const res = await fetch(`${engine.url}/admin/fault`, { method: 'POST', body: JSON.stringify({ fault: 'cpu-hog', on: true, duty: 0.9 }) });
    assert.equal(res.status, 200);
    try {
      await runCommand(page, 'ALL-USE Performance: Focus on Findings View');
      const row = page.locator('.monaco-list-row', { hasText: /protocol-engine: \w+/ });
      await row.first().waitFor({ timeout: 120_000 });
      await screenshot('findings');
    } finally {
      await fetch(`${engine.url}/admin/fault`, { method: 'POST', body: JSON.stringify({ fault: 'cpu-hog', on: false }) });
    }
  });
});
