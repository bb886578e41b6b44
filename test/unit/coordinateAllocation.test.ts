import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allocate, allocationEdits, repair, usage } from '../../engine/coordinate/allocation';
import { coordinationFrom } from '../../engine/coordinate/config';
import { applyGuardrail, checkSlos, measurementFromMetrics } from '../../engine/coordinate/guardrail';
import type { AllocationVariable, Recommendation } from '../../engine/coordinate/types';

const ENGINE = '/ws/config/protocol-engine.yaml';
const LEARN = '/ws/config/learning-worker.yaml';
const texts: Record<string, string> = {
  [ENGINE]: 'workers: 2                # pricing worker threads\nbatch_size: 8\n',
  [LEARN]: '# learning worker\nthreads: 1\nepochs: 6\n',
};
const vars: AllocationVariable[] = [
  { component: 'protocol-engine', file: ENGINE, key: 'workers', resource: 'cpu-cores', per: 1, min: 1, max: 8, integer: true, current: 2 },
  { component: 'learning-worker', file: LEARN, key: 'threads', resource: 'cpu-cores', per: 1, min: 1, max: 8, integer: true, current: 1 },
];

/** A separable objective with diminishing returns: 120·ln(1+w) + 50·ln(1+t). */
const f = (w: number, t: number) => 120 * Math.log(1 + w) + 50 * Math.log(1 + t);

/** The known optimum by enumeration under w + t <= cores. */
function bruteForce(cores: number) {
  let best = { w: 0, t: 0, score: -Infinity };
  for (let w = 1; w <= 8; w++) for (let t = 1; t <= 8; t++) if (w + t <= cores && f(w, t) > best.score) best = { w, t, score: f(w, t) };
  return best;
}

describe('resource allocation', () => {
  it('finds the known optimum of a separable objective on 8 cores (seeded), never measuring over the total', async () => {
    const opt = bruteForce(8);
    assert.deepEqual([opt.w, opt.t], [6, 2]); // the reference: 120/(1+w) ≈ 50/(1+t) at w + t = 8
    const measured: [number, number][] = [];
    const r = await allocate({
      variables: vars,
      totals: [{ resource: 'cpu-cores', total: 8, from: 'config' }],
      objective: async (v) => {
        const w = v['protocol-engine/workers'];
        const t = v['learning-worker/threads'];
        measured.push([w, t]);
        return { score: f(w, t), feasible: true };
      },
      budget: 30,
      seed: 7,
      algorithm: 'bayesian',
      readText: (file) => texts[file],
    });
    assert.ok(measured.every(([w, t]) => w + t <= 8), 'no assignment over the cores was measured');
    assert.ok(r.score! >= opt.score * 0.99, `score ${r.score} within 1% of the optimum ${opt.score}`);
    assert.deepEqual(usage(vars, [{ resource: 'cpu-cores', total: 8, from: 'config' }], r.values), [{ resource: 'cpu-cores', used: r.values['protocol-engine/workers'] + r.values['learning-worker/threads'], total: 8 }]);
    assert.ok(r.usage[0].used <= 8);
    // One change set: each changed key once, exact ranges, comments kept.
    assert.ok(r.edits.length >= 1 && r.edits.length <= 2);
    const w = r.edits.find((e) => e.key === 'workers')!;
    assert.deepEqual(w.range, { start: { line: 0, character: 9 }, end: { line: 0, character: 10 } });
    assert.equal(w.text, String(r.values['protocol-engine/workers']));
    assert.equal(w.from, 2);
    assert.match(r.explanation, /Best of \d+ measured assignment/);
  });

  it('keeps today\'s values when nothing measures better, and does not count an over-total proposal', async () => {
    const r = await allocate({
      variables: vars,
      totals: [{ resource: 'cpu-cores', total: 3, from: 'host' }],
      objective: async (v) => ({ score: v['protocol-engine/workers'] === 2 && v['learning-worker/threads'] === 1 ? 10 : 1, feasible: true }),
      budget: 6,
      seed: 1,
      algorithm: 'random',
      readText: (file) => texts[file],
    });
    assert.deepEqual(r.edits, []);
    assert.match(r.explanation, /measured best/);
  });

  it('an assignment that breaks an SLO in measurement is not chosen', async () => {
    const r = await allocate({
      variables: vars,
      totals: [{ resource: 'cpu-cores', total: 8, from: 'config' }],
      // More than 4 engine workers breaks the latency SLO in this synthetic system.
      objective: async (v) => ({ score: f(v['protocol-engine/workers'], v['learning-worker/threads']), feasible: v['protocol-engine/workers'] <= 4, reason: 'p95 over the SLO' }),
      budget: 30,
      seed: 3,
      algorithm: 'bayesian',
      readText: (file) => texts[file],
    });
    assert.ok(r.values['protocol-engine/workers'] <= 4);
    // Best feasible: w=4, t=4.
    assert.ok(r.score! >= f(4, 4) * 0.98, `score ${r.score} near the feasible optimum ${f(4, 4)}`);
  });

  it('repairs an assignment over a total onto it, keeping each min', () => {
    const t = [{ resource: 'cpu-cores', total: 6, from: 'config' as const }];
    // 8 + 4 = 12 > 6: the 4 cores above the mins (1 + 1) go 7:3, i.e. 3.8 and 2.2; by largest remainder 4 and 2.
    assert.deepEqual(repair(vars, t, { 'protocol-engine/workers': 8, 'learning-worker/threads': 4 }), { 'protocol-engine/workers': 4, 'learning-worker/threads': 2 });
    assert.deepEqual(repair(vars, t, { 'protocol-engine/workers': 3, 'learning-worker/threads': 2 }), { 'protocol-engine/workers': 3, 'learning-worker/threads': 2 });
  });

  it('refuses totals below the keys\' minimums, saying which', async () => {
    await assert.rejects(
      allocate({ variables: vars, totals: [{ resource: 'cpu-cores', total: 1, from: 'host' }], objective: async () => ({ score: 1, feasible: true }), budget: 3, seed: 1, readText: (f) => texts[f] }),
      /already take 2 of its 1; lower a min or raise coordination\.totals\.cpu-cores/,
    );
  });

  it('says why when no assignment measured feasible', async () => {
    const r = await allocate({ variables: vars, totals: [{ resource: 'cpu-cores', total: 8, from: 'config' }], objective: async (v) => ({ feasible: false, reason: `the trial command exited with code 1: no answer on port ${9000 + v['protocol-engine/workers']}` }), budget: 3, seed: 1, algorithm: 'random', readText: (f) => texts[f] });
    assert.deepEqual(r.edits, []);
    assert.match(r.explanation, /No assignment within cpu-cores 8 measured as feasible in 4 evaluation\(s\); nothing is changed\. The measurements said: the trial command exited with code 1: no answer on port \d+ \(4×\)\. Raise/);
  });

  it('edits leave unchanged keys out', () => {
    const e = allocationEdits(vars, { 'protocol-engine/workers': 2, 'learning-worker/threads': 3 }, (f) => texts[f]);
    assert.deepEqual(e.map((x) => [x.key, x.from, x.to, x.text]), [['threads', 1, 3, '3']]);
  });
});

describe('coordination config', () => {
  it('reads priorities, resources with default files, host totals and the budget', () => {
    const c = coordinationFrom(
      {
        coordination: {
          priorities: [{ source: 'study', over: 'capacity' }, { component: 'protocol-engine', priority: 10 }, { source: 'nope' }],
          resources: { 'protocol-engine': { workers: { resource: 'cpu-cores', per: 1, max: 8 } }, ghost: { x: { resource: 'cpu-cores' } }, 'learning-worker': { cache: { resource: 'db-connections', per: 2 } } },
          totals: { memory: '2GiB' },
          trials: { maxConcurrent: 3, cpuPerTrial: 0.5 },
        },
      },
      '/ws',
      [
        { name: 'protocol-engine', configFiles: ['config/protocol-engine.yaml'] },
        { name: 'learning-worker', configFiles: ['config/learning-worker.yaml'] },
      ],
      { cpuCores: 4, memoryMiB: 16000 },
    );
    assert.deepEqual(c.priorities, [{ source: 'study', over: 'capacity' }, { component: 'protocol-engine', priority: 10 }]);
    assert.deepEqual(c.resources[0], { component: 'protocol-engine', key: 'workers', file: '/ws/config/protocol-engine.yaml', resource: 'cpu-cores', per: 1, min: 1, max: 8 });
    assert.deepEqual(c.totalList.find((t) => t.resource === 'cpu-cores'), { resource: 'cpu-cores', total: 4, from: 'host', unit: 'cores' });
    assert.deepEqual(c.totalList.find((t) => t.resource === 'memory'), { resource: 'memory', total: 2048, from: 'config', unit: 'MiB' });
    assert.deepEqual(c.budget, { maxConcurrentTrials: 3, trialCpuCores: 4, allowRunDuringAlert: false });
    assert.equal(c.cpuPerTrial, 0.5);
    assert.equal(c.problems.length, 3, c.problems.join('\n'));
    assert.ok(c.problems.some((p) => /priorities\[2\]/.test(p)));
    assert.ok(c.problems.some((p) => /resources\.ghost/.test(p)));
    assert.ok(c.problems.some((p) => /no total for resource "db-connections"/.test(p)));
  });
});

describe('SLO guardrail', () => {
  const slos = {
    'protocol-engine': { latency: { p95Ms: 50, p99Ms: 120 }, throughputMin: 500, errorRate: 0.01 },
    'account-service': { latency: { p95Ms: 20 } },
  };
  const rec: Recommendation = { id: 'r', source: 'study', component: 'protocol-engine', file: '/f', key: 'workers', from: 2, to: 6 };

  it('drops a recommendation that broke another component\'s SLO in measurement, with the reason', () => {
    const [v] = applyGuardrail([{ recommendation: rec, measured: { 'protocol-engine': { latencyMs: { p95: 30, p99: 90 }, throughput: 2000, errorRate: 0 }, 'account-service': { latencyMs: { p95: 27.5 } } } }], slos);
    assert.equal(v.offered, false);
    assert.match(v.reason!, /account-service latency\.p95 measured 27\.5 ms, SLO <= 20 ms/);
    assert.equal(v.checks.length, 5);
  });

  it('offers one that met every SLO; throughput is a floor', () => {
    const [ok] = applyGuardrail([{ recommendation: rec, measured: { 'protocol-engine': { latencyMs: { p95: 49 }, throughput: 500 }, 'account-service': { latencyMs: { p95: 20 } } } }], slos);
    assert.equal(ok.offered, true);
    assert.deepEqual(checkSlos('protocol-engine', slos['protocol-engine'], { throughput: 499 }).map((c) => c.ok), [false]);
  });

  it('an SLO already broken by today\'s configuration under the same load is not blamed unless made worse', () => {
    const base = { 'protocol-engine': { latencyMs: { p95: 1800 } } };
    const [better] = applyGuardrail([{ recommendation: rec, measured: { 'protocol-engine': { latencyMs: { p95: 900 } } }, baseline: base }], slos);
    assert.equal(better.offered, true);
    assert.match(better.reason!, /already broken by today's configuration/);
    const [worse] = applyGuardrail([{ recommendation: rec, measured: { 'protocol-engine': { latencyMs: { p95: 2500 } } }, baseline: base }], slos);
    assert.equal(worse.offered, false);
  });

  it('reads per-component SLO metrics from a trial command\'s result', () => {
    const m = measurementFromMetrics({ p95_latency_ms: 40, throughput_tps: 2100, error_rate: 0, 'account-service.p95_latency_ms': 12 }, 'protocol-engine', ['protocol-engine', 'account-service', 'market-feed']);
    assert.deepEqual(m, { 'protocol-engine': { latencyMs: { p95: 40 }, errorRate: 0, throughput: 2100 }, 'account-service': { latencyMs: { p95: 12 } } });
  });

  it('one not re-measured is offered only when measurement is not required', () => {
    assert.equal(applyGuardrail([{ recommendation: rec }], slos)[0].offered, true);
    const [v] = applyGuardrail([{ recommendation: rec }], slos, { requireMeasurement: true });
    assert.equal(v.offered, false);
    assert.match(v.reason!, /re-measure/);
  });
});
