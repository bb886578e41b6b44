/**
 * What a store's folder holds right now, as a reopen would find it after a crash: the folder
 * is copied (without its LOCK), opened as a writer (the checkpoint, then the WAL replayed, then
 * the recovery cut), asked `ask(store)`, closed and removed. The store's checkpoint entries are
 * encoded after its cut, some with samples appended since (engine/store/store.ts,
 * checkpointSliced), so its bytes differ from a one-step cut's; what must not differ is what
 * a reopen makes of them.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TimeSeriesStore } from '../../engine/store/index';

export async function askReopenedCopy<T>(dir: string, now: () => number, ask: (s: TimeSeriesStore) => T): Promise<T> {
  const copy = mkdtempSync(join(tmpdir(), 'alluse-store-reopen-'));
  try {
    cpSync(dir, copy, { recursive: true, filter: (src) => !src.endsWith('LOCK') });
    const s = await TimeSeriesStore.open({ dir: copy, now, manualFlush: true, cutIntervalMs: 60_000, encodeWorker: 'never' });
    try {
      if (s.readOnly) throw new Error(`the copy of ${dir} opened read-only: ${JSON.stringify(s.problems)}`);
      return ask(s);
    } finally {
      await s.close();
    }
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}
