// Steady noise at 10 Hz, no anomaly: findings (a score ≥ 0.2 after 60 s without one) per series-hour, per configuration.
//   node --import tsx bench/diag/noiseScores.ts '{}' '{"recordRiseMs":0}'
import { createDetector, DEFAULT_DETECTOR_CONFIG } from '../../engine/anomaly/defaultDetector';
import { Rng } from '../../engine/util/rng';
import { mergeConfig } from '../nab/tune';

const HOUR = 36_000;
const kinds: Array<[string, (r: Rng) => number]> = [
  ['gaussian', (r) => 100 + 5 * r.normal()],
  ['log-normal', (r) => Math.exp(1 + 0.5 * r.normal())],
  ['integer', (r) => Math.round(20 + 3 * r.normal())],
  ['cpu-ratio', (r) => Math.max(0, Math.round(1 + r.normal() * 0.7)) / 10],
  ['bounded', (r) => Math.min(1, Math.max(0, 0.5 + 0.1 * r.normal()))],
];
for (const p of process.argv.slice(2)) {
  const cfg = mergeConfig(DEFAULT_DETECTOR_CONFIG, JSON.parse(p) as Record<string, unknown>);
  let hits = 0;
  let n = 0;
  const per: string[] = [];
  for (const [name, gen] of kinds)
    for (const seed of [1, 2]) {
      const r = new Rng(seed);
      const d = createDetector(cfg);
      // Findings as the monitor opens them: a score ≥ 0.2 after 60 s without one.
      let h = 0;
      let last = -Infinity;
      for (let i = 0; i < HOUR; i++)
        if (d.update(i * 100, gen(r)).score >= 0.2) {
          if (i - last >= 600) h++;
          last = i;
        }
      hits += h;
      n++;
      per.push(`${name}#${seed} ${h}`);
    }
  console.log(`${(hits / n).toFixed(1)} per series-hour  ${p}\n  ${per.join(', ')}`);
}
