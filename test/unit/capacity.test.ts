import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { linearFit, planCapacity, usageFit } from '../../engine/monitor/capacity';
import type { MetricQuery, MetricStore } from '../../engine/monitor/storeApi';
import type { ComponentConfig } from '../../engine/workspace/config';
import { Rng } from '../../engine/util/rng';

/** A store of prepared series: a test double of the pure planning logic. */
function fakeStore(series: Record<string, [number, number][]>): MetricStore {
  return {
    query: (q: MetricQuery) => (series[q.name] ? [{ series: { name: q.name, labels: q.labels ?? {} }, points: series[q.name].filter(([t]) => t >= q.from && t <= q.to).map(([t, v]) => ({ t, v })) }] : []),
  } as unknown as MetricStore;
}

const component = (limits: ComponentConfig['limits'] = {}): ComponentConfig =>
  ({ name: 'engine', kind: 'node', process: {}, configFiles: [], limits, slos: { severity: 'critical', forMs: 0 }, metrics: { url: 'http://x', timeoutMs: 1, throughput: 'ticks_total' } }) as ComponentConfig;

describe('capacity planning', () => {
  it('fits a line exactly on exact data', () => {
    const f = linearFit([1, 2, 3, 4], [3, 5, 7, 9])!;
    assert.ok(Math.abs(f.a - 1) < 1e-12 && Math.abs(f.b - 2) < 1e-12 && f.s < 1e-9 && Math.abs(f.r2 - 1) < 1e-12);
    assert.equal(linearFit([1, 1, 1], [1, 2, 3]), undefined); // no variation in x
  });

  it('never plans less use at a higher load: a falling fit becomes the flat mean', () => {
    // Memory that happens to fall as load rises (a collection at the busiest minute).
    const xs = [100, 200, 300, 400, 500];
    const ys = [120, 118, 117, 115, 110];
    assert.ok(linearFit(xs, ys)!.b < 0);
    const f = usageFit(xs, ys)!;
    assert.equal(f.b, 0);
    assert.equal(f.a, 116);
    assert.equal(f.r2, 0);
    // The sample standard deviation of ys: sqrt(((4)^2 + 2^2 + 1^2 + 1^2 + 6^2) / 4) = sqrt(14.5).
    assert.ok(Math.abs(f.s - Math.sqrt(14.5)) < 1e-12);
    // A rising fit is left as least squares.
    assert.deepEqual(usageFit([1, 2, 3, 4], [3, 5, 7, 9]), linearFit([1, 2, 3, 4], [3, 5, 7, 9]));
  });

  it('predicts CPU and memory at another load, with intervals that hold the truth, against the limits', () => {
    const r = new Rng(5);
    const load: [number, number][] = [];
    const cpu: [number, number][] = [];
    const mem: [number, number][] = [];
    for (let i = 0; i < 300; i++) {
      const t = 1_000_000 + i * 10_000;
      const x = 500 + 400 * r.next();
      load.push([t, x]);
      cpu.push([t, 0.1 + 0.0004 * x + 0.01 * r.normal()]); // 0.4 cores per 1,000/s
      mem.push([t, 200e6 + 50_000 * x + 2e6 * r.normal()]);
    }
    const now = 1_000_000 + 300 * 10_000;
    const [p] = planCapacity(fakeStore({ ticks_total_rate: load, process_cpu_ratio: cpu, process_resident_memory_bytes: mem }), [component({ cpuCores: 1, memoryBytes: 300e6 })], now, { load: 2000, windowMs: 3_600_000 });
    assert.equal(p.component, 'engine');
    assert.equal(p.extrapolated, true); // 2000/s is beyond 1.5 × the 900/s seen
    const truthCpu = 0.1 + 0.0004 * 2000;
    assert.ok(p.cpuCores!.lo80 <= truthCpu && truthCpu <= p.cpuCores!.hi80, JSON.stringify(p.cpuCores));
    assert.ok(Math.abs(p.cpuCores!.perUnit - 0.0004) < 0.00005);
    assert.equal(p.cpuCores!.limit, 1);
    const truthMem = 200e6 + 50_000 * 2000;
    assert.ok(p.memoryBytes!.lo80 <= truthMem && truthMem <= p.memoryBytes!.hi80);
    const g = planCapacity(fakeStore({ ticks_total_rate: load, process_cpu_ratio: cpu, process_resident_memory_bytes: mem }), [component()], now, { growth: 1.2, windowMs: 3_600_000 })[0];
    assert.ok(Math.abs(g.load - 1.2 * g.loadNow) < 1e-9);
    assert.equal(g.extrapolated, false);
  });

  it('skips components without a throughput series or data', () => {
    assert.deepEqual(planCapacity(fakeStore({}), [component()], 0, { load: 1 }), []);
  });
});
