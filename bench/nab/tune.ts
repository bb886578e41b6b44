/**
 * In-process NAB scoring of a detector configuration, for tuning (`npm run bench:nab` is the
 * benchmark of record: it runs the built CLI). Runs `createDetector(config)` on each of the
 * corpus files in process and scores the three profiles with the same scorer.
 *
 *   node --import tsx bench/nab/tune.ts '{"alpha":0.02}' '{"novelty":{"weight":0}}' ...
 *
 * Each argument is a partial configuration merged (one level deep) into
 * DEFAULT_DETECTOR_CONFIG; no argument scores the default. NAB_FILES=1 prints per-file
 * detections at the standard threshold.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCorpus, PROFILE_NAMES, readScoredCsv } from './corpus';
import { scoreCorpus, type FileResult } from './scorer';
import { createDetector, DEFAULT_DETECTOR_CONFIG, type DefaultDetectorConfig } from '../../engine/anomaly/defaultDetector';

export function mergeConfig(base: DefaultDetectorConfig, patch: Record<string, unknown>): DefaultDetectorConfig {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    const b = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' ? { ...(b as object), ...(v as object) } : v;
  }
  return out as unknown as DefaultDetectorConfig;
}

function main(): void {
  const corpus = loadCorpus();
  const data = corpus.files.map((file) => ({ file, ...readScoredCsv(readFileSync(join(corpus.dir, 'data', file), 'utf8')) }));
  const patches = process.argv.slice(2);
  if (patches.length === 0) patches.push('{}');
  for (const p of patches) {
    const cfg = mergeConfig(DEFAULT_DETECTOR_CONFIG, JSON.parse(p) as Record<string, unknown>);
    const t0 = performance.now();
    const results: FileResult[] = data.map(({ file, timestamps, values }) => {
      const d = createDetector(cfg);
      const scores = new Float64Array(values.length);
      for (let i = 0; i < values.length; i++) scores[i] = d.update(timestamps[i], values[i]).score;
      return { file, timestamps, scores };
    });
    const ms = performance.now() - t0;
    const s = PROFILE_NAMES.map((prof) => scoreCorpus(results, corpus.windows, corpus.profiles[prof]));
    console.log(
      `${s.map((x) => x.normalized.toFixed(1).padStart(5)).join(' ')}  thr ${s.map((x) => x.threshold.toPrecision(3)).join('/')}  tp ${s.map((x) => x.tp).join('/')} fp ${s.map((x) => x.fp).join('/')}  ${ms.toFixed(0)} ms  ${p}`,
    );
    if (process.env.NAB_FILES) {
      const thr = s[0].threshold;
      for (const r of results) {
        const one = scoreCorpus([r], corpus.windows, corpus.profiles.standard, { threshold: thr });
        console.log(`  ${r.file.padEnd(60)} tp ${one.tp}/${one.tp + one.fn} fp ${one.fp} raw ${one.raw.toFixed(2)}`);
      }
    }
  }
}

if (process.argv[1]?.endsWith("tune.ts")) main();
