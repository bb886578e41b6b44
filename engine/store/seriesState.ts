/**
 * What the store keeps in memory per series: the raw samples since the last cut (the head),
 * the open bucket of each rollup tier and the finished buckets not yet written.
 */
import type { SeriesKey } from '../metrics/series';
import { ByteReader, ByteWriter } from './bytes';
import { crc32 } from './crc32';
import { addToBucket, newBucket, newPending, readBucket, TIERS, writeBucket, type Bucket, type PendingBuckets } from './rollup';

/** A bucket is finished at a cut once it ended this long ago, even if no later sample came. */
export const BUCKET_GRACE_MS = 5_000;

const utf8 = new TextEncoder();

export class SeriesState {
  lastT = -Infinity;
  headT: number[] = [];
  headV: number[] = [];
  open: (Bucket | undefined)[] = TIERS.map(() => undefined);
  /** Finished buckets per tier not yet written (the 1 s tier packed: see BucketColumns). */
  pending: PendingBuckets[] = newPending();
  /**
   * Finished buckets per tier taken by a cut and being encoded in slices (store.ts, sealRollups):
   * still queried until their block is made, never in a checkpoint (the cut that took them writes them).
   */
  sealing: (PendingBuckets | undefined)[] = TIERS.map(() => undefined);

  private idUtf8?: Uint8Array;
  /** Its index in the checkpoint being encoded in slices, until its entry is encoded (else -1). */
  ckptIndex = -1;

  constructor(readonly id: string, readonly key: SeriesKey) {}

  /** The id in UTF-8, encoded once: every checkpoint writes all ids (10,000 encodes per cut under load). */
  get idBytes(): Uint8Array {
    return (this.idUtf8 ??= utf8.encode(this.id));
  }

  /** Adds a sample; `t` must be greater than `lastT`. */
  ingest(t: number, v: number): void {
    this.lastT = t;
    this.headT.push(t);
    this.headV.push(v);
    if (v !== v) return;
    for (let i = 0; i < TIERS.length; i++) {
      const tier = TIERS[i];
      const start = Math.floor(t / tier.ms) * tier.ms;
      const b = this.open[i];
      if (b && b.t === start) addToBucket(b, v);
      else {
        if (b) this.pending[i].push(b);
        this.open[i] = newBucket(start, v, tier.sketch);
      }
    }
  }

  /** Moves open buckets that ended before `now - grace` to the finished ones. */
  closeBuckets(now: number): void {
    for (let i = 0; i < TIERS.length; i++) {
      const b = this.open[i];
      if (b && b.t + TIERS[i].ms <= now - BUCKET_GRACE_MS) { this.pending[i].push(b); this.open[i] = undefined; }
    }
  }

  get empty(): boolean {
    return this.headT.length === 0 && this.open.every((b) => !b) && this.pending.every((p) => p.length === 0) && this.sealing.every((p) => !p);
  }
}

const CHECKPOINT_MAGIC = 0x43535441; // "ATSC"

export interface Checkpoint {
  seq: number;
  series: { id: string; lastT: number; open: (Bucket | undefined)[]; pending: Bucket[][] }[];
}

export function encodeCheckpoint(seq: number, states: Iterable<SeriesState>): Uint8Array {
  const list = [...states];
  const c = new CheckpointWriter(seq, list.length);
  list.forEach((st, i) => c.entry(i, st));
  return c.finish();
}

/**
 * A checkpoint built one series at a time, in any order (the store encodes it in slices, and
 * a series about to change first: store.ts); `finish` gives the bytes of `encodeCheckpoint`
 * over the same states in index order.
 */
export class CheckpointWriter {
  private readonly entries: (Uint8Array | undefined)[];

  constructor(private readonly seq: number, readonly size: number) {
    this.entries = new Array<Uint8Array | undefined>(size);
  }

  /** Encodes series `i` of the checkpoint as it is now. */
  entry(i: number, s: SeriesState): void {
    const w = new ByteWriter(256);
    w.lbytes(s.idBytes); // the same bytes as w.str(s.id)
    w.f64(s.lastT);
    for (let t = 0; t < TIERS.length; t++) {
      const o = s.open[t];
      if (o) { w.u8(1); writeBucket(w, o); } else w.u8(0);
      const p = s.pending[t].list();
      w.uvar(p.length);
      for (const b of p) writeBucket(w, b);
    }
    this.entries[i] = w.result();
  }

  finish(): Uint8Array {
    let bytes = 0;
    for (const e of this.entries) {
      if (!e) throw new Error('checkpoint entry missing'); // a bug in the caller: never write a partial checkpoint
      bytes += e.length;
    }
    const w = new ByteWriter(bytes + 32);
    w.u32(CHECKPOINT_MAGIC);
    w.u32(0); // crc, filled below
    w.uvar(this.seq);
    w.uvar(this.size);
    for (const e of this.entries) w.bytes(e!);
    w.setU32(4, crc32(w.buf, 8, w.len));
    return w.result();
  }
}

/** Parses a checkpoint; throws on damage. */
export function decodeCheckpoint(bytes: Uint8Array): Checkpoint {
  const r = new ByteReader(bytes);
  if (r.u32() !== CHECKPOINT_MAGIC) throw new Error('not a checkpoint');
  if (r.u32() !== crc32(bytes, 8)) throw new Error('checksum mismatch');
  const seq = r.uvar();
  const n = r.uvar();
  const series: Checkpoint['series'] = [];
  for (let k = 0; k < n; k++) {
    const id = r.str();
    const lastT = r.f64();
    const open: (Bucket | undefined)[] = [];
    const pending: Bucket[][] = [];
    for (let i = 0; i < TIERS.length; i++) {
      open.push(r.u8() === 1 ? readBucket(r) : undefined);
      const m = r.uvar();
      const p: Bucket[] = [];
      for (let j = 0; j < m; j++) p.push(readBucket(r));
      pending.push(p);
    }
    series.push({ id, lastT, open, pending });
  }
  return { seq, series };
}
