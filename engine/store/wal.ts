/**
 * The write-ahead log: samples accepted since the last cut, appended at least every second
 * (a kill -9 loses at most the last flush interval) and fdatasync'ed every few seconds (a
 * crash of the machine loses at most that: store.ts, `flushWal`). One segment file
 * per cut (`wal/<seq>.wal`); a segment is deleted once the cut that seals it is durable.
 *
 *   record = u32 bodyLen | u32 crc(body) | body
 *   body   = f64 baseT | uvar n | n × entry
 *   entry  = u8 0 | uvar ref | str seriesId        (defines a series reference in this segment)
 *          | u8 1 | uvar ref | svar (t - baseT) | f64 v
 */
import { ByteReader, ByteWriter, FormatError } from './bytes';
import { crc32 } from './crc32';

/** An entries buffer grown past this by a burst is not kept after its record is taken. */
const KEEP_BYTES = 64 * 1024;

/**
 * A series' reference in the current segment, kept by the caller (the store's SeriesState):
 * `WalBuffer.addFor` finds it without a lookup by id (a Map lookup per sample was a tenth of the
 * store's append in the monitor: docs/performance.md, "Monitoring").
 */
export interface WalRefHolder {
  readonly id: string;
  readonly idBytes?: Uint8Array;
  /** The reference, valid while `walSegment` is the buffer's `segment`. */
  walRef: number;
  walSegment: number;
}

export class WalBuffer {
  private refs = new Map<string, number>();
  /** References handed out in this segment (by `add` and `addFor`). */
  private nextRef = 0;
  /** Bumped by `newSegment`: a holder's reference from an earlier segment is defined again. */
  private segment = 0;
  private body = new ByteWriter(4096);
  /** The record's head (base time, entry count), written anew for each record. */
  private readonly head = new ByteWriter(16);
  private n = 0;
  private baseT = 0;

  get empty(): boolean { return this.n === 0; }

  /**
   * `idBytes`: the id in UTF-8 when the caller has it (the store's SeriesState.idBytes, the same
   * bytes as `str(id)` writes): a new segment defines every series again, and encoding 10,000
   * ids in the first 100 ms after each cut was a burst of work in the appends under load.
   */
  add(id: string, t: number, v: number, idBytes?: Uint8Array): void {
    if (this.n === 0) this.baseT = t;
    let ref = this.refs.get(id);
    if (ref === undefined) {
      ref = this.define(id, idBytes);
      this.refs.set(id, ref);
    }
    this.entry(ref, t, v);
  }

  /** `add` for a series that keeps its own reference (the store's series: no lookup by id). */
  addFor(h: WalRefHolder, t: number, v: number): void {
    if (this.n === 0) this.baseT = t;
    if (h.walSegment !== this.segment) {
      h.walRef = this.define(h.id, h.idBytes);
      h.walSegment = this.segment;
    }
    this.entry(h.walRef, t, v);
  }

  /** Writes a definition of the next reference as `id`; returns the reference. */
  private define(id: string, idBytes: Uint8Array | undefined): number {
    const ref = this.nextRef++;
    this.body.u8(0); this.body.uvar(ref);
    if (idBytes) this.body.lbytes(idBytes);
    else this.body.str(id);
    this.n++;
    return ref;
  }

  private entry(ref: number, t: number, v: number): void {
    this.body.u8(1); this.body.uvar(ref); this.body.svar(t - this.baseT); this.body.f64(v);
    this.n++;
  }

  /**
   * Takes the buffered entries as one record (undefined when empty). The record is the one
   * allocation: the entries' buffer is kept for the next record (it is written every second,
   * and regrowing it from 4 KiB each time was most of the WAL's garbage), unless a burst grew
   * it past KEEP_BYTES.
   */
  take(): Uint8Array | undefined {
    if (this.n === 0) return undefined;
    const head = this.head;
    head.len = 0;
    head.f64(this.baseT);
    head.uvar(this.n);
    const entries = this.body;
    const bodyLen = head.len + entries.len;
    const out = new Uint8Array(bodyLen + 8);
    const view = new DataView(out.buffer);
    view.setUint32(0, bodyLen, true);
    out.set(head.buf.subarray(0, head.len), 8);
    out.set(entries.buf.subarray(0, entries.len), 8 + head.len);
    view.setUint32(4, crc32(out, 8, 8 + bodyLen), true);
    if (entries.buf.length > KEEP_BYTES) this.body = new ByteWriter(4096);
    else entries.len = 0;
    this.n = 0;
    return out;
  }

  /** Starts a new segment: series references are defined again. */
  newSegment(): void {
    this.refs.clear();
    this.nextRef = 0;
    this.segment++;
  }

  /** Bytes buffered (roughly). */
  get size(): number { return this.body.len; }
}

export interface WalReadResult {
  /** Bytes that parsed; less than the file size when the tail is torn or damaged. */
  validEnd: number;
  problem?: string;
}

/** Replays a segment; stops at the first damaged or incomplete record and says so. */
export function readWal(bytes: Uint8Array, onSample: (id: string, t: number, v: number) => void): WalReadResult {
  const refs = new Map<number, string>();
  let pos = 0;
  while (pos < bytes.length) {
    if (pos + 8 > bytes.length) return { validEnd: pos, problem: `torn record header at byte ${pos} (${bytes.length - pos} bytes skipped)` };
    const dv = new DataView(bytes.buffer, bytes.byteOffset + pos, 8);
    const len = dv.getUint32(0, true);
    const crc = dv.getUint32(4, true);
    if (pos + 8 + len > bytes.length) return { validEnd: pos, problem: `torn record at byte ${pos} (${bytes.length - pos} bytes skipped)` };
    if (crc32(bytes, pos + 8, pos + 8 + len) !== crc) return { validEnd: pos, problem: `checksum mismatch at byte ${pos} (${bytes.length - pos} bytes skipped)` };
    const r = new ByteReader(bytes, pos + 8, pos + 8 + len);
    try {
      const baseT = r.f64();
      const n = r.uvar();
      const samples: [string, number, number][] = [];
      for (let i = 0; i < n; i++) {
        const type = r.u8();
        if (type === 0) { const ref = r.uvar(); refs.set(ref, r.str()); continue; }
        if (type !== 1) throw new FormatError(`unknown entry type ${type}`);
        const id = refs.get(r.uvar());
        const t = baseT + r.svar();
        const v = r.f64();
        if (id === undefined) throw new FormatError('undefined series reference');
        samples.push([id, t, v]);
      }
      for (const [id, t, v] of samples) onSample(id, t, v);
    } catch (e) {
      return { validEnd: pos, problem: `bad record at byte ${pos}: ${(e as Error).message} (${bytes.length - pos} bytes skipped)` };
    }
    pos += 8 + len;
  }
  return { validEnd: pos };
}
