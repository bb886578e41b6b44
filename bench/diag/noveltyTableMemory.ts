/**
 * The context-novelty tables' memory over hours (engine/anomaly/contextNovelty.ts): each scored
 * series has one, so their sum is what the monitor's anomaly detection keeps growing after its
 * first minutes. Feeds the default detector's novelty options (levels 8, length 6, rare 1) with
 * one sample a second (the rate most of the monitor's series are scored at: anomalyFeed.ts) of
 * seeded series of several shapes, and prints the tables' bytes and words at each hour mark,
 * for this engine and, given a folder, another one (`git archive <commit> engine | tar -x -C DIR`).
 *
 *   node --import tsx bench/diag/noveltyTableMemory.ts [OLD_ENGINE_DIR]   (BENCH_HOURS=24)
 */
import { resolve } from 'node:path';
import { Rng } from '../../engine/util/rng';

const HOURS = Number(process.env.BENCH_HOURS ?? 24);
const MARKS = [1 / 3, 1, 2, 4, 8, 12, 24].filter((h) => h <= HOURS);
const OPTS = { levels: 8, length: 6, learn: 300, rangeHalfLife: 2000, rare: 1 };

/** Series shapes seen among the monitor's: noise, a walk, a quantized ratio, a daily swing with noise, a counter's rate, a constant. */
const SHAPES: Record<string, (rng: Rng, i: number, state: { x: number }) => number> = {
  gaussian: (rng) => 100 + 5 * rng.normal(),
  walk: (rng, _i, s) => (s.x += rng.normal()),
  quantized: (rng) => Math.round(Math.max(0, 1 + rng.normal()) * 10) / 100,
  daily: (rng, i) => 50 + 20 * Math.sin((2 * Math.PI * i) / 86_400) + rng.normal(),
  rate: (rng) => Math.max(0, 200 + 20 * rng.normal()) * (rng.next() < 0.01 ? 3 : 1),
  constant: () => 42,
};

interface Table { table: Int32Array; size: number }
interface Detector { score(c: { t: number; raw: number; x: number; finite: boolean }): unknown }

async function measure(dir: string): Promise<string[]> {
  const m = (await import(resolve(dir, 'anomaly/contextNovelty.ts'))) as { ContextNoveltyDetector: new (o: object) => Detector };
  const rows: string[] = [];
  const dets: { shape: string; d: Detector; rng: Rng; s: { x: number } }[] = [];
  let seed = 1;
  for (const shape of Object.keys(SHAPES)) for (let k = 0; k < 4; k++) dets.push({ shape, d: new m.ContextNoveltyDetector(OPTS), rng: new Rng(seed++), s: { x: 0 } });
  let mark = 0;
  for (let i = 0; mark < MARKS.length; i++) {
    for (const e of dets) {
      const x = SHAPES[e.shape](e.rng, i, e.s);
      e.d.score({ t: i * 1000, raw: x, x, finite: true });
    }
    if (i + 1 === Math.round(MARKS[mark] * 3600)) {
      const by = new Map<string, { bytes: number; words: number }>();
      for (const e of dets) {
        const t = e.d as unknown as Table;
        const b = by.get(e.shape) ?? { bytes: 0, words: 0 };
        b.bytes += t.table.byteLength / 4;
        b.words += t.size / 4;
        by.set(e.shape, b);
      }
      const mean = [...by.values()].reduce((a, b) => a + b.bytes, 0) / by.size;
      rows.push(`${MARKS[mark].toFixed(2).padStart(5)} h | ${[...by].map(([k, b]) => `${k} ${(b.bytes / 1024).toFixed(1)} KiB (${Math.round(b.words)} words)`).join(' | ')} | mean ${(mean / 1024).toFixed(1)} KiB`);
      mark++;
    }
  }
  return rows;
}

async function main(): Promise<void> {
  const dirs = [resolve(__dirname, '../../engine'), ...process.argv.slice(2).map((d) => resolve(d))];
  console.log(`novelty tables per series, one sample a second, ${Object.keys(SHAPES).length} shapes × 4 seeded series, options ${JSON.stringify(OPTS)} (maxWords: the default)`);
  for (const dir of dirs) {
    console.log(`\n${dir}`);
    for (const r of await measure(dir)) console.log(r);
  }
}

void main();
