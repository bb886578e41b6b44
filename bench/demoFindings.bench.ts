// False positives of the anomaly detection on a healthy system: runs the real demo system
// (light feed, no bursts, no fault) under a real monitor for BENCH_SECONDS (default 180)
// and counts the findings the default detector opens. Every one of them is a false positive.
//
//   npm run bench:findings            BENCH_SECONDS=600 npm run bench:findings
import { writeFileSync } from 'node:fs';
import { analyzeWorkspace } from '../engine/index';
import { createDefaultDetector } from '../engine/anomaly/index';
import { AnomalyTracker } from '../engine/monitor/anomalies';
import type { SeriesSample } from '../engine/metrics/series';
import { createMonitor } from '../engine/monitor/createMonitor';
import type { AnomalyFinding } from '../engine/monitor/types';
import { workspaceConfigFrom } from '../engine/workspace/config';
import { startDemoWorkspace } from '../test/helpers/demoWorkspace';

const seconds = Number(process.env.BENCH_SECONDS ?? 180);

async function main(): Promise<void> {
  const ws = await startDemoWorkspace({ prefix: 'alluse-findings-bench-' });
  const a = analyzeWorkspace(ws.text);
  let scored = 0;
  const config = workspaceConfigFrom(a.doc!);
  // BENCH_RECORD=file keeps every scored sample, to replay detector changes offline.
  const recorded: Array<[string, number, number]> = [];
  const record = process.env.BENCH_RECORD;
  const tracker = new AnomalyTracker(createDefaultDetector, { threshold: config.monitor.anomaly.threshold, quietMs: config.monitor.anomaly.quietMs });
  if (record) {
    const observe = tracker.observe.bind(tracker);
    tracker.observe = (samples: readonly SeriesSample[]) => {
      for (const s of samples) recorded.push([JSON.stringify([s.series.name, s.series.labels]), s.t, s.v]);
      return observe(samples);
    };
  }
  const created = await createMonitor(config, ws.folder, {
    anomalies: tracker,
    onStatus: (s) => {
      scored = s.scoredSeries;
    },
  });
  const t0 = Date.now();
  created.monitor.start();
  try {
    await new Promise((r) => setTimeout(r, seconds * 1000));
  } finally {
    await created.monitor.stop();
    await created.store.close();
    await ws.system.stop();
  }
  if (record) writeFileSync(record, JSON.stringify(recorded));
  const findings: AnomalyFinding[] = [...(created.anomalies?.findings() ?? [])].filter((f) => f.at >= t0).reverse();
  const bySeverity = { info: 0, warning: 0, critical: 0 } as Record<string, number>;
  const bySeries = new Map<string, AnomalyFinding[]>();
  for (const f of findings) {
    bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
    bySeries.set(f.series, [...(bySeries.get(f.series) ?? []), f]);
  }
  const hours = seconds / 3600;
  console.log(`healthy demo, ${seconds} s, ${created.anomalies?.seriesCount ?? scored} series scored`);
  console.log(`findings: ${findings.length} (critical ${bySeverity.critical}, warning ${bySeverity.warning}, info ${bySeverity.info})`);
  console.log(`series with findings: ${bySeries.size}`);
  console.log(`findings per hour: ${(findings.length / hours).toFixed(0)} (warning or worse: ${((bySeverity.critical + bySeverity.warning) / hours).toFixed(0)})`);
  const top = [...bySeries.entries()].sort((x, y) => y[1].length - x[1].length || Math.max(...y[1].map((f) => f.score)) - Math.max(...x[1].map((f) => f.score))).slice(0, 10);
  console.log('top series:');
  for (const [series, fs] of top) {
    const worst = fs.reduce((m, f) => (f.score > m.score ? f : m));
    console.log(`  ${fs.length}× ${series}  max ${worst.score.toFixed(2)} ${worst.severity} at +${((fs[0].at - t0) / 1000).toFixed(0)} s: ${worst.explanation?.message ?? ''}`);
  }
  if (process.env.BENCH_JSON) console.log(JSON.stringify(findings.map((f) => ({ at: f.at - t0, series: f.series, score: f.score, severity: f.severity, msg: f.explanation?.message }))));
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
