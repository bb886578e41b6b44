/**
 * The job queue's policy with the real study service: real studies (the fixture's trial
 * script run as processes, real study logs) submitted to one Scheduler. Two studies on one
 * component never run at once; a study waits while its component has a firing alert (the
 * alert source is the one thing given by the test: no monitor runs here) and starts when it
 * resolves; a queued study can be cancelled before it starts.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { Scheduler, type SchedulerEvent } from '../../engine/coordinate/scheduler';
import { analyzeWorkspace } from '../../engine/index';
import type { StudyProgressNotification } from '../../protocol/index';
import { StudyService } from '../../server/src/studyService';
import { ROOT } from '../helpers/lspClient';

describe('the job queue with the real study service', () => {
  let folder: string;
  let uri: string;
  let service: StudyService;
  let scheduler: Scheduler;
  const firing = new Map<string, string[]>();
  const progress: StudyProgressNotification.Params[] = [];
  const events: SchedulerEvent[] = [];
  const prevSleep = process.env.TRIAL_SLEEP_MS;

  const waitFor = async <T>(cond: () => T | undefined | false, what: string, ms = 30_000): Promise<T> => {
    const end = Date.now() + ms;
    for (;;) {
      const v = cond();
      if (v) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((r) => {
        const off = scheduler.onEvent(() => {
          off();
          r();
        });
        setTimeout(() => {
          off();
          r();
        }, 200);
      });
    }
  };
  const endedOf = (study: string, from: number) => progress.slice(from).find((p) => p.study === study && p.phase === 'idle');

  before(() => {
    folder = mkdtempSync(join(tmpdir(), 'alluse-coord-'));
    cpSync(join(ROOT, 'test/fixtures/coord-workspace'), folder, { recursive: true });
    uri = pathToFileURL(join(folder, 'alluse-perf.yaml')).href;
    const analysis = analyzeWorkspace(readFileSync(join(folder, 'alluse-perf.yaml'), 'utf8'));
    assert.deepEqual(analysis.findings, []);
    // Each trial lasts a moment, so the second study is submitted while the first runs.
    process.env.TRIAL_SLEEP_MS = '150';
    scheduler = new Scheduler({ budget: { maxConcurrentTrials: 2, trialCpuCores: 2, allowRunDuringAlert: false }, firingAlerts: (c) => firing.get(c) ?? [] });
    scheduler.onEvent((e) => events.push(e));
    service = new StudyService({ analysis: () => ({ version: 1, analysis, ms: 0 }), progress: (p) => progress.push(p), diagnostics: () => {}, error: (m) => assert.fail(m), scheduler, jobCpu: (n) => n });
  });
  after(() => {
    if (prevSleep === undefined) delete process.env.TRIAL_SLEEP_MS;
    else process.env.TRIAL_SLEEP_MS = prevSleep;
    rmSync(folder, { recursive: true, force: true });
  });

  it('runs two studies of one component one after the other, and another component beside them', async () => {
    const n = progress.length;
    const a = service.run(uri, 'engine-workers', true);
    const b = service.run(uri, 'engine-batch', true);
    const c = service.run(uri, 'learner-threads', true);
    assert.ok(a.started && b.started && c.started);
    assert.match(b.message, /queued: waits for Study engine-workers on engine to end: one study per component/);
    const q = scheduler.state();
    assert.deepEqual(q.jobs.map((j) => [j.label, j.state]), [['Study engine-workers', 'running'], ['Study engine-batch', 'queued'], ['Study learner-threads', 'running']]);
    await waitFor(() => endedOf('engine-batch', n), 'engine-batch to end');
    await waitFor(() => endedOf('learner-threads', n), 'learner-threads to end');
    const startedAt = (label: string) => events.findIndex((e) => e.type === 'started' && e.job.label === label);
    const endedAt = (label: string) => events.findIndex((e) => e.type === 'ended' && e.job.label === label);
    assert.ok(endedAt('Study engine-workers') < startedAt('Study engine-batch'), 'the second engine study started only after the first ended');
    for (const s of ['engine-workers', 'engine-batch', 'learner-threads']) assert.equal(endedOf(s, n)!.ended, 'finished', endedOf(s, n)!.message);
    // Each study really ran its trials (its log has them).
    assert.equal(service.list(uri).studies.find((s) => s.name === 'engine-batch')!.finished, 2);
    // Progress reached the queue.
    assert.ok(events.some((e) => e.type === 'progress' && e.job.label === 'Study engine-workers' && e.job.progress!.done >= 1));
  });

  it('holds a study while its component has a firing alert, and starts it when the alert resolves', async () => {
    firing.set('learner', ['learner-cpu']);
    const n = progress.length;
    const r = service.run(uri, 'learner-threads', true, 3);
    assert.ok(r.started);
    assert.match(r.message, /held: learner has a firing alert \(learner-cpu\)/);
    assert.equal(scheduler.state().jobs[0].state, 'held');
    firing.delete('learner');
    scheduler.alertsChanged();
    const end = await waitFor(() => endedOf('learner-threads', n), 'the held study to end');
    assert.equal(end.ended, 'finished', end.message);
    assert.equal(service.list(uri).studies.find((s) => s.name === 'learner-threads')!.finished, 3);
  });

  it('force starts a study despite the alert; a queued study is cancelled before it starts', async () => {
    firing.set('engine', ['engine-p95']);
    const n = progress.length;
    const forced = service.run(uri, 'engine-workers', true, 3, true);
    assert.ok(forced.started);
    assert.doesNotMatch(forced.message, /held|queued/);
    const waiting = service.run(uri, 'engine-batch', true, 3);
    assert.match(waiting.message, /queued|held/);
    assert.ok(service.cancel(uri, 'engine-batch'));
    assert.equal(endedOf('engine-batch', n)?.ended, 'cancelled');
    const end = await waitFor(() => endedOf('engine-workers', n), 'the forced study to end');
    assert.equal(end.ended, 'finished', end.message);
    // The cancelled study never ran a trial beyond its first 2.
    assert.equal(service.list(uri).studies.find((s) => s.name === 'engine-batch')!.finished, 2);
    firing.clear();
  });
});
