/**
 * UI end-to-end test of restricted mode: the packaged extension in a real VS Code
 * (code-server + chromium) with workspace trust ON, on a copy of the demo workspace
 * (examples/all-use) that the user declines to trust.
 * - The workspace file is still analysed: its squiggle and Problems row appear.
 * - "Start Monitoring" watches (nothing of the demo runs here, so nothing is found) and says
 *   that restricted mode starts nothing, with "Manage Workspace Trust".
 * - "Run Tuning Study" and "Profile Component" refuse, say why, and offer the same button.
 * - No process is started: none has its working folder in the workspace or names one of
 *   its programs, no pid file, study log or profile is written.
 * - The button opens VS Code's trust editor; after "Trust", profiling is attempted at once
 *   (no reload): it fails only because nothing listens on the component's inspector port.
 * The demo system is never started (no lock needed); the inspector port is a free one.
 * Screenshots: test-results/e2e-ui/trust-*.png.
 */
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { codeServerLib, resultsDir, ROOT, runCommand, type CodeServer } from '../support/harness';

const VSIX = join(ROOT, 'out/alluse-performance.vsix');
const SHOTS = resultsDir('e2e-ui');
const STEP = { timeout: 120_000 };
const T = 45_000;

/** A loopback port nothing listens on (taken and released). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/**
 * Processes whose working folder is inside `folder`, or whose command line names one of its
 * programs. The extension's own analysis server (dist/server.js of the installed extension,
 * which VS Code starts in the workspace folder, trusted or not) runs no workspace code and
 * is left out.
 */
function processesOf(folder: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      const programs = /\b(market-feed|protocol-engine|account-service|learning-worker)\.js\b|\bnode bench\b/.test(cmd) && cmd.includes(folder);
      if (/\/ext\/alluse\.alluse-performance-[^/ ]+\/dist\/server\.js /.test(cmd)) continue;
      if (cwd === folder || cwd.startsWith(folder + '/') || programs) out.push(`${pid} (${cwd}): ${cmd.slice(0, 200)}`);
    } catch {
      /* gone, or not ours to read */
    }
  }
  return out;
}

describe('restricted mode (workspace trust on, the demo workspace not trusted)', () => {
  let cs: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let folder: string;
  let inspectPort: number;
  const log: string[] = [];
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `trust-${name}.png`) });
  const toast = (text: string | RegExp) => page.locator('.notification-toast', { hasText: text });

  before(async () => {
    assert.ok(existsSync(VSIX), `${VSIX} is missing: run node scripts/package-vsix.mjs (npm test does it)`);
    folder = realpathSync(mkdtempSync(join(tmpdir(), 'alluse-e2e-trust-')));
    const demo = join(ROOT, 'examples/all-use');
    cpSync(demo, folder, { recursive: true, filter: (src) => !/\/(node_modules|\.run|\.alluse-perf)(\/|$)/.test(src.slice(demo.length)) });
    // A free inspector port (so a trusted profile attempt reaches nobody's process) and one
    // unknown key (so the analysis has something to say).
    inspectPort = await freePort();
    const yaml = readFileSync(join(folder, 'alluse-perf.yaml'), 'utf8')
      .replace('--inspect=127.0.0.1:9465', `--inspect=127.0.0.1:${inspectPort}`)
      .replace('inspectPort: 9465', `inspectPort: ${inspectPort}`)
      .replace('monitor:\n  interval: 100ms', 'monitor:\n  intervall: 100ms');
    assert.match(yaml, /intervall: 100ms/);
    writeFileSync(join(folder, 'alluse-perf.yaml'), yaml);
    const lib = await codeServerLib();
    cs = await lib.startCodeServer({ folder, vsix: VSIX, trust: true, settings: { 'files.autoSave': 'off' } });
    browser = await lib.launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('console', (m) => log.push(`[${m.type()}] ${m.text()}`));
  });

  after(async () => {
    writeFileSync(join(SHOTS, 'trust-page-console.log'), log.join('\n') + '\n');
    await browser?.close().catch(() => undefined);
    await cs?.stop();
  });

  it('opens in restricted mode and still analyses the workspace file', STEP, async () => {
    await page.goto(cs!.folderUrl(folder));
    await page.locator('.monaco-workbench').waitFor({ timeout: T });
    const dont = page.locator('.monaco-dialog-box .monaco-button', { hasText: /No, I don.t trust/ });
    await dont.first().waitFor({ timeout: T });
    await shot('prompt');
    await dont.first().click();
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'alluse-perf.yaml' }).waitFor({ timeout: T });
    await page.locator('.activitybar .action-item [aria-label^="ALL-USE Performance"]').first().waitFor({ timeout: T });
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible', timeout: T });
    await input.fill('alluse-perf.yaml');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'alluse-perf.yaml' }).first().waitFor({ timeout: T });
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab', { hasText: 'alluse-perf.yaml' }).waitFor({ timeout: T });
    await runCommand(page, 'View: Focus Problems', T);
    await page.locator('.markers-panel .monaco-list-row', { hasText: 'Unknown key "intervall" in monitor' }).first().waitFor({ timeout: T });
    await shot('diagnostics');
  });

  it('Start Monitoring only watches, says restricted mode starts nothing, and offers trust', STEP, async () => {
    await runCommand(page, 'ALL-USE Performance: Start Monitoring', T);
    const t = toast('Restricted mode: ALL-USE monitors only processes that already run and never starts one');
    await t.first().waitFor({ timeout: T });
    await t.locator('.monaco-button', { hasText: 'Manage Workspace Trust' }).first().waitFor({ timeout: T });
    await shot('monitoring');
    await t.locator('.codicon-notifications-clear, .codicon-close').first().click().catch(() => undefined);
  });

  it('Run Tuning Study and Profile Component refuse, say why, and offer trust', STEP, async () => {
    await runCommand(page, 'ALL-USE Performance: Run Tuning Study', T);
    const study = toast(/Running a tuning study runs the study.s trial command, which this restricted workspace does not allow/);
    await study.first().waitFor({ timeout: T });
    await study.locator('.monaco-button', { hasText: 'Manage Workspace Trust' }).first().waitFor({ timeout: T });
    await runCommand(page, 'ALL-USE Performance: Profile Component for 10 s', T);
    const profile = toast(/Profiling attaches to the component.s process and runs code in it through its inspector, which this restricted workspace does not allow/);
    await profile.first().waitFor({ timeout: T });
    await profile.locator('.monaco-button', { hasText: 'Manage Workspace Trust' }).first().waitFor({ timeout: T });
    await shot('refused');
  });

  it('started no process and wrote no pid file, study log or profile', STEP, async () => {
    assert.deepEqual(processesOf(folder), []);
    assert.deepEqual(existsSync(join(folder, '.run')) ? readdirSync(join(folder, '.run')) : [], []);
    assert.equal(existsSync(join(folder, '.alluse-perf/studies')), false, 'no study log');
    assert.equal(existsSync(join(folder, '.alluse-perf/profiles')), false, 'no profile');
  });

  it('"Manage Workspace Trust" opens the trust editor; once trusted, profiling is attempted without a reload', STEP, async () => {
    const profile = toast(/Profiling attaches to the component.s process/);
    await profile.locator('.monaco-button', { hasText: 'Manage Workspace Trust' }).first().click();
    const trustButton = page.locator('.workspace-trust-editor .monaco-button', { hasText: /^\s*Trust( Folder| Workspace)?\s*$/ });
    await trustButton.first().waitFor({ timeout: T });
    await shot('trust-editor');
    await trustButton.first().click();
    await page.locator('.workspace-trust-editor', { hasText: /You trust this (folder|workspace)|trusted/i }).first().waitFor({ timeout: T });
    await runCommand(page, 'ALL-USE Performance: Profile Component for 10 s', T);
    // Four components: pick the one with the inspector port.
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'protocol-engine' }).first().waitFor({ timeout: T });
    await page.locator('.quick-input-widget input.input').fill('protocol-engine');
    await page.keyboard.press('Enter');
    const failed = toast(/Could not profile protocol-engine/);
    await failed.first().waitFor({ timeout: T });
    const text = await failed.first().innerText();
    assert.doesNotMatch(text, /Manage Workspace Trust|not trusted/, text);
    assert.match(text, new RegExp(String(inspectPort)), `the attempt went to the free port ${inspectPort}: ${text}`);
    await shot('trusted-attempt');
  });
});
