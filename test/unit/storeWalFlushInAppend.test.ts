/**
 * The writer's WAL flush that is due runs in the turn of an append (the monitor appends every
 * 100 ms), not only on its timer: the record is handed to the io within the microtasks after
 * the append, before any timer could run; the timer is pushed back, and still flushes when no
 * append comes. Every sample reaches the WAL within one flush interval either way.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
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

/** A store whose io records the WAL records it is given (their samples' values). */
async function open(flushIntervalMs: number) {
  const dir = mkdtempSync(join(tmpdir(), 'alluse-wal-append-'));
  dirs.push(dir);
  const records: number[][] = [];
  // A record refers to series defined by earlier ones in its segment: parsed with them.
  let wal = new Uint8Array(0);
  let seen = 0;
  const io: StoreIo = {
    ...nodeIo,
    append: async (p, d, created) => {
      if (p.endsWith('.wal')) {
        wal = Buffer.concat([wal, d as Uint8Array]); // a WAL record is one buffer
        const vs: number[] = [];
        readWal(wal, (_id, _t, v) => vs.push(v));
        records.push(vs.slice(seen));
        seen = vs.length;
      }
      return nodeIo.append(p, d, created);
    },
  };
  let t = T0;
  const store = await TimeSeriesStore.open({ dir, flushIntervalMs, io, now: () => t });
  return { store, records, tick: () => (t += 100) };
}

/** Holds the thread (no timer can run) until `ms` have passed. */
function hold(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* busy */ }
}

it('flushes the due WAL record in the turn of an append, before any timer runs', async () => {
  const { store, records, tick } = await open(100);
  try {
    store.append([{ series: key, t: tick(), v: 1 }]);
    hold(120); // the flush is due; the timer cannot run while the thread is held
    store.append([{ series: key, t: tick(), v: 2 }]);
    for (let i = 0; i < 10; i++) await null; // microtasks only: still no timer
    assert.deepEqual(records, [[1, 2]]);
    // Not due again yet: the next append only buffers.
    store.append([{ series: key, t: tick(), v: 3 }]);
    for (let i = 0; i < 10; i++) await null;
    assert.deepEqual(records, [[1, 2]]);
    // Without appends the timer writes it, one interval after the last flush.
    await until('the timer to flush the last sample', () => records.length === 2);
    assert.deepEqual(records, [[1, 2], [3]]);
  } finally {
    await store.close();
  }
});
