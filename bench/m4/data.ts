/**
 * The M4 Hourly training file (wide format: `"V1"` is the id, then the values; rows padded with
 * empty cells), read from ../shared/bench-data/m4 relative to the repo root (M4_DIR=… to
 * override), and split into a fit part and a validation part (the last `horizon` points).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const M4_DIR = process.env.M4_DIR ? resolve(process.env.M4_DIR) : resolve(REPO_ROOT, '../shared/bench-data/m4');

export interface Series {
  id: string;
  values: number[];
}

/** Parses the wide M4 CSV text. Throws naming the line of a bad cell. */
export function parseM4Csv(text: string): Series[] {
  const lines = text.split(/\r?\n/);
  const out: Series[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    const cells = line.split(',');
    const id = cells[0].replace(/^"|"$/g, '');
    const values: number[] = [];
    for (let j = 1; j < cells.length; j++) {
      const c = cells[j].replace(/^"|"$/g, '').trim();
      if (c === '' || c === 'NA') break;
      const v = Number(c);
      if (!Number.isFinite(v)) throw new Error(`line ${i + 1}: not a number in column ${j + 1}: ${c}`);
      values.push(v);
    }
    out.push({ id, values });
  }
  return out;
}

export function loadM4(file = 'Hourly-train.csv'): Series[] {
  return parseM4Csv(readFileSync(resolve(M4_DIR, file), 'utf8'));
}

/** Splits off the last `horizon` points as the validation set. */
export function splitValidation(series: Series[], horizon: number): Array<{ id: string; train: number[]; test: number[] }> {
  return series.map((s) => ({ id: s.id, train: s.values.slice(0, -horizon), test: s.values.slice(-horizon) }));
}
