// Durable account storage: one JSON file per account. Dirty accounts are written at
// each flush (then one fsync'd checkpoint marks the flush durable), and on eviction
// from the cache. A cache miss reads the account back from its file.
import { closeSync, constants, existsSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface Position { value: number; delta: number; gamma: number; vega: number; theta: number; updates: number }
export interface Account { id: number; positions: Record<string, Position>; pnl: number; history: number[]; dirty: boolean }

export class AccountStore {
  private readonly dir: string;
  constructor(root: string, private readonly fsync: boolean) {
    this.dir = join(root, 'accounts');
    mkdirSync(this.dir, { recursive: true });
  }

  private file(id: number): string { return join(this.dir, `${id}.json`); }

  load(id: number): Account {
    const f = this.file(id);
    if (!existsSync(f)) return { id, positions: {}, pnl: 0, history: [], dirty: true };
    const a = JSON.parse(readFileSync(f, 'utf8')) as Account;
    a.dirty = false;
    return a;
  }

  /**
   * Rewrites the account's file in place (overwrite, then cut to the new length). Not
   * writeFileSync: that truncates the file to zero first, and ext4 (auto_da_alloc) answers a
   * truncate-to-zero followed by a rewrite by allocating and flushing the blocks at close,
   * which made each write about 7x dearer (114 vs 16 us measured) and, with thousands of
   * writes a second on the event loop, stalled the service under load.
   */
  write(a: Account): void {
    const data = Buffer.from(JSON.stringify({ id: a.id, positions: a.positions, pnl: a.pnl, history: a.history }));
    const fd = openSync(this.file(a.id), constants.O_WRONLY | constants.O_CREAT); // no O_TRUNC
    try {
      writeSync(fd, data, 0, data.length, 0);
      ftruncateSync(fd, data.length);
    } finally { closeSync(fd); }
    a.dirty = false;
  }

  /** Marks a flush durable; the fsync is the fixed per-flush cost that longer intervals amortise. */
  checkpoint(seq: number, count: number, forceSync = false): void {
    const fd = openSync(join(this.dir, '..', 'checkpoint'), 'w');
    try {
      writeSync(fd, JSON.stringify({ seq, count, at: new Date().toISOString() }));
      if (this.fsync || forceSync) fsyncSync(fd);
    } finally { closeSync(fd); }
  }
}
