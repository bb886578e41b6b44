import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { budgetText, conflictLines, jobDescription } from '../../client/src/coordinationText';
import type { CoordinationConflictsRequest, Recommendation, ScheduledJob } from '../../protocol/index';

const job = (extra: Partial<ScheduledJob>): ScheduledJob => ({ id: 'job-1', kind: 'study', component: 'engine', label: 'Study s', trials: 1, cpuCores: 1, state: 'queued', queuedAt: 0, ...extra });
const rec = (id: string, to: number): Recommendation => ({ id, source: 'study', component: 'engine', file: '/f', key: 'workers', to });

describe('coordination words in the editor', () => {
  it('describes jobs and the budget in use', () => {
    assert.equal(jobDescription(job({ state: 'running', progress: { done: 3, total: 10, message: '' } })), 'running 3/10');
    assert.equal(jobDescription(job({ state: 'held' })), 'held');
    assert.equal(budgetText({ jobs: [], budget: { maxConcurrentTrials: 2, trialCpuCores: 4, allowRunDuringAlert: false }, used: { trials: 1, cpuCores: 1.5 } }), '1/2 trials, 1.5/4 cores in use');
  });

  it('lists each resolution with what it keeps, then what the guardrail withheld', () => {
    const a = rec('a', 4);
    const b = rec('b', 3);
    const r: CoordinationConflictsRequest.Result = {
      recommendations: [a, b],
      conflicts: [],
      resolutions: [
        { conflict: { kind: 'same-key', id: 'x', component: 'engine', file: '/f', key: 'workers', recommendations: [a, b] }, method: 'priority', kept: [a], dropped: [{ recommendation: b, reason: 'r' }], explanation: 'why' },
        { conflict: { kind: 'shared-resource', id: 'y', resource: 'cpu-cores', total: { resource: 'cpu-cores', total: 4, from: 'host' }, demand: 7, contributions: [], recommendations: [a] }, method: 'unresolved', kept: [], dropped: [], explanation: 'undecided' },
      ],
      offered: [a],
      withheld: [{ recommendation: rec('c', 8), reason: 'broke p95' }],
      problems: [],
    };
    assert.deepEqual(conflictLines(r).map((l) => [l.icon, l.label, l.description, l.detail]), [
      ['check', 'engine workers', 'by priority; keeps engine.workers=4', 'why'],
      ['warning', 'cpu-cores over its total', 'unresolved; keeps none', 'undecided'],
      ['shield', 'engine workers -> 8', 'withheld by the SLO guardrail', 'broke p95'],
    ]);
  });
});
