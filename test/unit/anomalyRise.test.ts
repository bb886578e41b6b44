// The record excess measures a rise of the score from where the rise began when its rising
// samples are close in time (`recordRiseMs`): a CPU hog that gets its CPU a little at a time
// on a busy machine scores like one that gets it at once, and slow series are unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDetector, DEFAULT_DETECTOR_CONFIG } from '../../engine/anomaly/defaultDetector';
import { Rng } from '../../engine/util/rng';

const THRESHOLD = 0.2; // the monitor's finding threshold (engine/monitor/anomalies.ts)
const EPOCH = Date.UTC(2026, 10, 28);

function scores(points: [number, number][], recordRiseMs = DEFAULT_DETECTOR_CONFIG.recordRiseMs): number[] {
  const d = createDetector({ ...DEFAULT_DETECTOR_CONFIG, recordRiseMs });
  return points.map(([t, v]) => d.update(t, v).score);
}

test('a CPU hog recorded on a busy machine (its CPU came unevenly) opens a finding within 60 s of the fault', () => {
  const { points: rel } = JSON.parse(readFileSync(join(__dirname, '../fixtures/anomaly/engine-cpu-hog-busy.json'), 'utf8')) as { points: [number, number][] };
  const points = rel.map(([t, v]) => [EPOCH + t, v] as [number, number]);
  const after = (s: number[]) => Math.max(...s.filter((_, i) => rel[i][0] >= 0 && rel[i][0] <= 60_000));
  const before = (s: number[]) => Math.max(...s.filter((_, i) => rel[i][0] < 0));
  const now = scores(points);
  assert.ok(after(now) >= THRESHOLD, `best score after the fault ${after(now)}`);
  assert.ok(before(now) < THRESHOLD, `a score before the fault ${before(now)}`);
  // The recording is a case the rise rule is for: scored step by step, it stays below.
  const stepwise = scores(points, 0);
  assert.ok(after(stepwise) < THRESHOLD, `step by step ${after(stepwise)}`);
});

/** A quantized CPU ratio at 10 Hz (0.1 usual), rising from `at` to `level` over `rampSamples`. */
function cpuSeries(seed: number, at: number, level: number, rampSamples: number): [number, number][] {
  const rng = new Rng(seed);
  return Array.from({ length: at + 300 }, (_, i) => {
    const target = i < at ? 0.1 : 0.1 + (level - 0.1) * Math.min(1, (i - at + 1) / rampSamples);
    return [EPOCH + i * 100, Math.max(0, Math.round((target + 0.06 * rng.normal()) * 10) / 10)];
  });
}

test('a rise over a second scores at its onset about as high as a step, and once', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const at = 400;
    const step = scores(cpuSeries(seed, at, 0.6, 1));
    const ramp = scores(cpuSeries(seed, at, 0.6, 10));
    const top = (s: number[]) => Math.max(...s.slice(at, at + 30));
    assert.ok(top(ramp) >= THRESHOLD, `seed ${seed}: ramp ${top(ramp)}`);
    assert.ok(top(ramp) >= 0.5 * top(step), `seed ${seed}: ramp ${top(ramp)}, step ${top(step)}`);
    // One onset: after the rise, nothing for the refractory period.
    const again = ramp.slice(at + 30, at + 150).findIndex((x) => x > 0);
    assert.equal(again, -1, `seed ${seed}: scored again at +${30 + again}`);
  }
});

test('a series sampled every 5 minutes (as NAB) scores each step of a rise as before', () => {
  const rng = new Rng(9);
  const points = Array.from({ length: 1500 }, (_, i) => [EPOCH + i * 300_000, 50 + 5 * rng.normal() + (i >= 1000 ? Math.min(5, i - 999) * 8 : 0)] as [number, number]);
  assert.deepEqual(scores(points), scores(points, 0));
  assert.ok(Math.max(...scores(points).slice(1000, 1010)) > 0, 'the rise scores');
});
