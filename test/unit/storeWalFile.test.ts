/**
 * The WAL file between flushes. Node's io opens the segment for each record (a file kept open
 * for writing would make `mount -o remount,ro` of its file system fail, which the fault test
 * does while the store writes: test/integration/storeFaults.test.ts), without an fstat: the
 * store knows which record creates the segment. An io with `openAppend` (`openAppendFile`)
 * keeps the segment open between flushes and closes it when the cut ends the segment and when
 * the store closes. Either way what each flush wrote is in the file at once (another opener
 * replays it).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { seriesId } from '../../engine/metrics/series';
import { nodeIo, TimeSeriesStore } from '../../engine/store/index';
import { openAppendFile } from '../../engine/store/io';
import { openFilesUnder } from '../helpers/openFiles';

const T0 = Date.UTC(2026, 10, 1, 10);
const dirs: string[] = [];
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

for (const keptOpen of [false, true]) {
  it(keptOpen ? 'an io with openAppend keeps the WAL segment open between flushes, and closes it at the cut and at close' : 'node\'s io leaves no WAL file open between flushes', { skip: process.platform !== 'linux' && 'needs /proc/self/fd' }, async () => {
    let now = T0;
    const dir = mkdtempSync(join(tmpdir(), 'alluse-store-wal-file-'));
    dirs.push(dir);
    const io = keptOpen ? { ...nodeIo, openAppend: openAppendFile } : nodeIo;
    const openWalFiles = () => openFilesUnder(join(dir, 'wal')).map((f) => f.slice(dir.length + 1));
    const store = await TimeSeriesStore.open({ dir, now: () => now, manualFlush: true, cutIntervalMs: 60_000, io });
    const key = { name: 'wal_value', labels: { a: '1' } };
    const id = seriesId(key);
    let j = 0;
    const appendFlush = async () => {
      now = T0 + j * 1000;
      store.append([{ series: key, t: now, v: j++ }]);
      await store.flush();
    };
    try {
      assert.deepEqual(openWalFiles(), [], 'nothing open before the first record');
      await appendFlush();
      const segs = readdirSync(join(dir, 'wal')).map((n) => `wal/${n}`);
      assert.equal(segs.length, 1, `one segment: ${segs}`);
      const seg = keptOpen ? segs : [];
      assert.deepEqual(openWalFiles(), seg, keptOpen ? 'the segment is open after a flush' : 'nothing open after a flush');
      for (let k = 0; k < 3; k++) await appendFlush();
      assert.deepEqual(openWalFiles(), seg, 'the same after more flushes');
      assert.equal(statSync(join(dir, segs[0])).size, store.diskUsage().walBytes, 'every flush is in the file');

      // Another opener (read-only while the lock is held) replays what the flushes wrote.
      const reader = await TimeSeriesStore.open({ dir, manualFlush: true });
      try {
        assert.equal(reader.readOnly, true);
        assert.equal(reader.query({ series: [id], from: T0, to: Infinity })[0]?.points.length, 4);
      } finally {
        await reader.close();
      }

      // The cut ends the segment: closed (and deleted once the cut is written).
      j = 61;
      await appendFlush();
      assert.deepEqual(openWalFiles().filter((f) => f === segs[0]), [], 'the ended segment is closed');
      await appendFlush();
      const next = openWalFiles();
      assert.equal(next.length, keptOpen ? 1 : 0);
      if (keptOpen) assert.notEqual(next[0], segs[0], 'the next segment');
    } finally {
      await store.close();
    }
    assert.deepEqual(openWalFiles(), [], 'closed with the store');
    const again = await TimeSeriesStore.open({ dir, manualFlush: true });
    try {
      assert.deepEqual(again.query({ series: [id], from: T0, to: Infinity })[0].points.map((p) => p.v), [0, 1, 2, 3, 61, 62]);
    } finally {
      await again.close();
    }
  });
}
