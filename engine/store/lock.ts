/**
 * The writer lock: a file `LOCK` created exclusively (O_EXCL) holding the owner's pid and
 * host. Only its holder appends; any other opener is read-only. A lock whose process is gone
 * (same host, pid not alive, e.g. after a kill -9) is stale and taken over.
 */
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';

export interface LockOwner { pid: number; host: string; since: number }

export type LockResult =
  | { ok: true; release: () => void }
  | { ok: false; owner?: LockOwner; error?: NodeJS.ErrnoException };

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function acquireLock(path: string, now: number): LockResult {
  const me: LockOwner = { pid: process.pid, host: hostname(), since: now };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(path, JSON.stringify(me), { flag: 'wx' });
      let released = false;
      return {
        ok: true,
        release: () => {
          if (released) return;
          released = true;
          try {
            const cur = JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
            if (cur.pid === me.pid && cur.since === me.since) rmSync(path, { force: true });
          } catch { /* gone or unreadable: nothing to release */ }
        },
      };
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code !== 'EEXIST') return { ok: false, error: err };
    }
    let owner: LockOwner | undefined;
    try {
      owner = JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
    } catch {
      owner = undefined; // being written right now, or damaged
    }
    let stale = owner !== undefined && typeof owner.pid === 'number' && owner.host === hostname() && !alive(owner.pid);
    if (owner === undefined) {
      // Unreadable: a writer crashed between creating and filling it, unless it is being written now.
      try { stale = Date.now() - statSync(path).mtimeMs > 5000; } catch { stale = false; }
    }
    if (stale) {
      try { rmSync(path, { force: true }); } catch (e) { return { ok: false, owner, error: e as NodeJS.ErrnoException }; }
      continue;
    }
    return { ok: false, owner };
  }
  return { ok: false };
}
