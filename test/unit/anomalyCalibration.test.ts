// Calibration of the default detector's scores on series the editor sees on a healthy system:
// a first departure from a point mass (a rate that was 0 so far) is at most a warning, a
// series that bursts often stops alarming, and a rare large shift still scores high.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDefaultDetector, createDetector, DEFAULT_DETECTOR_CONFIG, RARITY_CALIBRATION } from '../../engine/anomaly/index';

const calibrated = () => createDetector({ ...DEFAULT_DETECTOR_CONFIG, ...RARITY_CALIBRATION });
import { Rng } from '../../engine/util/rng';

const STEP = 100; // 10 Hz, as the monitor collects
const WARNING = 0.3;
const CRITICAL = 0.5;

function run(values: number[], d = createDefaultDetector()): number[] {
  return values.map((v, i) => d.update(i * STEP, v).score);
}

test('a first burst from a series that was exactly 0 scores as a finding, but at most a warning', () => {
  const values = [...Array.from({ length: 1000 }, () => 0), 40850, 0, 0, 0];
  const scores = run(values);
  const burst = Math.max(...scores.slice(1000));
  assert.ok(burst >= 0.2, `the burst is still reported (score ${burst})`);
  assert.ok(burst < CRITICAL, `not critical (score ${burst})`);
  assert.ok(Math.max(...scores.slice(0, 1000)) === 0, 'nothing before it');
});

test('with the rarity calibration, a series that bursts often stops alarming', () => {
  const rng = new Rng(3);
  // Noise around 100 with a burst of +60 for 3 samples every 40 samples, from the start.
  const values = Array.from({ length: 4000 }, (_, i) => 100 + rng.normal() + (i % 40 < 3 && i > 0 ? 60 : 0));
  const scores = run(values, calibrated());
  const alarms = (from: number, to: number) => scores.slice(from, to).filter((s) => s >= 0.2).length;
  // The young model (rarity calibration): its bursts were counted in the learning phase.
  assert.equal(alarms(0, 750), 0, 'no alarm after the learning phase on bursts seen throughout it');
  // Later, repeats are held down by the decaying record: at most one info-level blip.
  assert.ok(alarms(750, 4000) <= 1, `${alarms(750, 4000)} alarms on the familiar bursts`);
  assert.ok(Math.max(...scores) < WARNING);
});

test('without the rarity calibration too, the default detector keeps bursts seen since the start quiet', () => {
  // The anomaly likelihood judges each detector's recent output against that series' own
  // history of it: bursts every 40 samples from the start are this series' usual.
  const rng = new Rng(3);
  const values = Array.from({ length: 750 }, (_, i) => 100 + rng.normal() + (i % 40 < 3 && i > 0 ? 60 : 0));
  const scores = run(values);
  assert.ok(scores.every((s) => s < 0.2), `max ${Math.max(...scores)}`);
});

test('with the rarity calibration, a rare large shift still scores high, in a young model and in an old one', () => {
  for (const [at, level] of [[500, CRITICAL], [3000, WARNING]]) {
    const rng = new Rng(7);
    const values = Array.from({ length: at + 200 }, (_, i) => 50 + rng.normal() + (i >= at ? 30 : 0));
    const scores = run(values, calibrated());
    const peak = Math.max(...scores.slice(at, at + 20));
    assert.ok(peak >= level, `shift at ${at}: peak ${peak}`);
    assert.ok(Math.max(...scores.slice(350, at)) < 0.2, `quiet before the shift at ${at}`);
  }
});

test('the calibration state survives a snapshot and restore', () => {
  const rng = new Rng(11);
  const values = Array.from({ length: 1500 }, (_, i) => 10 + rng.normal() + (i % 97 === 0 ? 25 : 0));
  const a = calibrated();
  const first = run(values.slice(0, 600), a);
  assert.equal(first.length, 600);
  assert.ok(a.onsetCount > 0, 'bursts were counted');
  const b = calibrated();
  b.restore(JSON.parse(JSON.stringify(a.snapshot())));
  assert.equal(b.onsetCount, a.onsetCount);
  for (let i = 600; i < values.length; i++) assert.equal(b.update(i * STEP, values[i]).score, a.update(i * STEP, values[i]).score);
});
