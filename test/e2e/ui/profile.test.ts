/**
 * UI end-to-end test of profiling: the real demo protocol engine runs with an inspector on a
 * free loopback port; the packaged extension in a real VS Code (code-server + chromium)
 * profiles it from the command palette, the heat (lens and line heat) shows on the
 * Black–Scholes pricing function, and the flame graph webview draws the profile
 * (screenshots in test-results/e2e-ui/profile-*.png). Then a CPU-and-heap profile lists its
 * Hot Allocations, and continuous profiling shows in the status bar, counts kept windows and
 * stops on the second run of its command. Waits are conditions.
 * Starts the demo system: run under `flock /tmp/alluse-demo.lock`.
 */
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { buildDemo } from '../../../examples/all-use/build.mjs';
import { DEMO_ROOT, startSystem, type RunningSystem } from '../../../examples/all-use/src/system.ts';
import { codeServerLib, resultsDir, ROOT, runCommand, type CodeServer } from '../support/harness';

const VSIX = join(ROOT, 'out/alluse-performance.vsix');
const SHOTS = resultsDir('e2e-ui');
const STEP = { timeout: 90_000 };
const T = 30_000;

describe('profiling the demo engine in the VS Code UI', () => {
  let sys: RunningSystem | undefined;
  let cs: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let folder: string;
  const log: string[] = [];

  const screenshot = (name: string) => page.screenshot({ path: join(SHOTS, `profile-${name}.png`) });
  const webview = (): FrameLocator => page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');

  before(async () => {
    assert.ok(existsSync(VSIX), `${VSIX} is missing: run node scripts/package-vsix.mjs (npm test does it)`);
    await buildDemo({ quiet: true });
    folder = mkdtempSync(join(tmpdir(), 'alluse-e2e-profile-'));
    sys = await startSystem({ ports: 'ephemeral', inspect: { 'protocol-engine': 0 }, runDir: join(folder, 'run'), logs: 'file' });
    const engine = sys.components['protocol-engine'];
    mkdirSync(join(folder, 'config'));
    writeFileSync(join(folder, 'alluse-perf.yaml'), [
      'version: 1',
      'components:',
      '  - name: protocol-engine',
      '    kind: node',
      `    process: { pidFile: ${JSON.stringify(engine.pidFile)}, inspectPort: ${engine.inspectPort} }`,
      `    configFiles: [${JSON.stringify(join(DEMO_ROOT, 'config/protocol-engine.yaml'))}]`,
      '',
    ].join('\n'));
    const lib = await codeServerLib();
    cs = await lib.startCodeServer({
      folder,
      vsix: VSIX,
      settings: { 'alluse-perf.monitor.autoStart': false, 'alluse-perf.profile.display': 'both', 'alluse-perf.profile.durationSeconds': 5, 'alluse-perf.profile.continuousWindowSeconds': 3 },
    });
    browser = await lib.launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('console', (m) => log.push(`[${m.type()}] ${m.text()}`));
  });

  /** The palette lists the extension's commands once its host has started: on a loaded machine that takes a while, so retry. */
  const runCommandWhenReady = async (title: string, deadlineMs = 90_000) => {
    const until = Date.now() + deadlineMs;
    for (;;) {
      try {
        await runCommand(page, title, 15_000);
        return;
      } catch (e) {
        await page.keyboard.press('Escape');
        if (Date.now() > until) throw e;
      }
    }
  };

  /** The notifications' texts: the toasts showing and every one in the notification center (toasts hide after a while). */
  const notificationTexts = async (): Promise<string[]> => {
    const clean = (xs: string[]) => xs.map((t) => t.replace(/\s+/g, ' ').slice(0, 200));
    const toasts = clean(await page.locator('.notification-toast').allInnerTexts().catch(() => []));
    let center: string[] = [];
    try {
      await runCommand(page, 'Notifications: Show Notifications', 10_000);
      center = clean(await page.locator('.notifications-center .notification-list-item').allInnerTexts());
      await runCommand(page, 'Notifications: Hide Notifications', 10_000);
    } catch {
      await page.keyboard.press('Escape').catch(() => undefined);
    }
    return [...toasts.map((t) => `toast: ${t}`), ...center.map((t) => `center: ${t}`)];
  };

  /**
   * The text of the first notification matching one of `patterns`, as a toast or in the
   * notification center, waiting up to `timeoutMs` (undefined when none came).
   */
  const notificationMatching = async (patterns: RegExp[], timeoutMs: number): Promise<string | undefined> => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const texts = await notificationTexts();
      const hit = texts.find((t) => patterns.some((re) => re.test(t)));
      if (hit) return hit;
      if (Date.now() > until) return undefined;
      await page.locator('.notification-toast').filter({ hasText: patterns[patterns.length - 1] }).first().waitFor({ timeout: 5000 }).catch(() => undefined);
    }
  };

  after(async () => {
    if (page && !page.isClosed()) await screenshot('final').catch(() => undefined);
    writeFileSync(join(SHOTS, 'profile-page-console.log'), log.join('\n') + '\n');
    if (cs) writeFileSync(join(SHOTS, 'profile-code-server.log'), cs.output());
    await browser?.close().catch(() => undefined);
    await cs?.stop();
    await sys?.stop();
  });

  it('profiles the protocol engine from the command palette', { timeout: 180_000 }, async () => {
    await page.goto(cs!.folderUrl(folder));
    await page.locator('.monaco-workbench').waitFor({ timeout: T });
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'alluse-perf.yaml' }).waitFor({ timeout: T });
    await runCommandWhenReady('ALL-USE Performance: Profile Component for 10 s…');
    // A 10 s profile plus attaching to the inspector: 20-40 s usually, more on a loaded CI machine.
    // The result is looked for as a toast and in the notification center: a toast can be hidden
    // (VS Code purges toasts after a while and shows none for some early in a window's life).
    const result = /Profiled protocol-engine: hottest is \S+ \(\d+\.\d% self, \d+\.\d% total\)/;
    // In 3 of about 10 CI runs this first profile never started: the command, run while the
    // extension started, asked the server for the components before the editor had sent it the
    // file, and got none ("No components in alluse-perf.yaml to profile.", a toast gone by the
    // time this looked). The server now reads a file it has not been sent from disk
    // (test/integration/server.test.ts); a miss names every notification, the center's too.
    const text = await notificationMatching([result], 120_000);
    if (!text) assert.fail(`no "Profiled protocol-engine: hottest is …" notification in 120 s; notifications: ${JSON.stringify(await notificationTexts())}`);
    console.log(`# ${text.slice(0, 160)}`);
    assert.match(text, /hottest is (blackScholes|normPdf|priceBatch|normCdf|calibrate)/);
    await screenshot('done');
  });

  it('lists the hot functions in the Hot Functions view', STEP, async () => {
    await runCommand(page, 'ALL-USE Performance: Focus on Hot Functions View');
    const row = page.locator('.monaco-list-row', { hasText: /blackScholes.*% self, .*% total/ });
    await row.first().waitFor({ timeout: T });
    await screenshot('hot-functions');
  });

  it('shows the lens and the line heat on the Black–Scholes function', STEP, async () => {
    await runCommand(page, 'ALL-USE Performance: Go to Hottest Function');
    await page.locator('.tabs-container .tab', { hasText: /blackscholes\.ts|pricing-worker\.ts/ }).first().waitFor({ timeout: T });
    // Open blackscholes.ts itself (the hottest may be its caller in pricing-worker.ts).
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible', timeout: T });
    await input.fill(join(DEMO_ROOT, 'src/shared/blackscholes.ts'));
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'blackscholes.ts' }).first().waitFor({ timeout: T });
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab.active', { hasText: 'blackscholes.ts' }).waitFor({ timeout: T });
    const lens = page.locator('.monaco-editor .codelens-decoration', { hasText: /\d+\.\d% self, \d+\.\d% total/ });
    await lens.first().waitFor({ timeout: T });
    const lenses = await lens.allInnerTexts();
    console.log(`# lenses: ${lenses.join(' | ')}`);
    assert.ok(lenses.length >= 2, 'lenses on blackScholes and its helpers');
    // The lens above `export function blackScholes`: its line follows the lens in the view.
    const bsLine = page.locator('.monaco-editor .view-line', { hasText: 'export function blackScholes' });
    await bsLine.first().waitFor({ timeout: T });
    // Line heat: whole-line background decorations are drawn in the view overlays.
    const heat = await page.evaluate(() => Array.from(document.querySelectorAll('.monaco-editor .view-overlays > div > div')).filter((d) => /rgba\(255, 96, 0/.test(getComputedStyle(d).backgroundColor)).length);
    assert.ok(heat > 0, 'some lines carry heat');
    await screenshot('heat-and-lens');
  });

  it('draws the flame graph and opens the source of a frame on click', STEP, async () => {
    await runCommand(page, 'ALL-USE Performance: Open Flame Graph');
    const body = webview().locator('body[data-rendered="true"]');
    await body.waitFor({ timeout: T });
    const frames = Number(await body.getAttribute('data-frames'));
    assert.ok(frames > 10, `${frames} frames drawn`);
    const painted = await webview().locator('canvas.flame').evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
      return n;
    });
    assert.ok(painted > 5000, `the flame graph painted only ${painted} pixels`);
    await screenshot('flame-graph');
    // A click on a frame with a source opens that source in the editor.
    const canvas = webview().locator('canvas.flame');
    const linked = JSON.parse((await canvas.getAttribute('data-linked-frame')) ?? '{}') as { x: number; y: number; name: string };
    assert.ok(linked.name, 'a frame with a source');
    await canvas.click({ position: { x: linked.x, y: linked.y } });
    await page.locator('.tabs-container .tab.active', { hasText: /\.ts$/ }).waitFor({ timeout: T });
    console.log(`# clicked ${linked.name}: opened ${await page.locator('.tabs-container .tab.active').innerText()}`);
  });

  it('takes a heap profile and lists the hot allocations', STEP, async () => {
    await runCommand(page, 'ALL-USE Performance: Profile Component Heap…');
    const done = page.locator('.notification-toast', { hasText: /Profiled protocol-engine \(CPU and heap\): most allocated by .+ \(\d+(\.\d)? (B|KiB|MiB), \d+\.\d%\)/ });
    // A 10 s profile plus attaching to the inspector: 20-40 s usually, more on a loaded CI machine.
    // On a timeout, say which notifications were showing (an error, a queued job) instead of only "timeout".
    await done.first().waitFor({ timeout: 120_000 }).catch(async (e: Error) => {
      const shown = await page.locator('.notification-toast').allInnerTexts().catch(() => []);
      throw new Error(`${e.message}\nnotifications showing: ${JSON.stringify(shown.map((t) => t.replace(/\s+/g, ' ').slice(0, 200)))}`);
    });
    console.log(`# ${(await done.first().innerText()).replace(/\s+/g, ' ').slice(0, 160)}`);
    await runCommand(page, 'ALL-USE Performance: Focus on Hot Functions View');
    await page.locator('.monaco-list-row', { hasText: /Hot Allocations/ }).first().waitFor({ timeout: T });
    const site = page.locator('.monaco-list-row', { hasText: /(B|KiB|MiB) · \d+\.\d%/ });
    await site.first().waitFor({ timeout: T });
    assert.ok(await site.count() >= 2, 'several allocation sites listed');
    await screenshot('hot-allocations');
  });

  it('profiles continuously, shows it in the status bar, and stops on command', STEP, async () => {
    await runCommand(page, 'ALL-USE Performance: Start/Stop Continuous Profiling…');
    const status = page.locator('.statusbar-item', { hasText: /Profiling protocol-engine · [2-9]\d* kept/ });
    await status.first().waitFor({ timeout: 60_000 }); // two 3 s windows kept
    await screenshot('continuous');
    await runCommand(page, 'ALL-USE Performance: Start/Stop Continuous Profiling…');
    await page.locator('.statusbar-item', { hasText: /Profiling protocol-engine/ }).first().waitFor({ state: 'hidden', timeout: T });
  });
});
