/**
 * The WAL is written every flush interval (a kill -9 of the writer loses at most that) and
 * fdatasync'ed every `walSyncIntervalMs` (a crash of the machine loses at most that): the
 * records between syncs are in the file at once, not durable; the first record of a segment,
 * a cut's last one, `flush()` and `close()` are durable; and a record left waiting for its
 * sync when the appends stop gets one (an empty durable append) within the sync interval.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { nodeIo, TimeSeriesStore, type StoreIo } from '../../engine/store/index';
import { readWal } from '../../engine/store/wal';
import { until } from '../helpers/until';

const dirs: string[] = [];
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

const T0 = Date.UTC(2026, 10, 1, 10);
const key = { name: 'x', labels: {} };

interface WalWrite { file: string; bytes: number; durable: boolean; at: number; onDisk: number }

/** A store whose io records each WAL append: its size, whether it was asked to be durable, and the samples in the file once it settled. */
async function open(flushIntervalMs: number, walSyncIntervalMs: number) {
  const dir = mkdtempSync(join(tmpdir(), 'alluse-wal-sync-'));
  dirs.push(dir);
  const writes: WalWrite[] = [];
  const io: StoreIo = {
    ...nodeIo,
    append: async (p, d, created, durable) => {
      await nodeIo.append(p, d, created, durable);
      if (!p.endsWith('.wal')) return;
      let onDisk = 0;
      readWal(readFileSync(p), () => onDisk++);
      writes.push({ file: p, bytes: (d as Uint8Array).length, durable: durable !== false, at: performance.now(), onDisk });
    },
  };
  let t = T0;
  const store = await TimeSeriesStore.open({ dir, flushIntervalMs, walSyncIntervalMs, io, now: () => t });
  return { store, writes, tick: () => (t += 100) };
}

it('writes every flush interval and syncs every sync interval; a waiting record is synced when the appends stop', async () => {
  const { store, writes, tick } = await open(50, 600);
  try {
    let appended = 0;
    // Appends for about 1.5 s, each after the last record was written (the flush timer's pace).
    const start = performance.now();
    while (performance.now() - start < 1500) {
      store.append([{ series: key, t: tick(), v: appended++ }]);
      const n = writes.length;
      await until('the next WAL record', () => writes.length > n);
    }
    const records = writes.filter((w) => w.bytes > 0);
    assert.equal(records.length, appended, 'one record per flush');
    // Each record is in the file when its append settles, durable or not: a kill -9 loses none.
    records.forEach((w, i) => assert.equal(w.onDisk, i + 1, `record ${i} is in the file`));
    assert.equal(records[0].durable, true, 'the segment\'s first record is durable (the file\'s name with it)');
    const synced = records.filter((w) => w.durable);
    assert.ok(synced.length >= 2 && synced.length <= 4, `a sync every 600 ms in 1.5 s, not one per record: ${synced.length} of ${records.length}`);
    // No record waited longer than the sync interval for a sync (with room for a busy machine: the times are when the appends settled).
    let lastSync = records[0].at;
    for (const w of records) {
      if (w.durable) lastSync = w.at;
      else assert.ok(w.at - lastSync < 600 + 250, `a record ${Math.round(w.at - lastSync)} ms after the last sync was not synced`);
    }
    // The appends stop with the last record not durable: an empty durable append follows.
    if (!records.at(-1)!.durable) {
      const n = writes.length;
      await until('the waiting record\'s sync', () => writes.length > n);
      assert.deepEqual({ bytes: writes.at(-1)!.bytes, durable: writes.at(-1)!.durable }, { bytes: 0, durable: true });
      assert.ok(writes.at(-1)!.at - records.at(-1)!.at < 600 + 300, "within the sync interval of the last record");
    }
    // flush() is durable at once.
    store.append([{ series: key, t: tick(), v: appended++ }]);
    await store.flush();
    assert.deepEqual({ durable: writes.at(-1)!.durable, onDisk: writes.at(-1)!.onDisk }, { durable: true, onDisk: appended });
  } finally {
    await store.close();
  }
});

it('syncs every record when the sync interval is the flush interval', async () => {
  const { store, writes, tick } = await open(50, 0);
  try {
    for (let i = 0; i < 5; i++) {
      store.append([{ series: key, t: tick(), v: i }]);
      const n = writes.length;
      await until('the next WAL record', () => writes.length > n);
    }
    assert.deepEqual(writes.map((w) => w.durable), [true, true, true, true, true]);
  } finally {
    await store.close();
  }
});
