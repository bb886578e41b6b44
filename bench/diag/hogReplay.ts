// Replays recorded CPU-hog runs (bench/diag/anomalyFaultReplay.ts with OUT=FILE) through the
// default detector with configuration patches: was a score ≥ 0.2 reached within 60 s of the
// fault, when, and how high was the best onset score.
//   node --import tsx bench/diag/hogReplay.ts '{}' '{"recordRiseMs":0}' -- /tmp/hog/run*.json
import { readFileSync } from 'node:fs';
import { createDetector, DEFAULT_DETECTOR_CONFIG } from '../../engine/anomaly/defaultDetector';
import { mergeConfig } from '../nab/tune';

const args = process.argv.slice(2);
const sep = args.indexOf('--');
const patches = args.slice(0, sep);
const files = args.slice(sep + 1);
for (const p of patches) {
  const cfg = mergeConfig(DEFAULT_DETECTOR_CONFIG, JSON.parse(p) as Record<string, unknown>);
  const rows: string[] = [];
  let found = 0;
  for (const f of files) {
    const { t0, points } = JSON.parse(readFileSync(f, 'utf8')) as { t0: number; points: [number, number][] };
    const d = createDetector(cfg);
    let first = -1;
    let best = 0;
    let before = 0;
    for (const [t, v] of points) {
      const s = d.update(t, v).score;
      if (t < t0) before = Math.max(before, s);
      else if (t <= t0 + 60_000) {
        best = Math.max(best, s);
        if (first < 0 && s >= 0.2) first = t - t0;
      }
    }
    if (first >= 0) found++;
    rows.push(`${first >= 0 ? `${first} ms` : 'missed'} (best ${best.toFixed(2)}, before ${before.toFixed(2)})`);
  }
  console.log(`${found}/${files.length} found  ${p}\n  ${rows.join('\n  ')}`);
}
