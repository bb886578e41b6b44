import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Scheduler, type RunJob } from '../../engine/coordinate/scheduler';
import type { JobRequest, SchedulerBudget } from '../../engine/coordinate/types';

/** A job whose end the test controls. */
function controlled() {
  let finish!: (r?: { failed: string }) => void;
  let started = false;
  let signal: AbortSignal | undefined;
  let progress!: (done: number) => void;
  const run: RunJob = (_job, ctx) => {
    started = true;
    signal = ctx.signal;
    progress = (done) => ctx.progress({ done, total: 10, message: `trial ${done}` });
    return new Promise((res) => {
      finish = (r) => res(r);
      ctx.signal.addEventListener('abort', () => res());
    });
  };
  return { run, end: (r?: { failed: string }) => finish(r), get started() { return started; }, get signal() { return signal; }, progress: (d: number) => progress(d) };
}

const budget = (b: Partial<SchedulerBudget> = {}): SchedulerBudget => ({ maxConcurrentTrials: 4, trialCpuCores: 4, allowRunDuringAlert: false, ...b });
const study = (component: string, trials = 1, extra: Partial<JobRequest> = {}): JobRequest => ({ kind: 'study', component, label: `Study on ${component}`, trials, cpuCores: trials, ...extra });
const tick = () => new Promise((r) => setImmediate(r));

describe('scheduler policy', () => {
  it('never runs two studies on one component at once; the second starts when the first ends', async () => {
    const s = new Scheduler({ budget: budget(), firingAlerts: () => [] });
    const a = controlled();
    const b = controlled();
    const c = controlled();
    const ja = s.submit(study('protocol-engine'), a.run);
    const jb = s.submit(study('protocol-engine'), b.run);
    const jc = s.submit(study('account-service'), c.run);
    assert.equal(s.job(ja.id)!.state, 'running');
    assert.equal(s.job(jb.id)!.state, 'queued');
    assert.match(s.job(jb.id)!.reason!, /one study per component/);
    assert.equal(s.job(jc.id)!.state, 'running', 'another component is not blocked');
    a.end();
    await s.whenEnded(ja.id);
    await tick();
    assert.equal(s.job(jb.id)!.state, 'running');
    assert.ok(b.started);
  });

  it('a profile may run beside a study of the same component', () => {
    const s = new Scheduler({ budget: budget(), firingAlerts: () => [] });
    s.submit(study('protocol-engine'), controlled().run);
    const p = s.submit({ kind: 'profile', component: 'protocol-engine', label: 'Profile', trials: 1, cpuCores: 0.2 }, controlled().run);
    assert.equal(s.job(p.id)!.state, 'running');
  });

  it('keeps the global trial and CPU budgets, first come first served', async () => {
    const s = new Scheduler({ budget: budget({ maxConcurrentTrials: 3, trialCpuCores: 2.5 }), firingAlerts: () => [] });
    const a = controlled();
    const ja = s.submit(study('a', 2), a.run);
    const jb = s.submit(study('b', 2), controlled().run); // 4 trials > 3
    const jc = s.submit({ kind: 'benchmark', component: 'c', label: 'bench', trials: 1, cpuCores: 0.5 }, controlled().run); // fits, but waits its turn behind b
    assert.equal(s.job(jb.id)!.state, 'queued');
    assert.match(s.job(jb.id)!.reason!, /trial budget: 2 of 3/);
    assert.equal(s.job(jc.id)!.state, 'queued');
    assert.match(s.job(jc.id)!.reason!, /waits its turn/);
    assert.deepEqual(s.state().used, { trials: 2, cpuCores: 2 });
    a.end();
    await s.whenEnded(ja.id);
    await tick();
    assert.equal(s.job(jb.id)!.state, 'running');
    // b takes 2 trials and 2 cores; c needs 1 trial (3 of 3) and 0.5 cores (2.5 of 2.5): fits.
    assert.equal(s.job(jc.id)!.state, 'running');
    const cpu = new Scheduler({ budget: budget({ trialCpuCores: 1 }), firingAlerts: () => [] });
    cpu.submit(study('a', 1), controlled().run);
    const j2 = cpu.submit(study('b', 1), controlled().run);
    assert.match(cpu.job(j2.id)!.reason!, /CPU budget: 1 of 1/);
  });

  it('a job larger than the whole budget runs alone instead of never', () => {
    const s = new Scheduler({ budget: budget({ maxConcurrentTrials: 2 }), firingAlerts: () => [] });
    const j = s.submit(study('a', 8), controlled().run);
    assert.equal(s.job(j.id)!.state, 'running');
    const k = s.submit(study('b', 1), controlled().run);
    assert.equal(s.job(k.id)!.state, 'queued');
  });

  it('holds a job while its component has a firing alert, unless forced or allowed', () => {
    const firing = new Map<string, string[]>([['protocol-engine', ['engine-p95']]]);
    const s = new Scheduler({ budget: budget(), firingAlerts: (c) => firing.get(c) ?? [] });
    const held = s.submit(study('protocol-engine'), controlled().run);
    assert.equal(s.job(held.id)!.state, 'held');
    assert.match(s.job(held.id)!.reason!, /firing alert \(engine-p95\).*force/);
    const forced = s.submit({ kind: 'benchmark', component: 'protocol-engine', label: 'b', trials: 1, cpuCores: 1, force: true }, controlled().run);
    assert.equal(s.job(forced.id)!.state, 'running');
    firing.clear();
    s.alertsChanged();
    assert.equal(s.job(held.id)!.state, 'running');
    const allowed = new Scheduler({ budget: budget({ allowRunDuringAlert: true }), firingAlerts: () => ['x'] });
    assert.equal(allowed.job(allowed.submit(study('a'), controlled().run).id)!.state, 'running');
  });

  it('reports progress, and cancel ends a queued job at once and aborts a running one', async () => {
    const s = new Scheduler({ budget: budget({ maxConcurrentTrials: 1 }), firingAlerts: () => [] });
    const events: string[] = [];
    s.onEvent((e) => 'job' in e && events.push(`${e.type}:${e.job.id}`));
    const a = controlled();
    const ja = s.submit(study('a'), a.run);
    const jb = s.submit(study('b'), controlled().run);
    a.progress(3);
    assert.deepEqual(s.job(ja.id)!.progress, { done: 3, total: 10, message: 'trial 3' });
    assert.ok(s.cancel(jb.id));
    assert.equal(s.job(jb.id)!.state, 'cancelled');
    assert.ok(s.cancel(ja.id));
    assert.equal(a.signal!.aborted, true);
    await s.whenEnded(ja.id);
    assert.equal(s.job(ja.id)!.state, 'cancelled');
    assert.ok(!s.cancel(ja.id), 'an ended job cannot be cancelled');
    assert.deepEqual(events, [`started:${ja.id}`, `queued:${jb.id}`, `progress:${ja.id}`, `ended:${jb.id}`, `ended:${ja.id}`]);
  });

  it('a failing job is failed with its reason and frees the budget', async () => {
    const s = new Scheduler({ budget: budget({ maxConcurrentTrials: 1 }), firingAlerts: () => [] });
    const ja = s.submit(study('a'), async () => {
      throw new Error('trial command missing');
    });
    const end = await s.whenEnded(ja.id);
    assert.equal(end!.state, 'failed');
    assert.equal(end!.reason, 'trial command missing');
    const jb = s.submit(study('b'), async () => ({ failed: 'no feasible trial' }));
    assert.equal((await s.whenEnded(jb.id))!.reason, 'no feasible trial');
    assert.deepEqual(s.state().used, { trials: 0, cpuCores: 0 });
  });
});
