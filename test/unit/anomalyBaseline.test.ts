import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RobustStats, median, mad, RobustBaseline, DAY_MS } from '../../engine/anomaly/index';
import { Rng } from '../../engine/util/rng';

test('median and MAD reference values', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(mad([1, 1, 2, 2, 4, 6, 9]), 1); // median 2, deviations 1 1 0 0 2 4 7
});

test('robust level/spread approximate the exact median/MAD of fixed data, despite outliers', () => {
  const rng = new Rng(1);
  const xs: number[] = [];
  for (let i = 0; i < 20000; i++) xs.push(i % 50 === 0 ? 1000 : 10 + 2 * rng.normal());
  const s = new RobustStats(0.002);
  for (const x of xs) s.update(x);
  const tail = xs.slice(-5000);
  const m = median(tail);
  const d = mad(tail);
  assert.ok(Math.abs(s.level - m) < 0.15 * d, `level ${s.level} vs median ${m}`);
  assert.ok(Math.abs(s.mad - d) < 0.15 * d, `mad ${s.mad} vs ${d}`);
  // exact during warm-up
  const w = new RobustStats(0.01, 32);
  const first = [5, 1, 9, 3, 7];
  for (const x of first) w.update(x);
  assert.equal(w.level, 5);
  assert.equal(w.mad, 2);
});

const FIVE_MIN = 300_000;

function dailySeries(days: number, noise: number, seed = 3): { t: number; v: number }[] {
  const rng = new Rng(seed);
  const out = [];
  for (let i = 0; i < (days * DAY_MS) / FIVE_MIN; i++) {
    const t = Date.UTC(2024, 0, 1) + i * FIVE_MIN;
    out.push({ t, v: 50 + 20 * Math.sin((2 * Math.PI * t) / DAY_MS) + noise * rng.normal() });
  }
  return out;
}

test('daily seasonality is detected on a daily series and used for the expectation', () => {
  const b = new RobustBaseline();
  for (const { t, v } of dailySeries(5, 1)) b.update(t, v);
  assert.equal(b.seasonModel, 'daily');
  const t = Date.UTC(2024, 0, 6, 6); // sin peak at 06:00 UTC
  const e = b.estimate(t);
  assert.ok(Math.abs(e.expected - 70) < 3, `expected ${e.expected}`);
  assert.ok(e.spread < 3, `spread ${e.spread}`);
});

test('no seasonality on white noise', () => {
  const b = new RobustBaseline();
  const rng = new Rng(9);
  for (let i = 0; i < (5 * DAY_MS) / FIVE_MIN; i++) b.update(i * FIVE_MIN, 50 + 5 * rng.normal());
  assert.equal(b.seasonModel, 'none');
});

test('baseline snapshot/restore through JSON continues identically', () => {
  const data = dailySeries(3, 2);
  const a = new RobustBaseline();
  const half = data.length >> 1;
  for (const { t, v } of data.slice(0, half)) a.update(t, v);
  const b = new RobustBaseline();
  b.restore(JSON.parse(JSON.stringify(a.snapshot())));
  for (const { t, v } of data.slice(half)) {
    assert.deepEqual(b.estimate(t), a.estimate(t));
    a.update(t, v);
    b.update(t, v);
  }
  assert.deepEqual(b.snapshot(), a.snapshot());
});

test('spread floor from the resolution: an integer gauge moving 0 → 2 is a few deviations, not billions', () => {
  const flat = new RobustBaseline();
  for (let i = 0; i < 500; i++) flat.update(i * 100, 0);
  const e = flat.estimate(500 * 100);
  assert.ok(Math.abs(2 - e.expected) / e.spread <= 4, `flat integer gauge: z ${(2 - e.expected) / e.spread}`);
  const gauge = new RobustBaseline();
  for (let i = 0; i < 500; i++) gauge.update(i * 100, i % 97 === 0 ? 1 : 0);
  const g = gauge.estimate(500 * 100);
  assert.ok(Math.abs(2 - g.expected) / g.spread <= 4, `gauge with unit steps: z ${(2 - g.expected) / g.spread}`);
  // a continuous series keeps its own spread (the floor only matters for coarse data)
  const cont = new RobustBaseline();
  const rng = new Rng(3);
  for (let i = 0; i < 2000; i++) cont.update(i * 100, 100 + 0.01 * rng.normal());
  assert.ok(cont.estimate(2000 * 100).spread < 0.02);
  // and the floor survives a snapshot
  const r = new RobustBaseline();
  r.restore(JSON.parse(JSON.stringify(flat.snapshot())));
  assert.equal(r.estimate(500 * 100).spread, e.spread);
});
