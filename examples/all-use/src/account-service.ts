// account-service: books the protocol engine's position updates into per-account
// positions and P&L. Accounts live in a bounded cache (size + eviction policy) in front
// of per-account files; dirty accounts are flushed to disk every flush_interval_ms.
import { rmSync } from 'node:fs';
import { runComponent, type ComponentContext } from './shared/component.js';
import type { Schema } from './shared/config.js';
import { client, LATENCY_BUCKETS } from './shared/metrics.js';
import { blockFor } from './shared/clock.js';
import { Cache, type EvictionPolicy } from './account/cache.js';
import { AccountStore, type Account } from './account/store.js';
import type { PositionUpdate } from './engine/types.js';

const schema = {
  cache_size: { type: 'int', min: 1, max: 10_000_000, default: 300 },
  eviction: { type: 'enum', values: ['lru', 'lfu', 'fifo'], default: 'fifo' },
  flush_interval_ms: { type: 'int', min: 1, max: 3_600_000, default: 50 },
  history_length: { type: 'int', min: 1, max: 100_000, default: 64 },
  fsync: { type: 'bool', default: false },
  reset_on_start: { type: 'bool', default: true },
} satisfies Schema;

async function start(ctx: ComponentContext<typeof schema>) {
  const c = ctx.config;
  const reg = [ctx.metrics.registry];
  const updatesC = new client.Counter({ name: 'alluse_account_updates_total', help: 'Position updates booked', registers: reg });
  const hits = new client.Counter({ name: 'alluse_account_cache_hits_total', help: 'Account lookups served from the cache', registers: reg });
  const misses = new client.Counter({ name: 'alluse_account_cache_misses_total', help: 'Account lookups that read the disk', registers: reg });
  const hitRatio = new client.Gauge({ name: 'alluse_account_cache_hit_ratio', help: 'Cache hit ratio over the last second', registers: reg });
  const entries = new client.Gauge({ name: 'alluse_account_cache_entries', help: 'Accounts in the cache', registers: reg });
  new client.Gauge({ name: 'alluse_account_cache_capacity', help: 'Configured cache size', registers: reg }).set(c.cache_size);
  const evictions = new client.Counter({ name: 'alluse_account_cache_evictions_total', help: 'Accounts evicted from the cache', labelNames: ['dirty'], registers: reg });
  const flushes = new client.Counter({ name: 'alluse_account_flushes_total', help: 'Flushes of dirty accounts to disk', registers: reg });
  const flushDuration = new client.Histogram({ name: 'alluse_account_flush_duration_seconds', help: 'Time one flush blocks the service', buckets: LATENCY_BUCKETS, registers: reg });
  const flushed = new client.Counter({ name: 'alluse_account_flushed_accounts_total', help: 'Account files written by flushes', registers: reg });
  const dirtyG = new client.Gauge({ name: 'alluse_account_dirty_accounts', help: 'Cached accounts not yet on disk', registers: reg });
  const pnlG = new client.Gauge({ name: 'alluse_account_pnl_total', help: 'Sum of booked P&L over cached accounts', registers: reg });

  if (c.reset_on_start) rmSync(ctx.dataDir + '/accounts', { recursive: true, force: true });
  const store = new AccountStore(ctx.dataDir, c.fsync);
  const dirty = new Set<Account>();
  const cache = new Cache<number, Account>(c.cache_size, c.eviction as EvictionPolicy, (_id, a) => {
    // Write-back on eviction: a dirty account must reach the disk before it leaves memory.
    evictions.inc({ dirty: String(a.dirty) });
    if (a.dirty) { store.write(a); dirty.delete(a); }
  });
  const counts = { updates: 0, hits: 0, misses: 0, flushes: 0 };

  function account(id: number): Account {
    let a = cache.get(id);
    if (a) { hits.inc(); counts.hits++; return a; }
    misses.inc(); counts.misses++;
    a = store.load(id);
    cache.set(id, a);
    return a;
  }

  ctx.route('POST', '/positions', (req) => {
    const list = req.body as PositionUpdate[];
    if (!Array.isArray(list)) return { status: 400, json: { error: 'expected an array of position updates' } };
    for (const u of list) {
      const a = account(u.account);
      const p = a.positions[u.symbol] ?? (a.positions[u.symbol] = { value: 0, delta: 0, gamma: 0, vega: 0, theta: 0, updates: 0 });
      const pnl = u.value - p.value;
      p.value = u.value; p.delta = u.delta; p.gamma = u.gamma; p.vega = u.vega; p.theta = u.theta; p.updates++;
      a.pnl += p.updates > 1 ? pnl : 0;
      a.history.push(a.pnl);
      if (a.history.length > c.history_length) a.history.splice(0, a.history.length - c.history_length);
      if (!a.dirty) a.dirty = true;
      dirty.add(a);
    }
    counts.updates += list.length;
    updatesC.inc(list.length);
    return { json: { ok: true, booked: list.length } };
  });

  ctx.route('GET', '/accounts', (req) => {
    const id = Number(req.url.searchParams.get('id'));
    if (!Number.isInteger(id) || id < 0) return { status: 400, json: { error: 'id must be a non-negative integer' } };
    const a = account(id);
    return { json: { id: a.id, pnl: a.pnl, positions: a.positions } };
  });

  let flushSeq = 0;
  function flush(): void {
    const t0 = performance.now();
    const n = dirty.size;
    for (const a of dirty) store.write(a);
    dirty.clear();
    // slow-disk fault: the flush becomes durable (fsync) and the device takes longer to acknowledge.
    const slow = ctx.faults.diskDelayMs();
    store.checkpoint(++flushSeq, n, slow > 0);
    blockFor(slow);
    flushes.inc(); counts.flushes++;
    flushed.inc(n);
    flushDuration.observe((performance.now() - t0) / 1000);
  }
  const flushTimer = setInterval(flush, c.flush_interval_ms);

  let last = { h: 0, m: 0 };
  const gaugeTimer = setInterval(() => {
    const dh = counts.hits - last.h, dm = counts.misses - last.m;
    if (dh + dm > 0) hitRatio.set(dh / (dh + dm));
    last = { h: counts.hits, m: counts.misses };
    entries.set(cache.size);
    dirtyG.set(dirty.size);
    let pnl = 0;
    for (const a of cache.values()) pnl += a.pnl;
    pnlG.set(pnl);
  }, 1000);
  entries.set(0);

  return {
    stats: () => ({ ...counts, cache_entries: cache.size, hit_ratio: counts.hits / Math.max(1, counts.hits + counts.misses) }),
    async stop() {
      clearInterval(flushTimer);
      clearInterval(gaugeTimer);
      flush(); // no booked update is lost on a clean stop
    },
  };
}

void runComponent({
  name: 'account-service',
  defaultPort: 9463,
  schema,
  faults: ['memory-leak', 'cpu-hog', 'latency-spike', 'error-burst', 'slow-disk'],
  start,
});
