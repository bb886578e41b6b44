/**
 * The dashboard webview on its own, in headless chromium: the REAL built bundle
 * (dist/webviews/dashboard.js) in a page served from 127.0.0.1 that stands in for VS Code's
 * webview frame — a stub `acquireVsCodeApi()` that records what the webview posts, the
 * theme's CSS variables on <html> and the theme class on <body> (as VS Code sets them), and
 * the shell's `<div id="root">`. Messages reach the webview through `window.postMessage`,
 * exactly as VS Code delivers them.
 *
 * What the issue asks of the dashboard: 100,000 points per chart without freezing
 * (decimation), and following the VS Code theme. Every wait is a condition with a deadline;
 * the draw time is printed for information only, never asserted.
 * Screenshot: test-results/e2e-ui/dashboard-webview-100k.png.
 */
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { parseWebviewMessage, type DashboardData } from '../../../protocol/index';
import { codeServerLib, resultsDir, ROOT } from '../support/harness';

const BUNDLE = join(ROOT, 'dist/webviews/dashboard.js');
const SHOTS = resultsDir('e2e-ui');
const T = 60_000;
const STEP = { timeout: 180_000 };
const BIG = 100_000;

/** The CSS variables VS Code gives a webview, for a dark and a light theme (a subset, Dark/Light Modern and Light+ values). */
const THEMES = {
  dark: {
    bodyClass: 'vscode-dark',
    vars: {
      '--vscode-foreground': '#cccccc',
      '--vscode-editor-background': '#1f1f1f',
      '--vscode-editorWidget-border': '#454545',
      '--vscode-panel-border': '#2b2b2b',
      '--vscode-button-background': '#0078d4',
      '--vscode-button-foreground': '#ffffff',
      '--vscode-button-secondaryBackground': '#313131',
      '--vscode-button-secondaryForeground': '#cccccc',
      '--vscode-editorError-foreground': '#f14c4c',
      '--vscode-editorWarning-foreground': '#cca700',
      '--vscode-charts-blue': '#3794ff',
      '--vscode-charts-orange': '#d18616',
      '--vscode-charts-green': '#89d185',
      '--vscode-charts-purple': '#b180d7',
      '--vscode-charts-red': '#f14c4c',
      '--vscode-charts-yellow': '#cca700',
      '--vscode-font-family': 'sans-serif',
    },
  },
  light: {
    bodyClass: 'vscode-light',
    vars: {
      // Light+ (Light Modern's #3b3b3b is 2 off a shade Chart.js derives from the dark grid colour).
      '--vscode-foreground': '#616161',
      '--vscode-editor-background': '#ffffff',
      // Chart.js also paints a ~10 % darker shade of the grid colour: grid greys must stay (with
      // that shade) far from both foregrounds for the pixel test of the theme to be clean.
      '--vscode-editorWidget-border': '#b4b4b4',
      '--vscode-panel-border': '#e5e5e5',
      '--vscode-button-background': '#005fb8',
      '--vscode-button-foreground': '#ffffff',
      '--vscode-button-secondaryBackground': '#e5e5e5',
      '--vscode-button-secondaryForeground': '#616161',
      '--vscode-editorError-foreground': '#e51400',
      '--vscode-editorWarning-foreground': '#bf8803',
      '--vscode-charts-blue': '#1a85ff',
      '--vscode-charts-orange': '#d18616',
      '--vscode-charts-green': '#388a34',
      '--vscode-charts-purple': '#652d90',
      '--vscode-charts-red': '#e51400',
      '--vscode-charts-yellow': '#bf8803',
      '--vscode-font-family': 'sans-serif',
    },
  },
} as const;
type ThemeName = keyof typeof THEMES;
const styleOf = (t: ThemeName) => Object.entries(THEMES[t].vars).map(([k, v]) => `${k}: ${v}`).join('; ');

/**
 * The page: like client/src/webviewHtml.ts's shell (title, #root, one script), plus the
 * layout rules of the dashboard's CSS that size the charts (client/src/dashboardPanel.ts).
 */
function pageHtml(theme: ThemeName): string {
  return `<!DOCTYPE html>
<html lang="en" style="${styleOf(theme)}">
<head>
<meta charset="UTF-8">
<title>ALL-USE Dashboard</title>
<style>
  body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 0 16px; }
  .header { display: flex; gap: 16px; align-items: center; flex-wrap: wrap; }
  .ranges button { background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground); border: none; padding: 3px 10px; margin-right: 2px; cursor: pointer; }
  .ranges button.active { background: var(--vscode-button-background); color: var(--vscode-button-foreground); }
  .alert { padding: 4px 8px; margin: 4px 0; border-left: 3px solid var(--vscode-editorWarning-foreground); }
  .alert.critical { border-color: var(--vscode-editorError-foreground); }
  .system, .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 12px; }
  .component { border-top: 1px solid var(--vscode-panel-border); margin-top: 12px; }
  .chart h4 { margin: 4px 0; font-size: 0.9em; font-weight: normal; }
  .canvas-box { position: relative; height: 160px; }
</style>
<script>
  // VS Code's webview API, reduced to what the dashboard uses; it may be acquired once.
  window.__posted = [];
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi() called twice');
    acquired = true;
    return { postMessage: (m) => { window.__posted.push(JSON.parse(JSON.stringify(m))); }, getState: () => undefined, setState: () => undefined };
  };
</script>
</head>
<body class="${THEMES[theme].bodyClass}">
<h1>ALL-USE Dashboard</h1>
<div id="root">Loading…</div>
<script src="/dashboard.js"></script>
</body>
</html>`;
}

/**
 * Builds, inside the page, DashboardData with one component whose CPU panel has `big`
 * points, beside smaller panels (two series, a threshold) and two system panels, and posts
 * it the way VS Code does. Returns the total points and the time from posting until the
 * webview set `data-points` (information only).
 */
async function postDashboard(page: Page, big: number, seed: number): Promise<{ total: number }> {
  return page.evaluate(
    ({ big, seed }) => {
      // (No named inner functions here: tsx's keepNames would wrap them in a __name() the page lacks.)
      const to = 1_760_000_000_000 + seed * 1000;
      const span = 300_000;
      // label, number of points, wave: value(i) = base + amp·sin(i/period + seed) + noise·sin(7.3·i), spikes every 9973
      const specs: Record<string, [string, number, number, number, number, number][]> = {
        'system/cpu': [['cpu', 3000, 0.3, 0.2, 50, 0]],
        'system/memory': [['used', 3000, 4e9, 1e8, 70, 0]],
        // 100,000 points in 5 minutes: noisy, with spikes, so decimation has work to do.
        cpu: [['cpu', big, 0.4, 0.3, 2000, 0.1]],
        latency: [['p50', 1000, 0.01, 0.005, 30, 0], ['p95', 1000, 0.04, 0.01, 40, 0]],
        throughput: [['requests', 2000, 120, 30, 90, 0]],
        queue: [['queue', 500, 8, 8, 17, 0]],
      };
      const seriesOf: Record<string, { label: string; points: [number, number][] }[]> = {};
      for (const [key, list] of Object.entries(specs)) {
        seriesOf[key] = list.map(([label, n, base, amp, period, noise]) => {
          const points: [number, number][] = new Array(n);
          for (let i = 0; i < n; i++) points[i] = [to - span + Math.round((i * span) / n), base + amp * Math.sin(i / period + seed) + noise * Math.sin(i * 7.3) + (noise && i % 9973 === 0 ? 0.5 : 0)];
          return { label, points };
        });
      }
      const data: DashboardData = {
        range: '5m',
        from: to - span,
        to,
        system: [
          { id: 'cpu', title: 'System CPU', unit: 'ratio', series: seriesOf['system/cpu'] },
          { id: 'memory', title: 'System memory', unit: 'bytes', series: seriesOf['system/memory'] },
        ],
        components: [
          {
            name: 'protocol-engine',
            up: true,
            panels: [
              { id: 'cpu', title: 'CPU', unit: 'ratio', series: seriesOf.cpu, threshold: { value: 1.8, label: 'limit' } },
              { id: 'latency', title: 'Latency', unit: 'seconds', series: seriesOf.latency, threshold: { value: 0.05, label: 'SLO p95' } },
              { id: 'throughput', title: 'Throughput', unit: 'per_second', series: seriesOf.throughput },
              { id: 'queue', title: 'Queue depth', unit: 'count', series: seriesOf.queue },
            ],
          },
        ],
        alerts: [],
        cost: { cpuRatio: 0.012, rssBytes: 48 * 1024 * 1024 },
      };
      let total = 0;
      for (const p of [...data.system, ...data.components.flatMap((c) => c.panels)]) for (const s of p.series) total += s.points.length;
      const w = window as unknown as { __draw?: { total: number; t0: number; ms?: number; obs?: MutationObserver } };
      w.__draw?.obs?.disconnect();
      const rec: { total: number; t0: number; ms?: number; obs?: MutationObserver } = { total, t0: 0 };
      // The webview draws synchronously in its message handler and then sets data-points.
      rec.obs = new MutationObserver(() => {
        if (rec.ms === undefined && document.body.dataset.points === String(total)) rec.ms = performance.now() - rec.t0;
      });
      rec.obs.observe(document.body, { attributes: true, attributeFilter: ['data-points'] });
      w.__draw = rec;
      rec.t0 = performance.now();
      window.postMessage({ type: 'dashboard', data }, '*');
      return { total };
    },
    { big, seed },
  );
}

/** Rejects if `p` has not settled within `ms` (the page would be frozen). */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(`${what} did not complete within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}

/** Pixels of a canvas: non-transparent ones, and opaque ones (alpha 255) whose colour is within `tol` of each given colour. */
async function canvasPixels(page: Page, selector: string, colours: string[], tol = 2): Promise<{ painted: number; near: number[]; width: number; height: number }> {
  return page.locator(selector).first().evaluate(
    (c: HTMLCanvasElement, { colours, tol }) => {
      const rgb = colours.map((h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)));
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let painted = 0;
      const near = rgb.map(() => 0);
      for (let i = 0; i < d.length; i += 4) {
        if (d[i + 3] === 0) continue;
        painted++;
        if (d[i + 3] !== 255) continue;
        rgb.forEach(([r, g, b], k) => {
          if (Math.abs(d[i] - r) <= tol && Math.abs(d[i + 1] - g) <= tol && Math.abs(d[i + 2] - b) <= tol) near[k]++;
        });
      }
      return { painted, near, width: c.width, height: c.height };
    },
    { colours, tol },
  );
}

const CPU_CANVAS = '.component[data-name="protocol-engine"] .chart[data-key="protocol-engine/cpu"] canvas';

describe('dashboard webview (dist/webviews/dashboard.js) in chromium', () => {
  let browser: Browser;
  let server: Server;
  let base = '';
  const pages: Page[] = [];
  const pageErrors: string[] = [];
  const consoleLog: string[] = [];

  before(async () => {
    assert.ok(existsSync(BUNDLE), `${BUNDLE} is missing: run node scripts/build.mjs (the e2e-ui suite does it)`);
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname === '/dashboard.js') {
        res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
        res.end(readFileSync(BUNDLE));
      } else if (url.pathname === '/') {
        const theme = url.searchParams.get('theme') === 'light' ? 'light' : 'dark';
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(pageHtml(theme));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await (await codeServerLib()).launchBrowser();
  });

  after(async () => {
    writeFileSync(join(SHOTS, 'dashboard-webview-console.log'), consoleLog.join('\n') + '\n');
    await browser?.close().catch(() => undefined);
    await new Promise((r) => server?.close(r));
  });

  /** A fresh page with the dashboard loaded in a theme; waits until it posted `ready`. */
  async function open(theme: ThemeName): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    pages.push(page);
    page.on('pageerror', (e) => pageErrors.push(`${theme}: ${e.message}`));
    page.on('console', (m) => consoleLog.push(`[${theme}] [${m.type()}] ${m.text()}`));
    await page.goto(`${base}/?theme=${theme}`);
    await page.waitForFunction(() => (window as unknown as { __posted: unknown[] }).__posted.length > 0, undefined, { timeout: T });
    return page;
  }
  const posted = (page: Page) => page.evaluate(() => (window as unknown as { __posted: unknown[] }).__posted);
  const noPageErrors = () => assert.deepEqual(pageErrors, [], 'uncaught errors in the webview');

  it('posts {type:"ready"} on load, once', STEP, async () => {
    const page = await open('dark');
    assert.deepEqual(await posted(page), [{ type: 'ready' }]);
    assert.equal(await page.locator('.ranges button').count(), 4, 'the four range buttons');
    noPageErrors();
  });

  it('draws 100,000 points per chart and stays responsive', STEP, async () => {
    const page = await open('dark');
    const first = await postDashboard(page, BIG, 1);
    // The page must answer a trivial round trip right after the message (not frozen).
    assert.equal(await within(page.evaluate(() => 1), T, 'a page.evaluate round trip after 100,000 points'), 1);
    await page.locator('body[data-rendered="true"]').waitFor({ timeout: T });
    await page.waitForFunction((n) => document.body.dataset.points === String(n), first.total, { timeout: T });
    assert.equal(await page.getAttribute('body', 'data-points'), String(first.total));
    assert.equal(await page.getAttribute('body', 'data-range'), '5m');
    const ms1 = await page.evaluate(() => (window as unknown as { __draw: { ms?: number } }).__draw.ms);
    console.log(`# draw of ${first.total} points (${BIG} in one chart): ${ms1?.toFixed(0)} ms from postMessage to data-points`);

    assert.equal(await page.locator('.chart').count(), 6, 'two system panels and four component panels');
    assert.equal(await page.locator('.component[data-name="protocol-engine"] .state.up').count(), 1);
    const px = await canvasPixels(page, CPU_CANVAS, [THEMES.dark.vars['--vscode-charts-blue']], 40);
    console.log(`# CPU canvas ${px.width}x${px.height}: ${px.painted} painted pixels, ${px.near[0]} in charts-blue`);
    assert.ok(px.painted > 2000, `the 100,000-point chart painted only ${px.painted} pixels`);
    assert.ok(px.near[0] > 300, `the 100,000-point line (charts-blue) painted only ${px.near[0]} pixels`);

    // A second update with another 100,000 points, in place.
    const second = await postDashboard(page, BIG, 2);
    assert.equal(await within(page.evaluate(() => 1), T, 'a page.evaluate round trip after the second update'), 1);
    await page.waitForFunction((n) => document.body.dataset.points === String(n), second.total, { timeout: T });
    const ms2 = await page.evaluate(() => (window as unknown as { __draw: { ms?: number } }).__draw.ms);
    console.log(`# second update of ${second.total} points: ${ms2?.toFixed(0)} ms`);
    assert.equal(await page.locator('.chart').count(), 6, 'charts are updated in place, not added');
    await page.screenshot({ path: join(SHOTS, 'dashboard-webview-100k.png'), fullPage: true });
    noPageErrors();
  });

  it('clicking "1h" posts {type:"setRange", range:"1h"}, and only valid protocol messages', STEP, async () => {
    const page = await open('dark');
    await page.locator('.ranges button', { hasText: /^1h$/ }).click();
    await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'setRange'), undefined, { timeout: T });
    const msgs = (await posted(page)) as unknown[];
    assert.deepEqual(msgs, [{ type: 'ready' }, { type: 'setRange', range: '1h' }]);
    for (const m of msgs) assert.deepEqual(parseWebviewMessage(m), m, `posted ${JSON.stringify(m)} is not a valid WebviewToExtension`);
    assert.equal(await page.locator('.ranges button.active').textContent(), '1h');
    noPageErrors();
  });

  /**
   * Tick labels and legend are drawn in --vscode-foreground: count opaque pixels of exactly
   * that colour (glyph stems) on the chart. Each theme's foreground is far from every other
   * colour on the canvas (lines, grid), so a count of the other theme's foreground stays ~0.
   */
  const FG = { dark: THEMES.dark.vars['--vscode-foreground'], light: THEMES.light.vars['--vscode-foreground'] };
  async function fgPixels(page: Page) {
    const px = await canvasPixels(page, CPU_CANVAS, [FG.dark, FG.light]);
    return { dark: px.near[0], light: px.near[1] };
  }

  it('follows the theme: axis ticks and legend in --vscode-foreground (dark and light)', STEP, async () => {
    const counts: Record<ThemeName, { dark: number; light: number }> = {} as never;
    for (const theme of ['dark', 'light'] as const) {
      const page = await open(theme);
      const d = await postDashboard(page, 1000, 3);
      await page.waitForFunction((n) => document.body.dataset.points === String(n), d.total, { timeout: T });
      counts[theme] = await fgPixels(page);
      await page.screenshot({ path: join(SHOTS, `dashboard-webview-${theme}.png`) });
    }
    console.log(`# foreground-coloured pixels: ${JSON.stringify(counts)}`);
    assert.ok(counts.dark.dark > 30, `dark theme: tick labels in ${FG.dark}: only ${counts.dark.dark} pixels`);
    assert.ok(counts.dark.light < counts.dark.dark / 10, `dark theme: ${counts.dark.light} pixels in the light foreground`);
    assert.ok(counts.light.light > 30, `light theme: tick labels in ${FG.light}: only ${counts.light.light} pixels`);
    assert.ok(counts.light.dark < counts.light.light / 10, `light theme: ${counts.light.dark} pixels in the dark foreground`);
    noPageErrors();
  });

  it('follows a theme change while open (VS Code restyles the live webview)', STEP, async () => {
    const page = await open('dark');
    const d1 = await postDashboard(page, 1000, 4);
    await page.waitForFunction((n) => document.body.dataset.points === String(n), d1.total, { timeout: T });
    const before = await fgPixels(page);
    // What VS Code does on a theme change: new variables on <html>, a new theme class on <body>.
    await page.evaluate(({ style, cls }) => {
      document.documentElement.setAttribute('style', style);
      document.body.classList.remove('vscode-dark');
      document.body.classList.add(cls);
    }, { style: styleOf('light'), cls: THEMES.light.bodyClass });
    // The next refresh (every second while visible) redraws.
    const d2 = await postDashboard(page, 1000, 5);
    await page.waitForFunction((n) => document.body.dataset.points === String(n), d2.total, { timeout: T });
    const afterSwitch = await fgPixels(page);
    console.log(`# foreground-coloured pixels before/after switching to light: ${JSON.stringify(before)} -> ${JSON.stringify(afterSwitch)}`);
    assert.ok(before.dark > 30, `dark before the switch: ${JSON.stringify(before)}`);
    assert.ok(afterSwitch.light > 30 && afterSwitch.dark < afterSwitch.light / 10, `after switching to the light theme the ticks must be ${FG.light}: ${JSON.stringify(afterSwitch)}`);
    noPageErrors();
  });

  it('shows an error message as text, never as HTML', STEP, async () => {
    const page = await open('dark');
    const message = 'The analysis server did not answer: <img src=x onerror="window.__pwned=1"><b>bold</b>';
    await page.evaluate((message) => window.postMessage({ type: 'error', message }, '*'), message);
    const alert = page.locator('.alerts .alert.critical');
    await alert.waitFor({ timeout: T });
    assert.equal(await alert.textContent(), message);
    assert.equal(await page.locator('img').count(), 0, 'no <img> element was created');
    assert.equal(await page.locator('.alerts b').count(), 0, 'no <b> element was created');
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    // Messages outside the protocol are ignored.
    await page.evaluate(() => window.postMessage({ type: 'nonsense', html: '<img src=x>' }, '*'));
    assert.equal(await page.evaluate(() => 1), 1);
    assert.equal(await alert.textContent(), message);
    noPageErrors();
  });
});
