/**
 * Persists the anomaly detectors' learned baselines next to the store, so a restart of the
 * editor or the CLI resumes them instead of learning from scratch. Written atomically
 * (a temporary file, then a rename); a missing or damaged file just means starting fresh.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { AnomalyTracker } from './anomalies';

export const BASELINES_FILE = 'baselines.json';
const FORMAT = 1;

/** Loads saved baselines into the tracker; returns how many series were saved, or a problem. */
export function loadBaselines(tracker: AnomalyTracker, storePath: string): { series: number; problem?: string } {
  const file = join(storePath, BASELINES_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { series: 0 }; // first start
  }
  try {
    const data = JSON.parse(text) as { format?: number; series?: Record<string, unknown> };
    if (data.format !== FORMAT || !data.series || typeof data.series !== 'object') return { series: 0, problem: `${file} has an unknown format; baselines are learned again.` };
    return { series: tracker.restore(data.series) };
  } catch (e) {
    return { series: 0, problem: `${file} is damaged (${(e as Error).message}); baselines are learned again.` };
  }
}

export function saveBaselines(tracker: AnomalyTracker, storePath: string): void {
  const file = join(storePath, BASELINES_FILE);
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify({ format: FORMAT, savedAt: Date.now(), series: tracker.snapshot() }));
  renameSync(tmp, file);
}

/** How long one slice of a sliced save may run before it yields (its write). */
const SAVE_SLICE_MS = 8;

/**
 * A slice's text is written once it is this long (characters), whatever its time. The
 * monitor's baselines are 2.4-3.4 MB of JSON at the demo's 480 series, serialized well within
 * one 8 ms slice: written as one string, that string was flattened into one 2.4 MiB large
 * object in the heap and encoded into as large a buffer, every 5 minutes, and the heap's
 * large-object space kept the pages: +2.4 MiB of the monitor's RSS at its peak
 * (docs/performance.md, "Monitoring", 28 Nov). Strings of 64 Ki characters are ordinary
 * young objects.
 */
export const SAVE_CHUNK_CHARS = 64 * 1024;

/**
 * The same file as `saveBaselines`, written in slices: each series' state is serialized on
 * its own and appended, yielding to the event loop at every write. With 10,000 series the
 * one-piece save (snapshot, one JSON string, one write) stalled the server for seconds every
 * 5 minutes and briefly doubled its heap (bench/load.bench.ts). Each series' state is
 * consistent; the file as a whole spans the few hundred milliseconds of the save. Each write is
 * at most SAVE_CHUNK_CHARS plus one series' state. `onWrite` (tests) is told each write's length.
 */
export async function saveBaselinesSliced(tracker: AnomalyTracker, storePath: string, onWrite?: (chars: number) => void): Promise<void> {
  const file = join(storePath, BASELINES_FILE);
  const tmp = `${file}.tmp-sliced`;
  const fh = await open(tmp, 'w');
  try {
    let chunk = `{"format":${FORMAT},"savedAt":${Date.now()},"series":{`;
    let first = true;
    let sliceEnd = performance.now() + SAVE_SLICE_MS;
    for (const [id, state] of tracker.snapshotEntries()) {
      chunk += `${first ? '' : ','}${JSON.stringify(id)}:${JSON.stringify(state)}`;
      first = false;
      if (chunk.length >= SAVE_CHUNK_CHARS || performance.now() >= sliceEnd) {
        onWrite?.(chunk.length);
        await fh.write(chunk);
        chunk = '';
        sliceEnd = performance.now() + SAVE_SLICE_MS;
      }
    }
    chunk += '}}';
    onWrite?.(chunk.length);
    await fh.write(chunk);
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
}
