/**
 * The NAB scorer against hand-computed cases. One tiny file of 20 rows, one second apart;
 * the probationary period is floor(0.15 * 20) = 3 rows; one window over rows 10..14 (5 rows).
 * Standard profile: A_TP = 1, A_FP = 0.11, A_FN = 1. σ(y) = 2 / (1 + e^(5y)) - 1.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { optimizeThreshold, prepareFile, probationLength, scaledSigmoid, scoreAtThreshold, scoreCorpus, windowRows, type CostProfile, type FileResult, type Window } from '../../bench/nab/scorer';
import { parseNabTime } from '../../bench/nab/corpus';

const STANDARD: CostProfile = { tpWeight: 1, fpWeight: 0.11, fnWeight: 1 };
const LOW_FN: CostProfile = { tpWeight: 1, fpWeight: 0.11, fnWeight: 2 };
const N = 20;
const TS = Array.from({ length: N }, (_, i) => i * 1000);
const WINDOW: Window = [10_000, 14_000];

function file(detections: number[], name = 'f.csv'): FileResult {
  const scores = new Array<number>(N).fill(0);
  for (const i of detections) scores[i] = 1;
  return { file: name, timestamps: TS, scores };
}

function score(detections: number[], profile = STANDARD, windows: Window[] = [WINDOW]) {
  return scoreCorpus([file(detections)], { 'f.csv': windows }, profile, { threshold: 0.5 });
}

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) < eps, `${a} ≉ ${b}`);

describe('NAB scorer', () => {
  it('has NAB’s scaled sigmoid and probationary period', () => {
    close(scaledSigmoid(0), 0);
    close(scaledSigmoid(-1), 0.9866142981514305);
    assert.equal(scaledSigmoid(3.01), -1);
    assert.equal(probationLength(20), 3);
    assert.equal(probationLength(4000), 600);
    assert.equal(probationLength(22695), 750); // 15% of 5000 at most
  });

  it('a detection at the window start is worth A_TP: the perfect detector scores 100', () => {
    const s = score([10]);
    close(s.raw, 1);
    close(s.normalized, 100);
    assert.deepEqual([s.tp, s.fp, s.fn], [1, 0, 0]);
  });

  it('the null detector scores 0 (raw -A_FN per window)', () => {
    const s = score([]);
    close(s.raw, -1);
    close(s.normalized, 0);
    assert.deepEqual([s.tp, s.fp, s.fn], [0, 0, 1]);
    const lowFn = score([], LOW_FN);
    close(lowFn.raw, -2);
    close(lowFn.normalized, 0);
    close(lowFn.nullRaw, -2);
    close(lowFn.perfectRaw, 1);
  });

  it('a detection in the middle of the window: y = -(14 - 12 + 1) / 5 = -0.6', () => {
    close(score([12]).raw, 0.9174286804284079);
  });

  it('a detection at the last row of the window: y = -1/5', () => {
    const s = score([14]);
    close(s.raw, 0.46838684390227814);
    close(s.normalized, (100 * (0.46838684390227814 + 1)) / 2);
  });

  it('only the first detection of a window counts, the others are free', () => {
    const s = score([11, 13, 14]);
    close(s.raw, 0.9771068409226045); // y = -0.8
    assert.deepEqual([s.tp, s.fp, s.fn], [1, 0, 0]);
  });

  it('a false positive after a window costs A_FP σ((i - end) / (width - 1))', () => {
    close(score([16]).raw, -1 - 0.09331120039532642); // y = 2/4
    close(score([19]).raw, -1 - 0.10957611837406796); // y = 5/4
    const s = score([10, 16]);
    close(s.raw, 1 - 0.09331120039532642);
    assert.deepEqual([s.tp, s.fp, s.fn], [1, 1, 0]);
  });

  it('a false positive before any window costs the full A_FP', () => {
    close(score([5]).raw, -1 - 0.11);
    close(score([5], { ...STANDARD, fpWeight: 0.22 }).raw, -1 - 0.22);
  });

  it('detections in the probationary period are ignored, inside a window or not', () => {
    close(score([0, 1, 2]).raw, -1);
    // A window over rows 1..5: its probationary rows do not count, row 3 does (y = -3/5).
    const w: Window = [1000, 5000];
    close(score([2], STANDARD, [w]).raw, -1);
    close(score([3], STANDARD, [w]).raw, 0.9174286804284079);
  });

  it('a false positive between two windows is measured from the window before it', () => {
    // Windows rows 4..6 (width 3) and 12..14; a detection at row 8: y = (8 - 6) / 2 = 1.
    const windows: Window[] = [[12_000, 14_000], [4000, 6000]]; // unsorted on purpose
    const s = score([4, 8, 12], STANDARD, windows);
    close(s.raw, 1 + 1 + 0.11 * scaledSigmoid(1));
    close(s.normalized, (100 * (s.raw + 2)) / 4);
  });

  it('finds window rows in row order when timestamps repeat or step back', () => {
    const ts = [0, 1, 2, 2, 2, 3, 4, 1, 2, 5, 6];
    assert.deepEqual(windowRows(ts, [[2, 4]]), [[2, 6]]);
    assert.deepEqual(windowRows(ts, [[5, 6], [1, 2]]), [[1, 2], [9, 10]]);
    assert.deepEqual(windowRows(ts, [[7, 8]]), []);
  });

  it('window timestamps in NAB’s form are read as UTC', () => {
    assert.equal(parseNabTime('2014-04-10 07:15:00.000000'), Date.UTC(2014, 3, 10, 7, 15));
    assert.equal(parseNabTime('2014-04-10 07:15:00'), Date.UTC(2014, 3, 10, 7, 15));
  });

  it('optimizes one threshold over the whole corpus', () => {
    // File a: the window start scores 0.8, a row before the window 0.9 (an FP), 10 rows 0.3.
    // File b: no window; one row at 0.85 (an FP).
    const a = new Array<number>(N).fill(0);
    a[10] = 0.8;
    a[5] = 0.9;
    for (let i = 3; i < 13; i++) if (i !== 5 && i !== 10) a[i] = 0.3;
    const b = new Array<number>(N).fill(0);
    b[7] = 0.85;
    const results: FileResult[] = [
      { file: 'a.csv', timestamps: TS, scores: a },
      { file: 'b.csv', timestamps: TS, scores: b },
    ];
    const windows = { 'a.csv': [WINDOW] };
    const s = scoreCorpus(results, windows, STANDARD);
    // At 0.8: TP 1 and two full FPs: 1 - 0.22. At 0.3: many more FPs; above 0.9: -1.
    assert.equal(s.threshold, 0.8);
    close(s.raw, 1 - 0.22);
    assert.deepEqual([s.tp, s.fp, s.fn], [1, 2, 0]);
    // Every threshold gives a raw score at most that of the optimum.
    const prepared = results.map((r) => prepareFile(r, windows[r.file as 'a.csv'] ?? [], STANDARD));
    for (const t of [0, 0.1, 0.3, 0.5, 0.81, 0.85, 0.9, 1, Infinity]) assert.ok(scoreAtThreshold(prepared, STANDARD, t).raw <= s.raw + 1e-12);
    assert.equal(optimizeThreshold(prepared, STANDARD), 0.8);
    // With FPs made expensive, detecting nothing is best.
    const costly = { tpWeight: 1, fpWeight: 5, fnWeight: 1 };
    assert.equal(scoreCorpus(results, windows, costly).threshold, Infinity);
  });
});
