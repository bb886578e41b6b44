/**
 * Replays a recorded healthy-demo run (`BENCH_RECORD=FILE npm run bench:findings`) through the
 * monitor's `AnomalyTracker` with detector configurations, and counts the findings each one
 * opens: every one is a false positive (the demo was healthy). Live runs differ from each
 * other; a replay compares configurations on the same samples.
 *
 *   node --import tsx bench/findingsReplay.ts FILE '{}' '{"refractory":0}' ...
 *
 * Each argument after the file is a partial configuration merged into DEFAULT_DETECTOR_CONFIG.
 */
import { readFileSync } from 'node:fs';
import { createDetector, DEFAULT_DETECTOR_CONFIG } from '../engine/anomaly/index';
import { AnomalyTracker } from '../engine/monitor/anomalies';
import type { SeriesSample } from '../engine/metrics/series';
import { mergeConfig } from './nab/tune';

const [file, ...patches] = process.argv.slice(2);
if (!file) throw new Error('usage: findingsReplay.ts RECORD.json [config JSON …] (record one with BENCH_RECORD=FILE npm run bench:findings)');
const rows = JSON.parse(readFileSync(file, 'utf8')) as Array<[string, number, number]>;
const series = new Map<string, SeriesSample['series']>();
const samples: SeriesSample[] = rows.map(([key, t, v]) => {
  let s = series.get(key);
  if (!s) {
    const [name, labels] = JSON.parse(key) as [string, Record<string, string>];
    series.set(key, (s = { name, labels } as SeriesSample['series']));
  }
  return { series: s, t, v } as SeriesSample;
});
const span = (samples[samples.length - 1].t - samples[0].t) / 1000;
console.log(`${file}: ${samples.length} samples of ${series.size} series over ${span.toFixed(0)} s`);
for (const p of patches.length ? patches : ['{}']) {
  const cfg = mergeConfig(DEFAULT_DETECTOR_CONFIG, JSON.parse(p) as Record<string, unknown>);
  const tracker = new AnomalyTracker(() => createDetector(cfg), { threshold: 0.2 });
  const found = tracker.observe(samples);
  const sev = { info: 0, warning: 0, critical: 0 } as Record<string, number>;
  for (const f of found) sev[f.severity]++;
  const per = new Set(found.map((f) => f.series)).size;
  if (process.env.BENCH_JSON) for (const f of found) console.log(`    +${((f.at - samples[0].t) / 1000).toFixed(0)} s ${f.severity} ${f.score.toFixed(2)} ${f.series}: ${f.explanation?.message ?? ''}`);
  console.log(`${String(found.length).padStart(4)} findings (${sev.critical} critical / ${sev.warning} warning / ${sev.info} info), ${((found.length * 3600) / span).toFixed(0)}/h, ${per} series  ${p}`);
}
