// A label set that leaves a scrape and comes back (prom-client's nodejs_active_handles{type},
// nodejs_active_resources{type}: a handle type exists only while such handles are open) gets a
// new SeriesKey object from the converter, which forgets the keys a scrape did not use. Per-series
// state found by key object then made a new entry per comeback: the monitor's `series` count grew
// for ever on the demo (504 at 2 min, ~950 at 16 min, while the store held ~460 series), and so did
// the anomaly feed's windows and the tracker's detector states (each comeback also relearned its
// baseline). These tests feed such comebacks and check one entry per series.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PrometheusConverter } from '../../engine/collect/promConvert';
import { parsePrometheusText } from '../../engine/collect/promParse';
import type { StreamingDetector } from '../../engine/anomaly/types';
import type { SeriesSample } from '../../engine/metrics/series';
import { AnomalyFeed } from '../../engine/monitor/anomalyFeed';
import { AnomalyTracker } from '../../engine/monitor/anomalies';
import { Monitor } from '../../engine/monitor/monitor';
import type { Collector } from '../../engine/collect/types';

const handles = (types: string[]) =>
  parsePrometheusText(['# TYPE nodejs_active_handles gauge', ...types.map((t, i) => `nodejs_active_handles{type="${t}"} ${i + 1}`), ''].join('\n')).families;

/** Scrape i: `Socket` always, `Timeout` in every other scrape (it leaves and comes back). */
function scrapes(n: number): SeriesSample[][] {
  const c = new PrometheusConverter('engine');
  return Array.from({ length: n }, (_, i) => c.convert(handles(i % 2 ? ['Socket'] : ['Socket', 'Timeout']), 1_000_000 + i * 1000, i * 1000));
}

describe('a series that leaves a scrape and comes back', () => {
  it('comes back with a new key object (why the consumers below cannot count key objects)', () => {
    const all = scrapes(5);
    const timeouts = all.flat().filter((s) => s.series.labels.type === 'Timeout').map((s) => s.series);
    assert.equal(timeouts.length, 3);
    assert.equal(new Set(timeouts).size, 3);
  });

  it('keeps one anomaly detector per series, with its learned state', () => {
    let made = 0;
    const tracker = new AnomalyTracker(() => {
      made++;
      let n = 0;
      return { update: () => ({ score: 0, explanation: { n: ++n } }) } as unknown as StreamingDetector;
    });
    for (const batch of scrapes(41)) tracker.observe(batch);
    assert.equal(tracker.seriesCount, 2);
    assert.equal(made, 2, 'a comeback must not start a fresh detector');
  });

  it('keeps one anomaly feed window per series', () => {
    const feed = new AnomalyFeed();
    for (const batch of scrapes(41)) feed.select(batch);
    assert.equal(feed.size, 2);
  });

  it('counts it once in the monitor status', async () => {
    const batches = scrapes(41);
    let round = 0;
    const collector: Collector = { id: 'scrape:engine', defaultIntervalMs: 5, collect: async () => ({ samples: batches[Math.min(round++, batches.length - 1)], problems: [] }) };
    let appended = 0;
    const store = { append: () => appended++, flush: async () => undefined, readOnly: false, memoryOnly: false, problems: [], diskUsage: () => ({ rawBytes: 0, rollupBytes: 0, walBytes: 0, bytesPerSample: 0 }) };
    const m = new Monitor({ collectors: [{ collector, intervalMs: 5 }], store: store as never, storePath: '', rules: [], components: [], statusIntervalMs: 60_000, predictIntervalMs: 60_000, onStatus: () => undefined });
    m.start();
    await new Promise<void>((done) => {
      const t = setInterval(() => appended >= batches.length && (clearInterval(t), done()), 5);
    });
    await m.stop();
    assert.equal(m.status().series, 2);
  });
});
