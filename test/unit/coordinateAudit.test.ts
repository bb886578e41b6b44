/** The audit log: append and read back, updates folded in order, damaged lines skipped and reported, snapshots by hash. */
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { AuditLog, parseAuditLog, snapshotHash } from '../../engine/coordinate/audit';
import { configEdits, undoEdits } from '../../engine/coordinate/configChange';

const dirs: string[] = [];
const fresh = () => {
  const d = mkdtempSync(join(tmpdir(), 'alluse-audit-'));
  dirs.push(d);
  return d;
};
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

test('appended entries read back in order with their snapshots', () => {
  const log = new AuditLog(fresh());
  const a = log.append({ actor: 'apply-all', source: 'study "throughput"', component: 'pricing', file: 'config/pricing.yaml', edits: [{ keyPath: 'workers', before: 2, after: 6 }], beforeText: 'workers: 2 # threads\n', afterText: 'workers: 6 # threads\n' });
  const b = log.append({ actor: 'user', file: 'config/gateway.yaml', edits: [{ keyPath: 'pool.size', before: null, after: 'big' }] });
  const { entries, problems } = log.read();
  assert.deepEqual(problems, []);
  assert.deepEqual(entries.map((e) => e.id), [a.id, b.id]);
  assert.equal(entries[0].status, 'applied');
  assert.equal(log.snapshot(entries[0].beforeSnapshot!), 'workers: 2 # threads\n');
  assert.equal(log.snapshot(entries[0].afterSnapshot!), 'workers: 6 # threads\n');
  assert.equal(entries[0].beforeSnapshot, snapshotHash('workers: 2 # threads\n'));
  assert.deepEqual(log.list().map((e) => e.id), [b.id, a.id], 'list is newest first');
  assert.deepEqual(log.list({ component: 'pricing' }).map((e) => e.id), [a.id]);
  assert.notEqual(a.id, b.id);
});

test('updates are folded in file order and never change what happened', () => {
  const log = new AuditLog(fresh());
  const a = log.append({ actor: 'apply-all', file: 'c.yaml', edits: [{ keyPath: 'workers', before: 2, after: 6 }] });
  log.update(a.id, { watch: { state: 'watching', at: new Date().toISOString() } });
  const r = log.append({ actor: 'governor', file: 'c.yaml', rollbackOf: a.id, edits: [{ keyPath: 'workers', before: 6, after: 2 }] });
  log.update(a.id, { status: 'rolled-back', rolledBackBy: r.id, watch: { state: 'regressed', reason: 'p95 up', at: new Date().toISOString() } });
  // An update may not rewrite the edits or the file: those keys are dropped.
  log.update(a.id, { file: 'other.yaml', edits: [] } as never);
  const got = log.get(a.id)!;
  assert.equal(got.status, 'rolled-back');
  assert.equal(got.rolledBackBy, r.id);
  assert.equal(got.watch?.state, 'regressed');
  assert.equal(got.file, 'c.yaml');
  assert.deepEqual(got.edits, [{ keyPath: 'workers', before: 2, after: 6 }]);
  assert.equal(log.get(r.id)?.rollbackOf, a.id);
  assert.deepEqual(log.list({ watching: true }), []);
  assert.throws(() => log.update('nope', { status: 'reverted' }), /No change nope/);
});

test('a corrupt line and a line cut short by a crash are skipped and reported; appending still works', () => {
  const dir = fresh();
  const log = new AuditLog(dir);
  const a = log.append({ actor: 'user', file: 'c.yaml', edits: [{ keyPath: 'k', before: 1, after: 2 }] });
  appendFileSync(log.path, 'this is not json\n');
  appendFileSync(log.path, JSON.stringify({ v: 1, kind: 'entry', entry: { id: 'x' } }) + '\n');
  // A crash in the middle of a write: half a record, no newline.
  appendFileSync(log.path, '{"v":1,"kind":"entry","entry":{"id":"cut');
  let read = log.read();
  assert.equal(read.entries.length, 1);
  assert.deepEqual(read.problems.map((p) => p.line), [2, 3, 4]);
  assert.match(read.problems[2].message, /cut short/);
  const b = log.append({ actor: 'user', file: 'c.yaml', edits: [{ keyPath: 'k', before: 2, after: 3 }] });
  read = log.read();
  assert.deepEqual(read.entries.map((e) => e.id), [a.id, b.id], 'the new entry is on its own line after the cut one');
  assert.equal(read.problems.length, 3);
  assert.ok(readFileSync(log.path, 'utf8').endsWith('\n'));
});

test('an update of an unknown entry, unknown versions and bad statuses are reported', () => {
  const text = [
    JSON.stringify({ v: 1, kind: 'update', id: 'ghost', at: '2026-01-01T00:00:00Z', set: { status: 'reverted' } }),
    JSON.stringify({ v: 2, kind: 'entry' }),
    JSON.stringify({ v: 1, kind: 'entry', entry: { id: 'a', time: '2026-01-01T00:00:00Z', actor: 'user', file: 'f', edits: [], status: 'applied' } }),
    JSON.stringify({ v: 1, kind: 'update', id: 'a', at: '2026-01-01T00:00:00Z', set: { status: 'exploded' } }),
  ].join('\n');
  const r = parseAuditLog(text);
  assert.equal(r.entries.length, 1);
  assert.equal(r.entries[0].status, 'applied');
  assert.deepEqual(r.problems.map((p) => p.line), [1, 2, 4]);
});

test('a snapshot whose file was altered is not returned', () => {
  const log = new AuditLog(fresh());
  const h = log.saveSnapshot('a: 1\n');
  writeFileSync(join(log.folder, 'history', `${h}.txt`), 'a: 2\n');
  assert.equal(log.snapshot(h), undefined);
  assert.equal(log.snapshot('../../etc/passwd'), undefined);
});

test('configEdits lists changed, added and removed keys; undoEdits restores in place and keeps comments', () => {
  const before = 'workers: 4   # pricing threads\nbatch_size: 8\npool: { max: 2, name: "a b" }\nlist: [1, 2]\nold: x\n';
  const after = 'workers: 6   # pricing threads\nbatch_size: 8\npool: { max: 3, name: "a b" }\nlist: [1, 5]\nnew: 1\n';
  const edits = configEdits(before, after)!;
  assert.deepEqual(edits, [
    { keyPath: 'workers', before: 4, after: 6 },
    { keyPath: 'pool.max', before: 2, after: 3 },
    { keyPath: 'list.1', before: 2, after: 5 },
    { keyPath: 'new', before: null, after: 1 },
    { keyPath: 'old', before: 'x', after: null },
  ]);
  const undo = undoEdits(after, edits);
  assert.equal(undo.text, 'workers: 4   # pricing threads\nbatch_size: 8\npool: { max: 2, name: "a b" }\nlist: [1, 2]\nnew: 1\n');
  assert.deepEqual(undo.restored.map((e) => e.keyPath), ['workers', 'pool.max', 'list.1']);
  assert.equal(undo.skipped.length, 2);
  // A key changed again since the change is left alone.
  const later = undoEdits(after.replace('workers: 6', 'workers: 7'), edits.slice(0, 1));
  assert.equal(later.edits.length, 0);
  assert.match(later.skipped[0], /changed again since \(now 7\)/);
  assert.equal(configEdits('a: [', 'a: 1'), undefined);
  // JSON files too.
  assert.deepEqual(configEdits('{"w": 1, "s": "x"}', '{"w": 2, "s": "x"}'), [{ keyPath: 'w', before: 1, after: 2 }]);
  assert.equal(undoEdits('{"w": 2, "s": "x"}', [{ keyPath: 'w', before: 1, after: 2 }]).text, '{"w": 1, "s": "x"}');
});
