// The whole story of issue 9 through the analysis server on the real demo system:
// two tuning studies (the protocol engine's worker threads, the learning worker's training
// threads) recommend more threads than the 9 cores the workspace shares between them; the
// conflict is found and resolved by the engine's priority; the kept recommendation is
// applied (and recorded); a latency fault then makes the engine worse; the governor notices
// on the monitor's store and, with `governor.autoRollback`, rolls the change back; the audit
// history shows the applied change (rolled back, with its measured effect) and the rollback.
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { applyEdits } from '../../engine/tune/recommendation';
import {
  AuditListRequest,
  AuditRecordRequest,
  CoordinationConflictsRequest,
  GovernorRegressionNotification,
  StudyEditsRequest,
  StudyProgressNotification,
  StudyRunRequest,
} from '../../protocol/index';
import { ROOT, type TestLspClient } from '../helpers/lspClient';
import { waitForCalmLatency } from '../helpers/calmLatency';
import { startMonitoredDemo, type MonitoredDemo } from '../helpers/monitoredDemo';

const WORKSPACE_LINES = [
  'governor: { autoRollback: true, watchMinutes: 10, regressionThreshold: 0.2 }',
  'tuning:',
  '  studies:',
  '    - name: engine-workers',
  '      component: protocol-engine',
  '      configFile: config/protocol-engine.yaml',
  '      parameters: { workers: { type: int, min: 5, max: 6 } }',
  '      objectives: [{ metric: throughput_tps, direction: maximize }]',
  '      trial: { command: node, args: [study-trial.js, "${trialConfigFile}"] }',
  '      budget: { trials: 2 }',
  '      algorithm: random',
  '      seed: 3',
  '    - name: learner-threads',
  '      component: learning-worker',
  '      configFile: config/learning-worker.yaml',
  '      parameters: { threads: { type: int, min: 5, max: 6 } }',
  '      objectives: [{ metric: throughput_tps, direction: maximize }]',
  '      trial: { command: node, args: [study-trial.js, "${trialConfigFile}"] }',
  '      budget: { trials: 2 }',
  '      algorithm: random',
  '      seed: 3',
  'coordination:',
  '  priorities: [{ component: protocol-engine, priority: 10 }]',
  '  resources:',
  '    protocol-engine: { workers: { resource: cpu-cores, per: 1, max: 8 } }',
  '    learning-worker: { threads: { resource: cpu-cores, per: 1, max: 8 } }',
  '  totals: { cpu-cores: 9 }',
];

describe('issue 9 end to end: conflicting studies, resolution, applied change, fault, rollback, history', () => {
  let demo: MonitoredDemo;
  let client: TestLspClient;
  let uri: string;
  const progress: StudyProgressNotification.Params[] = [];
  const regressions: GovernorRegressionNotification.Params[] = [];

  before(async () => {
    demo = await startMonitoredDemo({ prefix: 'alluse-issue9-', configFiles: true, topLines: WORKSPACE_LINES });
    ({ client, uri } = demo);
    // The studies' "benchmark": more threads, more throughput (the coordination tests' trial).
    copyFileSync(join(ROOT, 'test/fixtures/coord-workspace/study-trial.js'), join(demo.ws.folder, 'study-trial.js'));
    client.on<StudyProgressNotification.Params>(StudyProgressNotification.method, (p) => progress.push(p));
    client.on<GovernorRegressionNotification.Params>(GovernorRegressionNotification.method, (p) => regressions.push(p));
  });

  after(async () => demo?.stop());

  it('tells the whole story in the audit history', async () => {
    // 1. Two studies, one per component.
    for (const study of ['engine-workers', 'learner-threads']) {
      const r = (await client.connection.sendRequest(StudyRunRequest.method, { uri, study, trusted: true } satisfies StudyRunRequest.Params)) as StudyRunRequest.Result;
      assert.ok(r.started, r.message);
    }
    for (const study of ['engine-workers', 'learner-threads']) {
      const end = await client.waitFor(() => progress.find((p) => p.study === study && p.phase === 'idle'), 60_000, `the end of ${study}`);
      assert.equal(end.ended, 'finished', end.message);
    }

    // 2. Their recommendations conflict over the 9 shared cores; the engine's priority resolves it.
    const c = (await client.connection.sendRequest(CoordinationConflictsRequest.method, { uri } satisfies CoordinationConflictsRequest.Params)) as CoordinationConflictsRequest.Result;
    assert.deepEqual(c.problems, []);
    const shared = c.conflicts.find((x) => x.kind === 'shared-resource');
    assert.ok(shared && shared.kind === 'shared-resource', JSON.stringify(c.conflicts));
    assert.ok(shared.demand > 9, `demand ${shared.demand}`);
    const resolution = c.resolutions.find((r) => r.conflict.id === shared.id)!;
    assert.equal(resolution.method, 'priority');
    assert.deepEqual(resolution.dropped.map((d) => d.recommendation.key), ['threads']);
    const kept = c.offered.find((r) => r.key === 'workers');
    assert.ok(kept && kept.component === 'protocol-engine');
    assert.ok(!c.offered.some((r) => r.key === 'threads'));

    // 3. A baseline of the engine's latency in the store, then the kept recommendation applied ("Apply All") and recorded.
    await waitForCalmLatency(client, uri);
    const edits = (await client.connection.sendRequest(StudyEditsRequest.method, { uri, study: 'engine-workers' } satisfies StudyEditsRequest.Params)) as StudyEditsRequest.Result;
    assert.ok(edits.configUri && edits.edits.length === 1, edits.message);
    const configPath = join(demo.ws.folder, 'config/protocol-engine.yaml');
    const beforeText = readFileSync(configPath, 'utf8');
    const afterText = applyEdits(beforeText, edits.edits);
    assert.match(afterText, new RegExp(`^workers: ${String(kept.to)} +# pricing worker threads$`, 'm'));
    writeFileSync(configPath, afterText);
    const rec = (await client.connection.sendRequest(AuditRecordRequest.method, {
      uri,
      file: pathToFileURL(configPath).toString(),
      actor: 'apply-all',
      source: `study "engine-workers" (kept over learner-threads: ${resolution.method})`,
      beforeText,
      afterText,
    } satisfies AuditRecordRequest.Params)) as AuditRecordRequest.Result;
    assert.ok(rec.entry, rec.message);
    assert.deepEqual(rec.entry.edits, [{ keyPath: 'workers', before: 4, after: kept.to }]);
    assert.equal(rec.entry.watch?.state, 'watching');

    // 4. A fault makes the engine slower; the governor notices and rolls the change back on its own.
    const t0 = Date.now();
    await demo.fault('protocol-engine', { fault: 'latency-spike', on: true, probability: 1, delay_ms: 1500 });
    const reg = await client.waitFor(() => regressions.find((r) => r.entry.id === rec.entry!.id), 120_000, 'the regression notification');
    console.log(`# fault → regression found and rolled back in ${Date.now() - t0} ms: ${reg.reason}`);
    assert.ok(reg.rollback, reg.rollbackMessage);
    assert.equal(reg.rollback.actor, 'governor');
    assert.equal(readFileSync(configPath, 'utf8'), beforeText, 'the file is as before the change, comments and all');

    // 5. The history: the change (rolled back, regressed, its effect measured) and the governor's rollback.
    const h = (await client.connection.sendRequest(AuditListRequest.method, { uri } satisfies AuditListRequest.Params)) as AuditListRequest.Result;
    assert.deepEqual(h.problems, []);
    const [rollback, applied] = h.entries;
    assert.equal(h.entries.length, 2);
    assert.deepEqual([applied.actor, applied.status, applied.watch?.state, applied.rolledBackBy], ['apply-all', 'rolled-back', 'regressed', rollback.id]);
    assert.match(applied.source!, /engine-workers.*kept over learner-threads/);
    assert.equal(applied.effects?.find((e) => e.metric === 'latencyP95')?.verdict, 'worse');
    assert.deepEqual([rollback.actor, rollback.rollbackOf, rollback.status], ['governor', applied.id, 'applied']);
    assert.deepEqual(rollback.edits, [{ keyPath: 'workers', before: kept.to, after: 4 }]);
  });
});
