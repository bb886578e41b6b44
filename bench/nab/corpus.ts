/** Loads the NAB corpus from `../shared/bench-data/nab` (relative to the repository root). */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CostProfile, Window } from './scorer';
import { parseTimestamp } from '../../engine/text/timestamps';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** The corpus folder; `NAB_DIR` overrides it. */
export const NAB_DIR = process.env.NAB_DIR ? resolve(process.env.NAB_DIR) : resolve(REPO_ROOT, '../shared/bench-data/nab');

export const PROFILE_NAMES = ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export interface Corpus {
  dir: string;
  /** Relative paths under data/, e.g. `realKnownCause/nyc_taxi.csv`, sorted. */
  files: string[];
  windows: Record<string, Window[]>;
  profiles: Record<ProfileName, CostProfile>;
}

/** `2014-04-10 07:15:00.000000` (NAB's form, UTC), ISO with a zone, or epoch s/ms → epoch ms; throws when unreadable. */
export function parseNabTime(text: string): number {
  const t = parseTimestamp(text);
  if (Number.isNaN(t)) throw new Error(`not a timestamp: "${text}"`);
  return t;
}

export function loadCorpus(dir = NAB_DIR): Corpus {
  if (!existsSync(join(dir, 'windows.json'))) throw new Error(`the NAB corpus is not at ${dir} (expected windows.json, profiles.json and data/)`);
  const rawWindows = JSON.parse(readFileSync(join(dir, 'windows.json'), 'utf8')) as Record<string, [string, string][]>;
  const rawProfiles = JSON.parse(readFileSync(join(dir, 'profiles.json'), 'utf8')) as Record<string, { CostMatrix: CostProfile }>;
  const windows: Record<string, Window[]> = {};
  for (const [file, list] of Object.entries(rawWindows)) windows[file] = list.map(([a, b]) => [parseNabTime(a), parseNabTime(b)] as const);
  const profiles = {} as Record<ProfileName, CostProfile>;
  for (const name of PROFILE_NAMES) {
    const c = rawProfiles[name]?.CostMatrix;
    if (!c) throw new Error(`profiles.json has no profile ${name}`);
    profiles[name] = { tpWeight: c.tpWeight, fpWeight: c.fpWeight, fnWeight: c.fnWeight };
  }
  const files = Object.keys(windows).sort();
  for (const f of files) if (!existsSync(join(dir, 'data', f))) throw new Error(`windows.json names ${f}, which is not in ${join(dir, 'data')}`);
  return { dir, files, windows, profiles };
}

/** Reads a `timestamp,value[,anomaly_score]` CSV (LF or CRLF) into columns. */
export function readScoredCsv(text: string): { timestamps: number[]; values: number[]; scores: number[] } {
  const lines = text.split(/\r?\n/);
  const header = lines[0].replace(/^\uFEFF/, '').split(',');
  const si = header.indexOf('anomaly_score');
  const timestamps: number[] = [];
  const values: number[] = [];
  const scores: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (!line) continue;
    const cells = line.split(',');
    timestamps.push(parseNabTime(cells[0]));
    values.push(Number(cells[1]));
    if (si >= 0) scores.push(Number(cells[si]));
  }
  return { timestamps, values, scores };
}
