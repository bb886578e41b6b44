/**
 * `npm run bench:nab`: runs `alluse-perf detect` (the built dist/cli.js, the same command
 * users run) on each file of the NAB corpus in ../shared/bench-data/nab, scores the outputs
 * with the NAB rules for the three profiles (bench/nab/scorer.ts), and prints them beside the
 * published detectors, with the threshold of each profile and the rows per second.
 *
 * BENCH_KEEP=DIR keeps the scored CSVs in DIR. NAB_DIR=… reads the corpus from elsewhere.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadCorpus, PROFILE_NAMES, type Corpus, readScoredCsv, REPO_ROOT, type ProfileName } from './corpus';
import { scoreCorpus, type CorpusScore, type FileResult } from './scorer';

/** Published scores on exactly these 35 files (standard / reward low FP / reward low FN). */
export const PUBLISHED: ReadonlyArray<[string, number, number, number]> = [
  ['ARTime', 67.9, 57.8, 73.7],
  ['Numenta HTM', 66.6, 60.8, 71.1],
  ['CAD-OSE', 62.2, 57.1, 66.3],
  ['KNN-CAD', 53.0, 40.1, 59.6],
  ['Random Cut Forest', 49.5, 38.2, 56.1],
  ['Twitter ADVec', 36.2, 22.8, 42.9],
  ['windowed Gaussian', 22.0, 4.9, 29.8],
];

const CLI = join(REPO_ROOT, 'dist/cli.js');

function detect(input: string, output: string, detector = 'default'): number {
  const t0 = performance.now();
  execFileSync(process.execPath, [CLI, 'detect', '--input', input, '--output', output, '--detector', detector], { stdio: ['ignore', 'ignore', 'inherit'] });
  return performance.now() - t0;
}

/** Rows per second of the command on one large synthetic file (startup included). */
function throughput(dir: string, rows = 1_000_000): { rows: number; ms: number } {
  const input = join(dir, 'throughput.csv');
  const lines = ['timestamp,value'];
  const t0 = Date.UTC(2024, 0, 1);
  let x = 0;
  for (let i = 0; i < rows; i++) {
    x = 0.9 * x + Math.sin(i / 50) + ((i * 7919) % 101) / 100;
    const d = new Date(t0 + i * 60_000).toISOString().replace('T', ' ').slice(0, 19);
    lines.push(`${d},${x.toFixed(4)}`);
  }
  writeFileSync(input, lines.join('\n') + '\n');
  const ms = detect(input, join(dir, 'throughput.out.csv'));
  return { rows, ms };
}

type Scores = Record<ProfileName, CorpusScore>;

/** Runs one detector over the corpus through the CLI and scores it for the three profiles. */
function runDetector(corpus: Corpus, work: string, detector: string): { scores: Scores; rows: number; ms: number } {
  const results: FileResult[] = [];
  let rows = 0;
  let ms = 0;
  for (const file of corpus.files) {
    const out = join(work, detector, file);
    mkdirSync(dirname(out), { recursive: true });
    ms += detect(join(corpus.dir, 'data', file), out, detector);
    const scored = readScoredCsv(readFileSync(out, 'utf8'));
    rows += scored.scores.length;
    results.push({ file, timestamps: scored.timestamps, scores: scored.scores });
  }
  const scores = {} as Scores;
  for (const p of PROFILE_NAMES) scores[p] = scoreCorpus(results, corpus.windows, corpus.profiles[p]);
  return { scores, rows, ms };
}

function main(): void {
  const corpus = loadCorpus();
  const keep = process.env.BENCH_KEEP;
  const work = keep ?? mkdtempSync(join(tmpdir(), 'nab-'));
  const { scores, rows, ms } = runDetector(corpus, work, 'default');
  // NAB's windowed Gaussian through the same CLI and scorer: a check of the scorer against
  // its published row.
  const baseline = runDetector(corpus, work, 'windowed-gaussian').scores;
  const big = throughput(work);
  if (!keep) rmSync(work, { recursive: true, force: true });

  const windows = Object.values(corpus.windows).reduce((n, w) => n + w.length, 0);
  const f = (x: number) => x.toFixed(1).padStart(9);
  console.log(`NAB: ${corpus.files.length} files, ${rows} rows, ${windows} windows (${corpus.dir})`);
  console.log(`detector: alluse-perf detect --detector default (dist/cli.js), one process per file\n`);
  console.log(`${'detector'.padEnd(22)}${'standard'.padStart(9)}${'low FP'.padStart(9)}${'low FN'.padStart(9)}`);
  console.log(`${'ALL-USE (this build)'.padEnd(22)}${f(scores.standard.normalized)}${f(scores.reward_low_FP_rate.normalized)}${f(scores.reward_low_FN_rate.normalized)}`);
  for (const [name, a, b, c] of PUBLISHED) console.log(`${name.padEnd(22)}${f(a)}${f(b)}${f(c)}`);
  console.log(`${'windowed Gaussian, ours'.padEnd(22)}${f(baseline.standard.normalized)}${f(baseline.reward_low_FP_rate.normalized)}${f(baseline.reward_low_FN_rate.normalized)}   (NAB's baseline, our CLI and scorer: a check of the scorer)`);
  const beats = PROFILE_NAMES.every((p, i) => scores[p].normalized > (PUBLISHED[0][i + 1] as number));
  console.log(`\nabove ARTime on all three profiles: ${beats ? 'yes' : 'no'}\n`);
  for (const p of PROFILE_NAMES) {
    const s = scores[p];
    console.log(
      `${p.padEnd(20)} threshold ${s.threshold === Infinity ? 'none (no detection)' : String(s.threshold)}  raw ${s.raw.toFixed(3)} (null ${s.nullRaw}, perfect ${s.perfectRaw})  windows detected ${s.tp}/${s.tp + s.fn}, false positives ${s.fp}`,
    );
  }
  console.log('');
  console.log(`corpus: ${rows} rows in ${(ms / 1000).toFixed(2)} s over ${corpus.files.length} processes = ${Math.round(rows / (ms / 1000))} rows/s (node startup included)`);
  console.log(`one large file: ${big.rows} rows in ${(big.ms / 1000).toFixed(2)} s = ${Math.round(big.rows / (big.ms / 1000))} rows/s (target 100000)`);
}

main();
