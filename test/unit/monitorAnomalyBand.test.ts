// The expected band the anomaly tracker keeps per series for the dashboard: one point a
// second, the last 300 of them, oldest first (kept in a ring buffer, engine/monitor/anomalies.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AnomalyTracker } from '../../engine/monitor/anomalies';
import { SeriesKeyCache, seriesId } from '../../engine/metrics/series';

describe('anomaly band of a series', () => {
  it('keeps one point per second, the newest 300, in time order', () => {
    // A detector whose band is the value ± 1 (pure function of the sample, so the expected points are known).
    const tracker = new AnomalyTracker(() => ({ update: (_t: number, v: number) => ({ score: 0, explanation: { detector: 'test', observed: v, lower: v - 1, upper: v + 1, message: '' } }) }));
    const key = new SeriesKeyCache().get('alluse_engine_queue_depth', { component: 'engine' });
    // 4 samples a second for 400 s: only the first of each second makes a point.
    for (let i = 0; i < 1600; i++) tracker.observe([{ series: key, t: 10_000 + i * 250, v: i }]);
    const band = tracker.band(seriesId(key));
    assert.equal(band.length, 300);
    assert.deepEqual(band[0], { t: 10_000 + 100 * 1000, lower: 399, upper: 401 });
    assert.deepEqual(band[299], { t: 10_000 + 399 * 1000, lower: 1595, upper: 1597 });
    for (let i = 1; i < band.length; i++) assert.equal(band[i].t - band[i - 1].t, 1000);
    assert.deepEqual(tracker.band('no_such_series'), []);
  });

  it('keeps the bounds as float32s and the times exactly; leaves out a bound a float32 cannot hold; starts over after a 50-day gap', () => {
    // The band is drawn on the dashboard: its bounds are kept at float32 precision (engine/monitor/anomalies.ts, BandRing).
    let bounds = (v: number) => ({ lower: v / 3, upper: v * Math.PI });
    const tracker = new AnomalyTracker(() => ({ update: (_t: number, v: number) => ({ score: 0, explanation: { detector: 'test', observed: v, message: '', ...bounds(v) } }) }));
    const key = new SeriesKeyCache().get('alluse_engine_latency_seconds', { component: 'engine' });
    const id = seriesId(key);
    const T = Date.UTC(2026, 10, 28, 12);
    for (let i = 0; i < 10; i++) tracker.observe([{ series: key, t: T + i * 1000, v: 0.1 + i }]);
    const band = tracker.band(id);
    assert.equal(band.length, 10);
    band.forEach((p, i) => {
      assert.equal(p.t, T + i * 1000, 'times to the millisecond');
      assert.equal(p.lower, Math.fround((0.1 + i) / 3));
      assert.equal(p.upper, Math.fround((0.1 + i) * Math.PI));
      assert.ok(Math.abs(p.upper - (0.1 + i) * Math.PI) <= 1e-6 * (0.1 + i) * Math.PI, 'within a float32\'s precision');
    });
    // A bound past a float32's range: no point (not an infinite band).
    bounds = (v: number) => ({ lower: -v, upper: 1e39 });
    tracker.observe([{ series: key, t: T + 20_000, v: 5 }]);
    assert.equal(tracker.band(id).length, 10);
    bounds = (v: number) => ({ lower: v - 1, upper: v + 1 });
    tracker.observe([{ series: key, t: T + 21_000, v: 5 }]);
    assert.deepEqual(tracker.band(id).at(-1), { t: T + 21_000, lower: 4, upper: 6 });
    // 50 days on (past the 32-bit offsets' 49.7 days): the old points go, the new ones are exact.
    const later = T + 50 * 86_400_000;
    tracker.observe([{ series: key, t: later, v: 7 }]);
    tracker.observe([{ series: key, t: later + 1000, v: 8 }]);
    assert.deepEqual(tracker.band(id), [{ t: later, lower: 6, upper: 8 }, { t: later + 1000, lower: 7, upper: 9 }]);
  });
});
