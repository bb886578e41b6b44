/**
 * Comparing two analysed profiles of a component (before/after a config change): per
 * function, its share of busy time in each and the change, plus the CPU each used per
 * second of wall time, and which config keys differ between the two snapshots.
 */
import { parse } from 'yaml';
import type { ProfileResult } from './types';

export interface ProfileComparison {
  before: { id: string; startedAt: number; busyMsPerS: number };
  after: { id: string; startedAt: number; busyMsPerS: number };
  /** Functions whose share changed, largest change first. */
  functions: { key: string; name: string; file?: string; line?: number; beforeSelfPct: number; afterSelfPct: number; deltaSelfPct: number; beforeTotalPct: number; afterTotalPct: number }[];
  /** Config keys that differ: file → key → [before, after]. */
  configChanges: { file: string; key: string; before: unknown; after: unknown }[];
}

const flat = (v: unknown, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> => {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) flat(x, prefix ? `${prefix}.${k}` : k, out);
  } else out[prefix] = v;
  return out;
};

export function diffConfig(before: Record<string, string> = {}, after: Record<string, string> = {}): ProfileComparison['configChanges'] {
  const changes: ProfileComparison['configChanges'] = [];
  for (const file of new Set([...Object.keys(before), ...Object.keys(after)])) {
    let a: Record<string, unknown> = {}, b: Record<string, unknown> = {};
    try { a = flat(parse(before[file] ?? '') ?? {}); b = flat(parse(after[file] ?? '') ?? {}); } catch { continue; }
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) changes.push({ file, key, before: a[key], after: b[key] });
    }
  }
  return changes;
}

export function compareProfiles(before: ProfileResult, after: ProfileResult, beforeConfig?: Record<string, string>, afterConfig?: Record<string, string>): ProfileComparison {
  const rows = new Map<string, ProfileComparison['functions'][number]>();
  const row = (f: ProfileResult['functions'][number]) => {
    let r = rows.get(f.key);
    if (!r) rows.set(f.key, (r = { key: f.key, name: f.name, file: f.location?.file, line: f.location?.line, beforeSelfPct: 0, afterSelfPct: 0, deltaSelfPct: 0, beforeTotalPct: 0, afterTotalPct: 0 }));
    return r;
  };
  for (const f of before.functions) { const r = row(f); r.beforeSelfPct = f.selfPct; r.beforeTotalPct = f.totalPct; }
  for (const f of after.functions) { const r = row(f); r.afterSelfPct = f.selfPct; r.afterTotalPct = f.totalPct; r.file ??= f.location?.file; }
  for (const r of rows.values()) r.deltaSelfPct = Math.round((r.afterSelfPct - r.beforeSelfPct) * 10) / 10;
  const perS = (p: ProfileResult) => (p.durationMs > 0 ? Math.round((p.busyMs / p.durationMs) * 1000) : 0);
  return {
    before: { id: before.id, startedAt: before.startedAt, busyMsPerS: perS(before) },
    after: { id: after.id, startedAt: after.startedAt, busyMsPerS: perS(after) },
    functions: [...rows.values()].filter((r) => r.beforeSelfPct > 0 || r.afterSelfPct > 0).sort((a, b) => Math.abs(b.deltaSelfPct) - Math.abs(a.deltaSelfPct) || b.afterSelfPct - a.afterSelfPct),
    configChanges: diffConfig(beforeConfig, afterConfig),
  };
}
