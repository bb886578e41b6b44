/**
 * The WAL segment stays open between flushes (opening, statting and closing it every 500 ms
 * was three of the five thread-pool calls of a flush: docs/performance.md, monitoring); it is
 * closed when the cut ends the segment, and when the store closes. What each flush wrote is
 * in the file at once (another opener replays it), as before.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { seriesId } from '../../engine/metrics/series';
import { TimeSeriesStore } from '../../engine/store/index';

const T0 = Date.UTC(2026, 10, 1, 10);
const dir = mkdtempSync(join(tmpdir(), 'alluse-store-wal-file-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The files of the store's WAL folder this process has open (Linux: /proc/self/fd). */
function openWalFiles(): string[] {
  const out: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(join(dir, 'wal'))) out.push(target.slice(dir.length + 1));
    } catch { /* closed meanwhile */ }
  }
  return out.sort();
}

it('keeps the WAL segment open between flushes, and closes it at the cut and at close', { skip: process.platform !== 'linux' && 'needs /proc/self/fd' }, async () => {
  let now = T0;
  const store = await TimeSeriesStore.open({ dir, now: () => now, manualFlush: true, cutIntervalMs: 60_000 });
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
    const seg = openWalFiles();
    assert.equal(seg.length, 1, `one segment open after a flush: ${seg}`);
    for (let k = 0; k < 3; k++) await appendFlush();
    assert.deepEqual(openWalFiles(), seg, 'the same file, still open, after more flushes');
    assert.equal(statSync(join(dir, seg[0])).size, store.diskUsage().walBytes, 'every flush is in the file');

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
    assert.deepEqual(openWalFiles().filter((f) => f === seg[0]), [], 'the ended segment is closed');
    await appendFlush();
    const next = openWalFiles();
    assert.equal(next.length, 1);
    assert.notEqual(next[0], seg[0], 'the next segment');
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
