/**
 * The blocks of one series in one chunk file, as the store keeps them in a file's in-memory
 * index: five numbers per block (offset, length, count, tmin, tmax) in one growing
 * Float64Array, about 50 bytes a block with the growth slack. As `BlockEntry` objects in
 * arrays they took about 145 bytes each (a heap sample of the load benchmark's server), and a
 * file being written gains one per series per cut: 20,000 per cut at 10,000 series, every
 * 20 s (bench/load.bench.ts).
 */
import type { BlockEntry } from './chunkFile';

const FIELDS = 5;

export class BlockList {
  private a: Float64Array;
  length = 0;

  constructor(capacity = 4) {
    this.a = new Float64Array(capacity * FIELDS);
  }

  push(e: Omit<BlockEntry, 'seriesId'>): void {
    if ((this.length + 1) * FIELDS > this.a.length) {
      const b = new Float64Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    const i = this.length++ * FIELDS;
    this.a[i] = e.offset;
    this.a[i + 1] = e.length;
    this.a[i + 2] = e.count;
    this.a[i + 3] = e.tmin;
    this.a[i + 4] = e.tmax;
  }

  /** Adds to `out`, as entries of `seriesId`, the blocks overlapping [from, to] that end within the file's first `size` bytes. */
  select(seriesId: string, from: number, to: number, size: number, out: BlockEntry[]): void {
    const a = this.a;
    for (let k = 0; k < this.length; k++) {
      const i = k * FIELDS;
      const offset = a[i];
      const length = a[i + 1];
      const tmin = a[i + 3];
      const tmax = a[i + 4];
      if (tmax >= from && tmin <= to && offset + length <= size) out.push({ seriesId, offset, length, count: a[i + 2], tmin, tmax });
    }
  }
}

/** A file's index: its blocks per series id. */
export type FileIndex = Map<string, BlockList>;

/** Adds entries to an index. */
export function addToIndex(index: FileIndex, entries: readonly BlockEntry[]): void {
  for (const e of entries) {
    let l = index.get(e.seriesId);
    if (!l) index.set(e.seriesId, (l = new BlockList()));
    l.push(e);
  }
}
