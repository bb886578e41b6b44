/**
 * Recommendations from several sources over LSP (dist/server.js --stdio): a tuning study
 * recommends 3 engine workers, the capacity plan fitted from the running monitor's store
 * (CPU 0.052 cores per request/s, planned at 100/s: 5.2 cores) recommends 6 on a 4-core
 * declared host, and `alluse/coordination/conflicts` settles the same-key conflict by the
 * rule `study over capacity`, naming both sources; the 3 workers kept fit the 4 cores.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { TimeSeriesStore } from '../../engine/store/index';
import { Rng } from '../../engine/util/rng';
import { CoordinationConflictsRequest, MonitorControlRequest, StudyProgressNotification, StudyRunRequest, type MonitorStatus } from '../../protocol/index';
import { ROOT, TestLspClient } from '../helpers/lspClient';

const WORKSPACE = `version: 1
components:
  - name: engine
    kind: node
    process:
      commandMatch: "never-running-engine.js"
    metrics: { url: "http://127.0.0.1:1/metrics", throughput: ticks_total }
    configFiles: [config/engine.yaml]
tuning:
  studies:
    - name: engine-workers
      component: engine
      configFile: config/engine.yaml
      parameters:
        workers: { type: categorical, choices: [3] }
      objectives:
        - { metric: throughput_tps, direction: maximize }
      trial: { command: node, args: [study-trial.js, "\${trialConfigFile}"] }
      budget: { trials: 1 }
      algorithm: random
      seed: 3
coordination:
  priorities:
    - { source: study, over: capacity }
  resources:
    engine:
      workers: { resource: cpu-cores, per: 1 }
  totals: { cpu-cores: 4 }
`;

describe('recommendation sources over LSP: a study against the capacity plan', () => {
  let client: TestLspClient;
  let folder: string;
  let uri: string;
  const progress: StudyProgressNotification.Params[] = [];

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'alluse-coord-sources-'));
    mkdirSync(join(folder, 'config'));
    cpSync(join(ROOT, 'test/fixtures/coord-workspace/study-trial.js'), join(folder, 'study-trial.js'));
    writeFileSync(join(folder, 'config/engine.yaml'), '# engine\nworkers: 2\nbatch_size: 8\n');
    writeFileSync(join(folder, 'alluse-perf.yaml'), WORKSPACE);
    // 50 minutes of history every 10 s: load 70-130/s, CPU 0.052 cores per 1/s.
    const store = await TimeSeriesStore.open({ dir: join(folder, '.alluse-perf/store') });
    const rng = new Rng(11);
    const labels = { component: 'engine' };
    const now = Date.now();
    for (let t = now - 50 * 60_000; t <= now - 1000; t += 10_000) {
      const load = 100 + 30 * Math.sin(t / 300_000) + 3 * rng.normal();
      store.append([
        { series: { name: 'ticks_total_rate', labels }, t, v: load },
        { series: { name: 'process_cpu_ratio', labels }, t, v: 0.052 * load + 0.01 * rng.normal() },
        { series: { name: 'process_resident_memory_bytes', labels }, t, v: 200 * 2 ** 20 + 2 ** 20 * rng.normal() },
      ]);
    }
    await store.close();
    uri = pathToFileURL(join(folder, 'alluse-perf.yaml')).href;
    client = await TestLspClient.start();
    client.on(StudyProgressNotification.method, (p: StudyProgressNotification.Params) => progress.push(p));
    await client.open(uri, readFileSync(join(folder, 'alluse-perf.yaml'), 'utf8'), 1);
    assert.deepEqual(await client.diagnosticsFor(uri, 1), []);
  });
  after(async () => {
    await client?.connection.sendRequest(MonitorControlRequest.method, { uri, action: 'stop', trusted: true }).catch(() => undefined);
    await client?.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('without the monitor, only the study recommends', async () => {
    const run = await client.connection.sendRequest<StudyRunRequest.Result>(StudyRunRequest.method, { uri, study: 'engine-workers', trusted: true });
    assert.ok(run.started, run.message);
    const end = await client.waitFor(() => progress.find((p) => p.study === 'engine-workers' && p.phase === 'idle'), 60_000, 'the end of the study');
    assert.equal(end.ended, 'finished');
    const r = await client.connection.sendRequest<CoordinationConflictsRequest.Result>(CoordinationConflictsRequest.method, { uri, load: 100 });
    assert.deepEqual(r.recommendations.map((x) => [x.source, x.key, x.to]), [['study', 'workers', 3]]);
    assert.deepEqual(r.conflicts, []);
  });

  it('with the monitor, the capacity plan recommends 6 and the rule study over capacity settles the conflict', async () => {
    const s = await client.connection.sendRequest<MonitorStatus>(MonitorControlRequest.method, { uri, action: 'start', trusted: true });
    assert.ok(s.running, s.message);
    const r = await client.connection.sendRequest<CoordinationConflictsRequest.Result>(CoordinationConflictsRequest.method, { uri, load: 100 });
    assert.deepEqual(r.problems, []);
    const capacity = r.recommendations.find((x) => x.source === 'capacity');
    assert.ok(capacity, `a capacity recommendation among ${JSON.stringify(r.recommendations.map((x) => x.id))}`);
    assert.equal(capacity.key, 'workers');
    assert.equal(capacity.from, 2);
    assert.equal(capacity.to, 6);
    assert.match(capacity.reason!, /capacity plan at 100\/s needs 5\.\d+ cores of CPU/);
    const same = r.resolutions.find((x) => x.conflict.kind === 'same-key')!;
    assert.equal(same.method, 'priority');
    assert.deepEqual(same.kept.map((x) => x.source), ['study']);
    assert.deepEqual(same.dropped.map((x) => x.recommendation.source), ['capacity']);
    assert.match(same.explanation, /study "engine-workers" says 3, capacity "capacity plan" says 6/);
    assert.match(same.explanation, /rule: study over capacity/);
    // Same keys are settled first: the surviving 3 workers fit the 4 declared cores, so no cpu-cores conflict is left.
    assert.deepEqual(r.conflicts.map((x) => x.kind), ['same-key']);
    assert.deepEqual(r.offered.map((x) => [x.source, x.key, x.to]), [['study', 'workers', 3]]);
  });
});
