// The profile store (standard .cpuprofile per thread, result, index with the config as it
// was), the comparison of two profiles with the config keys that changed, and the /proc
// stat parser used for components without an inspector.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { compareProfiles, diffConfig } from '../../engine/profile/compare';
import { parseStat } from '../../engine/profile/osProcess';
import { ProfileStore, profileId } from '../../engine/profile/profileStore';
import type { CapturedProfile, HotFunction, ProfileResult } from '../../engine/profile/types';

const fn = (name: string, selfPct: number): HotFunction => ({ key: `/s/a.ts#${name}`, name, location: { file: '/s/a.ts', line: 1, column: 1 }, url: '', mapped: true, selfMs: selfPct, totalMs: selfPct, selfPct, totalPct: selfPct, threads: ['main'], lines: [], category: 'user' });
const result = (id: string, fns: HotFunction[], busyMs = 1000): ProfileResult => ({ id, component: 'engine', startedAt: Date.parse('2026-01-02T03:04:05.678Z'), durationMs: 2000, samplingIntervalUs: 1000, totalMs: 4000, busyMs, threads: [], functions: fns, flame: { name: 'engine', fn: -1, selfMs: 0, totalMs: 0, children: [] }, warnings: [], analysisMs: 1 });
const cap = (labels: string[]): CapturedProfile => ({ component: 'engine', startedAt: Date.parse('2026-01-02T03:04:05.678Z'), durationMs: 2000, samplingIntervalUs: 1000, warnings: [], threads: labels.map((label) => ({ label, kind: label === 'main' ? 'main' : 'worker', profile: { nodes: [{ id: 1, callFrame: { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 } }], startTime: 0, endTime: 10, samples: [1], timeDeltas: [5] } })) });

describe('profile store', () => {
  it('keeps one standard .cpuprofile per thread, the result and an index with the config, newest first', () => {
    const store = new ProfileStore(mkdtempSync(join(tmpdir(), 'alluse-profiles-')));
    assert.deepEqual(store.list(), []);
    const id1 = profileId('protocol-engine', Date.parse('2026-01-02T03:04:05.678Z'));
    assert.equal(id1, 'protocol-engine-20260102T030405678Z');
    const e1 = store.save(cap(['main', 'worker 1 (pricing-worker.js)']), result(id1, [fn('a', 50)]), { 'config/e.yaml': 'workers: 4\n' });
    assert.deepEqual(e1.files.map((f) => f.file), [`${id1}.main.cpuprofile`, `${id1}.worker-1-pricing-worker.js.cpuprofile`]);
    const p = JSON.parse(readFileSync(join(store.folder, e1.files[1].file), 'utf8'));
    assert.deepEqual(Object.keys(p).sort(), ['endTime', 'nodes', 'samples', 'startTime', 'timeDeltas']);
    const later = { ...result('engine-2', [fn('a', 30), fn('b', 20)]), startedAt: Date.parse('2026-01-02T04:00:00Z') };
    store.save({ ...cap(['main']), startedAt: later.startedAt }, later, { 'config/e.yaml': 'workers: 1\n' });
    assert.deepEqual(store.list().map((e) => e.id), ['engine-2', id1]);
    assert.equal(store.result(id1)?.functions[0].name, 'a');
    assert.equal(store.captured(id1)?.threads.length, 2);
    assert.deepEqual(store.get('engine-2')?.top, [{ name: 'a', selfPct: 30 }, { name: 'b', selfPct: 20 }]);
    store.remove(id1);
    assert.deepEqual(store.list().map((e) => e.id), ['engine-2']);
  });
});

describe('profile comparison', () => {
  it('gives each function its share before and after, biggest change first, and the changed config keys', () => {
    const c = compareProfiles(result('a', [fn('x', 40), fn('y', 10)], 1000), result('b', [fn('x', 25), fn('z', 12)], 500), { 'e.yaml': 'workers: 4\nbatch_size: 8\nnested: { a: 1 }\n' }, { 'e.yaml': 'workers: 1\nbatch_size: 8\nnested: { a: 2 }\n' });
    assert.deepEqual(c.functions.map((f) => [f.name, f.beforeSelfPct, f.afterSelfPct, f.deltaSelfPct]), [['x', 40, 25, -15], ['z', 0, 12, 12], ['y', 10, 0, -10]]);
    assert.equal(c.before.busyMsPerS, 500);
    assert.equal(c.after.busyMsPerS, 250);
    assert.deepEqual(c.configChanges, [{ file: 'e.yaml', key: 'workers', before: 4, after: 1 }, { file: 'e.yaml', key: 'nested.a', before: 1, after: 2 }]);
    assert.deepEqual(diffConfig({}, {}), []);
  });
});

describe('/proc stat', () => {
  it('reads utime and stime of a process whose name has spaces and parentheses', () => {
    const s = parseStat('1234 (node (x) y) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 37 0 0 20 0 11 0 12345 0 0');
    assert.deepEqual(s, { name: 'node (x) y', userMs: 2500, systemMs: 370 });
  });
});
