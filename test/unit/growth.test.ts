import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planCapacity } from '../../engine/monitor/capacity';
import { estimateGrowth, formatGrowth, MONTH_MS } from '../../engine/monitor/growth';
import type { MetricQuery, MetricStore } from '../../engine/monitor/storeApi';
import type { ComponentConfig } from '../../engine/workspace/config';
import { Rng } from '../../engine/util/rng';

const NOW = 1_700_006_400_000; // a whole hour
const DAY = 86_400_000;

/** Series given as functions of time, sampled every `everyMs` and averaged per query step (as the rollups are). */
function fakeStore(series: Record<string, (t: number) => number>, fromMs: number, everyMs: number): MetricStore {
  const cache = new Map<string, number>();
  const at = (name: string, t: number) => {
    const k = `${name}@${t}`;
    if (!cache.has(k)) cache.set(k, series[name](t));
    return cache.get(k)!;
  };
  return {
    query(q: MetricQuery) {
      if (!series[q.name]) return [];
      const step = Math.max(q.stepMs || everyMs, everyMs);
      const points = [];
      for (let t = Math.ceil(Math.max(q.from, fromMs) / step) * step; t <= q.to; t += step) {
        let sum = 0;
        let n = 0;
        for (let s = Math.ceil(t / everyMs) * everyMs; s < t + step && s <= q.to; s += everyMs) {
          sum += at(q.name, s);
          n++;
        }
        if (n) points.push({ t, v: sum / n });
      }
      return [{ series: { name: q.name, labels: q.labels ?? {} }, points }];
    },
  } as unknown as MetricStore;
}

const component = (limits: ComponentConfig['limits'] = {}): ComponentConfig =>
  ({ name: 'engine', kind: 'node', process: {}, configFiles: [], limits, slos: { severity: 'critical', forMs: 0 }, metrics: { url: 'http://x', timeoutMs: 1, throughput: 'ticks_total' } }) as ComponentConfig;

/** 100/s a month ago growing 10% a month, with a ±30% daily cycle and 10% noise (seeded). */
function growingLoad(seed: number, perMonth = 1.1): (t: number) => number {
  const r = new Rng(seed);
  const memo = new Map<number, number>(); // one value per time: the resources below use the same load
  return (t) => memo.get(t) ?? memo.set(t, 110 * perMonth ** ((t - NOW) / MONTH_MS) * (1 + 0.3 * Math.sin((2 * Math.PI * t) / DAY)) * (1 + 0.1 * r.normal())).get(t)!;
}

describe('load growth', () => {
  it('measures 10% a month from 30 days of hourly rollups, through a daily cycle and noise', () => {
    const store = fakeStore({ ticks_total_rate: growingLoad(1) }, NOW - 30 * DAY, 60_000);
    const g = estimateGrowth(store, component(), NOW);
    assert.ok(g.ok, g.ok ? '' : g.reason);
    assert.equal(g.stepMs, 3_600_000);
    assert.ok(g.perMonthLo80 <= 1.1 && 1.1 <= g.perMonthHi80, `80% interval ${g.perMonthLo80}..${g.perMonthHi80} holds 1.1`);
    assert.ok(Math.abs(g.perMonth - 1.1) < 0.02, `growth ${g.perMonth}`);
    assert.ok(Math.abs(g.loadNow - 110) < 8, `load now ${g.loadNow}`);
    assert.match(formatGrowth(g), /^\+\d+(\.\d)?%\/month \(80%: .* from 30 d of history\)$/);
  });

  it('has a calibrated interval: a flat load falls inside the 80% interval about 80% of the time', () => {
    let covered = 0;
    const runs = 40;
    for (let seed = 1; seed <= runs; seed++) {
      const g = estimateGrowth(fakeStore({ ticks_total_rate: growingLoad(100 + seed, 1) }, NOW - 14 * DAY, 600_000), component(), NOW);
      assert.ok(g.ok);
      if (g.perMonthLo80 <= 1 && 1 <= g.perMonthHi80) covered++;
    }
    assert.ok(covered >= 0.65 * runs && covered <= 0.95 * runs, `coverage ${covered}/${runs}`);
  });

  it('says plainly when the history is too short, or the component has no load series', () => {
    const store = fakeStore({ ticks_total_rate: growingLoad(3) }, NOW - 5 * 3_600_000, 60_000);
    const g = estimateGrowth(store, component(), NOW);
    assert.equal(g.ok, false);
    assert.match(!g.ok ? g.reason : '', /history is too short to estimate growth: only 5 h of load history, at least 2 d needed/);
    const none = estimateGrowth(store, { ...component(), metrics: undefined }, NOW);
    assert.equal(none.ok, false);
    assert.match(!none.ok ? none.reason : '', /no throughput series/);
  });
});

describe('capacity planning over months', () => {
  // CPU = 0.1 + 0.002·load cores, memory = 100 MB + 1 MB·load, over the last hour's varied load.
  const r = new Rng(9);
  const load = growingLoad(4);
  const series = {
    ticks_total_rate: load,
    process_cpu_ratio: (t: number) => 0.1 + 0.002 * load(t) + 0.01 * r.normal(),
    process_resident_memory_bytes: (t: number) => 100e6 + 1e6 * load(t) + 2e6 * r.normal(),
  };

  it('grows today’s load for M months and gives the needs, with intervals that hold the truth', () => {
    const store = fakeStore(series, NOW - 30 * DAY, 60_000);
    const [p] = planCapacity(store, [component({ cpuCores: 1, memoryBytes: 400e6 })], NOW, { months: 6, windowMs: 6 * 3_600_000, stepMs: 60_000 });
    assert.ok(p.growth?.ok, 'growth measured');
    assert.equal(p.months, 6);
    const truth = p.loadNow * 1.1 ** 6;
    assert.ok(p.loadLo80! <= truth && truth <= p.loadHi80!, `load ${p.loadLo80}..${p.loadHi80} holds ${truth}`);
    const cpuTruth = 0.1 + 0.002 * truth;
    const memTruth = 100e6 + 1e6 * truth;
    assert.ok(p.cpuCores!.lo80 <= cpuTruth && cpuTruth <= p.cpuCores!.hi80, `cpu ${p.cpuCores!.lo80}..${p.cpuCores!.hi80} holds ${cpuTruth}`);
    assert.ok(p.memoryBytes!.lo80 <= memTruth && memTruth <= p.memoryBytes!.hi80, `memory holds ${memTruth}`);
    // Memory reaches 400 MB at 300/s, CPU its core at 450/s: memory runs out first, after ln(300/now)/ln(1.1) months.
    assert.equal(p.runsOutFirst?.resource, 'memory');
    assert.ok(Math.abs(p.runsOutFirst!.load - 300) < 15, `memory limit load ${p.runsOutFirst!.load}`);
    const monthsTruth = Math.log(300 / p.loadNow) / Math.log(1.1);
    assert.ok(Math.abs(p.runsOutFirst!.months! - monthsTruth) < 1, `months ${p.runsOutFirst!.months} vs ${monthsTruth}`);
    assert.ok(Math.abs(p.cpuCores!.limitLoad! - 450) < 25, `cpu limit load ${p.cpuCores!.limitLoad}`);
  });

  it('answers without needs, and with the reason, when growth cannot be measured', () => {
    const store = fakeStore(series, NOW - 6 * 3_600_000, 10_000);
    const [p] = planCapacity(store, [component({ cpuCores: 1 })], NOW, { months: 3 });
    assert.equal(p.growth?.ok, false);
    assert.equal(p.cpuCores, undefined);
    assert.equal(p.memoryBytes, undefined);
  });

  it('names no limit load when use does not clearly grow with load, and 0 when today’s use is over the limit', () => {
    const r2 = new Rng(21);
    const flat = { ticks_total_rate: (t: number) => 100 + 20 * Math.sin(t / 7e5), process_cpu_ratio: () => 0.3 + 0.05 * r2.normal(), process_resident_memory_bytes: (t: number) => 500e6 - 1e5 * Math.sin(t / 7e5) + 1e6 * r2.normal() };
    const [p] = planCapacity(fakeStore(flat, NOW - 3_600_000, 10_000), [component({ cpuCores: 1, memoryBytes: 400e6 })], NOW, { load: 200 });
    assert.equal(p.cpuCores!.limitLoad, undefined, 'flat CPU crosses nowhere');
    assert.equal(p.memoryBytes!.limitLoad, 0, '500 MB today is over 400 MB');
    assert.deepEqual(p.runsOutFirst, { resource: 'memory', load: 0, months: 0 });
    // Falling memory whose line starts above the limit at load 0, but is well below it today: not "over already".
    const falling = { ...flat, process_resident_memory_bytes: (t: number) => 300e6 - 1e6 * (flat.ticks_total_rate(t) - 100) + 1e5 * r2.normal() };
    const [q] = planCapacity(fakeStore(falling, NOW - 3_600_000, 10_000), [component({ memoryBytes: 350e6 })], NOW, { load: 200 });
    assert.equal(q.memoryBytes!.limitLoad, undefined);
    assert.equal(q.runsOutFirst, undefined);
  });

  it('fits a young store (two minutes of history) on 1 s steps instead of twelve 10 s ones', () => {
    const [p] = planCapacity(fakeStore(series, NOW - 120_000, 1000), [component({ cpuCores: 1 })], NOW, { load: 200 });
    assert.ok(p.points > 100, `${p.points} points`);
  });

  it('gives the planning view its chart: observed pairs, the fit with its band, the limit', () => {
    const store = fakeStore(series, NOW - 3_600_000, 10_000);
    const [p] = planCapacity(store, [component({ cpuCores: 1 })], NOW, { load: 400, withChart: true });
    const c = p.chart!.cpu!;
    assert.ok(c.observed.length >= 300 && c.observed.length <= 400);
    assert.equal(c.limit, 1);
    assert.ok(c.fit.at(-1)!.load >= 400);
    for (const f of c.fit) assert.ok(f.lo80 <= f.mean && f.mean <= f.hi80);
    assert.equal(p.runsOutFirst?.months, undefined, 'no growth asked: no months');
  });
});
