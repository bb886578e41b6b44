/**
 * Chunk files: append-only sequences of *groups*. Each cut of the store appends one group
 * to the file of each tier it writes: the blocks (one per series), an index of those
 * blocks, and a fixed-size trailer. Every block, index and trailer has a CRC-32.
 *
 *   block   = magic "ATSB" | u32 bodyLen | u32 crc(body) | body
 *     body  = u8 kind (0 raw, 1 rollup) | str seriesId | uvar count | f64 tmin | f64 tmax | payload
 *   index   = magic "ATSI" | u32 bodyLen | u32 crc(body) | body
 *     body  = uvar n | n × (str seriesId | uvar offset | uvar length | uvar count | f64 tmin | f64 tmax)
 *   trailer = magic "ATST" | u32 seq | f64 groupStart | f64 indexOffset
 *             | f64 fileMinT | f64 fileMaxT | f64 fileCount | u32 crc(previous 44 bytes)
 *
 * Opening a file reads only its last trailer (time range and sample count of the whole file).
 * Its index is read lazily, walking the trailers back to front. A torn tail (a crash in the
 * middle of an append) is found by searching backwards for the last valid trailer. A corrupt
 * index is replaced by a forward scan of the group's blocks; a corrupt block is skipped when
 * a query reads it. Integers are little-endian.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { ByteReader, ByteWriter, FormatError } from './bytes';
import { crc32 } from './crc32';

const BLOCK_MAGIC = 0x42535441; // "ATSB"
const INDEX_MAGIC = 0x49535441; // "ATSI"
const TRAILER_MAGIC = 0x54535441; // "ATST"
export const TRAILER_SIZE = 52;
const HEADER_SIZE = 12;

export const enum BlockKind { Raw = 0, Rollup = 1 }

export interface BlockMeta {
  seriesId: string;
  count: number;
  tmin: number;
  tmax: number;
}

export interface BlockEntry extends BlockMeta {
  offset: number;
  length: number;
}

export interface Trailer {
  seq: number;
  groupStart: number;
  indexOffset: number;
  minT: number;
  maxT: number;
  count: number;
}

export interface NewBlock extends BlockMeta {
  kind: BlockKind;
  payload: Uint8Array;
  /** The block's whole record (header, CRC and body, as `writeBlockRecord` writes it) when already made (by the cut's worker). */
  record?: Uint8Array;
}

function record(w: ByteWriter, magic: number, body: Uint8Array): void {
  w.u32(magic);
  w.u32(body.length);
  w.u32(crc32(body));
  w.bytes(body);
}

/** Bytes of an unsigned varint. */
function uvarLength(n: number): number {
  let k = 1;
  while (n >= 0x80) { n = Math.floor(n / 0x80); k++; }
  return k;
}

/**
 * Writes one block record (`block` above) into `w`, its CRC computed in place over the body
 * (no copy of the body); `id` is the series id in UTF-8. Returns where the payload starts in `w`.
 */
export function writeBlockRecord(w: ByteWriter, kind: BlockKind, id: Uint8Array, count: number, tmin: number, tmax: number, payload: Uint8Array): number {
  const payloadStart = writeBlockHeader(w, kind, id, count, tmin, tmax, payload);
  w.bytes(payload);
  return payloadStart;
}

/**
 * Writes what comes before the payload in a block record (`writeBlockRecord` without the
 * payload's bytes; its CRC covers the payload, read where it is). Returns where the payload
 * would start in `w`.
 */
export function writeBlockHeader(w: ByteWriter, kind: BlockKind, id: Uint8Array, count: number, tmin: number, tmax: number, payload: Uint8Array): number {
  const bodyLen = 1 + uvarLength(id.length) + id.length + uvarLength(count) + 16 + payload.length;
  w.u32(BLOCK_MAGIC);
  w.u32(bodyLen);
  const crcAt = w.len;
  w.u32(0);
  const bodyStart = w.len;
  w.u8(kind);
  w.lbytes(id); // the same bytes as w.str(seriesId)
  w.uvar(count);
  w.f64(tmin);
  w.f64(tmax);
  w.setU32(crcAt, crc32(payload, 0, payload.length, crc32(w.buf, bodyStart, w.len)));
  return w.len;
}

const utf8 = new TextEncoder();

/** Builds the bytes of one group to append at `fileSize` of a file whose last trailer is `prev`. */
export function buildGroup(blocks: readonly NewBlock[], fileSize: number, seq: number, prev: Trailer | undefined): { bytes: Uint8Array; entries: BlockEntry[]; trailer: Trailer } {
  const g = new GroupBuilder(fileSize, seq, prev);
  for (const b of blocks) g.add(b);
  return g.finish();
}

/**
 * Builds a group one block at a time, so a caller can yield between blocks (a cut's raw group
 * of 10,000 series took 0.15-0.27 s in one go under load: bench/load.bench.ts); the bytes
 * are those of `buildGroup` over the same blocks.
 */
export class GroupBuilder {
  /** The group's own bytes: the records' headers (and whole records made elsewhere), the index, the trailer. */
  private readonly w: ByteWriter;
  /**
   * The group as parts, in order: [start, end) ranges of `w` (numbers) and the payloads
   * themselves, which are not copied (a cut's groups were a copy of all its payloads, 1-2 MiB
   * at the demo's scale, alive beside them until written: docs/performance.md, "Monitoring").
   */
  private readonly pieces: (Uint8Array | [from: number, to: number])[] = [];
  /** Bytes of the group so far (`w` and the payloads). */
  private size = 0;
  private readonly entries: BlockEntry[] = [];
  private minT: number;
  private maxT: number;
  private count: number;

  /** `capacity`: the bytes expected of `w` (see `groupCapacity`), so it is not grown by doubling and copying. */
  constructor(private readonly fileSize: number, private readonly seq: number, prev: Trailer | undefined, capacity = 1024) {
    this.w = new ByteWriter(Math.max(64, capacity));
    this.minT = prev?.minT ?? Infinity;
    this.maxT = prev?.maxT ?? -Infinity;
    this.count = prev?.count ?? 0;
  }

  /** Ends the current run of `w` as a piece. */
  private cut(from: number): void {
    if (this.w.len > from) this.pieces.push([from, this.w.len]);
  }

  add(b: NewBlock): void {
    const w = this.w;
    const offset = this.fileSize + this.size;
    if (b.record) {
      this.pieces.push(b.record);
      this.size += b.record.length;
    } else {
      const from = w.len;
      writeBlockHeader(w, b.kind, utf8.encode(b.seriesId), b.count, b.tmin, b.tmax, b.payload);
      this.cut(from);
      this.pieces.push(b.payload);
      this.size += w.len - from + b.payload.length;
    }
    this.entries.push({ seriesId: b.seriesId, count: b.count, tmin: b.tmin, tmax: b.tmax, offset, length: this.fileSize + this.size - offset });
    this.minT = Math.min(this.minT, b.tmin);
    this.maxT = Math.max(this.maxT, b.tmax);
    this.count += b.count;
  }

  /** The group's bytes in one buffer (the bytes of `finishParts` one after the other). */
  finish(): { bytes: Uint8Array; entries: BlockEntry[]; trailer: Trailer } {
    const { parts, size, entries, trailer } = this.finishParts();
    const bytes = new Uint8Array(size);
    let off = 0;
    for (const p of parts) { bytes.set(p, off); off += p.length; }
    return { bytes, entries, trailer };
  }

  /** The group as parts to append one after the other (`size` bytes in all): payloads are not copied. */
  finishParts(): { parts: Uint8Array[]; size: number; entries: BlockEntry[]; trailer: Trailer } {
    const { w, entries, fileSize, seq, minT, maxT, count } = this;
    const tail = w.len;
    const indexOffset = fileSize + this.size;
    const ib = new ByteWriter(entries.length * 64 + 8);
    ib.uvar(entries.length);
    for (const e of entries) { ib.str(e.seriesId); ib.uvar(e.offset); ib.uvar(e.length); ib.uvar(e.count); ib.f64(e.tmin); ib.f64(e.tmax); }
    record(w, INDEX_MAGIC, ib.result());
    const trailer: Trailer = { seq, groupStart: fileSize, indexOffset, minT, maxT, count };
    const t0 = w.len;
    w.u32(TRAILER_MAGIC);
    w.u32(seq);
    w.f64(fileSize);
    w.f64(indexOffset);
    w.f64(minT);
    w.f64(maxT);
    w.f64(count);
    w.u32(crc32(w.buf, t0, w.len));
    this.cut(tail);
    this.size += w.len - tail;
    // Ranges of `w` are taken once it is complete (it may have grown since they were written).
    const parts = this.pieces.map((p) => (p instanceof Uint8Array ? p : w.buf.subarray(p[0], p[1])));
    return { parts, size: this.size, entries, trailer };
  }
}

/**
 * The bytes a GroupBuilder writes itself for these blocks (the records' headers, the index and
 * the trailer; payloads and whole records are parts of their own), a little more for ASCII
 * ids; the builder still grows if an id is not ASCII.
 */
export function groupCapacity(blocks: readonly NewBlock[]): number {
  let n = TRAILER_SIZE + HEADER_SIZE + 16;
  for (const b of blocks) {
    const id = b.seriesId.length + 8;
    n += (b.record ? 0 : HEADER_SIZE + 1 + id + 24) + id + 40;
  }
  return n;
}

function parseTrailer(buf: Uint8Array, at: number, endPos: number): Trailer | undefined {
  if (at < 0 || at + TRAILER_SIZE > buf.length) return undefined;
  const r = new ByteReader(buf, at, at + TRAILER_SIZE);
  if (r.u32() !== TRAILER_MAGIC) return undefined;
  const t: Trailer = { seq: r.u32(), groupStart: r.f64(), indexOffset: r.f64(), minT: r.f64(), maxT: r.f64(), count: r.f64() };
  if (r.u32() !== crc32(buf, at, at + TRAILER_SIZE - 4)) return undefined;
  const trailerPos = endPos - TRAILER_SIZE;
  if (!(t.groupStart >= 0 && t.groupStart <= t.indexOffset && t.indexOffset < trailerPos)) return undefined;
  return t;
}

export function readAt(fd: number, pos: number, len: number, into?: Uint8Array): Uint8Array {
  const buf = into && into.length >= len ? into.subarray(0, len) : new Uint8Array(len);
  let got = 0;
  while (got < len) {
    const n = readSync(fd, buf, got, len - got, pos + got);
    if (n === 0) break;
    got += n;
  }
  return got === len ? buf : buf.subarray(0, got);
}

export interface TailInfo {
  size: number;
  /** End of the last complete group (== size when the file is intact). */
  validEnd: number;
  trailer?: Trailer;
}

/** Finds the last complete group of a file: its trailer, or by searching backwards after a torn tail. */
export function readTail(fd: number, limit?: number): TailInfo {
  const size = limit ?? fstatSync(fd).size;
  if (size >= TRAILER_SIZE) {
    const buf = readAt(fd, size - TRAILER_SIZE, TRAILER_SIZE);
    const t = parseTrailer(buf, 0, size);
    if (t) return { size, validEnd: size, trailer: t };
  }
  // Search backwards, 1 MiB at a time (with overlap), for the last valid trailer.
  const CH = 1 << 20;
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - CH);
    const buf = readAt(fd, start, Math.min(size, end + TRAILER_SIZE) - start);
    for (let i = Math.min(end, size - TRAILER_SIZE) - start; i >= 0; i--) {
      if (buf[i] === 0x41 && buf[i + 1] === 0x54 && buf[i + 2] === 0x53 && buf[i + 3] === 0x54) {
        const t = parseTrailer(buf, i, start + i + TRAILER_SIZE);
        if (t) return { size, validEnd: start + i + TRAILER_SIZE, trailer: t };
      }
    }
    end = start;
  }
  return { size, validEnd: 0 };
}

function parseIndex(buf: Uint8Array): BlockEntry[] {
  const r = new ByteReader(buf);
  if (r.u32() !== INDEX_MAGIC) throw new FormatError('bad index magic');
  const len = r.u32();
  const crc = r.u32();
  if (HEADER_SIZE + len !== buf.length || crc32(buf, HEADER_SIZE) !== crc) throw new FormatError('index checksum mismatch');
  const n = r.uvar();
  const out: BlockEntry[] = [];
  for (let i = 0; i < n; i++) out.push({ seriesId: r.str(), offset: r.uvar(), length: r.uvar(), count: r.uvar(), tmin: r.f64(), tmax: r.f64() });
  return out;
}

/** Reads a whole block; throws FormatError when it is damaged. Returns kind, meta and payload. */
export function parseBlock(buf: Uint8Array): { kind: BlockKind; meta: BlockMeta; payload: Uint8Array } {
  const r = new ByteReader(buf);
  if (r.u32() !== BLOCK_MAGIC) throw new FormatError('bad block magic');
  const len = r.u32();
  const crc = r.u32();
  if (HEADER_SIZE + len > buf.length || crc32(buf, HEADER_SIZE, HEADER_SIZE + len) !== crc) throw new FormatError('block checksum mismatch');
  const b = new ByteReader(buf, HEADER_SIZE, HEADER_SIZE + len);
  const kind = b.u8() as BlockKind;
  const meta: BlockMeta = { seriesId: b.str(), count: b.uvar(), tmin: b.f64(), tmax: b.f64() };
  return { kind, meta, payload: buf.subarray(b.pos, HEADER_SIZE + len) };
}

/** Recovers the blocks between `from` and `to` by scanning for block headers (used when an index is damaged). */
function scanBlocks(fd: number, from: number, to: number): BlockEntry[] {
  const buf = readAt(fd, from, to - from);
  const out: BlockEntry[] = [];
  let i = 0;
  while (i + HEADER_SIZE <= buf.length) {
    if (buf[i] === 0x41 && buf[i + 1] === 0x54 && buf[i + 2] === 0x53 && buf[i + 3] === 0x42) {
      const len = new DataView(buf.buffer, buf.byteOffset + i + 4, 4).getUint32(0, true);
      if (i + HEADER_SIZE + len <= buf.length) {
        try {
          const { meta } = parseBlock(buf.subarray(i, i + HEADER_SIZE + len));
          out.push({ ...meta, offset: from + i, length: HEADER_SIZE + len });
          i += HEADER_SIZE + len;
          continue;
        } catch { /* not a block: keep searching */ }
      }
    }
    i++;
  }
  return out;
}

export interface IndexResult {
  entries: BlockEntry[];
  problems: string[];
}

/** Reads every group index of a file, back to front, up to `validEnd`. Damage is reported, never thrown. */
export function readIndex(fd: number, validEnd: number): IndexResult {
  const groups: BlockEntry[][] = [];
  const problems: string[] = [];
  let end = validEnd;
  while (end > 0) {
    const tb = readAt(fd, end - TRAILER_SIZE, TRAILER_SIZE);
    let t = tb.length === TRAILER_SIZE ? parseTrailer(tb, 0, end) : undefined;
    if (!t) {
      // Damaged trailer: find the previous valid one and recover the blocks in between.
      const prev = readTail(fd, end - 1);
      problems.push(`damaged group trailer before byte ${end}; recovered blocks by scanning bytes ${prev.validEnd}..${end}`);
      groups.push(scanBlocks(fd, prev.validEnd, end));
      end = prev.validEnd;
      continue;
    }
    try {
      groups.push(parseIndex(readAt(fd, t.indexOffset, end - TRAILER_SIZE - t.indexOffset)));
    } catch (e) {
      problems.push(`damaged group index at byte ${t.indexOffset} (${(e as Error).message}); recovered blocks by scanning`);
      groups.push(scanBlocks(fd, t.groupStart, t.indexOffset));
    }
    end = t.groupStart;
  }
  return { entries: groups.reverse().flat(), problems };
}

export function openForRead(path: string): number {
  return openSync(path, 'r');
}

export function closeQuietly(fd: number | undefined): void {
  if (fd === undefined) return;
  try { closeSync(fd); } catch { /* already closed */ }
}
