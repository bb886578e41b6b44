import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StreamingDetector } from '../../engine/anomaly/types';
import { AnomalyTracker, severityOf } from '../../engine/monitor/anomalies';
import { SeriesKeyCache, type SeriesSample } from '../../engine/metrics/series';

/** A detector whose score is the sample's value (so tests choose the scores). */
const echo = (): StreamingDetector => ({ update: (_t, v) => ({ score: v, explanation: { detector: 'echo', observed: v, message: `value ${v}` } }) });
const keys = new SeriesKeyCache();
const at = (t: number, v: number, name = 'lat', component = 'engine'): SeriesSample => ({ series: keys.get(name, { component }), t, v });

describe('anomaly findings', () => {
  it('opens one finding per episode, keeps its strongest score, and reopens after a quiet period', () => {
    const tr = new AnomalyTracker(echo, { threshold: 0.7, quietMs: 1000 });
    assert.deepEqual(tr.observe([at(0, 0.1), at(100, 0.2)]), []);
    const opened = tr.observe([at(200, 0.8)]);
    assert.equal(opened.length, 1);
    assert.equal(opened[0].series, 'lat{component="engine"}');
    assert.equal(opened[0].at, 200);
    assert.deepEqual(tr.observe([at(300, 0.99), at(400, 0.5), at(500, 0.9)]), []); // same episode
    assert.equal(tr.findings()[0].score, 0.99);
    assert.equal(tr.findings()[0].severity, 'info'); // 0.99 is under 1.5 × the threshold of 0.7
    assert.equal(tr.openByComponent().get('engine')?.length, 1);
    tr.observe([at(1000, 0.1), at(1600, 0.1)]); // quiet for 1.1 s since the last anomalous sample
    assert.equal(tr.openByComponent().size, 0);
    const again = tr.observe([at(1700, 0.75)]);
    assert.equal(again.length, 1);
    assert.deepEqual(tr.findings().map((f) => f.at), [1700, 200]); // newest first
  });

  it('keeps series apart, skips bookkeeping series and non-finite values, and caps the list', () => {
    const tr = new AnomalyTracker(echo, { threshold: 0.5, maxFindings: 3 });
    tr.observe([at(0, 0.9, 'a'), at(0, 0.9, 'b'), at(0, 0.9, 'scrape_duration_seconds'), at(0, NaN, 'c')]);
    assert.deepEqual(tr.findings().map((f) => f.metric).sort(), ['a', 'b']);
    assert.equal(tr.seriesCount, 2);
    tr.observe([at(1, 0.9, 'd'), at(1, 0.9, 'e')]);
    assert.equal(tr.findings().length, 3);
  });

  it('grades severity by score, relative to the threshold', () => {
    assert.deepEqual([0.2, 0.31, 0.5].map((x) => severityOf(x, 0.2)), ['info', 'warning', 'critical']);
  });
});

describe('baselines persisted next to the store', () => {
  it('resumes learned detector state after a restart, and survives a damaged file', async () => {
    const { createDefaultDetector } = await import('../../engine/anomaly/index');
    const { loadBaselines, saveBaselines, BASELINES_FILE } = await import('../../engine/monitor/baselineFile');
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'alluse-baselines-'));
    const wave = (i: number) => 50 + 10 * Math.sin(i / 20) + (i % 7);
    const a = new AnomalyTracker(createDefaultDetector, { threshold: 0.2 });
    for (let i = 0; i < 2000; i++) a.observe([at(i * 100, wave(i), 'cpu')]);
    saveBaselines(a, dir);
    const b = new AnomalyTracker(createDefaultDetector, { threshold: 0.2 });
    assert.deepEqual(loadBaselines(b, dir), { series: 1 });
    const fresh = new AnomalyTracker(createDefaultDetector, { threshold: 0.2 });
    // The same continuation: the resumed tracker ends in the original's state, a fresh one does not.
    const cont = [at(200_000, 95, 'cpu'), at(200_100, wave(2001), 'cpu')];
    for (const t of [a, b, fresh]) t.observe(cont);
    assert.deepEqual(b.snapshot(), a.snapshot());
    assert.notDeepEqual(fresh.snapshot(), a.snapshot());
    writeFileSync(join(dir, BASELINES_FILE), '{"format":1,"series":');
    const c = new AnomalyTracker(createDefaultDetector);
    const r = loadBaselines(c, dir);
    assert.equal(r.series, 0);
    assert.match(r.problem ?? '', /damaged/);
  });
});
