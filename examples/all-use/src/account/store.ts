// Durable account storage: one JSON file per account. Dirty accounts are written at
// each flush (then one fsync'd checkpoint marks the flush durable), and on eviction
// from the cache. A cache miss reads the account back from its file.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
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

  write(a: Account): void {
    writeFileSync(this.file(a.id), JSON.stringify({ id: a.id, positions: a.positions, pnl: a.pnl, history: a.history }));
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
