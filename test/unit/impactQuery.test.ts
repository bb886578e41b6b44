import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assessImpactInStore, impactSeries } from '../../engine/monitor/impactQuery';
import type { MetricQuery, MetricStore } from '../../engine/monitor/storeApi';
import type { ComponentConfig } from '../../engine/workspace/config';
import { Rng } from '../../engine/util/rng';

const NOW = 1_700_000_000_000;

/** One series sampled every second, answered as step means; `labelSets` copies of it under an `outcome` label. */
function fakeStore(name: string, f: (t: number) => number, fromMs: number, labelSets = 1): MetricStore {
  const memo = new Map<number, number>();
  const at = (t: number) => memo.get(t) ?? memo.set(t, f(t)).get(t)!;
  return {
    query(q: MetricQuery) {
      if (q.name !== name) return [];
      const step = q.stepMs || 1000;
      const points: { t: number; v: number }[] = [];
      for (let t = Math.ceil(Math.max(q.from, fromMs) / step) * step; t <= q.to; t += step) {
        let s = 0;
        let n = 0;
        for (let u = t; u < t + step && u <= q.to; u += 1000) {
          s += at(u);
          n++;
        }
        if (n) points.push({ t, v: s / n });
      }
      return Array.from({ length: labelSets }, (_, i) => ({ series: { name, labels: { ...q.labels, outcome: String(i) } }, points }));
    },
  } as unknown as MetricStore;
}

describe('impact of a change, from the store', () => {
  it('finds a 30% step in CPU at the change time, with an interval that holds it', () => {
    const r = new Rng(1);
    const at = NOW - 20 * 60_000;
    const store = fakeStore('process_cpu_ratio', (t) => (t >= at ? 0.39 : 0.3) + 0.02 * r.normal(), NOW - 3 * 3_600_000);
    const res = assessImpactInStore(store, { name: 'process_cpu_ratio', labels: { component: 'engine' }, at, now: NOW }, 'ratio');
    assert.equal(res.stepMs, 10_000, '20 min after: a 10 s step');
    assert.ok(res.significant);
    assert.ok(res.effectLo95 <= 0.09 && 0.09 <= res.effectHi95, `${res.effectLo95}..${res.effectHi95}`);
    assert.ok(Math.abs(res.effect - 0.09) < 0.02, `effect ${res.effect}`);
    assert.equal(res.points.length, res.afterTimes.length);
    assert.ok(res.afterTimes[0] >= at && res.before.at(-1)![0] + res.stepMs <= at, 'no step mixes before and after');
    assert.match(res.message, /^process_cpu_ratio: \+[89]\.\d\d pp after the change \(\+\d\d\.\d%; 95%: .+\)$/);
  });

  it('calls no change "no detectable effect", and sums rate series over their label sets', () => {
    const r = new Rng(2);
    const store = fakeStore('ticks_total_rate', () => 50 + 2 * r.normal(), NOW - 3_600_000, 2);
    const res = assessImpactInStore(store, { name: 'ticks_total_rate', at: NOW - 5 * 60_000, now: NOW }, 'per_second');
    assert.equal(res.significant, false);
    assert.ok(Math.abs(res.expectedMean - 100) < 3, `two label sets summed: ${res.expectedMean}`);
    assert.match(res.message, /no detectable effect of the change \(95% interval of the effect .+ covers 0\)/);
  });

  it('says what to do when it cannot assess', () => {
    const store = fakeStore('x', () => 1, NOW - 60_000);
    assert.throws(() => assessImpactInStore(store, { name: 'x', at: NOW + 1000, now: NOW }), /in the future/);
    assert.throws(() => assessImpactInStore(store, { name: 'x', at: NOW - 2000, now: NOW }), /wait until at least 5 s/);
    assert.throws(() => assessImpactInStore(store, { name: 'nope', at: NOW - 30_000, now: NOW }), /no series nope in the store/);
    assert.throws(() => assessImpactInStore(store, { name: 'x', at: NOW - 55_000, now: NOW }), /at least 8 are needed/);
  });

  it('names the series of each metric a component has', () => {
    const c = { name: 'engine', kind: 'node', process: {}, configFiles: [], limits: {}, slos: { severity: 'critical', forMs: 0 }, metrics: { url: 'u', timeoutMs: 1, throughput: 'ticks_total', latency: 'tick_seconds' } } as ComponentConfig;
    assert.deepEqual(
      impactSeries(c).map((s) => [s.metric, s.name]),
      [
        ['cpu', 'process_cpu_ratio'],
        ['memory', 'process_resident_memory_bytes'],
        ['throughput', 'ticks_total_rate'],
        ['latencyP95', 'tick_seconds_p95'],
      ],
    );
  });
});
