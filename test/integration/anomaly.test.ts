// Anomaly detection end to end through the analysis server, on the real demo system: the
// monitor scores every series; a CPU-hog fault switched on in the protocol engine opens a
// finding on that component (with an explanation), which reaches the editor in the status
// (the Findings view) and, when it is a warning or worse, as a diagnostic.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DashboardDataRequest } from '../../protocol/index';
import type { TestLspClient } from '../helpers/lspClient';
import { startMonitoredDemo, type MonitoredDemo } from '../helpers/monitoredDemo';

describe('anomaly findings from a fault in the demo system', () => {
  let demo: MonitoredDemo;
  let client: TestLspClient;
  let uri: string;

  before(async () => {
    // Episodes close after 1 s below the threshold here, so the fault opens a finding of its
    // own even when the series had a false finding during warm-up.
    demo = await startMonitoredDemo({ prefix: 'alluse-anomaly-', monitorLines: ['  anomaly: { quiet: 1s }'] });
    ({ client, uri } = demo);
  });

  after(async () => demo?.stop());

  /** The engine's CPU (share of a core) in the 10 s before and after `t0`, and its findings. */
  async function cpuAround(t0: number): Promise<string> {
    const d = (await client.connection.sendRequest(DashboardDataRequest.method, { uri, range: '5m' })) as DashboardDataRequest.Result;
    const pts = d?.components.find((c) => c.name === 'protocol-engine')?.panels.find((p) => p.id === 'cpu')?.series[0]?.points ?? [];
    const mean = (a: number, b: number) => {
      const v = pts.filter(([t]) => t >= a && t < b).map(([, x]) => x);
      return v.length ? (v.reduce((x, y) => x + y, 0) / v.length).toFixed(2) : 'none';
    };
    const findings = (demo.latest()?.findings ?? []).filter((x) => x.component === 'protocol-engine').map((x) => `${x.metric} ${x.at - t0} ms ${x.score.toFixed(2)}`);
    return `engine CPU before ${mean(t0 - 10_000, t0)}, after ${mean(t0, t0 + 10_000)}, later ${mean(t0 + 10_000, t0 + 60_000)}; its findings: ${findings.join(', ') || 'none'}`;
  }

  it('scores every series and learns baselines from normal operation', async () => {
    // Baselines need history: wait until the engine's CPU series has 20 s of samples.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const d = (await client.connection.sendRequest(DashboardDataRequest.method, { uri, range: '5m' })) as DashboardDataRequest.Result;
      const cpu = d?.components.find((c) => c.name === 'protocol-engine')?.panels.find((p) => p.id === 'cpu')?.series[0]?.points.length ?? 0;
      if (cpu >= 200) break;
      if (Date.now() > deadline) assert.fail(`only ${cpu} CPU samples of the engine after 60 s`);
      const n = demo.statusCount();
      await client.waitFor(() => demo.statusCount() > n || undefined, 5000).catch(() => undefined);
    }
    const s = await client.waitFor(() => demo.latest(), 5000, 'a status');
    assert.ok(s.scoredSeries > 100, `${s.scoredSeries} series scored`);
  });

  it('opens a finding on the protocol engine when a CPU hog starts there, with an explanation', async () => {
    const t0 = Date.now();
    await demo.fault('protocol-engine', { fault: 'cpu-hog', on: true, duty: 0.9 });
    try {
      const f = await client
        .waitFor(() => demo.latest()?.findings.find((x) => x.component === 'protocol-engine' && x.at >= t0), 60_000, 'a finding on protocol-engine after the fault')
        .catch(async (e: Error) => {
          // Say what the hog did to the engine's CPU, so a miss can be told from a busy machine.
          throw new Error(`${e.message}; ${await cpuAround(t0)}`);
        });
      console.log(`# fault → finding: ${f.at - t0} ms after the fault, ${f.metric} (${f.severity}, score ${f.score.toFixed(3)}): ${f.explanation?.message}`);
      assert.ok(f.explanation && f.explanation.detector.length > 0 && Number.isFinite(f.explanation.observed));
      assert.match(f.series, /component="protocol-engine"/);
    } finally {
      await demo.fault('protocol-engine', { fault: 'cpu-hog', on: false });
    }
  });
});
