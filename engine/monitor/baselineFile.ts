/**
 * Persists the anomaly detectors' learned baselines next to the store, so a restart of the
 * editor or the CLI resumes them instead of learning from scratch. Written atomically
 * (a temporary file, then a rename); a missing or damaged file just means starting fresh.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
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
