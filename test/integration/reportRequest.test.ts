// `alluse/report/export` through the built analysis server: from the store on disk when no
// monitor runs (24 hours of known history), a clear message when there is nothing to report,
// and from the running monitor of the real demo system (its live findings and predictions).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { REPORT_SECTIONS } from '../../engine/report/html';
import { ReportExportRequest } from '../../protocol/index';
import { TestLspClient } from '../helpers/lspClient';
import { startMonitoredDemo, type MonitoredDemo } from '../helpers/monitoredDemo';
import { makeReportWorkspace, REPORT_YAML } from '../helpers/reportWorkspace';

async function until<T>(cond: () => Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await cond();
    if (v !== undefined) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('alluse/report/export', () => {
  let client: TestLspClient | undefined;
  let demo: MonitoredDemo | undefined;
  after(async () => {
    await client?.stop();
    await demo?.stop();
  });

  it('writes the report from the store on disk, and says to start monitoring when it is empty', async () => {
    const ws = await makeReportWorkspace();
    const empty = await makeReportWorkspace({ hours: 0 });
    client = await TestLspClient.start();
    const uri = pathToFileURL(join(ws.dir, 'alluse-perf.yaml')).href;
    await client.open(uri, REPORT_YAML, 1);
    await client.diagnosticsFor(uri, 1);
    const out = join(ws.dir, 'out', 'report.html');
    const r = (await client.connection.sendRequest(ReportExportRequest.method, { uri, range: '24h', out } satisfies ReportExportRequest.Params)) as ReportExportRequest.Result;
    assert.ok(r.ok, r.ok ? '' : r.message);
    assert.equal(r.file, out);
    assert.deepEqual({ components: r.summary.components, studies: r.summary.studies, changes: r.summary.changes }, { components: 2, studies: 1, changes: 1 });
    const html = readFileSync(out, 'utf8');
    for (const [id] of REPORT_SECTIONS) assert.ok(html.includes(`<section id="${id}">`), id);
    assert.match(html, /Found by scoring the stored key series again/);

    const emptyUri = pathToFileURL(join(empty.dir, 'alluse-perf.yaml')).href;
    await client.open(emptyUri, REPORT_YAML, 1);
    await client.diagnosticsFor(emptyUri, 1);
    const e = (await client.connection.sendRequest(ReportExportRequest.method, { uri: emptyUri, range: '1h', out: join(empty.dir, 'r.html') })) as ReportExportRequest.Result;
    assert.equal(e.ok, false);
    assert.match(e.ok ? '' : e.message, /Start Monitoring" first/);
    assert.ok(!existsSync(join(empty.dir, 'r.html')));
    const bad = (await client.connection.sendRequest(ReportExportRequest.method, { uri, range: 'soon', out })) as ReportExportRequest.Result;
    assert.match(bad.ok ? '' : bad.message, /"soon" is not a duration/);
    await client.stop();
    client = undefined;
  });

  it('writes the report of the running demo from the live monitor', async () => {
    demo = await startMonitoredDemo({ prefix: 'alluse-report-demo-' });
    const out = join(demo.ws.folder, 'report.html');
    // Half a minute of samples (1 s steps) gives every component a chart of 30 points.
    let last: ReportExportRequest.Result | undefined;
    const r = await until(async () => {
      const x = (last = (await demo!.client.connection.sendRequest(ReportExportRequest.method, { uri: demo!.uri, range: '5m', out })) as ReportExportRequest.Result);
      return x.ok && (readFileSync(out, 'utf8').match(/class="line s0" d="[^"]*"/g) ?? []).filter((d) => (d.match(/L/g)?.length ?? 0) >= 30).length >= 8 ? x : undefined;
    }, 90_000, 'a report with the demo’s charts').catch((e: Error) => assert.fail(`${e.message}; last answer: ${JSON.stringify(last)}`));
    assert.ok(r.ok);
    assert.equal(r.summary.components, 4);
    const html = readFileSync(out, 'utf8');
    assert.match(html, /running monitor&#39;s streaming detectors/);
    for (const name of ['market-feed', 'protocol-engine']) assert.ok(html.includes(`id="c-${name}"`), name);
  });
});
