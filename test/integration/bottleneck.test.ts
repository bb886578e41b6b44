// Time-to-limit predictions end to end through the analysis server, on the real demo system:
// the protocol engine gets a memory limit 400 MiB above its resident memory; a memory leak
// switched on there makes the monitor predict when the limit is reached, as a status
// prediction and as a `limit-forecast` diagnostic on the `memory` key, and the predicted
// time shrinks as the leak grows.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DashboardDataRequest, type MonitorStatus } from '../../protocol/index';
import type { TestLspClient } from '../helpers/lspClient';
import { startMonitoredDemo, type MonitoredDemo } from '../helpers/monitoredDemo';

const MiB = 1024 * 1024;
type Prediction = MonitorStatus['predictions'][number];

describe('time-to-limit predictions from a memory leak in the demo system', () => {
  let demo: MonitoredDemo;
  let ws: MonitoredDemo['ws'];
  let client: TestLspClient;
  let uri: string;
  let limitMiB = 0;

  before(async () => {
    demo = await startMonitoredDemo({
      prefix: 'alluse-bottleneck-',
      engineLimits: (rss) => {
        limitMiB = Math.ceil(rss / MiB) + 400;
        return `{ memory: ${limitMiB}MiB, cpuCores: 1.5, queueCapacity: 20000 }`;
      },
    });
    ({ ws, client, uri } = demo);
  });

  after(async () => demo?.stop());

  it('predicts when the leaking engine reaches its memory limit, and the time shrinks as the leak grows', async () => {
    // The trend needs some history: 30 s of the engine's memory.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const d = (await client.connection.sendRequest(DashboardDataRequest.method, { uri, range: '5m' })) as DashboardDataRequest.Result;
      const pts = d?.components.find((c) => c.name === 'protocol-engine')?.panels.find((p) => p.id === 'memory')?.series[0]?.points ?? [];
      if (pts.length > 1 && pts[pts.length - 1][0] - pts[0][0] >= 30_000) break;
      if (Date.now() > deadline) assert.fail(`only ${pts.length} memory samples of the engine after 60 s`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    const before = demo.latest()?.predictions.find((p) => p.component === 'protocol-engine' && p.resource === 'memory');
    console.log(`# before the leak: ${before ? before.message : 'no memory prediction'} (limit ${limitMiB} MiB)`);

    const t0 = Date.now();
    await demo.fault('protocol-engine', { fault: 'memory-leak', on: true, mb_per_s: 8 });
    // A prediction made after the leak started, from a trend of at least 2 MiB/s.
    const leaking = (s: MonitorStatus | undefined): Prediction | undefined =>
      s?.predictions.find((p) => p.component === 'protocol-engine' && p.resource === 'memory' && p.at > t0 && p.slopePerS > 2 * MiB && p.etaMs > 0);
    const first = await client.waitFor(() => leaking(demo.latest()), 45_000, 'a memory prediction for the protocol engine');
    console.log(`# first prediction ${first.at - t0} ms after the leak: ${first.message} (trend ${(first.slopePerS / MiB).toFixed(2)} MiB/s, rss ${(first.current / MiB).toFixed(0)} MiB)`);
    assert.equal(first.limit, limitMiB * MiB);
    assert.ok(first.etaLowMs <= first.etaMs && first.etaMs <= first.etaHighMs, JSON.stringify(first));
    assert.match(first.message, new RegExp(`^memory reaches its ${limitMiB} MiB limit in .+ \\(80%: .+ to .+\\)$`));

    // The diagnostic sits on the `memory` key of the engine's limits.
    const diag = await client.waitFor(() => client.published.get(uri)?.diagnostics.find((d) => d.code === 'limit-forecast' && String(d.message).startsWith('protocol-engine: memory')), 15_000, 'the limit-forecast diagnostic');
    const lines = ws.text.split('\n');
    const line = lines.findIndex((l) => l.includes(`memory: ${limitMiB}MiB`));
    assert.equal(diag.range.start.line, line);
    assert.equal(lines[line].slice(diag.range.start.character, diag.range.end.character), 'memory');
    console.log(`# diagnostic (${diag.severity === 2 ? 'warning' : 'information'}): ${diag.message}`);

    const later = await client.waitFor(() => {
      const p = leaking(demo.latest());
      return p && p.at > first.at && p.etaMs < first.etaMs ? p : undefined;
    }, 30_000, 'a later prediction with a shorter time to the limit');
    console.log(`# ${((later.at - first.at) / 1000).toFixed(0)} s later: ${later.message} (rss ${(later.current / MiB).toFixed(0)} MiB)`);
    assert.ok(later.etaMs < first.etaMs);

    // The dashboard draws the crossing on the engine's memory panel.
    const d = (await client.connection.sendRequest(DashboardDataRequest.method, { uri, range: '5m' })) as DashboardDataRequest.Result;
    const mem = d!.components.find((c) => c.name === 'protocol-engine')!.panels.find((p) => p.id === 'memory')!;
    assert.ok(mem.forecast, 'a forecast on the memory panel');
    assert.equal(mem.forecast.to[1], limitMiB * MiB);
    assert.ok(mem.forecast.to[0] > mem.forecast.from[0]);

    await demo.fault('protocol-engine', { fault: 'memory-leak', on: false });
  });
});
