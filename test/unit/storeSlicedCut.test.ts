/**
 * The store's cut encodes a large raw head in slices, yielding to the event loop between
 * them (a head of 10,000 series once stalled the server for seconds: bench/load.bench.ts).
 * While it does, every sample stays queryable exactly once (in the head or in its new block),
 * samples appended meanwhile belong to the next cut, and after a close and a reopen every
 * sample is there once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { seriesId, type SeriesKey } from '../../engine/metrics/series';
import { TimeSeriesStore } from '../../engine/store/index';

const T0 = Date.UTC(2026, 10, 1, 10);
const dir = mkdtempSync(join(tmpdir(), 'alluse-store-sliced-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const SERIES = 3000;
const PER_SERIES = 100;
const keys: SeriesKey[] = Array.from({ length: SERIES }, (_, i) => ({ name: 'load_value', labels: { slot: String(i) } }));
const value = (k: number, j: number) => Math.round(Math.sin(k + j / 7) * 1000) / 10;

function count(store: TimeSeriesStore, k: number, from: number, to: number): { t: number[]; v: number[] } {
  const r = store.query({ series: [seriesId(keys[k])], from, to });
  return { t: r[0]?.points.map((p) => p.t) ?? [], v: r[0]?.points.map((p) => p.v) ?? [] };
}

it('seals a large head in slices; queries see every sample once throughout, and after a reopen', async () => {
  let now = T0;
  const store = await TimeSeriesStore.open({ dir, now: () => now, manualFlush: true, cutIntervalMs: 60_000 });
  for (let j = 0; j < PER_SERIES; j++) store.append(keys.map((series, k) => ({ series, t: T0 + j * 100, v: value(k, j) })));
  // Past the cut boundary: the next append starts the cut.
  now = T0 + 61_000;
  // The cut's progress is internal: whether its raw head is still being sealed.
  const sealing = () => (store as unknown as { sealing?: Promise<unknown> }).sealing !== undefined;
  let yielded = false;
  setImmediate(() => (yielded = sealing()));
  store.append([{ series: keys[0], t: T0 + PER_SERIES * 100, v: value(0, PER_SERIES) }]);
  assert.ok(sealing(), 'the cut of 300,000 samples did not finish inside the append that started it');
  // Right after the cut started (the last series are surely not sealed yet): all samples there, once.
  for (const k of [0, SERIES / 2, SERIES - 1]) {
    const r = count(store, k, T0, T0 + PER_SERIES * 100 - 1);
    assert.equal(r.t.length, PER_SERIES, `series ${k} while sealing`);
    assert.equal(new Set(r.t).size, PER_SERIES);
  }
  // Samples appended while it seals go to the next cut.
  store.append([{ series: keys[SERIES - 1], t: T0 + PER_SERIES * 100 + 50, v: 42 }]);
  await store.flush();
  assert.ok(yielded, 'other work ran while the cut was still sealing');
  assert.ok(!sealing());
  const last = count(store, SERIES - 1, T0, T0 + 120_000);
  assert.equal(last.t.length, PER_SERIES + 1);
  assert.equal(last.v.at(-1), 42);
  await store.close();

  const again = await TimeSeriesStore.open({ dir, now: () => now, manualFlush: true, cutIntervalMs: 60_000 });
  try {
    for (const k of [0, 1, SERIES / 2, SERIES - 1]) {
      const r = count(again, k, T0, T0 + 120_000);
      const expected = k === 0 || k === SERIES - 1 ? PER_SERIES + 1 : PER_SERIES;
      assert.equal(r.t.length, expected, `series ${k} after a reopen`);
      assert.equal(new Set(r.t).size, expected);
      for (let j = 0; j < PER_SERIES; j++) assert.equal(r.v[j], value(k, j));
    }
  } finally {
    await again.close();
  }
});
