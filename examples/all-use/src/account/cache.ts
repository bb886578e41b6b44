// Bounded in-memory cache with a choice of eviction policy. Account activity is skewed
// (Zipf), so the policy decides how much of the hot set stays in memory:
//   lru  - evict the least recently used entry (tracks recency; good for skew that drifts)
//   lfu  - evict the least frequently used (keeps the long-term hot set; slow to adapt)
//   fifo - evict the oldest inserted (cheapest bookkeeping, ignores popularity)
export type EvictionPolicy = 'lru' | 'lfu' | 'fifo';

export class Cache<K, V> {
  private readonly map = new Map<K, V>();
  // LFU bookkeeping: key -> use count, and count -> keys with that count (in insertion order).
  private readonly freq = new Map<K, number>();
  private readonly buckets = new Map<number, Set<K>>();
  private minFreq = 0;

  constructor(
    readonly capacity: number,
    readonly policy: EvictionPolicy,
    private readonly onEvict: (key: K, value: V) => void,
  ) {}

  get size(): number { return this.map.size; }
  values(): IterableIterator<V> { return this.map.values(); }

  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v === undefined) return undefined;
    if (this.policy === 'lru') { this.map.delete(key); this.map.set(key, v); }
    else if (this.policy === 'lfu') this.touch(key);
    return v;
  }

  set(key: K, value: V): void {
    if (this.map.has(key)) { this.map.set(key, value); return; }
    while (this.map.size >= this.capacity) this.evictOne();
    this.map.set(key, value);
    if (this.policy === 'lfu') { this.freq.set(key, 1); this.bucket(1).add(key); this.minFreq = 1; }
  }

  private bucket(f: number): Set<K> {
    let b = this.buckets.get(f);
    if (!b) { b = new Set(); this.buckets.set(f, b); }
    return b;
  }

  private touch(key: K): void {
    const f = this.freq.get(key) ?? 0;
    const b = this.buckets.get(f);
    b?.delete(key);
    if (b && b.size === 0) { this.buckets.delete(f); if (this.minFreq === f) this.minFreq = f + 1; }
    this.freq.set(key, f + 1);
    this.bucket(f + 1).add(key);
  }

  private evictOne(): void {
    let key: K | undefined;
    if (this.policy === 'lfu') {
      let b = this.buckets.get(this.minFreq);
      if (!b || b.size === 0) {
        // minFreq can go stale after removals; find the real minimum.
        this.minFreq = Math.min(...this.buckets.keys());
        b = this.buckets.get(this.minFreq)!;
      }
      key = b.values().next().value as K;
      b.delete(key);
      if (b.size === 0) this.buckets.delete(this.minFreq);
      this.freq.delete(key);
    } else {
      key = this.map.keys().next().value as K; // oldest insertion (fifo) or least recent (lru)
    }
    const v = this.map.get(key)!;
    this.map.delete(key);
    this.onEvict(key, v);
  }
}
