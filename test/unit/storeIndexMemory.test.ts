/**
 * The in-memory index of the chunk files: packed per file (engine/store/fileIndex.ts: 5
 * numbers a block in one array, chained per series, instead of an object), and kept only for the file being written; a file
 * that is done is indexed again from disk when a query needs it. Else every cut added 20,000
 * objects at 10,000 series (every 20 s), for the whole retention (bench/load.bench.ts).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { seriesId, type SeriesKey } from '../../engine/metrics/series';
import { FileIndex } from '../../engine/store/fileIndex';
import type { BlockEntry } from '../../engine/store/chunkFile';
import { TimeSeriesStore } from '../../engine/store/index';

const dirs: string[] = [];
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

it('a file index selects, per series and in order, what the entries as objects select', () => {
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const entries: BlockEntry[] = [];
  const index = new FileIndex();
  const series = Array.from({ length: 40 }, (_, i) => `s${i}`); // past the initial 16 slots and 64 blocks
  let offset = 0;
  for (let i = 0; i < 600; i++) {
    const tmin = 1.7e12 + i * 2_000 + Math.floor(rnd() * 1000);
    const e = { seriesId: series[Math.floor(rnd() * series.length)], offset, length: 10 + Math.floor(rnd() * 5000), count: 1 + Math.floor(rnd() * 300), tmin, tmax: tmin + Math.floor(rnd() * 20_000) };
    offset += e.length + Math.floor(rnd() * 3) * 2 ** 33; // offsets past 32 bits too
    entries.push(e);
    index.push(e);
  }
  assert.equal(index.length, 600);
  assert.deepEqual([...index.keys()].sort(), [...new Set(entries.map((e) => e.seriesId))].sort());
  for (const id of series) assert.equal(index.countOf(id), entries.filter((e) => e.seriesId === id).length, id);
  for (let k = 0; k < 50; k++) {
    const from = 1.7e12 + rnd() * 1.2e6;
    const to = from + rnd() * 3e5;
    const size = rnd() * offset;
    for (const id of [series[k % series.length], 'absent']) {
      const got: BlockEntry[] = [];
      index.select(id, from, to, size, got);
      assert.deepEqual(got, entries.filter((e) => e.seriesId === id && e.tmax >= from && e.tmin <= to && e.offset + e.length <= size));
    }
  }
});

it('keeps the index of the file being written only; a finished file is indexed again when queried', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alluse-store-index-'));
  dirs.push(dir);
  const T0 = Date.UTC(2026, 10, 1, 9); // raw files span 2 h: 08:00-10:00, then 10:00-12:00
  let now = T0;
  const store = await TimeSeriesStore.open({ dir, now: () => now, manualFlush: true, cutIntervalMs: 600_000 });
  const keys: SeriesKey[] = Array.from({ length: 5 }, (_, i) => ({ name: 'idx_value', labels: { i: String(i) } }));
  const files = () => (store as unknown as { files: { path: string; index?: unknown }[][] }).files[0];
  try {
    // Samples every 10 s for 2 h, a cut every 10 min: cuts in the 08:00 file, then in the 10:00 one.
    for (let t = T0; t < T0 + 2 * 3_600_000; t += 10_000) {
      now = t;
      store.append(keys.map((series, k) => ({ series, t, v: k + t / 1e9 })));
      await store.flush();
    }
    const raw = files();
    assert.equal(raw.length, 2, raw.map((f) => f.path).join(', '));
    assert.equal(raw[0].index, undefined, 'the finished file has no index in memory');
    assert.ok(raw[1].index, 'the file being written keeps its index');
    const got = store.query({ series: keys.map(seriesId), from: T0, to: now });
    for (const r of got) assert.equal(r.points.length, 720, `${r.id}: every sample, from both files`);
    assert.ok(files()[0].index, 'indexed again by the query');
    assert.deepEqual(store.listSeries({ name: 'idx_value' }).length, 5);
  } finally {
    await store.close();
  }
});

it('starts a new file of the same window once the index of the file being written holds maxFileIndexEntries entries', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alluse-store-index-cap-'));
  dirs.push(dir);
  const T0 = Date.UTC(2026, 10, 1, 8, 30); // all within the 08:00-10:00 raw file and one day's 1 s file
  let now = T0;
  const CAP = 12;
  const store = await TimeSeriesStore.open({ dir, now: () => now, manualFlush: true, cutIntervalMs: 60_000, maxFileIndexEntries: CAP });
  const keys: SeriesKey[] = Array.from({ length: 5 }, (_, i) => ({ name: 'cap_value', labels: { i: String(i) } }));
  type File = { path: string; index?: FileIndex; indexEntries?: number };
  const tiers = () => (store as unknown as { files: File[][] }).files;
  const inMemory = (fs: File[]) => fs.reduce((n, f) => n + (f.index ? f.index.length : 0), 0);
  let largest = 0;
  try {
    // Samples every 5 s for 30 min, a cut a minute: 30 cuts of 5 blocks per tier.
    for (let t = T0; t < T0 + 30 * 60_000; t += 5_000) {
      now = t;
      store.append(keys.map((series, k) => ({ series, t, v: k + (t - T0) / 1e6 })));
      await store.flush();
      for (const fs of tiers().slice(0, 2)) largest = Math.max(largest, inMemory(fs));
    }
    // Without the cap one file per tier holds 150 entries by now; with it, a file is started
    // at the cut after its index reached 12 (three cuts of 5).
    assert.ok(largest <= CAP + keys.length, `the indexes in memory held at most ${largest} entries`);
    const raw = tiers()[0];
    assert.ok(raw.length >= 8, `${raw.length} raw files for one 2 h window`);
    assert.deepEqual(raw.slice(0, -1).map((f) => f.index), raw.slice(0, -1).map(() => undefined), 'only the file being written keeps its index');
    const got = store.query({ series: keys.map(seriesId), from: T0, to: now });
    for (const r of got) assert.equal(r.points.length, 360, `${r.id}: every sample, from all the files`);
    const seconds = store.query({ series: keys.map(seriesId), from: T0, to: now, stepMs: 1000, agg: 'count' });
    for (const r of seconds) assert.equal(r.points.reduce((n, p) => n + p.v, 0), 360, `${r.id}: every sample in the 1 s tier's files`);
  } finally {
    await store.close();
  }
  // Reopened: every file is found again, and the data with it.
  const again = await TimeSeriesStore.open({ dir, now: () => now, manualFlush: true });
  try {
    for (const r of again.query({ series: keys.map(seriesId), from: T0, to: now })) assert.equal(r.points.length, 360, `${r.id} after a reopen`);
  } finally {
    await again.close();
  }
});

it('keeps a finished file\'s index while queries use it (no read from disk when its file is done), and drops it once unused', async () => {
  // Under bench:load the predictions' windows read the 1 s tier's file every 5 s; when that
  // file reached maxFileIndexEntries and was done, its index was dropped and read again from
  // disk by the next prediction: 250,000 entries in one synchronous step, the event loop's
  // stall at about 480 s (docs/performance.md, "Load"). Counted as reads, not as time.
  const dir = mkdtempSync(join(tmpdir(), 'alluse-store-index-use-'));
  dirs.push(dir);
  const T0 = Date.UTC(2026, 10, 1, 8, 30);
  let now = T0;
  const CAP = 12;
  const store = await TimeSeriesStore.open({ dir, now: () => now, manualFlush: true, cutIntervalMs: 60_000, maxFileIndexEntries: CAP });
  const keys: SeriesKey[] = Array.from({ length: 5 }, (_, i) => ({ name: 'use_value', labels: { i: String(i) } }));
  type File = { path: string; index?: unknown };
  const secondsFiles = () => (store as unknown as { files: File[][] }).files[1];
  // A prediction-like query every 5 s: the last 2 minutes at 1 s steps, by name.
  const predict = () => store.query({ name: 'use_value', from: now - 120_000, to: now, stepMs: 1000, agg: 'mean' });
  try {
    let finished = 0;
    for (let t = T0; t < T0 + 12 * 60_000; t += 5_000) {
      now = t;
      store.append(keys.map((series, k) => ({ series, t, v: k + (t - T0) / 1e6 })));
      await store.flush();
      const before = secondsFiles().length;
      const got = predict();
      assert.equal(got.length, keys.length);
      finished = Math.max(finished, before - 1);
    }
    assert.ok(finished >= 3, `${finished} finished 1 s files in 12 minutes`);
    assert.equal(store.indexReads, 0, 'no chunk file index was read from disk: the files the queries used kept theirs');
    // Queries stop; two minutes later the finished files' indexes go at the next cut.
    const last = now;
    for (let t = last + 5_000; t <= last + 4 * 60_000; t += 5_000) {
      now = t;
      store.append(keys.map((series, k) => ({ series, t, v: k })));
      await store.flush();
    }
    const fs = secondsFiles();
    assert.deepEqual(fs.slice(0, -1).map((f) => f.index), fs.slice(0, -1).map(() => undefined), 'unused for minutes: only the file being written keeps its index');
    // A query that needs them reads them again, with every sample.
    const all = store.query({ name: 'use_value', from: T0, to: now, stepMs: 1000, agg: 'count' });
    assert.ok(store.indexReads >= 1, 'read from disk again');
    for (const r of all) assert.equal(r.points.reduce((n, p) => n + p.v, 0), (now - T0) / 5_000 + 1, `${r.id}: every sample`);
  } finally {
    await store.close();
  }
});

it('writes each tier into files of its window (1 s: 2 h, 1 min: 12 h, 1 h: 7 days), and queries read across them', async () => {
  // The file being written keeps its index in memory, and a tier gains a block per series at
  // each of its writes: over a day-long 1 s file that index grew by some 0.2 MiB an hour at the
  // monitor's scale (engine/store/rollup.ts, TIERS). The windows bound it.
  const dir = mkdtempSync(join(tmpdir(), 'alluse-store-windows-'));
  dirs.push(dir);
  const T0 = Date.UTC(2026, 10, 1, 4); // 04:00: the day's 1 s and 1 min files, then the later ones
  let now = T0;
  const store = await TimeSeriesStore.open({ dir, now: () => now, manualFlush: true, cutIntervalMs: 600_000 });
  const keys: SeriesKey[] = Array.from({ length: 3 }, (_, i) => ({ name: 'win_value', labels: { i: String(i) } }));
  type File = { windowStart: number; trailer?: { minT: number; maxT: number }; index?: unknown };
  const tiers = () => (store as unknown as { files: File[][] }).files;
  const HOURS = 28; // to 08:00 the next day: the 1 h tier written at 06:00, 12:00, 18:00, 00:00 and 06:00
  let samples = 0;
  try {
    for (let t = T0; t < T0 + HOURS * 3_600_000; t += 30_000) {
      now = t;
      store.append(keys.map((series, k) => ({ series, t, v: k * 10 + ((t / 30_000) % 7) })));
      samples++;
      await store.flush();
    }
    const [, seconds, minutes, hours] = tiers();
    const windows = (fs: File[]) => fs.map((f) => f.windowStart);
    const span = (fs: File[], ms: number) => {
      for (const f of fs) {
        assert.equal(f.windowStart % ms, 0, `a window starts at a multiple of ${ms}`);
        assert.ok(f.trailer && f.trailer.minT >= f.windowStart - ms && f.trailer.maxT < f.windowStart + ms, `the file of ${new Date(f.windowStart).toISOString()} holds its window's buckets`);
      }
    };
    assert.equal(new Set(windows(seconds)).size, HOURS / 2, `1 s files: ${windows(seconds).map((w) => new Date(w).toISOString()).join(', ')}`);
    span(seconds, 2 * 3_600_000);
    // 00:00 (from 04:00), 12:00, then 00:00 the next day.
    assert.equal(new Set(windows(minutes)).size, 3, `1 min files: ${windows(minutes).map((w) => new Date(w).toISOString()).join(', ')}`);
    span(minutes, 12 * 3_600_000);
    assert.ok(hours.length >= 1 && hours.length <= 2, `${hours.length} 1 h files`);
    span(hours, 7 * 86_400_000);
    // The 1 h buckets waiting in memory: those since 06:00 (a daily write would have kept 8, since 00:00).
    const series = (store as unknown as { series: Map<string, { pending: { length: number }[] }> }).series;
    for (const [id, st] of series) assert.ok(st.pending[2].length <= 2, `${id}: ${st.pending[2].length} 1 h buckets waiting`);
    for (const fs of [seconds, minutes]) assert.deepEqual(fs.slice(0, -1).map((f) => f.index), fs.slice(0, -1).map(() => undefined), 'only the file being written keeps its index');
    const ids = keys.map(seriesId);
    const count = (stepMs: number) => store.query({ series: ids, from: T0, to: now, stepMs, agg: 'count' }).map((r) => r.points.reduce((n, p) => n + p.v, 0));
    assert.deepEqual(count(1000), ids.map(() => samples), 'every sample in the 1 s tier, across its files');
    assert.deepEqual(count(60_000), ids.map(() => samples), 'and in the 1 min tier');
    assert.deepEqual(count(3_600_000), ids.map(() => samples), 'and in the 1 h tier');
  } finally {
    await store.close();
  }
});
