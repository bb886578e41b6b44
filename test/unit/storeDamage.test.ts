import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { seriesId, type SeriesKey } from '../../engine/metrics/series';
import { nodeIo, TimeSeriesStore, type StoreIo, type StoreOptions } from '../../engine/store/index';

const T0 = Date.UTC(2026, 10, 1);
const dirs: string[] = [];
after(() => {
  for (const d of dirs) {
    try { execFileSync('chattr', ['-R', '-i', d], { stdio: 'ignore' }); } catch { /* not used */ }
    try { chmodSync(d, 0o755); } catch { /* gone */ }
    rmSync(d, { recursive: true, force: true });
  }
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'alluse-store-'));
  dirs.push(d);
  return d;
}

const keys: SeriesKey[] = [0, 1, 2, 3].map((i) => ({ name: 'engine_queue_depth', labels: { worker: String(i) } }));
const ids = keys.map(seriesId);

async function openStore(dir: string, clock: { t: number }, extra: Partial<StoreOptions> = {}): Promise<TimeSeriesStore> {
  return TimeSeriesStore.open({ dir, now: () => clock.t, manualFlush: true, cutIntervalMs: 60_000, ...extra });
}

async function write(store: TimeSeriesStore, clock: { t: number }, seconds: number): Promise<void> {
  for (let i = 0; i < seconds * 10; i++) {
    clock.t += 100;
    store.append(keys.map((series, k) => ({ series, t: clock.t, v: (clock.t / 100) % 50 + k })));
    if (clock.t % 1000 === 0) await store.flush();
  }
  await store.flush();
}

/** A store folder with 20 minutes of data in closed chunk files. */
async function makeStore(): Promise<{ dir: string; clock: { t: number }; points: Map<string, Map<number, number>> }> {
  const dir = tempDir();
  const clock = { t: T0 };
  const s = await openStore(dir, clock);
  await write(s, clock, 20 * 60);
  await s.close();
  const points = new Map<string, Map<number, number>>();
  for (const r of s.query({ series: ids, from: 0, to: Infinity })) points.set(r.id, new Map(r.points.map((p) => [p.t, p.v])));
  return { dir, clock, points };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
}

/** Every point the damaged store returns is one that was written. */
function assertSubset(store: TimeSeriesStore, points: Map<string, Map<number, number>>): number {
  let n = 0;
  for (const r of store.query({ series: ids, from: 0, to: Infinity })) {
    const orig = points.get(r.id)!;
    for (const p of r.points) { assert.ok(Object.is(orig.get(p.t), p.v), `${r.id} at ${p.t}`); n++; }
  }
  for (const step of [1000, 60_000, 3_600_000]) store.query({ series: ids, from: 0, to: Infinity, stepMs: step, agg: 'p99' });
  return n;
}

describe('time-series store: damaged files', () => {
  it('a truncated chunk file is detected, reported and the complete part still read', async () => {
    const { dir, clock, points } = await makeStore();
    const raw = filesUnder(join(dir, 'raw'))[0];
    const size = statSync(raw).size;
    writeFileSync(raw, readFileSync(raw).subarray(0, Math.floor(size * 0.6)));
    const s = await openStore(dir, clock);
    const p = s.problems.find((x) => x.kind === 'truncated' && x.file === raw);
    assert.ok(p, JSON.stringify(s.problems));
    const n = assertSubset(s, points);
    assert.ok(n > 0 && n < 4 * 12_000, `${n} samples survive`);
    await s.close();
  });

  it('flipped bytes in a block are found when it is read, reported and skipped', async () => {
    const { dir, clock, points } = await makeStore();
    const raw = filesUnder(join(dir, 'raw'))[0];
    const bytes = readFileSync(raw);
    bytes[200] ^= 0xff;
    writeFileSync(raw, bytes);
    const s = await openStore(dir, clock);
    const n = assertSubset(s, points);
    assert.ok(n > 0 && n < 4 * 12_000);
    assert.ok(s.problems.some((x) => x.kind === 'corrupt' && x.file === raw), JSON.stringify(s.problems));
    await s.close();
  });

  it('any damage to any file (flipped bytes, cuts, garbage) never throws and never invents samples', async () => {
    const { dir, clock, points } = await makeStore();
    const files = filesUnder(dir).filter((f) => !f.endsWith('LOCK'));
    let damaged = 0;
    await fc.assert(fc.asyncProperty(fc.nat(files.length - 1), fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom('flip', 'cut', 'garbage'), fc.integer({ min: 1, max: 255 }), async (fi, where, how, mask) => {
      const copy = tempDir();
      cpSync(dir, copy, { recursive: true });
      const file = join(copy, files[fi].slice(dir.length));
      const bytes = readFileSync(file);
      const at = Math.min(bytes.length - 1, Math.floor(where * bytes.length));
      if (how === 'flip') bytes[at] ^= mask;
      writeFileSync(file, how === 'cut' ? bytes.subarray(0, at) : how === 'garbage' ? Buffer.concat([bytes, Buffer.alloc(mask, mask)]) : bytes);
      const s = await openStore(copy, { ...clock });
      assertSubset(s, points);
      if (s.problems.length) damaged++;
      await s.close();
      rmSync(copy, { recursive: true, force: true });
    }), { seed: 42, numRuns: 40 });
    assert.ok(damaged > 10, `damage reported in ${damaged} of 40 runs`);
  });

  it('a damaged WAL tail and a damaged checkpoint are reported; the rest is recovered', async () => {
    const dir = tempDir();
    const clock = { t: T0 };
    const s = await openStore(dir, clock, { cutIntervalMs: 3_600_000 });
    await write(s, clock, 30);
    // "Crash": abandon the store without closing, free its lock, damage the WAL tail.
    rmSync(join(dir, 'LOCK'));
    const wal = filesUnder(join(dir, 'wal'))[0];
    const bytes = readFileSync(wal);
    writeFileSync(wal, bytes.subarray(0, bytes.length - 100));
    writeFileSync(join(dir, 'head.ckpt'), 'not a checkpoint');
    const s2 = await openStore(dir, clock);
    assert.ok(s2.problems.some((p) => p.kind === 'truncated' && p.file === wal), JSON.stringify(s2.problems));
    assert.ok(s2.problems.some((p) => p.kind === 'corrupt' && p.file?.endsWith('head.ckpt')));
    const got = s2.query({ series: [ids[0]], from: 0, to: Infinity })[0].points;
    assert.ok(got.length > 250 && got.length < 300, `${got.length} of 300 samples recovered`);
    await s2.close();
  });
});

describe('time-series store: sharing and unwritable folders', () => {
  it('a second opener is read-only, can query, and sees what the writer writes after refresh()', async () => {
    const dir = tempDir();
    const clock = { t: T0 };
    const writer = await openStore(dir, clock);
    await write(writer, clock, 90);
    const reader = await openStore(dir, clock);
    assert.equal(writer.readOnly, false);
    assert.equal(reader.readOnly, true);
    assert.ok(reader.problems.some((p) => p.kind === 'read-only'));
    assert.equal(reader.query({ series: [ids[1]], from: 0, to: Infinity })[0].points.length, 900);
    await write(writer, clock, 90);
    await reader.refresh();
    assert.equal(reader.query({ series: [ids[1]], from: 0, to: Infinity })[0].points.length, 1800);
    assert.equal(reader.query({ series: [ids[1]], from: 0, to: Infinity, stepMs: 60_000, agg: 'count' })[0].points.reduce((a, p) => a + p.v, 0), 1800);
    // Appending to a read-only store keeps the samples in memory and writes nothing.
    const before = filesUnder(dir).map((f) => `${f}:${statSync(f).size}`).sort();
    reader.append([{ series: { name: 'reader_only', labels: {} }, t: clock.t, v: 1 }]);
    await reader.flush();
    assert.equal(reader.query({ series: ['reader_only'], from: 0, to: Infinity })[0].points.length, 1);
    assert.deepEqual(filesUnder(dir).map((f) => `${f}:${statSync(f).size}`).sort(), before);
    await reader.close();
    await writer.close();
    // Once the writer is gone, the next opener writes.
    const next = await openStore(dir, clock);
    assert.equal(next.readOnly, false);
    await next.close();
  });

  it('a read-only folder opens read-only and can still be queried', async (t) => {
    const dir = tempDir();
    const clock = { t: T0 };
    const s = await openStore(dir, clock);
    await write(s, clock, 30);
    await s.close();
    let protect: () => void;
    let unprotect: () => void;
    if (process.getuid?.() === 0) {
      protect = () => execFileSync('chattr', ['-R', '+i', dir], { stdio: 'ignore' });
      unprotect = () => execFileSync('chattr', ['-R', '-i', dir], { stdio: 'ignore' });
    } else {
      protect = () => chmodSync(dir, 0o555);
      unprotect = () => chmodSync(dir, 0o755);
    }
    try { protect(); } catch { t.skip('cannot make a folder read-only here (root without chattr)'); return; }
    try {
      const ro = await openStore(dir, clock);
      assert.equal(ro.readOnly, true);
      assert.ok(ro.problems.some((p) => p.kind === 'read-only'), JSON.stringify(ro.problems));
      assert.equal(ro.query({ series: [ids[2]], from: 0, to: Infinity })[0].points.length, 300);
      ro.append([{ series: keys[2], t: clock.t + 100, v: 1 }]);
      assert.equal(ro.query({ series: [ids[2]], from: 0, to: Infinity })[0].points.length, 301);
      await ro.close();
    } finally {
      unprotect();
    }
  });

  it('a full disk degrades to memory only, says so, and loses nothing in memory', async () => {
    const dir = tempDir();
    const clock = { t: T0 };
    let full = false;
    const io: StoreIo = {
      ...nodeIo,
      append: async (p, d) => { if (full) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }); return nodeIo.append(p, d); },
      replace: async (p, d) => { if (full) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }); return nodeIo.replace(p, d); },
    };
    const s = await openStore(dir, clock, { io });
    await write(s, clock, 120);
    full = true;
    await write(s, clock, 180);
    assert.equal(s.memoryOnly, true);
    assert.ok(s.problems.some((p) => p.kind === 'degraded' && /ENOSPC/.test(p.message)), JSON.stringify(s.problems));
    assert.equal(s.query({ series: [ids[3]], from: 0, to: Infinity })[0].points.length, 3000);
    assert.equal(s.query({ series: [ids[3]], from: 0, to: Infinity, stepMs: 60_000, agg: 'count' })[0].points.reduce((a, p) => a + p.v, 0), 3000);
    await s.close();
  });

  it('a folder that cannot be created gives a memory-only store', async () => {
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, '');
    const clock = { t: T0 };
    const s = await openStore(join(file, 'store'), clock);
    assert.equal(s.memoryOnly, true);
    assert.ok(s.problems.some((p) => p.kind === 'degraded'));
    await write(s, clock, 10);
    assert.equal(s.query({ series: [ids[0]], from: 0, to: Infinity })[0].points.length, 100);
    await s.close();
  });
});
