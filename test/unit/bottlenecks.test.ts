import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDurationMs, predictLimits, selectRank, theilSen } from '../../engine/monitor/bottlenecks';
import type { MetricQuery, MetricStore } from '../../engine/monitor/storeApi';
import type { ComponentConfig } from '../../engine/workspace/config';

const MiB = 1024 * 1024;
const NOW = 1_700_000_000_000;

/** A store over fixed series: answers queries with `stepMs` means, as the rollups would. */
function fakeStore(series: Record<string, (t: number) => number>, fromMs: number, everyMs = 1000): MetricStore {
  return {
    query(q: MetricQuery) {
      const f = series[q.name];
      if (!f) return [];
      const step = q.stepMs || everyMs;
      const points = [];
      for (let t = Math.ceil(Math.max(q.from, fromMs) / step) * step; t <= q.to; t += step) {
        let sum = 0;
        let n = 0;
        for (let s = t; s < t + step && s <= q.to; s += everyMs) {
          sum += f(s);
          n++;
        }
        if (n) points.push({ t, v: sum / n });
      }
      return [{ series: { name: q.name, labels: q.labels ?? {} }, points }];
    },
  } as unknown as MetricStore;
}

const engine = (limits: ComponentConfig['limits'], extra: Partial<ComponentConfig> = {}): ComponentConfig => ({
  name: 'engine',
  kind: 'node',
  process: {},
  configFiles: [],
  limits,
  slos: { severity: 'critical', forMs: 10_000 },
  ...extra,
});

/** A deterministic N(0, 1) stream. */
function gaussian(seed: number): () => number {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

describe('time-to-limit predictions', () => {
  it('gives the exact crossing of a linear trend', () => {
    // 300 MiB now, growing 1 MiB/s for the last 10 min: the 512 MiB limit is 212 s away.
    const level = 300 * MiB;
    const store = fakeStore({ process_resident_memory_bytes: (t) => level + ((t - NOW) / 1000) * MiB }, NOW - 600_000);
    const [p] = predictLimits(store, [engine({ memoryBytes: 512 * MiB })], NOW);
    assert.ok(p, 'a prediction');
    assert.equal(p.resource, 'memory');
    assert.equal(p.limitKey, 'limits.memory');
    assert.ok(Math.abs(p.etaMs - 212_000) <= 1000, `eta ${p.etaMs}`);
    assert.ok(p.etaLowMs <= p.etaMs && p.etaMs <= p.etaHighMs);
    assert.ok(p.etaHighMs - p.etaLowMs <= 2000, `a noiseless line has a tight interval: ${p.etaLowMs}..${p.etaHighMs}`);
    assert.match(p.message, /^memory reaches its 512 MiB limit in 3 min 3\d s \(80%: 3 min 3\d s to 3 min 3\d s\)$/);
  });

  it('keeps the truth inside the 80% interval under noise, in most of the trials', () => {
    let inside = 0;
    const trials = 100;
    for (let k = 0; k < trials; k++) {
      const noise = gaussian(k * 7919 + 13);
      const values = new Map<number, number>();
      // 0.5 cores growing 0.001 cores/s: the 1.5-core limit is 1000 s away; noise sd 0.05 cores.
      for (let t = NOW - 600_000; t <= NOW; t += 1000) values.set(t, 0.5 + ((t - NOW) / 1000) * 0.001 + 0.05 * noise());
      const store = fakeStore({ process_cpu_ratio: (t) => values.get(t)! }, NOW - 600_000);
      const [p] = predictLimits(store, [engine({ cpuCores: 1.5 })], NOW);
      if (p && p.etaLowMs <= 1_000_000 && 1_000_000 <= p.etaHighMs) inside++;
    }
    console.log(`# 80% interval coverage under white noise: ${inside}/${trials}`);
    assert.ok(inside >= trials * 0.65 && inside <= trials * 0.95, `${inside}/${trials}`);
  });

  it('predicts nothing for a flat, a decreasing or a noisy flat series', () => {
    const noise = gaussian(7);
    const cache = new Map<number, number>();
    const store = fakeStore(
      {
        process_resident_memory_bytes: () => 200 * MiB,
        process_cpu_ratio: (t) => 1.2 - ((t - NOW) / 1000) * 0.001,
        q_depth: (t) => cache.get(t) ?? (cache.set(t, 100 + 10 * noise()), cache.get(t)!),
      },
      NOW - 3_600_000,
    );
    const c = engine({ memoryBytes: 512 * MiB, cpuCores: 1.5, queueCapacity: 20_000 }, { metrics: { url: 'x', timeoutMs: 1, queueDepth: 'q_depth' } });
    assert.deepEqual(predictLimits(store, [c], NOW), []);
  });

  it('does not extrapolate a short history far: a slow rise seen for 2 min is not a 3-day prediction', () => {
    const store = fakeStore({ process_resident_memory_bytes: (t) => 100 * MiB + ((t - NOW) / 1000) * 1024 }, NOW - 120_000);
    assert.deepEqual(predictLimits(store, [engine({ memoryBytes: 512 * MiB })], NOW), []);
  });

  it('says eta 0 when the limit is already crossed, and ranks the soonest first', () => {
    const store = fakeStore(
      {
        process_resident_memory_bytes: (t) => 100 * MiB + ((t - NOW) / 1000) * MiB, // 412 s
        process_cpu_ratio: () => 2, // over 1.5 already
        lat_p95: (t) => 0.05 + ((t - NOW) / 1000) * 0.001, // 0.25 s SLO in 200 s
      },
      NOW - 600_000,
    );
    const c = engine({ memoryBytes: 512 * MiB, cpuCores: 1.5 }, { metrics: { url: 'x', timeoutMs: 1, latency: 'lat' }, slos: { latency: { p95Ms: 250 }, severity: 'critical', forMs: 0 } });
    const ps = predictLimits(store, [c], NOW);
    assert.deepEqual(ps.map((p) => p.resource), ['cpu', 'latency', 'memory']);
    assert.equal(ps[0].etaMs, 0);
    assert.match(ps[0].message, /CPU is over its 1.5-core limit/);
    assert.ok(Math.abs(ps[1].etaMs - 200_000) <= 1000, `${ps[1].etaMs}`);
    assert.match(ps[1].message, /p95 latency reaches its SLO of 250 ms in 3 min 2\d s/);
  });

  it('finds a leak that started a minute ago in the short window', () => {
    const start = NOW - 60_000;
    const store = fakeStore({ process_resident_memory_bytes: (t) => 100 * MiB + (t > start ? ((t - start) / 1000) * 4 * MiB : 0) }, NOW - 3_600_000);
    const [p] = predictLimits(store, [engine({ memoryBytes: 512 * MiB })], NOW);
    assert.ok(p, 'a prediction');
    // Level now 340 MiB, 4 MiB/s: 43 s; the 2 min window is half flat, so its line is flatter.
    assert.ok(p.etaMs > 30_000 && p.etaMs < 200_000, `${p.etaMs}`);
  });

  it('Theil–Sen ignores outliers and formats durations', () => {
    const xs = Array.from({ length: 50 }, (_, i) => i);
    const ys = xs.map((x) => 2 * x + 1 + (x % 10 === 0 ? 1000 : 0));
    const f = theilSen(xs, ys)!;
    assert.equal(f.slope, 2);
    assert.equal(f.level, 1);
    assert.equal(formatDurationMs(190_000), '3 min 10 s');
    assert.equal(formatDurationMs(11_400_000), '3 h 10 min');
    assert.equal(formatDurationMs(12_000), '12 s');
    assert.equal(formatDurationMs(2 * 86_400_000 + 4 * 3_600_000), '2 d 4 h');
  });
});

describe('selectRank (the order statistics of the Theil–Sen slopes)', () => {
  it('gives the value a full sort puts at each rank, for several ranks of one buffer in turn', () => {
    let seed = 11;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let trial = 0; trial < 500; trial++) {
      const n = 1 + Math.floor(rnd() * 200);
      // Ties (small integers), zeros of both signs, and spread values.
      const a = Float64Array.from({ length: n + 5 }, () => (trial % 3 === 0 ? Math.floor(rnd() * 4) : trial % 3 === 1 ? (rnd() < 0.3 ? -0 : rnd() - 0.5) : rnd() * 1e6));
      const sorted = a.slice(0, n).sort();
      const tail = Array.from(a.slice(n));
      for (let q = 0; q < 4; q++) {
        const k = Math.floor(rnd() * n);
        assert.ok(Object.is(selectRank(a, n, k), sorted[k]) || selectRank(a, n, k) === sorted[k], `trial ${trial}: rank ${k} of ${n}`);
      }
      const plain = (xs: ArrayLike<number>) => Array.from(xs, (x) => (x === 0 ? 0 : x)); // -0 and 0 are one value here
      assert.deepEqual(plain(a.slice(0, n).sort()), plain(sorted), 'the values are only moved');
      assert.deepEqual(Array.from(a.slice(n)), tail, 'nothing past n is touched');
    }
  });
});
