// The pure mapping of capacity plans and limit predictions onto declared configuration keys
// (engine/coordinate/sources.ts), on reference cases.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CapacityPlan } from '../../engine/monitor/capacity';
import type { LimitPrediction } from '../../engine/monitor/types';
import { bottleneckRecommendations, capacityRecommendations, type DeclaredKey } from '../../engine/coordinate/sources';
import { coordinationFrom } from '../../engine/coordinate/config';

const need = (mean: number, limit?: number) => ({ mean, lo80: mean - 0.4, hi80: mean + 0.4, perUnit: 0.05, r2: 0.9, ...(limit !== undefined ? { limit } : {}) });
const plan = (over: Partial<CapacityPlan> = {}): CapacityPlan => ({ component: 'engine', loadNow: 80, load: 104, extrapolated: false, points: 100, cpuCores: need(5.2), ...over });
const workers: DeclaredKey = { component: 'engine', file: '/w/engine.yaml', key: 'workers', resource: 'cpu-cores', per: 1 };
const values = (v: Record<string, number>) => (_file: string, key: string) => v[key];

describe('capacityRecommendations', () => {
  it('a plan needing 5.2 cores with workers per 1 recommends 6', () => {
    const [r, ...rest] = capacityRecommendations([plan()], [workers], values({ workers: 2 }));
    assert.equal(rest.length, 0);
    assert.equal(r.source, 'capacity');
    assert.equal(r.to, 6);
    assert.equal(r.from, 2);
    assert.equal(r.key, 'workers');
    assert.equal(r.id, 'capacity:engine:workers');
    assert.match(r.reason!, /capacity plan at 104\/s needs 5\.2 cores of CPU \(80%: 4\.8 to 5\.6\); workers 2 gives 2/);
  });

  it('divides by per and caps at the declared max', () => {
    assert.equal(capacityRecommendations([plan()], [{ ...workers, per: 0.5 }], values({ workers: 2 }))[0].to, 11);
    const capped = capacityRecommendations([plan()], [{ ...workers, max: 5 }], values({ workers: 2 }))[0];
    assert.equal(capped.to, 5);
    assert.match(capped.reason!, /capped at its declared max 5/);
  });

  it('recommends nothing without a declared key, when today covers the need, or when the key is not a number', () => {
    assert.deepEqual(capacityRecommendations([plan()], [], values({ workers: 2 })), []);
    assert.deepEqual(capacityRecommendations([plan()], [{ ...workers, component: 'other' }], values({ workers: 2 })), []);
    assert.deepEqual(capacityRecommendations([plan()], [workers], values({ workers: 6 })), []);
    assert.deepEqual(capacityRecommendations([plan()], [workers], () => 'many'), []);
    // Two cpu-cores keys on one component: the need cannot be split among them.
    assert.deepEqual(capacityRecommendations([plan()], [workers, { ...workers, key: 'io' }], values({ workers: 2, io: 1 })), []);
  });

  it('raises a key declared to set limits.memory to the plan’s memory need', () => {
    const heap: DeclaredKey = { component: 'engine', file: '/w/engine.yaml', key: 'heapMiB', controls: 'limits.memory', per: 1 };
    const [r] = capacityRecommendations([plan({ cpuCores: undefined, memoryBytes: { ...need(700 * 1048576), lo80: 650 * 1048576, hi80: 750 * 1048576 } })], [heap], values({ heapMiB: 512 }));
    assert.equal(r.to, 700);
    assert.match(r.reason!, /700 MiB of memory/);
    // A memory *resource* key (a share it takes) is not a limit: no recommendation.
    assert.deepEqual(capacityRecommendations([plan({ cpuCores: undefined, memoryBytes: need(700 * 1048576) })], [{ ...heap, controls: undefined, resource: 'memory' }], values({ heapMiB: 512 })), []);
  });
});

describe('bottleneckRecommendations', () => {
  const queue: DeclaredKey = { component: 'engine', file: '/w/engine.yaml', key: 'queueSize', controls: 'limits.queueCapacity', per: 1 };
  const crossing: LimitPrediction = {
    component: 'engine',
    resource: 'queue',
    series: 'queue_depth',
    limitKey: 'limits.queueCapacity',
    limit: 1000,
    unit: 'count',
    current: 700,
    level: 700,
    slopePerS: 0.01,
    at: 0,
    etaMs: 30_000_000,
    etaLowMs: 20_000_000,
    etaHighMs: 40_000_000,
    message: 'queue depth reaches its capacity of 1000 in 8.3 h (80%: 5.6 h to 11.1 h)',
  };

  it('a crossing with a declared key recommends a value covering the trend, with the crossing in its reason', () => {
    const [r, ...rest] = bottleneckRecommendations([crossing], [queue], values({ queueSize: 1000 }));
    assert.equal(rest.length, 0);
    assert.equal(r.source, 'bottleneck');
    // 700 + 0.01/s × (30 000 s + 86 400 s) = 1864.
    assert.equal(r.to, 1864);
    assert.match(r.reason!, /^queue depth reaches its capacity of 1000 in 8\.3 h/);
    assert.match(r.reason!, /covers the trend for 24 h/);
  });

  it('recommends nothing without a declared key or for other limits', () => {
    assert.deepEqual(bottleneckRecommendations([crossing], [], values({ queueSize: 1000 })), []);
    assert.deepEqual(bottleneckRecommendations([crossing], [{ ...queue, controls: 'limits.memory' }], values({ queueSize: 1000 })), []);
    assert.deepEqual(bottleneckRecommendations([{ ...crossing, resource: 'cpu', limitKey: 'limits.cpuCores' }], [{ ...workers }], values({ workers: 1 })), []);
  });

  it('maps a memory crossing to MiB of the declared key', () => {
    const mem: LimitPrediction = { ...crossing, resource: 'memory', limitKey: 'limits.memory', limit: 512 * 1048576, current: 400 * 1048576, level: 400 * 1048576, slopePerS: 0, etaMs: 0, message: 'memory is over its 512 MiB limit (530 MiB)' };
    const [r] = bottleneckRecommendations([mem], [{ ...queue, key: 'heapMiB', controls: 'limits.memory' }], values({ heapMiB: 512 }));
    assert.equal(r.to, 513);
  });
});

describe('coordination.resources with controls', () => {
  it('reads keys that only set a limit into declared, not into the shared resources', () => {
    const root = { coordination: { resources: { engine: { workers: { resource: 'cpu-cores', per: 1 }, queueSize: { controls: 'limits.queueCapacity' }, bad: { per: 2 } } } } };
    const c = coordinationFrom(root, '/w', [{ name: 'engine', configFiles: ['engine.yaml'] }], { cpuCores: 4, memoryMiB: 1024 });
    assert.deepEqual(c.resources.map((r) => r.key), ['workers']);
    assert.deepEqual(c.declared.map((r) => [r.key, r.controls ?? r.resource]), [['workers', 'cpu-cores'], ['queueSize', 'limits.queueCapacity']]);
    assert.equal(c.declared[1].file, '/w/engine.yaml');
    assert.match(c.problems[0], /coordination\.resources\.engine\.bad: give its resource, or the limit it sets/);
  });
});
