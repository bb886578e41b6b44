// `alluse-perf report` (the built CLI) on a store with 24 hours of known history, then the
// HTML opened in Chromium with the network cut off: every section there, the charts drawn
// (SVG paths with points, a forecast fan, anomaly marks, limit lines), nothing fetched, no
// script run. Screenshots go to test-results/report/.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { REPORT_SECTIONS } from '../../engine/report/html';
import { codeServerLib, RESULTS_DIR } from '../e2e/support/harness';
import { ROOT } from '../helpers/lspClient';
import { HOSTILE, makeReportWorkspace, type ReportWorkspace } from '../helpers/reportWorkspace';

const run = promisify(execFile);
const CLI = join(ROOT, 'dist/cli.js');
const SHOTS = join(RESULTS_DIR, 'report');

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [CLI, ...args], { maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

describe('alluse-perf report', () => {
  let ws: ReportWorkspace;
  let browser: Browser | undefined;
  before(async () => {
    ws = await makeReportWorkspace();
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
  });

  it('says to start monitoring when the store is empty', async () => {
    const empty = await makeReportWorkspace({ hours: 0 });
    const res = await cli(['report', '--workspace', empty.dir, '--range', '1h', '--out', join(empty.dir, 'r.html')]);
    assert.equal(res.code, 1, res.stderr);
    assert.match(res.stderr, /Start monitoring first: alluse-perf monitor --workspace/);
  });

  it('refuses a range that is not a duration', async () => {
    const res = await cli(['report', '--workspace', ws.dir, '--range', 'yesterday']);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /--range "yesterday" is not a duration/);
  });

  it('prints the model as JSON: health, anomalies, predictions, forecasts, the study and the applied change with its effect', async () => {
    const res = await cli(['report', '--workspace', ws.dir, '--range', '24h', '--json']);
    assert.equal(res.code, 0, res.stderr);
    const m = JSON.parse(res.stdout);
    assert.deepEqual(m.components.map((c: { name: string }) => c.name), ['api', 'worker']);
    // The worker's CPU spike 6 hours ago is found again from the store.
    assert.ok(m.findings.some((f: { component: string; metric: string; at: number }) => f.component === 'worker' && f.metric === 'cpu' && Math.abs(f.at - ws.spikeAt) <= 10 * 60_000), JSON.stringify(m.findings));
    // The api's memory leaks 12 MiB an hour towards its 600 MiB limit.
    assert.ok(m.predictions.some((p: { component: string; resource: string }) => p.component === 'api' && p.resource === 'memory'));
    assert.ok(m.forecasts.length >= 4);
    assert.equal(m.studies[0].name, 'api-workers');
    assert.equal(m.studies[0].best.trial, 6);
    assert.equal(m.changes[0].file, 'config/api.json');
    const cpu = m.changes[0].effects.find((e: { metric: string }) => e.metric === 'CPU');
    // +0.25 cores on about 0.44: clearly up.
    assert.ok(cpu.significant && cpu.relative > 0.3 && cpu.relative < 0.8, JSON.stringify(cpu));
  });

  it('writes one HTML file that renders offline in Chromium with every section and its charts', async () => {
    const out = join(ws.dir, 'report.html');
    const res = await cli(['report', '--workspace', ws.dir, '--range', '24h', '--out', out]);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /written to .*report\.html/);
    const html = readFileSync(out, 'utf8');
    assert.doesNotMatch(html, /(src|href)\s*=\s*["']?\s*https?:/i, 'nothing loaded from the network');
    assert.doesNotMatch(html, /<script/i, 'no script');
    assert.ok(!html.includes(HOSTILE), 'the hostile study parameter is escaped');

    browser = await (await codeServerLib()).launchBrowser();
    const context = await browser.newContext({ offline: true, viewport: { width: 1400, height: 900 } });
    const requests: string[] = [];
    context.on('request', (r) => void (r.url().startsWith('file:') || requests.push(r.url())));
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => void (dialogs.push(d.message()), d.dismiss()));
    await page.goto(pathToFileURL(out).href);
    for (const [id, title] of REPORT_SECTIONS) assert.equal((await page.locator(`section#${id} > h2`).textContent())?.trim(), title);
    const charts = await page.locator('figure.chart svg').evaluateAll((svgs) =>
      svgs.map((s) => ({
        width: s.getBoundingClientRect().width,
        points: Array.from(s.querySelectorAll('path.line')).reduce((n, p) => n + (p.getAttribute('d')?.match(/[ML]/g)?.length ?? 0), 0),
        fan: s.querySelectorAll('polygon.fan80').length,
        marks: s.querySelectorAll('circle.mark').length,
        threshold: s.querySelectorAll('line.threshold').length,
        events: s.querySelectorAll('line.event').length,
      })),
    );
    assert.ok(charts.length >= 15, `charts: ${charts.length}`);
    assert.ok(charts.every((c) => c.width > 300), 'every chart laid out at a readable width');
    assert.ok(charts.filter((c) => c.points >= 200).length >= 9, 'charts have their points drawn (288 steps of 5 min)');
    assert.ok(charts.some((c) => c.fan > 0), 'a forecast fan');
    assert.ok(charts.some((c) => c.marks > 0), 'anomaly marks');
    assert.ok(charts.some((c) => c.threshold > 0), 'limit lines');
    assert.ok(charts.some((c) => c.events > 0), 'the applied change marked');
    assert.ok((await page.locator('#studies').textContent())!.includes('<script>alert('), 'the hostile value shows as text');
    assert.deepEqual(dialogs, [], 'no script ran');
    assert.deepEqual(requests, [], 'no request left the file');
    await page.screenshot({ path: join(SHOTS, 'report-light.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.locator('#components').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'report-dark.png') });
    await context.close();
  });
});
