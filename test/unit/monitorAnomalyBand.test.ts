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
});
