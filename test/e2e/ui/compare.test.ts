/**
 * UI end-to-end test of comparing configurations in the editor: the packaged extension in a
 * real VS Code (code-server + chromium). Editing and saving the tuning fixture's
 * config/engine.yaml (batch_size 4 -> 32) brings "Measure this change?"; "Measure" runs the
 * study's tiny trial script for the previous and the saved version, alternating, and the
 * comparison view shows p95_latency_ms worse and throughput_tps better with a plot per metric
 * (screenshot test-results/e2e-ui/compare-*.png). Then "Compare Configurations…" from the
 * command palette compares the file against the version before its last save.
 * Every wait is a condition with a deadline.
 */
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { codeServerLib, resultsDir, ROOT, runCommand, type CodeServer } from '../support/harness';

const VSIX = join(ROOT, 'out/alluse-performance.vsix');
const SHOTS = resultsDir('e2e-ui');
const STEP = { timeout: 150_000 };
const T = 45_000;

describe('comparing configurations in the VS Code UI', () => {
  let cs: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let folder: string;
  let config: string;
  const log: string[] = [];

  const screenshot = (name: string) => page.screenshot({ path: join(SHOTS, `compare-${name}.png`) });
  const compareView = (): FrameLocator => page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');

  /** Painted pixels of a canvas in the comparison view. */
  const painted = (id: string) =>
    compareView()
      .locator(`#${id}`)
      .evaluate((c: HTMLCanvasElement) => {
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
        return n;
      });

  before(async () => {
    assert.ok(existsSync(VSIX), `${VSIX} is missing: run node scripts/package-vsix.mjs (npm test does it)`);
    folder = mkdtempSync(join(tmpdir(), 'alluse-e2e-compare-'));
    cpSync(join(ROOT, 'test/fixtures/tune-workspace'), folder, { recursive: true });
    config = join(folder, 'config/engine.yaml');
    const lib = await codeServerLib();
    cs = await lib.startCodeServer({ folder, vsix: VSIX, settings: { 'files.autoSave': 'off', 'alluse-perf.monitor.autoStart': false, 'alluse-perf.compare.repeats': 4 } });
    browser = await lib.launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('console', (m) => log.push(`[${m.type()}] ${m.text()}`));
  });

  after(async () => {
    writeFileSync(join(SHOTS, 'compare-page-console.log'), log.join('\n') + '\n');
    await browser?.close().catch(() => undefined);
    await cs?.stop();
  });

  it('offers to measure a saved config change and shows the comparison', STEP, async () => {
    await page.goto(cs!.folderUrl(folder));
    await page.locator('.monaco-workbench').waitFor({ timeout: T });
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'alluse-perf.yaml' }).waitFor({ timeout: T });
    await page.locator('.activitybar .action-item [aria-label^="ALL-USE Performance"]').first().waitFor({ timeout: T });
    // Open config/engine.yaml and change batch_size: 4 -> 32 as a person would.
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible', timeout: T });
    await input.fill('engine.yaml');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'engine.yaml' }).first().waitFor({ timeout: T });
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab', { hasText: 'engine.yaml' }).waitFor({ timeout: T });
    await page.locator('.monaco-editor .view-line', { hasText: 'batch_size: 4' }).waitFor({ timeout: T });
    // The extension learns the file's saved text once the server lists the studies: wait for
    // the Studies view to show the study, which comes from the same request.
    await runCommand(page, 'ALL-USE Performance: Focus on Studies View', T);
    await page.locator('.monaco-list-row', { hasText: 'fast-engine' }).first().waitFor({ timeout: T });
    await page.locator('.tabs-container .tab', { hasText: 'engine.yaml' }).click();
    await page.locator('.monaco-editor .view-line', { hasText: 'batch_size: 4' }).click();
    await page.keyboard.press('End');
    for (let i = 0; i < '       # ticks per batch'.length; i++) await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('32');
    await page.locator('.tabs-container .tab.dirty', { hasText: 'engine.yaml' }).waitFor({ timeout: T });
    await page.keyboard.press('Control+S');
    const lib = await codeServerLib();
    await lib.waitFor(() => /^batch_size: 32 /m.test(readFileSync(config, 'utf8')), { timeout: T, what: 'batch_size: 32 on disk' });
    const toast = page.locator('.notification-toast', { hasText: 'Measure this change to config/engine.yaml?' });
    const measure = toast.first().locator('.monaco-button', { hasText: /^Measure$/ }).first();
    await measure.waitFor({ timeout: T });
    const lib0 = await codeServerLib();
    // The toast slides in: take the picture once its animations have finished.
    await lib0.waitFor(() => toast.first().evaluate((e) => e.getAnimations({ subtree: true }).length === 0 && getComputedStyle(e).opacity === '1'), { timeout: T, what: 'the notification to settle' });
    await screenshot('offer');
    await measure.click();
    const root = compareView().locator('#root[data-state="done"][data-metrics="2"]');
    await root.waitFor({ timeout: 90_000 });
    const p95 = compareView().locator('tr[data-metric="p95_latency_ms"]');
    assert.equal(await p95.getAttribute('data-verdict'), 'worse');
    assert.equal(await compareView().locator('tr[data-metric="throughput_tps"]').getAttribute('data-verdict'), 'better');
    assert.match(await p95.innerText(), /\+\d+(\.\d)?%/);
    await lib.waitFor(async () => (await painted('chart-p95_latency_ms')) > 500 && (await painted('chart-throughput_tps')) > 500, { timeout: T, what: 'the box/strip plots to be drawn' });
    assert.match(await compareView().locator('.meta').first().innerText(), /A = before the save, B = saved\. config\/engine\.yaml, measured by the trial command of study "fast-engine"/);
    await screenshot('view');
  });

  it('compares from the command palette against the version before the last save', STEP, async () => {
    await runCommand(page, 'ALL-USE Performance: Compare Configurations…', T);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: 'The version before the last save' });
    await row.first().waitFor({ timeout: T });
    await screenshot('pick-baseline');
    await row.first().click();
    const progress = compareView().locator('#root[data-state="running"]');
    await progress.waitFor({ timeout: T });
    const root = compareView().locator('#root[data-state="done"][data-metrics="2"]');
    await root.waitFor({ timeout: 90_000 });
    assert.equal(await compareView().locator('tr[data-metric="p95_latency_ms"]').getAttribute('data-verdict'), 'worse');
    assert.match(await compareView().locator('.meta').first().innerText(), /A = before the last save, B = current/);
  });
});
