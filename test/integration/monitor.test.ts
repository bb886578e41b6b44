// Monitoring through the analysis server, on the real demo system: the server collects
// /proc and /metrics of the four components, stores them, draws the dashboard data, and a
// fault that breaks an SLO reaches the editor as a critical alert diagnostic.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { COMPONENT_NAMES, RunningSystem } from '../../examples/all-use/src/system.ts';
import { startDemoWorkspace } from '../helpers/demoWorkspace';
import { DashboardDataRequest, MonitorControlRequest, MonitorStatusNotification, type MonitorStatus } from '../../protocol/index';
import { TestLspClient } from '../helpers/lspClient';

describe('monitoring the demo system through the server', () => {
  let sys: RunningSystem;
  let client: TestLspClient;
  let uri: string;
  const statuses: MonitorStatus[] = [];

  before(async () => {
    const ws = await startDemoWorkspace({ engineSlos: '{ latency: { p95: 1s }, for: 1s }', prefix: 'alluse-monitor-' });
    sys = ws.system;
    uri = pathToFileURL(ws.file).href;
    client = await TestLspClient.start();
    client.on<MonitorStatus>(MonitorStatusNotification.method, (s) => statuses.push(s));
    await client.open(uri, ws.text, 1);
    assert.deepEqual(await client.diagnosticsFor(uri, 1), []);
  });

  after(async () => {
    await client?.connection.sendRequest(MonitorControlRequest.method, { uri, action: 'stop', trusted: true }).catch(() => undefined);
    await client?.stop();
    await sys?.stop();
  });

  it('starts, finds every component and reports its own cost', async () => {
    const s = (await client.connection.sendRequest(MonitorControlRequest.method, { uri, action: 'start', trusted: true })) as MonitorStatus;
    assert.equal(s.running, true, s.message);
    const up = await client.waitFor(() => statuses.find((x) => x.components.length === 4 && x.components.every((c) => c.up)), 30_000, 'all four components up');
    for (const c of up.components) assert.equal(c.pid, sys.components[c.name as (typeof COMPONENT_NAMES)[number]].pid);
    assert.ok(up.cost.rssBytes > 0 && up.cost.cpuRatio >= 0);
    assert.ok(up.samplesPerSecond > 0);
  });

  it('serves dashboard charts with live data for the system and every component', async () => {
    let data: DashboardDataRequest.Result = null;
    const deadline = Date.now() + 30_000;
    for (;;) {
      data = (await client.connection.sendRequest(DashboardDataRequest.method, { uri, range: '5m' })) as DashboardDataRequest.Result;
      const engine = data?.components.find((c) => c.name === 'protocol-engine');
      const ready = engine && ['cpu', 'memory', 'throughput', 'latency', 'queue'].every((id) => engine.panels.find((p) => p.id === id)!.series.some((s) => s.points.length > 3));
      if (ready) break;
      if (Date.now() > deadline) assert.fail(`dashboard data incomplete: ${JSON.stringify(engine?.panels.map((p) => [p.id, p.series.map((s) => s.points.length)]))}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(data!.system.find((p) => p.id === 'cpu')!.series[0].points.length > 3);
    const mem = data!.components.find((c) => c.name === 'protocol-engine')!.panels.find((p) => p.id === 'memory')!;
    assert.equal(mem.threshold?.value, 512 * 1024 * 1024);
  });

  it('raises a critical SLO alert as a diagnostic within 5 seconds of a latency fault, and clears it', async () => {
    const engine = sys.components['protocol-engine'];
    // The SLO (p95 under 1 s) holds before the fault.
    assert.equal(client.published.get(uri)?.diagnostics.some((d) => d.code === 'alert-firing'), false, JSON.stringify(client.published.get(uri)?.diagnostics));
    const res = await fetch(`${engine.url}/admin/fault`, { method: 'POST', body: JSON.stringify({ fault: 'latency-spike', on: true, probability: 1, delay_ms: 2000 }) });
    assert.equal(res.status, 200);
    const t0 = Date.now();
    const diag = await client.waitFor(() => client.published.get(uri)?.diagnostics.find((d) => d.code === 'alert-firing'), 15_000, 'the alert diagnostic');
    const message = typeof diag.message === 'string' ? diag.message : diag.message.value;
    const ms = Date.now() - t0;
    console.log(`# fault → critical alert diagnostic: ${ms} ms`);
    assert.equal(diag.severity, 1);
    assert.match(message, /slo:protocol-engine:latency-p95/);
    assert.ok(ms < 5000, `the alert took ${ms} ms to reach the editor`);
    await fetch(`${engine.url}/admin/fault`, { method: 'POST', body: JSON.stringify({ fault: 'latency-spike', on: false }) });
    await client.waitFor(() => client.published.get(uri)?.diagnostics.every((d) => d.code !== 'alert-firing') || undefined, 30_000, 'the alert to clear');
  });
});
