/** Test helper: the files this process has open (Linux: /proc/self/fd), for tests that check nothing is left open. */
import { readdirSync, readlinkSync } from 'node:fs';

/** The files under `folder` this process has open, sorted. */
export function openFilesUnder(folder: string): string[] {
  const out: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(folder)) out.push(target);
    } catch { /* closed meanwhile */ }
  }
  return out.sort();
}
