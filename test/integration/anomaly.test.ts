// Anomaly detection end to end through the analysis server, on the real demo system: the
// monitor scores every series; a CPU-hog fault switched on in the protocol engine opens a
// finding on that component (with an explanation), which reaches the editor in the status
// (the Findings view) and, when it is a warning or worse, as a diagnostic.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { DashboardDataRequest, MonitorControlRequest, MonitorStatusNotification, type MonitorStatus } from '../../protocol/index';
import { startDemoWorkspace, type DemoWorkspace } from '../helpers/demoWorkspace';
import { TestLspClient } from '../helpers/lspClient';

describe('anomaly findings from a fault in the demo system', () => {
  let ws: DemoWorkspace;
  let client: TestLspClient;
  let uri: string;
  let last: MonitorStatus | undefined;

  before(async () => {
    ws = await startDemoWorkspace({ prefix: 'alluse-anomaly-' });
    uri = pathToFileURL(ws.file).href;
    client = await TestLspClient.start();
    client.on<MonitorStatus>(MonitorStatusNotification.method, (s) => (last = s));
    await client.open(uri, ws.text, 1);
    await client.diagnosticsFor(uri, 1);
    const s = (await client.connection.sendRequest(MonitorControlRequest.method, { uri, action: 'start', trusted: true })) as MonitorStatus;
    assert.equal(s.running, true, s.message);
  });

  after(async () => {
    await client?.connection.sendRequest(MonitorControlRequest.method, { uri, action: 'stop', trusted: true }).catch(() => undefined);
    await client?.stop();
    await ws?.system.stop();
  });

  it('scores every series and learns baselines from normal operation', async () => {
    // Baselines need history: wait until the engine's CPU series has 20 s of samples.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const d = (await client.connection.sendRequest(DashboardDataRequest.method, { uri, range: '5m' })) as DashboardDataRequest.Result;
      const cpu = d?.components.find((c) => c.name === 'protocol-engine')?.panels.find((p) => p.id === 'cpu')?.series[0]?.points.length ?? 0;
      if (cpu >= 200) break;
      if (Date.now() > deadline) assert.fail(`only ${cpu} CPU samples of the engine after 60 s`);
      await client.waitFor(() => last, 2000).catch(() => undefined);
      last = undefined;
    }
    const s = await client.waitFor(() => last, 5000, 'a status');
    assert.ok(s.scoredSeries > 100, `${s.scoredSeries} series scored`);
  });

  it('opens a finding on the protocol engine when a CPU hog starts there, with an explanation', async () => {
    const engine = ws.system.components['protocol-engine'];
    const t0 = Date.now();
    const res = await fetch(`${engine.url}/admin/fault`, { method: 'POST', body: JSON.stringify({ fault: 'cpu-hog', on: true, duty: 0.9 }) });
    assert.equal(res.status, 200);
    try {
      const f = await client.waitFor(() => last?.findings.find((x) => x.component === 'protocol-engine' && x.at >= t0), 60_000, 'a finding on protocol-engine after the fault');
      console.log(`# fault → finding: ${f.at - t0} ms after the fault, ${f.metric} (${f.severity}, score ${f.score.toFixed(3)}): ${f.explanation?.message}`);
      assert.ok(f.explanation && f.explanation.detector.length > 0 && Number.isFinite(f.explanation.observed));
      assert.match(f.series, /component="protocol-engine"/);
    } finally {
      await fetch(`${engine.url}/admin/fault`, { method: 'POST', body: JSON.stringify({ fault: 'cpu-hog', on: false }) });
    }
  });
});
