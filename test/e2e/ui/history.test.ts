/**
 * UI end-to-end test of the change history: in a real VS Code (code-server + chromium) a
 * short study of the tuning fixture runs, one recommendation's quick fix and then "Apply All
 * Recommendations" change config/engine.yaml, each recorded once in
 * `.alluse-perf/audit.jsonl` (the saves after them are not more entries); "Show Change
 * History" lists it with its keys before → after (screenshot test-results/e2e-ui/history-*.png);
 * its "Revert" button sets the values back through an editor edit, the file is saved as it
 * was (comments and all), and the history shows the change as reverted and the revert as a
 * new entry. Every wait is a condition with a deadline.
 */
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { parseAuditLog } from '../../../engine/coordinate/audit';
import { codeServerLib, resultsDir, ROOT, runCommand, type CodeServer } from '../support/harness';

const VSIX = join(ROOT, 'out/alluse-performance.vsix');
const SHOTS = resultsDir('e2e-ui');
const STEP = { timeout: 180_000 };
const T = 45_000;

describe('the change history in the VS Code UI', () => {
  let cs: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let folder: string;
  let config: string;
  let audit: string;
  const log: string[] = [];

  const screenshot = (name: string) => page.screenshot({ path: join(SHOTS, `history-${name}.png`) });
  /** The one open webview's content frame (the other editors are closed before it opens). */
  const webview = (): FrameLocator => page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');

  before(async () => {
    assert.ok(existsSync(VSIX), `${VSIX} is missing: run node scripts/package-vsix.mjs (npm test does it)`);
    folder = mkdtempSync(join(tmpdir(), 'alluse-e2e-history-'));
    cpSync(join(ROOT, 'test/fixtures/tune-workspace'), folder, { recursive: true });
    config = join(folder, 'config/engine.yaml');
    audit = join(folder, '.alluse-perf/audit.jsonl');
    const lib = await codeServerLib();
    cs = await lib.startCodeServer({ folder, vsix: VSIX, settings: { 'files.autoSave': 'off', 'alluse-perf.monitor.autoStart': false } });
    browser = await lib.launchBrowser();
    page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
    page.on('console', (m) => log.push(`[${m.type()}] ${m.text()}`));
  });

  after(async () => {
    writeFileSync(join(SHOTS, 'history-page-console.log'), log.join('\n') + '\n');
    await browser?.close().catch(() => undefined);
    await cs?.stop();
  });

  it('records a quick fix and "Apply All", shows them in the history and reverts it from there', STEP, async () => {
    const lib = await codeServerLib();
    await page.goto(cs!.folderUrl(folder));
    await page.locator('.monaco-workbench').waitFor({ timeout: T });
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'alluse-perf.yaml' }).waitFor({ timeout: T });
    await page.locator('.activitybar .action-item [aria-label^="ALL-USE Performance"]').first().waitFor({ timeout: T });

    // A short study, then its recommendation applied.
    await runCommand(page, 'ALL-USE Performance: Run Tuning Study', T);
    await webview().locator('#root[data-phase="idle"][data-trials="3"]').waitFor({ timeout: 90_000 });
    const pristine = readFileSync(config, 'utf8');

    // One recommendation applied with its quick fix (as in tuning.test.ts), then saved.
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible', timeout: T });
    await input.fill('engine.yaml');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'engine.yaml' }).first().waitFor({ timeout: T });
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab', { hasText: 'engine.yaml' }).waitFor({ timeout: T });
    await page.locator('.monaco-editor .squiggly-info').first().waitFor({ timeout: T });
    await runCommand(page, 'View: Focus Problems');
    const problem = page.locator('.markers-panel .monaco-list-row').filter({ hasText: 'Tuning study "fast-engine" recommends' });
    await problem.first().waitFor({ timeout: T });
    const m = /recommends (\w+): (\d+) -> (\d+)/.exec(await problem.first().innerText());
    assert.ok(m);
    const [, key, from, to] = m;
    await problem.first().click();
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor.focused').waitFor({ timeout: T });
    await page.keyboard.press('Control+.');
    const title = `Set ${key} to ${to} (tuning study "fast-engine")`;
    await page.locator('.action-widget .monaco-list-row', { hasText: title }).first().waitFor({ timeout: T });
    const focused = page.locator('.action-widget .monaco-list-row.focused');
    for (let i = 0; i < 10 && !((await focused.count()) && (await focused.first().innerText()).includes(title)); i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab.dirty', { hasText: 'engine.yaml' }).waitFor({ timeout: T });
    await page.keyboard.press('Control+S');
    await lib.waitFor(() => readFileSync(config, 'utf8') !== pristine || undefined, { timeout: T, what: 'the quick fix saved' });
    const entries = () => (existsSync(audit) ? parseAuditLog(readFileSync(audit, 'utf8')).entries : []);
    const fixed = (await lib.waitFor(() => (entries().length ? entries() : undefined), { timeout: T, what: 'the quick fix in the audit log' })) as ReturnType<typeof entries>;
    assert.equal(fixed.length, 1, `the quick fix is recorded once (its save is not a second entry): ${JSON.stringify(fixed)}`);
    assert.equal(fixed[0].actor, 'quick-fix');
    assert.deepEqual(fixed[0].edits, [{ keyPath: key, before: Number(from), after: Number(to) }]);

    const original = readFileSync(config, 'utf8');
    await runCommand(page, 'ALL-USE Performance: Apply All Recommendations', T);
    await page.locator('.notification-toast', { hasText: 'The previous version is kept in' }).first().waitFor({ timeout: T });
    const applied = (await lib.waitFor(() => (readFileSync(config, 'utf8') !== original ? readFileSync(config, 'utf8') : undefined), { timeout: T, what: 'the recommendations on disk' })) as string;

    // The audit log has the change, once (the save after "Apply All" is not a second entry).
    await lib.waitFor(() => entries().length >= 2 || undefined, { timeout: T, what: '"Apply All" in the audit log' });
    const first = parseAuditLog(readFileSync(audit, 'utf8'));
    assert.deepEqual(first.problems, []);
    assert.equal(first.entries.length, 2, JSON.stringify(first.entries));
    const entry = first.entries[1];
    assert.equal(entry.actor, 'apply-all');
    assert.equal(entry.source, 'study "fast-engine"');
    assert.equal(entry.file, 'config/engine.yaml');
    assert.equal(entry.component, 'engine');
    assert.ok(entry.edits.length >= 1 && entry.edits.every((e) => e.before !== e.after), JSON.stringify(entry.edits));

    // The history webview lists it.
    await runCommand(page, 'View: Close All Editors', T);
    await runCommand(page, 'ALL-USE Performance: Show Change History', T);
    const row = webview().locator(`tr.entry[data-id="${entry.id}"]`);
    await row.waitFor({ timeout: T });
    const text = await row.innerText();
    assert.match(text, /Apply All/);
    assert.match(text, /study "fast-engine"/);
    for (const e of entry.edits) assert.ok(text.includes(`${e.keyPath}: ${String(e.before)} → ${String(e.after)}`), `${e.keyPath} in ${text}`);
    assert.match(text, /applied/);
    await screenshot('applied');

    // Revert: one click; the file is saved as it was before "Apply All".
    await row.locator('button.revert').click();
    await lib.waitFor(() => readFileSync(config, 'utf8') === original, { timeout: T, what: 'the values before "Apply All" back on disk' });
    assert.notEqual(applied, original);
    const reverted = webview().locator(`tr.entry.reverted[data-id="${entry.id}"]`);
    await reverted.waitFor({ timeout: T });
    await lib.waitFor(() => entries().length >= 3 || undefined, { timeout: T, what: 'the revert in the audit log' });
    const after = parseAuditLog(readFileSync(audit, 'utf8'));
    assert.equal(after.entries.length, 3);
    const undo = after.entries[2];
    assert.deepEqual([undo.actor, undo.rollbackOf, after.entries[1].status, after.entries[1].rolledBackBy], ['user', entry.id, 'reverted', undo.id]);
    await webview().locator(`tr.entry[data-id="${undo.id}"]`).waitFor({ timeout: T });
    await webview().locator(`tr.entry.applied[data-id="${after.entries[0].id}"]`).waitFor({ timeout: T });
    assert.equal(await webview().locator('button.revert').count(), 2, 'the quick fix and the revert can still be reverted');
    await screenshot('reverted');
  });
});
