import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeConflict, findConflicts, resourceUse, sameKeyConflicts, sharedResourceConflicts } from '../../engine/coordinate/conflicts';
import { offered, resolveConflict, sourceOrder } from '../../engine/coordinate/resolve';
import type { Recommendation, ResourceDeclaration, ResourceTotal } from '../../engine/coordinate/types';

const ENGINE = '/ws/config/protocol-engine.yaml';
const LEARN = '/ws/config/learning-worker.yaml';
const today: Record<string, number> = { [`${ENGINE}|workers`]: 2, [`${LEARN}|threads`]: 1 };
const current = (file: string, key: string) => today[`${file}|${key}`];
const decls: ResourceDeclaration[] = [
  { component: 'protocol-engine', file: ENGINE, key: 'workers', resource: 'cpu-cores', per: 1 },
  { component: 'learning-worker', file: LEARN, key: 'threads', resource: 'cpu-cores', per: 1 },
];
const host4: ResourceTotal[] = [{ resource: 'cpu-cores', total: 4, from: 'host', unit: 'cores' }];

const rec = (over: Partial<Recommendation> & Pick<Recommendation, 'id' | 'to'>): Recommendation => ({ source: 'study', component: 'protocol-engine', file: ENGINE, key: 'workers', ...over });

describe('conflict detection', () => {
  it('two studies recommending 4 and 3 worker threads on a 4-core host conflict on cpu-cores', () => {
    const a = rec({ id: 'a', origin: 'engine-throughput', from: 2, to: 4 });
    const b = rec({ id: 'b', origin: 'learning-speed', component: 'learning-worker', file: LEARN, key: 'threads', from: 1, to: 3 });
    const cs = findConflicts([a, b], decls, host4, current);
    assert.equal(cs.length, 1);
    const c = cs[0];
    assert.equal(c.kind, 'shared-resource');
    if (c.kind !== 'shared-resource') return;
    assert.equal(c.demand, 7);
    assert.equal(c.total.total, 4);
    assert.deepEqual(c.recommendations.map((r) => r.id).sort(), ['a', 'b']);
    assert.match(describeConflict(c), /cpu-cores: 7 cores needed .* 4 available \(the host's\)/);
  });

  it('no conflict when the recommended threads fit the cores', () => {
    const a = rec({ id: 'a', to: 3 });
    const b = rec({ id: 'b', component: 'learning-worker', file: LEARN, key: 'threads', to: 1 });
    assert.deepEqual(findConflicts([a, b], decls, host4, current), []);
    // 3 + today's 1 = 4: at the total, not above.
    assert.equal(resourceUse('cpu-cores', decls, [a], current).demand, 4);
  });

  it('a recommendation that lowers use is not blamed for an over-total host', () => {
    const lower = rec({ id: 'l', from: 2, to: 1 });
    const tight: ResourceTotal[] = [{ resource: 'cpu-cores', total: 1, from: 'config' }];
    assert.deepEqual(sharedResourceConflicts([lower], decls, tight, current), []);
  });

  it('same key with different values conflicts; agreeing values do not', () => {
    const a = rec({ id: 'a', to: 4 });
    const b = rec({ id: 'b', source: 'capacity', to: 3 });
    const c = rec({ id: 'c', source: 'rule', to: 4 });
    assert.equal(sameKeyConflicts([a, c]).length, 0);
    const cs = sameKeyConflicts([a, b, c]);
    assert.equal(cs.length, 1);
    assert.equal(cs[0].recommendations.length, 3);
  });
});

describe('resolution', () => {
  const deps = { declarations: decls, current };

  it('priority rules are transitive and a cycle is refused with the fix', () => {
    const o = sourceOrder([{ source: 'study', over: 'capacity' }, { source: 'capacity', over: 'rule' }]);
    assert.ok(o.has('study>rule'));
    assert.ok(!o.has('rule>study'));
    assert.throws(() => sourceOrder([{ source: 'study', over: 'rule' }, { source: 'rule', over: 'study' }]), /cycle/);
  });

  it('same key: the study wins over capacity by rule, with an explanation', async () => {
    const a = rec({ id: 'a', origin: 'engine-throughput', from: 2, to: 4 });
    const b = rec({ id: 'b', source: 'capacity', from: 2, to: 3 });
    const [c] = sameKeyConflicts([a, b]);
    const r = await resolveConflict(c, { ...deps, rules: [{ source: 'study', over: 'capacity' }] });
    assert.equal(r.method, 'priority');
    assert.deepEqual(r.kept.map((x) => x.id), ['a']);
    assert.deepEqual(r.dropped.map((x) => x.recommendation.id), ['b']);
    assert.match(r.explanation, /rule: study over capacity/);
    assert.deepEqual(offered([a, b], [r]).map((x) => x.id), ['a']);
  });

  it('shared resource: the component with the lower priority is withdrawn until the cores fit', async () => {
    const a = rec({ id: 'a', from: 2, to: 4 });
    const b = rec({ id: 'b', component: 'learning-worker', file: LEARN, key: 'threads', from: 1, to: 3 });
    const host5: ResourceTotal[] = [{ resource: 'cpu-cores', total: 5, from: 'config' }];
    const [c] = findConflicts([a, b], decls, host5, current);
    const r = await resolveConflict(c, { ...deps, rules: [{ component: 'protocol-engine', priority: 10 }] });
    assert.equal(r.method, 'priority');
    assert.deepEqual(r.kept.map((x) => x.id), ['a']);
    assert.deepEqual(r.dropped.map((x) => x.recommendation.id), ['b']);
    assert.match(r.explanation, /use is 5 of 5/);
    // On 4 cores even the engine's 4 workers beside the learning worker's 1 thread are too many: both go.
    const [c4] = findConflicts([a, b], decls, host4, current);
    const r4 = await resolveConflict(c4, { ...deps, rules: [{ component: 'protocol-engine', priority: 10 }] });
    assert.deepEqual(r4.kept, []);
    assert.equal(r4.dropped.length, 2);
  });

  it('without deciding rules and without a measurement it is unresolved, and says how to decide', async () => {
    const a = rec({ id: 'a', to: 4 });
    const b = rec({ id: 'b', to: 3 });
    const [c] = sameKeyConflicts([a, b]);
    const r = await resolveConflict(c, { ...deps, rules: [] });
    assert.equal(r.method, 'unresolved');
    assert.equal(r.kept.length, 0);
    assert.match(r.explanation, /coordination\.priorities/);
  });

  it('measured resolution picks the combination that measured best and fits the cores', async () => {
    const a = rec({ id: 'a', from: 2, to: 4 });
    const b = rec({ id: 'b', component: 'learning-worker', file: LEARN, key: 'threads', from: 1, to: 3 });
    const [c] = findConflicts([a, b], decls, host4, current);
    const seen: string[][] = [];
    // Synthetic system: throughput from engine workers and learning threads (diminishing returns).
    const measure = async (combo: readonly Recommendation[]) => {
      seen.push(combo.map((x) => x.id).sort());
      const w = Number(combo.find((x) => x.id === 'a')?.to ?? 2);
      const t = Number(combo.find((x) => x.id === 'b')?.to ?? 1);
      return { score: 100 * Math.log(1 + w) + 30 * Math.log(1 + t), feasible: true };
    };
    const r = await resolveConflict(c, { ...deps, rules: [], measure });
    // {a,b} needs 7 cores: never measured. {a}: 4+1=5 > 4: never measured either. {b}: 2+3 = 5 > 4 too.
    // Only today's configuration fits, so nothing is offered.
    assert.ok(seen.every((s) => s.length === 0));
    assert.equal(r.kept.length, 0);

    // On 5 cores {a} (4+1) and {b} (2+3) fit; a gains more.
    const host5: ResourceTotal[] = [{ resource: 'cpu-cores', total: 5, from: 'config' }];
    const [c5] = findConflicts([a, b], decls, host5, current);
    seen.length = 0;
    const r5 = await resolveConflict(c5, { ...deps, rules: [], measure });
    assert.equal(r5.method, 'measured');
    assert.deepEqual(r5.kept.map((x) => x.id), ['a']);
    assert.ok(seen.some((s) => s.join() === 'a') && seen.some((s) => s.join() === 'b'));
    assert.ok(!seen.some((s) => s.length === 2), 'the combination over the total is not measured');
    assert.match(r5.explanation, /measured/);
  });

  it('measured resolution of a same-key conflict skips an infeasible (SLO-breaking) winner', async () => {
    const a = rec({ id: 'a', to: 8 });
    const b = rec({ id: 'b', to: 3 });
    const [c] = sameKeyConflicts([a, b]);
    const r = await resolveConflict(c, { ...deps, rules: [], measure: async (combo) => (combo[0].id === 'a' ? { score: 200, feasible: false, reason: 'p95 over SLO' } : { score: 150, feasible: true }) });
    assert.deepEqual(r.kept.map((x) => x.id), ['b']);
    assert.match(r.explanation, /infeasible \(p95 over SLO\)/);
  });
});

describe('coordinating a workspace', () => {
  it('settles same-key conflicts first, then checks the shared resources with the survivors', async () => {
    const { coordinateRecommendations, ConfigValues } = await import('../../engine/coordinate/workspace');
    const { coordinationFrom } = await import('../../engine/coordinate/config');
    const c = coordinationFrom(
      { coordination: { priorities: [{ source: 'study', over: 'capacity' }], resources: { 'protocol-engine': { workers: { resource: 'cpu-cores' } }, 'learning-worker': { threads: { resource: 'cpu-cores' } } } } },
      '/ws',
      [
        { name: 'protocol-engine', configFiles: ['config/protocol-engine.yaml'] },
        { name: 'learning-worker', configFiles: ['config/learning-worker.yaml'] },
      ],
      { cpuCores: 4, memoryMiB: 1024 },
    );
    const files: Record<string, string> = { [ENGINE]: 'workers: 2\n', [LEARN]: 'threads: 1\n' };
    const study = rec({ id: 'study', from: 2, to: 3 });
    const capacity = rec({ id: 'capacity', source: 'capacity', from: 2, to: 5 });
    const r = await coordinateRecommendations(c, [study, capacity], {}, { values: new ConfigValues((f) => files[f]) });
    // capacity's 5 workers + 1 thread would be 6 of 4 cores, but the study's 3 wins the key: 3 + 1 = 4 fits.
    assert.deepEqual(r.conflicts.map((x) => x.kind), ['same-key']);
    assert.deepEqual(r.offered.map((x) => x.id), ['study']);
  });
});
