/**
 * A chunk file's in-memory index: where each series' blocks are in the file.
 *
 * Every block of the file is five numbers (offset, length, count, tmin, tmax) in one growing
 * Float64Array for the whole file, and the blocks of one series are chained through a
 * parallel Int32Array of next-block numbers, in the order they were added. About 44 bytes a
 * block with the growth slack; as `BlockEntry` objects in arrays they took about 145 bytes
 * each (a heap sample of the load benchmark's server), and a file being written gains one per
 * series per cut: 20,000 per cut at 10,000 series, every 20 s (bench/load.bench.ts).
 *
 * Why one array per file and not one per series: a new file's first group made one typed
 * array per series (10,000 at once in bench/load.bench.ts, each an ArrayBuffer with its own
 * malloc'ed store), 3–15 ms of the main thread on a quiet machine and up to 80 ms on a busy
 * one, at the moment of stalls the load benchmark recorded (docs/performance.md, "Load").
 * Here a new series costs a map entry and two int slots.
 */
import type { BlockEntry } from './chunkFile';

const FIELDS = 5;
const NONE = -1;

export class FileIndex {
  /** Series id → its slot in `head` and `tail`. */
  private readonly slots = new Map<string, number>();
  private head = new Int32Array(16);
  private tail = new Int32Array(16);
  /** Five numbers per block. */
  private blocks = new Float64Array(64 * FIELDS);
  /** Per block, the number of the series' next block, or NONE. */
  private next = new Int32Array(64);
  /** Blocks in the index. */
  length = 0;

  /** The series with blocks in the file. */
  keys(): IterableIterator<string> {
    return this.slots.keys();
  }

  /** Blocks of `seriesId` in the index. */
  countOf(seriesId: string): number {
    const s = this.slots.get(seriesId);
    if (s === undefined) return 0;
    let n = 0;
    for (let b = this.head[s]; b !== NONE; b = this.next[b]) n++;
    return n;
  }

  /** Adds a block of `e.seriesId` after its others. */
  push(e: BlockEntry): void {
    const b = this.length;
    if (b === this.next.length) this.growBlocks();
    this.length++;
    const i = b * FIELDS;
    const a = this.blocks;
    a[i] = e.offset;
    a[i + 1] = e.length;
    a[i + 2] = e.count;
    a[i + 3] = e.tmin;
    a[i + 4] = e.tmax;
    this.next[b] = NONE;
    const s = this.slots.get(e.seriesId);
    if (s === undefined) {
      const n = this.slots.size;
      if (n === this.head.length) this.growSlots();
      this.slots.set(e.seriesId, n);
      this.head[n] = b;
      this.tail[n] = b;
    } else {
      this.next[this.tail[s]] = b;
      this.tail[s] = b;
    }
  }

  /** Adds to `out`, as entries of `seriesId`, its blocks overlapping [from, to] that end within the file's first `size` bytes, in the order they were added. */
  select(seriesId: string, from: number, to: number, size: number, out: BlockEntry[]): void {
    const s = this.slots.get(seriesId);
    if (s === undefined) return;
    const a = this.blocks;
    for (let b = this.head[s]; b !== NONE; b = this.next[b]) {
      const i = b * FIELDS;
      const offset = a[i];
      const length = a[i + 1];
      const tmin = a[i + 3];
      const tmax = a[i + 4];
      if (tmax >= from && tmin <= to && offset + length <= size) out.push({ seriesId, offset, length, count: a[i + 2], tmin, tmax });
    }
  }

  private growBlocks(): void {
    this.blocks = doubled(this.blocks);
    this.next = doubled(this.next);
  }

  private growSlots(): void {
    this.head = doubled(this.head);
    this.tail = doubled(this.tail);
  }
}

/** A copy of `a` with twice the room. */
function doubled<T extends Float64Array | Int32Array>(a: T): T {
  const b = new (a.constructor as new (n: number) => T)(a.length * 2);
  b.set(a);
  return b;
}

/** Adds entries to an index. */
export function addToIndex(index: FileIndex, entries: readonly BlockEntry[]): void {
  for (const e of entries) index.push(e);
}
