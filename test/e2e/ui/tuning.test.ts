/**
 * UI end-to-end test of tuning in the editor: the packaged extension in a real VS Code
 * (code-server + chromium) runs a SHORT study of the tuning fixture (3 trials of a tiny
 * node script that reads the trial's copy of config/engine.yaml) from the command palette,
 * shows the study view (screenshot test-results/e2e-ui/tuning-*.png), puts a
 * `tuning-recommendation` diagnostic on a changed key of config/engine.yaml, and applies
 * its quick fix: the file on disk gets the new value and keeps its comments.
 * Every wait is a condition with a deadline.
 */
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { parse } from 'yaml';
import { codeServerLib, resultsDir, ROOT, runCommand, type CodeServer } from '../support/harness';

const VSIX = join(ROOT, 'out/alluse-performance.vsix');
const SHOTS = resultsDir('e2e-ui');
const STEP = { timeout: 120_000 };
const T = 45_000;

/** The extension's contributions are in the workbench (its activity bar entry), so its commands are in the palette. */
async function extensionReady(page: Page): Promise<void> {
  await page.locator('.activitybar .action-item [aria-label^="ALL-USE Performance"]').first().waitFor({ timeout: T });
}

describe('tuning studies in the VS Code UI', () => {
  let cs: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let folder: string;
  let config: string;
  let original: string;
  const log: string[] = [];

  const screenshot = (name: string) => page.screenshot({ path: join(SHOTS, `tuning-${name}.png`) });
  const studyView = (): FrameLocator => page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
  const problemRows = () => page.locator('.markers-panel .monaco-list-row');

  before(async () => {
    assert.ok(existsSync(VSIX), `${VSIX} is missing: run node scripts/package-vsix.mjs (npm test does it)`);
    folder = mkdtempSync(join(tmpdir(), 'alluse-e2e-tune-'));
    cpSync(join(ROOT, 'test/fixtures/tune-workspace'), folder, { recursive: true });
    config = join(folder, 'config/engine.yaml');
    original = readFileSync(config, 'utf8');
    const lib = await codeServerLib();
    cs = await lib.startCodeServer({ folder, vsix: VSIX, settings: { 'files.autoSave': 'off', 'alluse-perf.monitor.autoStart': false } });
    browser = await lib.launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('console', (m) => log.push(`[${m.type()}] ${m.text()}`));
  });

  after(async () => {
    writeFileSync(join(SHOTS, 'tuning-page-console.log'), log.join('\n') + '\n');
    await browser?.close().catch(() => undefined);
    await cs?.stop();
  });

  it('runs a short study from the command palette and shows the study view', STEP, async () => {
    await page.goto(cs!.folderUrl(folder));
    await page.locator('.monaco-workbench').waitFor({ timeout: T });
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'alluse-perf.yaml' }).waitFor({ timeout: T });
    await extensionReady(page);
    await runCommand(page, 'ALL-USE Performance: Run Tuning Study', T);
    const root = studyView().locator('#root[data-phase="idle"][data-trials="3"]');
    await root.waitFor({ timeout: 90_000 });
    // The charts drew: the best-so-far canvas has painted pixels.
    const lib = await codeServerLib();
    await lib.waitFor(
      async () =>
        (await studyView()
          .locator('#chart-best')
          .evaluate((c: HTMLCanvasElement) => {
            const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
            let n = 0;
            for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
            return n;
          })) > 300,
      { timeout: T, what: 'the best-so-far chart to be drawn' },
    );
    assert.equal(await studyView().locator('#chart-pareto').count(), 1);
    const rec = await studyView().locator('.recommendation').innerText();
    assert.match(rec, /Trial #\d+/);
    await screenshot('study-view');
    // The Studies tree lists it with its trials.
    await runCommand(page, 'ALL-USE Performance: Focus on Studies View', T);
    await page.locator('.monaco-list-row', { hasText: 'fast-engine' }).filter({ hasText: '3/3 trials' }).first().waitFor({ timeout: T });
  });

  it('shows the recommendation as a diagnostic on the changed key and applies its quick fix', STEP, async () => {
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible', timeout: T });
    await input.fill('engine.yaml');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'engine.yaml' }).first().waitFor({ timeout: T });
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab', { hasText: 'engine.yaml' }).waitFor({ timeout: T });
    await page.locator('.monaco-editor .squiggly-info').first().waitFor({ timeout: T });
    await runCommand(page, 'View: Focus Problems');
    const row = problemRows().filter({ hasText: 'Tuning study "fast-engine" recommends' });
    await row.first().waitFor({ timeout: T });
    const text = await row.first().innerText();
    const m = /recommends (\w+): (\d+) -> (\d+)/.exec(text);
    assert.ok(m, text);
    const [, key, , to] = m;
    await screenshot('problems');
    await row.first().click();
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor.focused').waitFor({ timeout: T });
    await page.keyboard.press('Control+.');
    const title = `Set ${key} to ${to} (tuning study "fast-engine")`;
    await page.locator('.action-widget .monaco-list-row', { hasText: title }).first().waitFor({ timeout: T });
    await screenshot('quick-fix-menu');
    const focused = page.locator('.action-widget .monaco-list-row.focused');
    for (let i = 0; i < 10 && !((await focused.count()) && (await focused.first().innerText()).includes(title)); i++) await page.keyboard.press('ArrowDown');
    assert.match(await focused.first().innerText(), new RegExp(title.replace(/[()]/g, '\\$&')));
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab.dirty', { hasText: 'engine.yaml' }).waitFor({ timeout: T });
    await page.keyboard.press('Control+S');
    const lib = await codeServerLib();
    await lib.waitFor(() => parse(readFileSync(config, 'utf8'))[key] === Number(to), { timeout: T, what: `${key}: ${to} on disk` });
    const now = readFileSync(config, 'utf8');
    assert.match(now, /^# engine: the knobs a study tunes\. Keep this comment\.$/m);
    assert.match(now, /queue_capacity: 5000 {2}# not tuned/);
    assert.equal(now.split('\n').length, original.split('\n').length);
    // Only the value changed on that line; its comment stays.
    assert.match(now, new RegExp(`^${key}: ${to} +# `, 'm'));
    // The saved file is re-checked: the fixed key's diagnostic goes away.
    await problemRows().filter({ hasText: `recommends ${key}:` }).first().waitFor({ state: 'detached', timeout: T });
    await screenshot('fixed');
  });

  it('applies all remaining recommendations, keeping the previous version, and reverts to it', STEP, async () => {
    const lib = await codeServerLib();
    const beforeApply = readFileSync(config, 'utf8');
    await runCommand(page, 'ALL-USE Performance: Apply All Recommendations', T);
    await page.locator('.notification-toast', { hasText: 'The previous version is kept in' }).first().waitFor({ timeout: T });
    const applied = (await lib.waitFor(() => { const t = readFileSync(config, 'utf8'); return t !== beforeApply ? t : undefined; }, { timeout: T, what: "the recommendations on disk" })) as string;
    const doc = parse(applied);
    assert.ok(doc.workers !== 2 && doc.batch_size !== 4, applied);
    assert.match(applied, /^# engine: the knobs a study tunes\. Keep this comment\.$/m);
    assert.match(applied, /queue_capacity: 5000 {2}# not tuned/);
    const history = join(folder, '.alluse-perf/history');
    const copies = readdirSync(history).filter((n) => n.endsWith('-engine.yaml'));
    assert.equal(copies.length, 1);
    assert.equal(readFileSync(join(history, copies[0]), 'utf8'), beforeApply);
    // Every recommendation is in the file now: no diagnostic is left.
    await problemRows().filter({ hasText: 'Tuning study "fast-engine" recommends' }).first().waitFor({ state: 'detached', timeout: T });
    await screenshot('applied');

    await runCommand(page, 'ALL-USE Performance: Revert Applied Recommendations', T);
    await lib.waitFor(() => readFileSync(config, 'utf8') === beforeApply, { timeout: T, what: 'the previous version restored on disk' });
    await problemRows().filter({ hasText: 'Tuning study "fast-engine" recommends' }).first().waitFor({ timeout: T });
    await screenshot('reverted');
  });
});

describe('tuning in a restricted (untrusted) workspace', () => {
  let cs: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let folder: string;

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'alluse-e2e-tune-untrusted-'));
    cpSync(join(ROOT, 'test/fixtures/tune-workspace'), folder, { recursive: true });
    const lib = await codeServerLib();
    cs = await lib.startCodeServer({ folder, vsix: VSIX, trust: true, settings: { 'alluse-perf.monitor.autoStart': false } });
    browser = await lib.launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await cs?.stop();
  });

  it('runs nothing, explains why and offers to manage trust', STEP, async () => {
    await page.goto(cs!.folderUrl(folder));
    await page.locator('.monaco-workbench').waitFor({ timeout: T });
    // The trust prompt: stay in restricted mode.
    const dont = page.locator('.monaco-dialog-box .monaco-button', { hasText: /No, I don.t trust/ });
    await dont.first().waitFor({ timeout: T });
    await dont.first().click();
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'alluse-perf.yaml' }).waitFor({ timeout: T });
    await extensionReady(page);
    await runCommand(page, 'ALL-USE Performance: Run Tuning Study', T);
    const toast = page.locator('.notification-toast', { hasText: 'restricted workspace does not allow' });
    await toast.first().waitFor({ timeout: T });
    await toast.locator('.monaco-button', { hasText: 'Manage Workspace Trust' }).first().waitFor({ timeout: T });
    await page.screenshot({ path: join(SHOTS, 'tuning-restricted.png') });
    // Nothing ran: no study log was written.
    assert.equal(existsSync(join(folder, '.alluse-perf/studies/fast-engine.jsonl')), false);
  });
});
