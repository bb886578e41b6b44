/**
 * The hot allocation sites of a sampling heap profile, as the editor lists them: each with
 * its bytes, its share of all sampled bytes, and whether it can be opened in the workspace
 * (a mapped source file; Node internals and V8 entries such as "(V8 API)" cannot).
 */
import { isAbsolute } from 'node:path';
import type { ProfileResult, SourceLocation } from './types';

export interface AllocationSite {
  name: string;
  bytes: number;
  /** Share of all sampled bytes, 0..100. */
  pct: number;
  /** Where to open it, if it is a file on disk. */
  location?: SourceLocation;
}

/** The top `limit` allocation sites of a result, largest first; [] when no heap profile was taken. */
export function allocationSites(r: Pick<ProfileResult, 'heapTop' | 'heapTotalBytes'>, limit = 20): AllocationSite[] {
  const top = r.heapTop ?? [];
  // Older kept results have no total: the listed sites' sum is then the best denominator.
  const total = r.heapTotalBytes || top.reduce((s, h) => s + h.bytes, 0);
  return [...top]
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, limit)
    .map((h) => ({
      name: h.name,
      bytes: h.bytes,
      pct: total > 0 ? Math.round((1000 * h.bytes) / total) / 10 : 0,
      location: h.location && isAbsolute(h.location.file) ? h.location : undefined,
    }));
}

/** 1536 → "1.5 KiB", 3145728 → "3.0 MiB". */
export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}
