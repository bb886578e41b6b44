// Bounded FIFO of pending jobs. Bounded because an unbounded queue turns overload into
// ever-growing latency and memory; a full queue rejects instead (the caller counts an error).
export class BoundedQueue<T> {
  private items: T[] = [];
  private enqueuedAt: number[] = [];
  private head = 0;

  constructor(readonly capacity: number) {}

  get length(): number { return this.items.length - this.head; }

  push(item: T, now: number): boolean {
    if (this.length >= this.capacity) return false;
    this.items.push(item);
    this.enqueuedAt.push(now);
    return true;
  }

  /** Time the oldest item entered the queue, or undefined when empty. */
  oldest(): number | undefined { return this.length ? this.enqueuedAt[this.head] : undefined; }

  take(n: number): T[] {
    const out = this.items.slice(this.head, this.head + n);
    this.head += out.length;
    // Compact now and then instead of shifting on every take (shift is O(n)).
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.enqueuedAt = this.enqueuedAt.slice(this.head);
      this.head = 0;
    }
    return out;
  }

  drain(): T[] { return this.take(this.length); }
}
