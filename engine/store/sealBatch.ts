/**
 * The encoding of a cut's large blocks (each series' raw head and its 1 s rollup buckets) as
 * one pure function over a *batch* of packed columns, so that it can run on the cut's worker
 * thread (encodeWorker.ts, cutEncoder.ts) with the columns transferred, not copied: at
 * 10,000 series a cut is about a second of encoding every 20 s (bench/load.bench.ts), which
 * sliced in the store's thread still held up its timers for that second. The output is each
 * block's whole record as the chunk file holds it (`writeBlockRecord`: header, CRC, body), so
 * the cut's group only adds the index and the trailer, and the bytes are those of an
 * in-thread cut.
 */
import { encodeRaw } from './blocks';
import { ByteWriter } from './bytes';
import { BlockKind, writeBlockRecord } from './chunkFile';
import { encodeTimes, encodeValues } from './codec';

/** Columns per block: raw blocks have times and values, 1 s rollup blocks the six bucket columns. */
export const COLUMNS: Readonly<Record<BlockKind, number>> = { [BlockKind.Raw]: 2, [BlockKind.Rollup]: 6 };

/** Blocks to encode, packed in a few typed arrays (transferable to a worker without copying). */
export interface EncodeBatch {
  /** Per block its BlockKind: raw (times, values) or rollup (t, count, min, max, sum, last; no sketches). */
  kinds: Uint8Array;
  /** Per block, its samples or buckets. */
  counts: Uint32Array;
  /** The series ids in UTF-8 one after another; block i's id ends at `idEnds[i]`. */
  ids: Uint8Array;
  idEnds: Uint32Array;
  /** Each block's columns one after another, `counts[i]` numbers each. */
  data: Float64Array;
}

/** The blocks' records, one after another: record i is `bytes[ends[i-1] .. ends[i]]`, its payload from `payloadStarts[i]`. */
export interface EncodedBatch {
  bytes: Uint8Array;
  ends: Uint32Array;
  payloadStarts: Uint32Array;
}

/** The ArrayBuffers of a batch or its result, to transfer with `postMessage`. */
export function transferList(x: EncodeBatch | EncodedBatch): ArrayBuffer[] {
  const views = 'data' in x ? [x.kinds, x.counts, x.ids, x.idEnds, x.data] : [x.bytes, x.ends, x.payloadStarts];
  return views.map((v) => v.buffer as ArrayBuffer);
}

/**
 * The payload of a rollup block without sketches from its columns: the bytes of
 * `BucketColumns.encode()` (rollup.ts) over the same buckets.
 */
export function encodeBucketColsPayload(t: Float64Array, count: Float64Array, min: Float64Array, max: Float64Array, sum: Float64Array, last: Float64Array): Uint8Array {
  const parts = [encodeTimes(t), encodeValues(count), encodeValues(min), encodeValues(max), encodeValues(sum), encodeValues(last)];
  const w = new ByteWriter(parts.reduce((a, p) => a + p.length + 8, 1));
  for (const p of parts) w.lbytes(p);
  w.u8(0); // no sketches
  return w.result();
}

/** Encodes every block of the batch into its chunk-file record. Pure: the same bytes in any thread. */
export function encodeBatch(b: EncodeBatch): EncodedBatch {
  const n = b.kinds.length;
  // About 2 bytes a number is plenty for the demo-like metrics; the writer grows when not.
  const w = new ByteWriter(Math.max(1024, b.data.length * 2 + n * 96));
  const ends = new Uint32Array(n);
  const payloadStarts = new Uint32Array(n);
  let off = 0;
  for (let i = 0; i < n; i++) {
    const kind = b.kinds[i] as BlockKind;
    const c = b.counts[i];
    const col = (k: number) => b.data.subarray(off + k * c, off + (k + 1) * c);
    const t = col(0);
    const payload = kind === BlockKind.Raw ? encodeRaw(t, col(1)) : encodeBucketColsPayload(t, col(1), col(2), col(3), col(4), col(5));
    const id = b.ids.subarray(i ? b.idEnds[i - 1] : 0, b.idEnds[i]);
    payloadStarts[i] = writeBlockRecord(w, kind, id, c, t[0], t[c - 1], payload);
    ends[i] = w.len;
    off += COLUMNS[kind] * c;
  }
  // A copy of the exact size: the records wait in memory until the cut's write is done.
  return { bytes: w.buf.slice(0, w.len), ends, payloadStarts };
}
