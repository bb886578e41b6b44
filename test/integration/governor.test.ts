// The governor end to end through the analysis server on the real demo system: a change to
// the protocol engine's configuration file is recorded (apply all), a latency fault follows,
// the governor finds the regression on the engine's p95 latency from the monitor's store and,
// with `governor.autoRollback: true`, writes the previous value back itself; the audit
// history shows the change (rolled back, with its measured effect) and the rollback.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { AuditChangedNotification, AuditListRequest, AuditRecordRequest, GovernorRegressionNotification } from '../../protocol/index';
import { parseAuditLog } from '../../engine/coordinate/audit';
import type { TestLspClient } from '../helpers/lspClient';
import { waitForCalmLatency } from '../helpers/calmLatency';
import { startMonitoredDemo, type MonitoredDemo } from '../helpers/monitoredDemo';

describe('the governor rolls back a change that a latency fault made worse', () => {
  let demo: MonitoredDemo;
  let client: TestLspClient;
  let uri: string;
  const regressions: GovernorRegressionNotification.Params[] = [];
  let changes = 0;

  before(async () => {
    demo = await startMonitoredDemo({ prefix: 'alluse-governor-', configFiles: true, topLines: ['governor: { autoRollback: true, watchMinutes: 10, regressionThreshold: 0.2 }'] });
    ({ client, uri } = demo);
    client.on<GovernorRegressionNotification.Params>(GovernorRegressionNotification.method, (p) => regressions.push(p));
    client.on<AuditChangedNotification.Params>(AuditChangedNotification.method, () => changes++);
  });

  after(async () => demo?.stop());

  it('records the change, detects the regression, rolls it back and keeps both in the history', async () => {
    // A baseline first: 20 s of the engine's p95 latency in the store.
    await waitForCalmLatency(client, uri);

    const configPath = join(demo.ws.folder, 'config/protocol-engine.yaml');
    const fileUri = pathToFileURL(configPath).toString();
    const beforeText = readFileSync(configPath, 'utf8');
    assert.match(beforeText, /^workers: 4 /m);
    const afterText = beforeText.replace(/^workers: 4 /m, 'workers: 6 ');
    writeFileSync(configPath, afterText);
    const rec = (await client.connection.sendRequest(AuditRecordRequest.method, { uri, file: fileUri, actor: 'apply-all', source: 'study "engine-throughput"', beforeText, afterText } satisfies AuditRecordRequest.Params)) as AuditRecordRequest.Result;
    assert.ok(rec.entry, rec.message);
    assert.deepEqual(rec.entry.edits, [{ keyPath: 'workers', before: 4, after: 6 }]);
    assert.equal(rec.entry.component, 'protocol-engine');
    assert.equal(rec.entry.file, 'config/protocol-engine.yaml');
    assert.equal(rec.entry.watch?.state, 'watching', rec.entry.watch?.reason);
    const t0 = Date.now();

    // The fault: every batch of the engine waits 1.5 s more (well above what a loaded 2-core machine adds to its latency).
    await demo.fault('protocol-engine', { fault: 'latency-spike', on: true, probability: 1, delay_ms: 1500 });
    const reg = await client.waitFor(() => regressions.find((r) => r.entry.id === rec.entry!.id), 120_000, 'the regression notification').catch(async (e: Error) => {
      const l = (await client.connection.sendRequest(AuditListRequest.method, { uri })) as AuditListRequest.Result;
      throw new Error(`${e.message}; the history: ${JSON.stringify(l.entries.map((x) => ({ watch: x.watch, effects: x.effects?.map((f) => f.message) })))}`);
    });
    const ms = Date.now() - t0;
    console.log(`# change → regression found and rolled back: ${ms} ms; ${reg.reason}`);
    assert.match(reg.reason, /p95 latency/);
    assert.ok(reg.rollback, `rolled back automatically: ${reg.rollbackMessage ?? ''}`);
    assert.equal(reg.rollback.actor, 'governor');
    assert.equal(reg.rollback.rollbackOf, rec.entry.id);
    assert.deepEqual(reg.rollback.edits, [{ keyPath: 'workers', before: 6, after: 4 }]);
    assert.equal(reg.fileUri, fileUri);
    // The file has its old value back, with its comment, and nothing else changed.
    assert.equal(readFileSync(configPath, 'utf8'), beforeText);

    // The history, over the protocol and on disk.
    const list = (await client.connection.sendRequest(AuditListRequest.method, { uri } satisfies AuditListRequest.Params)) as AuditListRequest.Result;
    assert.deepEqual(list.problems, []);
    assert.deepEqual(list.entries.map((e) => [e.actor, e.status, e.rollbackOf ?? null]), [
      ['governor', 'applied', rec.entry.id],
      ['apply-all', 'rolled-back', null],
    ]);
    const applied = list.entries[1];
    assert.equal(applied.rolledBackBy, list.entries[0].id);
    assert.equal(applied.watch?.state, 'regressed');
    const lat = applied.effects?.find((e) => e.metric === 'latencyP95');
    assert.ok(lat, JSON.stringify(applied.effects));
    assert.equal(lat.verdict, 'worse');
    assert.ok(lat.effectLo95 > 0.05, `the effect of a 1.5 s delay is well above 50 ms: ${lat.message}`);
    const onDisk = parseAuditLog(readFileSync(join(demo.ws.folder, '.alluse-perf/audit.jsonl'), 'utf8'));
    assert.deepEqual(onDisk.entries.map((e) => e.id), [rec.entry.id, list.entries[0].id]);
    assert.ok(changes >= 3, `alluse/audit/changed sent for the record, the verdict and the rollback (${changes})`);
  });
});
