/**
 * The server's governor service on real files and a real embedded store (no editor): changes
 * are recorded once (a save of the same text is not a second entry), a user's save of a
 * component's configuration file is recorded, a latency step after a change is a regression
 * after two evaluations, and with `autoRollback` the file gets its old value back on disk
 * (this client cannot apply edits) and the history links the change and its rollback.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { parseDocument } from 'yaml';
import { TimeSeriesStore } from '../../engine/store/index';
import { Rng } from '../../engine/util/rng';
import { workspaceConfigFrom } from '../../engine/workspace/config';
import type { GovernorRegressionNotification } from '../../protocol/index';
import { GovernorService } from '../../server/src/governorService';

const workspace = (autoRollback: boolean) => `version: 1
components:
  - name: engine
    process: { commandMatch: never-running }
    metrics: { url: http://127.0.0.1:1/metrics, latency: lat_seconds }
    configFiles: [config/engine.yaml]
governor: { autoRollback: ${autoRollback}, watchMinutes: 10 }
`;
const CONFIG = '# engine\nworkers: 4   # threads\nbatch_size: 8\n';

describe('the governor service', () => {
  const dirs: string[] = [];
  const stores: TimeSeriesStore[] = [];
  after(async () => {
    for (const s of stores) await s.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  async function setup(autoRollback: boolean) {
    const folder = mkdtempSync(join(tmpdir(), 'alluse-governor-svc-'));
    dirs.push(folder);
    mkdirSync(join(folder, 'config'));
    writeFileSync(join(folder, 'config/engine.yaml'), CONFIG);
    writeFileSync(join(folder, 'alluse-perf.yaml'), workspace(autoRollback));
    const store = await TimeSeriesStore.open({ dir: join(folder, 'store'), rawRetentionMs: 86_400_000, rollupRetentionMs: 86_400_000 });
    stores.push(store);
    const config = workspaceConfigFrom(parseDocument(workspace(autoRollback)));
    const regressions: GovernorRegressionNotification.Params[] = [];
    let changed = 0;
    const service = new GovernorService(
      {
        config: () => config,
        running: () => ({ store, alerts: [] }),
        applyEdit: async () => 'unsupported',
        regression: (p) => regressions.push(p),
        changed: () => changed++,
        log: (m) => assert.fail(m),
      },
      3_600_000, // ticks are driven by the test
    );
    const uri = pathToFileURL(join(folder, 'alluse-perf.yaml')).toString();
    const file = pathToFileURL(join(folder, 'config/engine.yaml')).toString();
    service.track(uri);
    return { folder, store, service, uri, file, regressions, changes: () => changed };
  }

  /** The engine's p95 latency at 1 s: 10 ms with 10% noise, `after` from `at` on. */
  function fill(store: TimeSeriesStore, from: number, to: number, at: number, afterV: number) {
    const r = new Rng(3);
    for (let t = from; t <= to; t += 1000) store.append([{ series: { name: 'lat_seconds_p95', labels: { component: 'engine' } }, t, v: (t >= at ? afterV : 0.01) * (1 + 0.1 * r.normal()) }]);
  }

  it('records a change once, and a user’s save of a configuration file', async () => {
    const s = await setup(false);
    const after = CONFIG.replace('workers: 4', 'workers: 6');
    writeFileSync(join(s.folder, 'config/engine.yaml'), after);
    const r = s.service.record({ uri: s.uri, file: s.file, actor: 'apply-all', source: 'study "x"', beforeText: CONFIG, afterText: after });
    assert.deepEqual(r.entry?.edits, [{ keyPath: 'workers', before: 4, after: 6 }]);
    assert.equal(r.entry?.component, 'engine');
    assert.equal(r.entry?.watch?.state, 'watching');
    // The save that follows "Apply All" is the same text: no second entry.
    assert.equal(s.service.fileSaved(s.uri, s.file, after), undefined);
    // A save by hand that changes a value is the user's change; one that changes only a comment is not.
    const byHand = after.replace('batch_size: 8', 'batch_size: 16');
    assert.deepEqual(s.service.fileSaved(s.uri, s.file, byHand)?.edits, [{ keyPath: 'batch_size', before: 8, after: 16 }]);
    assert.equal(s.service.fileSaved(s.uri, s.file, byHand.replace('# engine', '# the engine')), undefined);
    assert.equal(s.service.fileSaved(s.uri, pathToFileURL(join(s.folder, 'other.yaml')).toString(), 'a: 1'), undefined);
    assert.deepEqual(s.service.list({ uri: s.uri }).entries.map((e) => e.actor), ['user', 'apply-all']);
    assert.match(s.service.record({ uri: s.uri, file: s.file, actor: 'user', beforeText: after, afterText: after }).message, /changed no value/);
    assert.ok(s.changes() >= 2);
  });

  it('rolls back a change that made latency worse, on disk, and links both in the history', async () => {
    const s = await setup(true);
    const after = CONFIG.replace('workers: 4', 'workers: 6');
    writeFileSync(join(s.folder, 'config/engine.yaml'), after);
    const rec = s.service.record({ uri: s.uri, file: s.file, actor: 'apply-all', beforeText: CONFIG, afterText: after }).entry!;
    const t = Date.parse(rec.time);
    // Ten minutes at 10 ms before the change, 30 ms from 2 s after it.
    fill(s.store, t - 10 * 60_000, t + 30_000, t + 2000, 0.03);
    await s.service.tick(t + 15_000);
    assert.equal(s.regressions.length, 0, 'one bad evaluation is not enough');
    assert.equal(s.service.list({ uri: s.uri }).entries[0].watch?.state, 'watching');
    await s.service.tick(t + 17_000);
    assert.equal(s.regressions.length, 1);
    const reg = s.regressions[0];
    assert.match(reg.reason, /p95 latency/);
    assert.equal(reg.rollback?.actor, 'governor');
    assert.equal(readFileSync(join(s.folder, 'config/engine.yaml'), 'utf8'), CONFIG, 'the old value is back, the comments kept');
    const [rollback, applied] = s.service.list({ uri: s.uri }).entries;
    assert.deepEqual([applied.status, applied.watch?.state, applied.rolledBackBy], ['rolled-back', 'regressed', rollback.id]);
    assert.equal(rollback.rollbackOf, applied.id);
    assert.equal(applied.effects?.[0].verdict, 'worse');
    // Nothing more is watched, and the change cannot be undone twice.
    await s.service.tick(t + 19_000);
    assert.equal(s.regressions.length, 1);
    const again = await s.service.revert({ uri: s.uri, id: applied.id, kind: 'revert' });
    assert.equal(again.ok, false);
    assert.match(again.message, /already rolled back/);
    // The rollback itself can be reverted: the change comes back.
    const redo = await s.service.revert({ uri: s.uri, id: rollback.id, kind: 'revert' });
    assert.ok(redo.ok, redo.message);
    assert.equal(readFileSync(join(s.folder, 'config/engine.yaml'), 'utf8'), after);
  });

  it('without autoRollback notifies only; a key changed again since is left alone by the rollback', async () => {
    const s = await setup(false);
    const after = CONFIG.replace('workers: 4', 'workers: 6').replace('batch_size: 8', 'batch_size: 12');
    writeFileSync(join(s.folder, 'config/engine.yaml'), after);
    const rec = s.service.record({ uri: s.uri, file: s.file, actor: 'quick-fix', beforeText: CONFIG, afterText: after }).entry!;
    const t = Date.parse(rec.time);
    fill(s.store, t - 10 * 60_000, t + 30_000, t + 2000, 0.03);
    await s.service.tick(t + 15_000);
    await s.service.tick(t + 17_000);
    assert.equal(s.regressions.length, 1);
    assert.equal(s.regressions[0].rollback, undefined);
    assert.equal(readFileSync(join(s.folder, 'config/engine.yaml'), 'utf8'), after, 'nothing was written');
    // Someone changes batch_size again; the rollback restores workers only.
    writeFileSync(join(s.folder, 'config/engine.yaml'), after.replace('batch_size: 12', 'batch_size: 20'));
    const r = await s.service.revert({ uri: s.uri, id: rec.id, kind: 'rollback' });
    assert.ok(r.ok, r.message);
    assert.match(r.message, /Not set back: batch_size: changed again since \(now 20\)/);
    assert.equal(readFileSync(join(s.folder, 'config/engine.yaml'), 'utf8'), CONFIG.replace('batch_size: 8', 'batch_size: 20'));
    assert.equal(s.service.list({ uri: s.uri }).entries[1].status, 'rolled-back');
  });
});
