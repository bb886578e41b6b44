/**
 * The time-to-limit predictions' shortcuts give exactly what the plain computation gives:
 * the window cache (engine/monitor/windowQueryCache.ts) against the store's own query on a
 * filled store across many rounds (cuts sealing blocks, retention dropping data inside the
 * windows, a silent component, a second series appearing, NaN samples), and the Theil–Sen
 * bounds (`theilSen(x, y, purpose)`) against the full fit. Seeded.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_WINDOWS, predictLimits, theilSen } from '../../engine/monitor/bottlenecks';
import type { MetricStore } from '../../engine/monitor/storeApi';
import { WindowQueryCache } from '../../engine/monitor/windowQueryCache';
import type { SeriesSample } from '../../engine/metrics/series';
import { TimeSeriesStore } from '../../engine/store';
import { Rng } from '../../engine/util/rng';
import type { ComponentConfig } from '../../engine/workspace/config';

/** The engine's seeded PRNG as a function (the same mulberry32 sequence). */
function rng(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}

const MiB = 2 ** 20;

/** The same store without `dataGeneration`: predictLimits reads it without the cache. */
function uncached(store: TimeSeriesStore): MetricStore {
  const view: Pick<MetricStore, 'query' | 'listSeries' | 'readOnly'> = { query: (q) => store.query(q), listSeries: (m) => store.listSeries(m), readOnly: false };
  return view as MetricStore;
}

for (const seed of [1, 2]) {
  test(`cached window reads and predictions equal the plain ones over 150 rounds (seed ${seed})`, async () => {
    const random = rng(seed);
    const dir = mkdtempSync(join(tmpdir(), 'predcache-'));
    // Ten minutes before midnight: the 1 s tier's file of the day ends during the rounds and goes 4 min later.
    let now = Date.UTC(2026, 10, 27, 23, 50, 0) + Math.floor(random() * 1000);
    // Cuts every 20 s seal blocks often; the 1 s tier's retention (4 min) drops the day's file, inside the 10 min and 1 h windows.
    const store = await TimeSeriesStore.open({ dir, now: () => now, manualFlush: true, cutIntervalMs: 20_000, rawRetentionMs: 4 * 60_000 });
    try {
      const comps = ['a', 'b', 'c'].map((name) => ({
        name,
        limits: { memoryBytes: 512 * MiB, cpuCores: 1, queueCapacity: 1000 },
        slos: { latency: { p95Ms: 50 } },
        metrics: { queueDepth: 'queue_depth', latency: 'lat' },
      })) as unknown as ComponentConfig[];
      // a leaks towards its limit, b is flat and noisy, c is near its limits and goes silent for a while.
      const rate = { a: 0.2 * MiB, b: 0, c: 0.01 * MiB };
      const level = { a: 200 * MiB, b: 300 * MiB, c: 500 * MiB };
      let k = 0;
      const tick = (): void => {
        now += 250 + Math.floor(random() * 500);
        const s: SeriesSample[] = [];
        for (const c of comps) {
          const name = c.name as 'a' | 'b' | 'c';
          if (name === 'c' && k > 1500 && k < 1700) continue; // silent
          level[name] += rate[name] * (0.5 + random());
          const mem = level[name] + (random() - 0.5) * 4 * MiB;
          s.push({ series: { name: 'process_resident_memory_bytes', labels: { component: name } }, t: now, v: random() < 0.01 ? NaN : mem });
          s.push({ series: { name: 'process_cpu_ratio', labels: { component: name } }, t: now, v: name === 'c' ? 0.9 + random() * 0.2 : 0.3 + random() * 0.1 + k * 1e-5 });
          if (k % 3 === 0) {
            s.push({ series: { name: 'queue_depth', labels: { component: name } }, t: now, v: name === 'a' ? k / 4 + random() * 20 : random() * 50 });
            s.push({ series: { name: 'lat_p95', labels: { component: name } }, t: now, v: 0.02 + random() * 0.01 + (name === 'a' ? k * 1e-5 : 0) });
          }
        }
        // A second series of b's memory (another label set) appears late: that window is read whole.
        if (k > 2600) s.push({ series: { name: 'process_resident_memory_bytes', labels: { component: 'b', pid: '2' } }, t: now, v: 100 * MiB + k });
        store.append(s);
        k++;
      };
      while (k < 1200) tick(); // about 10 min of history
      await store.flush();
      const cache = new WindowQueryCache(store);
      let compared = 0;
      let predicted = 0;
      for (let round = 0; round < 150; round++) {
        for (let i = 0; i < 10; i++) tick(); // about 5 s
        // A new series of c's queue with one sample 200 s back, between the windows' head and tail.
        if (round === 75) store.append([{ series: { name: 'queue_depth', labels: { component: 'c', shard: 'x' } }, t: now - 200_000, v: 5000 }]);
        await store.flush();
        cache.beginRound();
        for (const c of comps) {
          for (const name of ['process_resident_memory_bytes', 'process_cpu_ratio', 'queue_depth', 'lat_p95']) {
            for (const w of DEFAULT_WINDOWS) {
              const labels = { component: c.name };
              const want = store.query({ name, labels, from: now - w.spanMs, to: now, stepMs: w.stepMs, agg: 'mean' }).filter((r) => r.points.length).map((r) => ({ series: r.series, points: r.points }));
              const got = cache.meanQuery(name, labels, now - w.spanMs, now, w.stepMs).filter((r) => r.points.length).map((r) => ({ series: r.series, points: r.points }));
              assert.deepEqual(got, want, `${name}{${c.name}} ${w.spanMs} ms window, round ${round}`);
              compared++;
            }
          }
        }
        const plain = predictLimits(uncached(store), comps, now);
        const fast = predictLimits(store, comps, now);
        assert.deepEqual(fast, plain, `predictions, round ${round}`);
        predicted += plain.length;
      }
      assert.ok(compared === 150 * 60 && predicted > 300, `compared ${compared} windows, ${predicted} predictions`);
      // Most reads were partial; whole reads follow retention, the second series and the silent component.
      assert.ok(cache.reads.partial > 0.7 * compared && cache.reads.whole > 20, JSON.stringify(cache.reads));
      assert.ok(store.dataGeneration > 1, 'retention dropped data during the rounds');
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('the Theil–Sen bounds only drop fits that would not count, and leave the others exact', () => {
  const random = rng(42);
  let dropped = 0;
  let kept = 0;
  for (let trial = 0; trial < 3000; trial++) {
    const n = 10 + Math.floor(random() * 140);
    const step = [1, 5, 30][trial % 3];
    const xs = Float64Array.from({ length: n }, (_, i) => -(n - 1 - i) * step - random() * 0.5);
    const slope = (random() - 0.4) * 10 ** (random() * 4 - 2);
    const noise = 10 ** (random() * 3 - 1);
    const base = 100 * random();
    const ys = Float64Array.from(xs, (x) => base + slope * x + (random() - 0.5) * noise + (random() < 0.05 ? noise * 20 : 0));
    // Limits and horizons around where the line would cross, so that every check decides some cases.
    const limit = base + slope * (10 ** (random() * 4)) * (random() < 0.1 ? -1 : 1);
    const maxEtaMs = 1000 * 10 ** (random() * 5);
    const full = theilSen(xs, ys);
    const bounded = theilSen(xs, ys, { limit, maxEtaMs });
    if (bounded) {
      assert.deepEqual(bounded, full, `trial ${trial}`);
      kept++;
      continue;
    }
    dropped++;
    if (!full) continue;
    const gap = limit - full.level;
    const counts = full.slopeLow > 0 && gap > 0 && (gap / full.slope) * 1000 <= maxEtaMs;
    assert.equal(counts, false, `trial ${trial}: the bounds dropped a fit that counts (${JSON.stringify(full)}, limit ${limit}, ${maxEtaMs} ms)`);
  }
  assert.ok(dropped > 300 && kept > 300, `dropped ${dropped}, kept ${kept}`);
});
