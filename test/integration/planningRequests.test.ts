// The planning requests through the analysis server, on the real demo system: a capacity plan
// for a typed load (with the chart data), months of growth answered with "too short" on a
// young store, the metrics offered for impact assessment, and the impact of a CPU-hog fault
// on the engine's CPU; without monitoring, each says to start it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AssessImpactRequest, CapacityPlanRequest, ImpactTargetsRequest, MonitorControlRequest } from '../../protocol/index';
import { startMonitoredDemo, type MonitoredDemo } from '../helpers/monitoredDemo';

/** Polls an async condition every 500 ms until it gives a value. */
async function poll<T>(cond: () => Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await cond();
    if (v !== undefined) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('planning requests (alluse/capacityPlan, alluse/impactTargets, alluse/assessImpact)', () => {
  let demo: MonitoredDemo;
  const send = <R>(method: string, params: unknown) => demo.client.connection.sendRequest(method, params) as Promise<R>;

  before(async () => {
    demo = await startMonitoredDemo({ prefix: 'alluse-planning-' });
  });
  after(async () => demo?.stop());

  it('plans a typed load per component with the chart, and says months need more history', async () => {
    const plan = await poll(async () => {
      const r = await send<CapacityPlanRequest.Result>(CapacityPlanRequest.method, { uri: demo.uri, load: 1000 });
      return r.plans.find((p) => p.component === 'protocol-engine' && p.points >= 30);
    }, 60_000, 'a capacity plan of the protocol engine from 30 points');
    assert.equal(plan.load, 1000);
    assert.ok(plan.cpuCores && plan.memoryBytes, 'CPU and memory needs');
    assert.ok(plan.cpuCores.lo80 <= plan.cpuCores.mean && plan.cpuCores.mean <= plan.cpuCores.hi80);
    assert.equal(plan.cpuCores.limit, 1.5);
    assert.ok(plan.chart?.cpu && plan.chart.cpu.observed.length >= 30 && plan.chart.cpu.fit.length > 10);
    const months = await send<CapacityPlanRequest.Result>(CapacityPlanRequest.method, { uri: demo.uri, months: 6 });
    const engine = months.plans.find((p) => p.component === 'protocol-engine')!;
    assert.equal(engine.growth?.ok, false);
    assert.match(engine.growth && !engine.growth.ok ? engine.growth.reason : '', /history is too short to estimate growth/);
  });

  it('offers the metrics of each component, and measures a CPU hog’s impact', async () => {
    const targets = await send<ImpactTargetsRequest.Result>(ImpactTargetsRequest.method, { uri: demo.uri });
    const engine = targets.components.find((c) => c.name === 'protocol-engine')!;
    assert.deepEqual(
      engine.metrics.map((m) => m.metric),
      ['cpu', 'memory', 'throughput', 'latencyP95', 'errorRatio', 'queueDepth'],
    );
    const at = Date.now();
    await demo.fault('protocol-engine', { fault: 'cpu-hog', on: true, duty: 0.6 });
    // The assessment as the values after the change come in (one per 1 s step): on a busy 2-core
    // machine the hog gets less than its duty, and the first answer (5 values after the change)
    // may still have an interval that covers 0; the effect is asserted once it is measured, or
    // on the last answer after 90 s.
    let last: AssessImpactRequest.Result | undefined;
    const measured = (x: AssessImpactRequest.Result) => x.ok && x.impact.significant && x.impact.effectLo95 > 0.05;
    const r = await poll(async () => {
      const x = (last = await send<AssessImpactRequest.Result>(AssessImpactRequest.method, { uri: demo.uri, component: 'protocol-engine', metric: 'cpu', at }));
      return measured(x) || (!x.ok && !/wait/.test(x.message)) ? x : undefined;
    }, 90_000, 'an impact assessment with enough values after the change').catch((e: Error) => {
      if (last?.ok) return last; // the assertions below say what was measured
      throw new Error(`${e.message}: ${last?.message ?? 'no answer'}`);
    });
    await demo.fault('protocol-engine', { fault: 'cpu-hog', on: false });
    assert.ok(r.ok, r.ok ? '' : r.message);
    console.log(`# ${r.impact.message}`);
    assert.equal(r.unit, 'ratio');
    assert.equal(r.impact.significant, true);
    assert.ok(r.impact.effectLo95 > 0.05, `a 60% duty hog adds CPU (on a busy 2-core machine it gets less than its duty): ${r.impact.effectLo95}`);
    const bad = await send<AssessImpactRequest.Result>(AssessImpactRequest.method, { uri: demo.uri, component: 'nope', metric: 'cpu', at });
    assert.deepEqual(bad, { ok: false, message: 'nope has no cpu series in alluse-perf.yaml.' });
  });

  it('says to start monitoring when it is not running', async () => {
    await send(MonitorControlRequest.method, { uri: demo.uri, action: 'stop', trusted: true });
    const r = await send<CapacityPlanRequest.Result>(CapacityPlanRequest.method, { uri: demo.uri });
    assert.deepEqual(r.plans, []);
    assert.match(r.message ?? '', /Monitoring is not running: run "ALL-USE Performance: Start Monitoring" first/);
    const i = await send<AssessImpactRequest.Result>(AssessImpactRequest.method, { uri: demo.uri, component: 'protocol-engine', metric: 'cpu', at: Date.now() - 60_000 });
    assert.equal(i.ok, false);
  });
});
