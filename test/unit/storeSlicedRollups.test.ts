/**
 * A cut encodes the due rollup tiers' buckets in slices too (the 1 s tier of 10,000 series
 * was a one-step stall of a second under load: bench/load.bench.ts), and builds its chunk
 * groups and its checkpoint in slices (each series' entry as the series is when its slice
 * comes, samples appended since the cut included). The sliced cut must give what the one-step
 * cut gives: the same query answers at every moment (while it is still sealing, too), the same
 * chunk files, a checkpoint that reopens (with the WAL) to the same data after every cut, and
 * the same data after a reopen. One store yields after every block (`sealSliceMs: 0`), the other never (`Infinity`).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { seriesId, type SeriesKey } from '../../engine/metrics/series';
import { TimeSeriesStore } from '../../engine/store/index';
import { askReopenedCopy } from '../helpers/storeReopen';
import type { Aggregation } from '../../engine/store/types';

const T0 = Date.UTC(2026, 10, 1, 10); // on the hour
const SERIES = 300;
const STEP_MS = 100;
const MINUTES = 3;
const dirs: string[] = [];
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

const keys: SeriesKey[] = Array.from({ length: SERIES }, (_, i) => ({ name: 'load_value', labels: { slot: String(i) } }));
// Seeded, varied values (no randomness source needed): a wave plus a per-series hash.
const value = (k: number, j: number) => Math.round((Math.sin(k * 0.7 + j / 13) * 500 + ((k * 7919 + j * 104_729) % 97)) * 10) / 10;
const probe = [0, 1, SERIES / 2, SERIES - 1].map((k) => seriesId(keys[k]));

function answers(store: TimeSeriesStore, to: number): unknown {
  const views: { stepMs?: number; agg?: Aggregation }[] = [{}, { stepMs: 1000 }, { stepMs: 1000, agg: 'max' }, { stepMs: 60_000, agg: 'p95' }, { stepMs: 60_000, agg: 'count' }, { stepMs: 3_600_000, agg: 'mean' }];
  return views.map((v) => store.query({ series: probe, from: T0, to, ...v }).map((r) => ({ id: r.id, res: r.resolution, points: r.points })));
}

function files(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const sub of ['raw', '1s', '1m', '1h']) for (const n of readdirSync(join(dir, sub))) out.set(`${sub}/${n}`, readFileSync(join(dir, sub, n)));
  out.set('head.ckpt', readFileSync(join(dir, 'head.ckpt')));
  return out;
}

it('a cut sealed in slices answers, writes and reopens exactly like one sealed in one step', async () => {
  let now = T0;
  const open = (sealSliceMs: number) => {
    const dir = mkdtempSync(join(tmpdir(), 'alluse-store-sliced-rollups-'));
    dirs.push(dir);
    return TimeSeriesStore.open({ dir, now: () => now, manualFlush: true, cutIntervalMs: 60_000, sealSliceMs }).then((store) => ({ dir, store }));
  };
  const oneStep = await open(Infinity);
  const sliced = await open(0);
  const sealing = (s: TimeSeriesStore) => (s as unknown as { sealing?: Promise<unknown> }).sealing !== undefined;
  const append = (j: number) => {
    const batch = keys.map((series, k) => ({ series, t: T0 + j * STEP_MS, v: value(k, j) }));
    oneStep.store.append(batch);
    sliced.store.append(batch);
  };
  let midCutChecks = 0;
  let laterEntries = 0;
  const perMinute = 60_000 / STEP_MS;
  for (let j = 0; j < MINUTES * perMinute; j++) {
    now = T0 + j * STEP_MS + 10;
    const cutting = j > 0 && j % perMinute === 0; // the append at each minute boundary starts a cut
    append(j);
    if (!cutting) continue;
    assert.ok(sealing(sliced.store), 'the sliced cut was still sealing after its append');
    // While it seals: the same answers, and samples appended meanwhile are in both.
    assert.deepEqual(answers(sliced.store, now), answers(oneStep.store, now), `answers while sealing, minute ${j / perMinute}`);
    await new Promise<void>((r) => setImmediate(r));
    append(++j);
    now += STEP_MS;
    assert.deepEqual(answers(sliced.store, now), answers(oneStep.store, now), `answers a few slices in, minute ${j / perMinute}`);
    if (sealing(sliced.store)) midCutChecks++;
    await Promise.all([oneStep.store.flush(), sliced.store.flush()]);
    assert.deepEqual(answers(sliced.store, now), answers(oneStep.store, now), `answers after the cut, minute ${j / perMinute}`);
    // The checkpoint is encoded in slices as well, each series as it is when its slice comes (some
    // with the samples appended since the cut): with the WAL it reopens to the same data.
    const ckpt = (d: string) => readFileSync(join(d, 'head.ckpt'));
    if (!ckpt(sliced.dir).equals(ckpt(oneStep.dir))) laterEntries++;
    const reopened = await askReopenedCopy(sliced.dir, () => now, (s) => answers(s, now));
    assert.deepEqual(reopened, answers(oneStep.store, now), `a reopen after the cut at minute ${j / perMinute}`);
  }
  assert.ok(midCutChecks >= 2, `queries ran while the sliced cut was half done (${midCutChecks} times)`);
  assert.ok(laterEntries >= 1, `some checkpoint entries held samples appended after their cut (${laterEntries} cuts)`);
  const end = now;
  // Close writes every tier (the 1 min and 1 h buckets too): through the sliced path as well.
  await Promise.all([oneStep.store.close(), sliced.store.close()]);
  const a = files(oneStep.dir);
  const b = files(sliced.dir);
  assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort());
  assert.ok([...a.keys()].some((n) => n.startsWith('1m/')), 'the 1 min tier was written');
  for (const [name, bytes] of a) assert.ok(bytes.equals(b.get(name)!), `${name} differs between the sliced and the one-step cut`);

  const again = await Promise.all([oneStep.dir, sliced.dir].map((dir) => TimeSeriesStore.open({ dir, now: () => now, manualFlush: true, cutIntervalMs: 60_000 })));
  try {
    const [x, y] = again.map((s) => answers(s, end)) as unknown[][];
    assert.deepEqual(y, x);
    const raw = (x[0] as { points: unknown[] }[])[0].points;
    assert.equal(raw.length, MINUTES * perMinute, 'every raw sample of a series after the reopen');
  } finally {
    await Promise.all(again.map((s) => s.close()));
  }
});
