// The status's per-component CPU (what the Components tree shows) is the mean over the last
// second, not the last 100 ms sample: a mostly idle process reads 0% at nine samples in ten.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Collector } from '../../engine/collect/types';
import { SeriesKeyCache, type SeriesSample } from '../../engine/metrics/series';
import { Monitor } from '../../engine/monitor/monitor';
import { testMonitorOptions } from '../helpers/monitorOptions';

describe('the monitor status’s component CPU', () => {
  it('is the mean of the last second’s samples', async () => {
    const keys = new SeriesKeyCache();
    const cpu = keys.get('process_cpu_ratio', { component: 'engine' });
    const up = keys.get('process_up', { component: 'engine' });
    // Ten rounds 100 ms apart (by the samples' own time): one reads 0.3, the rest 0.
    const rounds: SeriesSample[][] = Array.from({ length: 10 }, (_, i) => [
      { series: up, t: 1_000_000 + i * 100, v: 1 },
      { series: cpu, t: 1_000_000 + i * 100, v: i === 4 ? 0.3 : 0 },
    ]);
    let round = 0;
    const collector: Collector = { id: 'proc:engine', defaultIntervalMs: 5, collect: async () => ({ samples: round < rounds.length ? rounds[round++] : [], problems: [] }) };
    const m = new Monitor(testMonitorOptions([{ collector, intervalMs: 5 }]));
    m.start();
    await new Promise<void>((done) => {
      const t = setInterval(() => round >= rounds.length && (clearInterval(t), done()), 5);
    });
    await m.stop();
    const engine = m.status().components.find((c) => c.name === 'engine');
    assert.ok(engine, JSON.stringify(m.status().components));
    assert.equal(engine.up, true);
    assert.ok(Math.abs(engine.cpuRatio! - 0.03) < 1e-12, `cpuRatio ${engine.cpuRatio} (the last sample alone reads 0)`);
  });
});
