/**
 * The baselines saved in slices (the monitor's periodic save) are the same file as the
 * one-piece save, and a tracker resumed from either continues the same way.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { createDefaultDetector } from '../../engine/anomaly/index';
import { AnomalyTracker } from '../../engine/monitor/anomalies';
import { BASELINES_FILE, loadBaselines, SAVE_CHUNK_CHARS, saveBaselines, saveBaselinesSliced } from '../../engine/monitor/baselineFile';
import type { SeriesSample } from '../../engine/metrics/series';

const dir = mkdtempSync(join(tmpdir(), 'alluse-baselines-sliced-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const SERIES = 100;
const keys = Array.from({ length: SERIES }, (_, k) => ({ name: 'load_value', labels: { component: `c${k % 20}`, slot: String(k) } }));
const wave = (k: number, i: number) => 50 + 10 * Math.sin(i / 20 + k) + ((i * (k + 3)) % 7);
const round = (i: number): SeriesSample[] => keys.map((series, k) => ({ series, t: i * 1000, v: wave(k, i) }));

it('writes what the one-piece save writes, and a tracker resumed from it continues like one resumed from that', async () => {
  const a = new AnomalyTracker(createDefaultDetector, { threshold: 0.2 });
  for (let i = 0; i < 40; i++) a.observe(round(i));
  // A detector's first snapshot after samples may reorder its own buffers (same state, other
  // order), so the one-piece save comes first and the sliced one is compared with it.
  saveBaselines(a, dir);
  saveBaselines(a, dir);
  const whole = JSON.parse(readFileSync(join(dir, BASELINES_FILE), 'utf8'));
  await saveBaselinesSliced(a, dir);
  const sliced = JSON.parse(readFileSync(join(dir, BASELINES_FILE), 'utf8'));
  assert.equal(Object.keys(sliced.series).length, SERIES);
  assert.deepEqual(sliced.series, whole.series);
  assert.equal(sliced.format, whole.format);

  // Resumed from either file, a tracker continues the same way.
  const b = new AnomalyTracker(createDefaultDetector, { threshold: 0.2 });
  assert.deepEqual(loadBaselines(b, dir), { series: SERIES });
  saveBaselines(a, dir);
  const c = new AnomalyTracker(createDefaultDetector, { threshold: 0.2 });
  assert.deepEqual(loadBaselines(c, dir), { series: SERIES });
  for (const t of [b, c]) t.observe(round(40));
  assert.deepEqual(b.snapshot(), c.snapshot());
});

it('writes a large save in pieces of at most SAVE_CHUNK_CHARS and one series (no multi-MB string: the monitor kept its heap pages), the same file', async () => {
  const many = Array.from({ length: 400 }, (_, k) => ({ name: 'load_value', labels: { component: `c${k % 20}`, slot: String(k) } }));
  const t = new AnomalyTracker(createDefaultDetector, { threshold: 0.2 });
  for (let i = 0; i < 40; i++) t.observe(many.map((series, k) => ({ series, t: i * 1000, v: wave(k, i) })));
  saveBaselines(t, dir);
  saveBaselines(t, dir);
  const wholeText = readFileSync(join(dir, BASELINES_FILE), 'utf8');
  const whole = JSON.parse(wholeText);
  const longestEntry = Math.max(...Object.entries(whole.series as Record<string, unknown>).map(([id, s]) => JSON.stringify(id).length + JSON.stringify(s).length + 2));
  assert.ok(wholeText.length > 3 * SAVE_CHUNK_CHARS, `the test's save is large enough to be split (${wholeText.length} chars)`);
  const writes: number[] = [];
  await saveBaselinesSliced(t, dir, (n) => writes.push(n));
  const sliced = JSON.parse(readFileSync(join(dir, BASELINES_FILE), 'utf8'));
  assert.deepEqual(sliced.series, whole.series);
  assert.ok(writes.length >= 3, `${writes.length} writes`);
  for (const n of writes) assert.ok(n <= SAVE_CHUNK_CHARS + longestEntry, `a write of ${n} chars (bound ${SAVE_CHUNK_CHARS} + ${longestEntry})`);
  assert.equal(writes.reduce((a, b) => a + b, 0), readFileSync(join(dir, BASELINES_FILE), 'utf8').length);
});
