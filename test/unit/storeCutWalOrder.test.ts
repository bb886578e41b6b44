/**
 * A kill -9 during a cut must leave a folder whose reopen has every sample in the raw data and
 * in the 1 s tier alike. A reopen rebuilds the open rollup buckets by replaying the cut's WAL
 * segment, and drops what the cut's chunk groups hold (engine/store/store.ts, load), so the
 * segment must be complete on disk before any of the cut's groups is. The cut's last WAL
 * record waits behind the previous record's fdatasync (slow on a loaded disk) while the groups
 * did not wait for it: killed between the two, the reopened 1 s tier lacked that record's
 * samples of the second open at the cut, which the raw group held
 * (test/integration/storeCrash.test.ts once counted 251 in the 1 s tier against 271 raw: 200 ms).
 *
 * Here the WAL's appends are held back (a slow disk) from the cut until the cut has written
 * every group it writes without them, and the folder is copied after every write the store
 * completes (each copy is a folder a kill could leave); each copy is reopened and checked.
 * `sealSliceMs: Infinity` (the one-step cut) makes "every group it writes without them"
 * a condition: those writes start in the same turn as the cut.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { after, it } from 'node:test';
import { seriesId, type SeriesKey } from '../../engine/metrics/series';
import { nodeIo, TimeSeriesStore, type StoreIo } from '../../engine/store/index';

const T0 = Date.UTC(2026, 10, 1, 10); // a whole second
const STEP_MS = 10;
const keys: SeriesKey[] = [0, 1, 2].map((i) => ({ name: 'crash_order_value', labels: { series: String(i) } }));
const ids = keys.map(seriesId);
const dirs: string[] = [];
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
const tempDir = (what: string) => {
  const d = mkdtempSync(join(tmpdir(), `alluse-store-cut-wal-order-${what}-`));
  dirs.push(d);
  return d;
};

it('a cut\'s chunk groups reach the disk only after its WAL segment: a kill between them loses nothing from the 1 s tier', async (t) => {
  const dir = tempDir('store');
  let now = T0;
  /** Resolved when the WAL may be written again (undefined: not held). */
  let walHeld: Promise<void> | undefined;
  let releaseWal = () => {};
  const chunkWrites = new Set<Promise<void>>();
  const snapshots: { after: string; dir: string; walHeld: boolean }[] = [];
  const snapshot = (path: string) => {
    const copy = tempDir('copy');
    cpSync(dir, copy, { recursive: true, filter: (src) => !src.endsWith('LOCK') });
    snapshots.push({ after: path.slice(dir.length + 1), dir: copy, walHeld: walHeld !== undefined });
  };
  const isWal = (path: string) => path.startsWith(join(dir, 'wal') + sep);
  const io: StoreIo = {
    ...nodeIo,
    append: async (path, data, created) => {
      if (isWal(path)) {
        await walHeld;
        await nodeIo.append(path, data, created);
      } else {
        const w = nodeIo.append(path, data, created);
        chunkWrites.add(w);
        try { await w; } finally { chunkWrites.delete(w); }
      }
      snapshot(path);
    },
    replace: async (path, data) => { await nodeIo.replace(path, data); snapshot(path); },
    remove: async (path) => { await nodeIo.remove(path); snapshot(path); },
  };
  const store = await TimeSeriesStore.open({ dir, now: () => now, io, manualFlush: true, cutIntervalMs: 1000, sealSliceMs: Infinity, encodeWorker: 'never' });
  let i = 0;
  const appendUpTo = (t: number) => {
    for (; T0 + i * STEP_MS <= t; i++) store.append(keys.map((series) => ({ series, t: T0 + i * STEP_MS, v: i })));
  };

  /**
   * Samples up to `flushAt` written to the WAL; then, with the WAL held, the next ones up to
   * `cutAt` (200 ms of them) and a cut, which takes them as its segment's last record.
   */
  const cutWithSlowWal = async (flushAt: number, cutAt: number) => {
    appendUpTo(flushAt);
    await store.flush();
    walHeld = new Promise((resolve) => { releaseWal = resolve; });
    appendUpTo(cutAt - 2 * STEP_MS);
    now = cutAt; // past the cut boundary: the next append starts the cut
    appendUpTo(cutAt - STEP_MS);
    const cutStarted = (store as unknown as { sealing?: Promise<unknown> }).sealing !== undefined;
    assert.ok(cutStarted, 'the append past the boundary started a cut');
    // Every group the cut writes without waiting for its WAL record: the first starts in this
    // turn (one-step cut), each next one when the one before is written.
    await new Promise(setImmediate);
    while (chunkWrites.size) {
      await Promise.all(chunkWrites);
      await new Promise(setImmediate);
    }
    walHeld = undefined;
    releaseWal();
    await store.flush();
  };
  // Cut 1 (no checkpoint yet) and cut 2 (the first one's checkpoint on disk), each in the middle
  // of a second: its open 1 s bucket holds the 200 ms the held record has.
  await cutWithSlowWal(T0 + 1290, T0 + 1500);
  await cutWithSlowWal(T0 + 2290, T0 + 2500);
  const lastT = T0 + (i - 1) * STEP_MS;
  await store.close();
  for (const kind of [`raw${sep}`, `1s${sep}`, 'head.ckpt', `wal${sep}`]) assert.ok(snapshots.some((s) => s.after.startsWith(kind)), `the store wrote ${kind}`);
  t.diagnostic(`${snapshots.length} folders checked, one after each write: ${snapshots.map((s) => s.after.split(sep)[0]).join(' ')}`);

  for (const [n, s] of snapshots.entries()) {
    const re = await TimeSeriesStore.open({ dir: s.dir, now: () => now, manualFlush: true, cutIntervalMs: 60_000, encodeWorker: 'never' });
    try {
      const where = `reopened after write ${n + 1}, ${s.after}${s.walHeld ? ' (the WAL held back)' : ''}`;
      assert.equal(re.readOnly, false, where);
      assert.ok(!re.problems.some((p) => p.kind === 'corrupt'), `${where}: ${JSON.stringify(re.problems)}`);
      for (const id of ids) {
        const raw = re.query({ series: [id], from: T0, to: Infinity })[0]?.points ?? [];
        // Contiguous from T0: nothing missing before the tail, nothing repeated.
        raw.forEach((p, k) => assert.equal(p.t, T0 + k * STEP_MS, `${where}: ${id} raw sample ${k}`));
        assert.ok(raw.length > 0 && raw.length <= (lastT - T0) / STEP_MS + 1, `${where}: ${id} has ${raw.length} raw samples`);
        // Each second of the 1 s tier counts the raw samples of that second.
        const perSecond = new Map<number, number>();
        for (const p of raw) perSecond.set(Math.floor(p.t / 1000) * 1000, (perSecond.get(Math.floor(p.t / 1000) * 1000) ?? 0) + 1);
        const counted = re.query({ series: [id], from: T0, to: Infinity, stepMs: 1000, agg: 'count' })[0]?.points ?? [];
        assert.deepEqual(counted.map((p) => [p.t, p.v]), [...perSecond], `${where}: ${id} 1 s rollup counts against the raw samples`);
      }
    } finally {
      await re.close();
    }
  }
});
