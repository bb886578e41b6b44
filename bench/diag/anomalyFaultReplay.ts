// Diagnostic: runs what test/integration/anomaly.test.ts runs (the built server monitoring the
// demo, 20 s warm-up, a CPU hog in the protocol engine for 15 s), says whether the server
// opened a finding, then replays the engine's CPU series through this tree's default detector
// and prints the score without the record excess ("raw") and the score. OUT=FILE keeps the
// series for bench/diag/hogReplay.ts; WARM=samples, HOG_MS=ms.
//   OUT=/tmp/hog/run1.json node --import tsx bench/diag/anomalyFaultReplay.ts
import { writeFileSync } from 'node:fs';
import { DashboardDataRequest, type MonitorStatus } from '../../protocol/index';
import { startMonitoredDemo } from '../../test/helpers/monitoredDemo';
import { createDetector, DEFAULT_DETECTOR_CONFIG } from '../../engine/anomaly/defaultDetector';

async function main(): Promise<void> {
  const demo = await startMonitoredDemo({ prefix: 'alluse-anomdiag-', monitorLines: ['  anomaly: { quiet: 1s }'] });
  const { client, uri } = demo;
  const points = async () => {
    const d = (await client.connection.sendRequest(DashboardDataRequest.method, { uri, range: '5m' })) as DashboardDataRequest.Result;
    return d?.components.find((c) => c.name === 'protocol-engine')?.panels.find((p) => p.id === 'cpu')?.series[0]?.points ?? [];
  };
  const warm = Number(process.env.WARM ?? 200);
  while ((await points()).length < warm) await new Promise((r) => setTimeout(r, 500));
  const t0 = Date.now();
  await demo.fault('protocol-engine', { fault: 'cpu-hog', on: true, duty: 0.9 });
  let found: MonitorStatus['findings'][number] | undefined;
  const end = Date.now() + Number(process.env.HOG_MS ?? 15000);
  while (Date.now() < end) {
    found ??= demo.latest()?.findings.find((x) => x.component === 'protocol-engine' && x.at >= t0);
    await new Promise((r) => setTimeout(r, 200));
  }
  await demo.fault('protocol-engine', { fault: 'cpu-hog', on: false });
  const pts = await points();
  const opened = demo.latest()?.findings.filter((x) => x.component === 'protocol-engine').map((f) => `${f.metric}@${f.at - t0}ms ${f.score.toFixed(3)}`);
  await demo.stop();
  if (process.env.OUT) writeFileSync(process.env.OUT, JSON.stringify({ t0, points: pts }));
  const det = createDetector(DEFAULT_DETECTOR_CONFIG);
  const raw = createDetector({ ...DEFAULT_DETECTOR_CONFIG, recordHalfLife: 0 });
  console.log(`fault found online: ${found ? JSON.stringify({ metric: found.metric, dt: found.at - t0, score: found.score }) : 'NO'}`);
  console.log(`protocol-engine findings: ${opened?.join(', ')}`);
  let i = 0;
  for (const [t, v] of pts) {
    const s = det.update(t, v).score;
    const r = raw.update(t, v).score;
    if (s > 0.05 || r > 0.3 || (t >= t0 - 1000 && t <= t0 + 3000)) console.log(`${i} ${((t - t0) / 1000).toFixed(1)}s v=${v.toFixed(3)} raw=${r.toFixed(3)} score=${s.toFixed(3)}`);
    i++;
  }
}
void main();
