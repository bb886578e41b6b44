// What the monitor hands to the anomaly detectors: key series at full rate, fast series as
// one mean per second, slow series as they come (engine/monitor/anomalyFeed.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AnomalyFeed } from '../../engine/monitor/anomalyFeed';
import { SeriesKeyCache, type SeriesSample } from '../../engine/metrics/series';

const keys = new SeriesKeyCache();
const cpu = keys.get('process_cpu_ratio', { component: 'engine' });
const load = keys.get('system_load1');
const total = keys.get('system_cpu_ratio', { cpu: 'total' });
const core = keys.get('system_cpu_ratio', { cpu: '0' });
const scraped = keys.get('alluse_engine_queue_depth', { component: 'engine' });

/** Feeds `rounds` rounds of every `stepMs`, one sample per series per round, and collects what is scored. */
function run(feed: AnomalyFeed, series: { key: typeof cpu; value: (i: number) => number }[], rounds: number, stepMs: number, t0 = 1_000_000): SeriesSample[] {
  const scored: SeriesSample[] = [];
  for (let i = 0; i < rounds; i++) {
    const batch = series.map((s) => ({ series: s.key, t: t0 + i * stepMs, v: s.value(i) }));
    scored.push(...feed.select(batch));
  }
  return scored;
}

describe('anomaly feed of the monitor', () => {
  it('scores key series at every sample and other 100 ms series once a second, on the mean', () => {
    const feed = new AnomalyFeed();
    const scored = run(feed, [
      { key: cpu, value: (i) => i },
      { key: total, value: (i) => i / 1000 },
      { key: load, value: (i) => i },
      { key: core, value: (i) => (i % 2 ? 1 : 0) },
    ], 101, 100);
    // core: its means are all 0.5, so after the first sample only the first mean is scored (the next in 10 s).
    const of = (k: typeof cpu) => scored.filter((s) => s.series === k);
    assert.equal(of(cpu).length, 101);
    assert.equal(of(total).length, 101);
    // The first sample of a series passes (nothing known of its rate yet); then windows of 10 samples.
    const l = of(load);
    assert.equal(l.length, 11);
    assert.deepEqual(l[0], { series: load, t: 1_000_000, v: 0 });
    // Window 1 holds samples 1..10 (times 100..1000 ms): mean 5.5, stamped at the last one.
    assert.deepEqual(l[1], { series: load, t: 1_001_000, v: 5.5 });
    assert.deepEqual(l[10], { series: load, t: 1_010_000, v: 95.5 });
    for (let i = 2; i < l.length; i++) assert.equal(l[i].t - l[i - 1].t, 1000);
    assert.deepEqual(of(core).map((s) => [s.t - 1_000_000, s.v]), [[0, 0], [1000, 0.5]]);
  });

  it('scores a value equal to the last one scored again only after 10 s; a change at once', () => {
    const feed = new AnomalyFeed();
    // A scraped constant (every second) for 25 s, then a change, then constant again.
    const values = [...Array(25).fill(3), 4, 4, 4];
    const scored: SeriesSample[] = [];
    values.forEach((v, i) => scored.push(...feed.select([{ series: scraped, t: 3_000_000 + i * 1000, v }])));
    assert.deepEqual(scored.map((s) => [(s.t - 3_000_000) / 1000, s.v]), [[0, 3], [10, 3], [20, 3], [25, 4]]);
    // Key series too: a flat CPU is not scored ten times a second.
    const flat = run(new AnomalyFeed(), [{ key: cpu, value: () => 0.25 }], 101, 100);
    assert.deepEqual(flat.map((s) => s.t - 1_000_000), [0, 10_000]);
  });

  it('passes series sampled every second (scrapes) as they come, with jitter, and skips non-finite values', () => {
    const feed = new AnomalyFeed();
    const scored: SeriesSample[] = [];
    const jitter = [0, 3, -4, 12, -9, 1, 0, 7];
    jitter.forEach((j, i) => scored.push(...feed.select([{ series: scraped, t: 2_000_000 + i * 1000 + j, v: i }])));
    assert.deepEqual(scored.map((s) => s.v), [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.equal(feed.select([{ series: scraped, t: 2_010_000, v: NaN }]).length, 0);
  });

  it('a fast series that slows down is passed as it comes from then on', () => {
    const feed = new AnomalyFeed();
    const a = run(feed, [{ key: load, value: () => 1 }], 5, 100);
    assert.equal(a.length, 1); // the first sample; the window of the next four is still open
    const b = feed.select([{ series: load, t: 1_000_000 + 400 + 2000, v: 7 }]);
    assert.deepEqual(b.map((s) => s.v), [7]);
  });
});
