/**
 * What the store keeps in memory per series: the raw samples since the last cut (the head),
 * the open bucket of each rollup tier and the finished buckets not yet written.
 */
import type { SeriesKey } from '../metrics/series';
import { ByteReader, ByteWriter } from './bytes';
import { crc32 } from './crc32';
import { addStats, addToBucket, BucketArray, newBucket, newPending, readBucket, TIERS, writeBucket, writeBucketStats, type Bucket, type PendingBuckets } from './rollup';
import { RawHead } from './rawHead';
import { SECOND_MS, SecondBuckets, type SecondsSource } from './secondBuckets';
import { QuantileSketch } from './sketch';

/** A bucket is finished at a cut once it ended this long ago, even if no later sample came. */
export const BUCKET_GRACE_MS = 5_000;

const utf8 = new TextEncoder();

/**
 * The 1 min and 1 h tiers. The 1 h bucket's sketch is not updated per sample: each finished
 * 1 min bucket's sketch is merged into it (an hour is 60 whole minutes, and counts add up
 * exactly), which halves the sketch work per sample (bench/storeIngestAB.ts). So the open
 * 1 h bucket's own sketch lacks the open minute: `openBucket` adds it for queries and the
 * checkpoint, which therefore holds the whole hour as before.
 */
const M = TIERS.findIndex((t) => t.name === '1m');
const H = TIERS.findIndex((t) => t.name === '1h');
const HOUR_MS = TIERS[H].ms;
if (M < 0 || H < M || !TIERS[M].sketch || !TIERS[H].sketch || HOUR_MS % TIERS[M].ms !== 0) throw new Error('seriesState.ts expects a 1 min and a 1 h tier with sketches');

if (TIERS[0].ms !== SECOND_MS || TIERS[0].sketch) throw new Error('seriesState.ts expects the first tier to be secondBuckets.ts\'s 1 s buckets without sketches');

const inHour = (m: Bucket, h: Bucket) => m.t >= h.t && m.t < h.t + HOUR_MS;

/** How long after its minute ends a series merges it into its hour: 0–40 s, spread by the id (FNV-1a), the same for a series every time. */
const MERGE_SPREAD_MS = 40_000;
export function mergeDelayMs(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return (h >>> 0) % MERGE_SPREAD_MS;
}

/** What `ingest` reads of the tiers per sample, as local constants (run through tsx, as tests and bench:store are, an imported binding is a getter call). */
const TIER_COUNT = TIERS.length;
const TIER_MS = TIERS.map((t) => t.ms);
const TIER_SKETCH = TIERS.map((t) => t.sketch);

export class SeriesState implements SecondsSource {
  lastT = -Infinity;
  /** The raw samples since the last cut (rawHead.ts). */
  readonly head = new RawHead();
  /** The open bucket per tier; the 1 h one's sketch without the open minute (see `openBucket`). */
  private open: (Bucket | undefined)[] = TIERS.map(() => undefined);
  /**
   * The open 1 min bucket's values are in the open 1 h bucket's sketch already: both came from
   * a checkpoint, which holds the whole hour. Until that minute ends its values go into both
   * sketches, and the minute is not merged into the hour when it ends.
   */
  private minuteInHourSketch = false;
  /**
   * Finished minutes not yet merged into the open hour's sketch. A merge per series when its
   * minute ends put every series' merge into the same 100 ms under load (10,000 series: a
   * stall of the event loop at each minute); each series merges at its own moment instead,
   * `mergeDelayMs` (spread by its id) after the minute ended, or when its hour ends.
   * `openBucket` adds them meanwhile, so queries and checkpoints see the whole hour.
   */
  private unmerged: Bucket[] = [];
  private mergeAt = Infinity;
  private lists: PendingBuckets[] = [];
  /** The 1 s tier's finished buckets not yet written: most rolled up from the head when asked (secondBuckets.ts). */
  private seconds!: SecondBuckets;
  /** The start of the last 1 s bucket that finished (see `ingest`). */
  private finishedSecond = -Infinity;
  /**
   * Finished buckets per tier taken by a cut and being encoded in slices (store.ts, sealRollups):
   * still queried until their block is made, never in a checkpoint (the cut that took them writes them).
   */
  sealing: (PendingBuckets | undefined)[] = TIERS.map(() => undefined);

  private idUtf8?: Uint8Array;
  /**
   * The 1 s tier's last finished bucket, reused as its next open one: finished 1 s buckets
   * are copied into columns (BucketColumns), so the object is free again, and a new one per
   * series per second was a third of the store's per-sample garbage.
   */
  private spare: Bucket | undefined;

  /** This series' reference in the store's current WAL segment (WalBuffer.addFor). */
  walRef = 0;
  walSegment = -1;

  constructor(readonly id: string, readonly key: SeriesKey) {
    this.pending = newPending();
  }

  /** Finished buckets per tier not yet written (the 1 s tier: SecondBuckets, the others as objects). */
  get pending(): PendingBuckets[] {
    return this.lists;
  }

  /** Replaces the finished buckets (a checkpoint's, restored): the 1 s ones are kept, later ones rolled up from the head again. */
  set pending(p: PendingBuckets[]) {
    const s = p[0];
    if (!(s instanceof SecondBuckets)) throw new Error('the 1 s tier\'s pending list must be a SecondBuckets (newPending)');
    s.attach(this);
    this.lists = p;
    this.seconds = s;
  }

  /** The open 1 s bucket's start (SecondsSource). */
  get openSecond(): number | undefined {
    return this.open[0]?.t;
  }

  /**
   * Takes tier `i`'s finished buckets for a cut (they are queried from `sealing` until their
   * block is made); the series gathers the next ones in an empty list.
   */
  take(i: number): PendingBuckets {
    if (i === 0) return this.seconds.take();
    const p = this.lists[i];
    this.lists[i] = new BucketArray();
    return p;
  }

  /**
   * Removes the head's first `n` samples (a cut's raw block holds them: store.ts, sealed). The
   * live 1 s list rolls its buckets up from `from` on: when the samples dropped reach that far it
   * is materialized first (its rolled-up buckets kept as numbers, `from` moved past the open
   * bucket). A cut's `take` moves `from` past the samples it seals, but a series with no finished
   * 1 s bucket at the cut is not taken: the bucket open at that cut then finished later as
   * "rolled up" while its samples had left with the raw block, and the next checkpoint or cut
   * threw ("0 rolled up where 1 were asked for"), which killed the process
   * (test/unit/storeSecondsCutUntaken.test.ts).
   */
  dropHeadFirst(n: number): void {
    if (n <= 0) return;
    if (this.seconds.from <= this.head.time(n - 1)) this.seconds.materialize();
    this.head.dropFirst(n);
  }

  /** Empties the raw head (its samples are written: store.ts, load); the 1 s buckets rolled up from it are kept first. */
  dropHead(): void {
    this.seconds.materialize();
    this.head.clear();
  }

  /** Keeps the last samples of the head and the last finished buckets of each tier (a read-only store's memory-only series). */
  trim(dropSamples: number, keepBuckets: number): void {
    this.seconds.materialize();
    this.head.dropFirst(Math.min(dropSamples, this.head.length));
    for (const p of this.lists) p.keepLast(keepBuckets);
  }

  /** The id in UTF-8, encoded once: every checkpoint writes all ids (10,000 encodes per cut under load). */
  get idBytes(): Uint8Array {
    return (this.idUtf8 ??= utf8.encode(this.id));
  }

  /** Adds a sample; `t` must be greater than `lastT`. */
  ingest(t: number, v: number): void {
    this.lastT = t;
    if (t >= this.mergeAt) this.mergeMinutes(true);
    this.head.push(t, v);
    if (v !== v) return;
    for (let i = 0; i < TIER_COUNT; i++) {
      const ms = TIER_MS[i];
      const b = this.open[i];
      if (b && t >= b.t && t < b.t + ms) {
        if (i !== H) addToBucket(b, v);
        else {
          addStats(b, v);
          if (this.minuteInHourSketch) b.sketch?.add(v);
        }
      } else {
        if (b) this.finish(i, b);
        const start = Math.floor(t / ms) * ms;
        // A second whose bucket was closed already (by a cut's grace, `closeBuckets`) gets a second
        // bucket of the same start; rolled up from the head the two would be one: keep them apart.
        if (i === 0 && start <= this.finishedSecond && start >= this.seconds.from) this.seconds.materialize();
        const spare = this.spare;
        if (i === 0 && spare) {
          spare.t = start;
          spare.count = 1;
          spare.min = spare.max = spare.sum = spare.last = v;
          this.open[0] = spare;
          this.spare = undefined;
        } else if (i !== H) this.open[i] = newBucket(start, v, TIER_SKETCH[i]);
        else {
          const h = newBucket(start, v, false);
          h.sketch = new QuantileSketch(); // filled by the minutes as they end
          this.open[i] = h;
        }
      }
    }
  }

  /**
   * Adds a sample to the raw head only: a reopened store replays from the WAL the samples that
   * its checkpoint's buckets hold already (an entry encoded after the cut: store.ts,
   * checkpointSliced). `t` is at most `lastT`, and after the head's last sample.
   */
  ingestRawOnly(t: number, v: number): void {
    this.head.push(t, v);
  }

  /** Moves an open bucket to the finished ones; a finished minute goes into its hour's sketch. */
  private finish(i: number, b: Bucket): void {
    if (i === M) {
      const h = this.open[H];
      if (this.minuteInHourSketch) this.minuteInHourSketch = false;
      else if (h && inHour(b, h) && b.sketch) {
        if (this.unmerged.length !== 0) this.mergeMinutes(); // a slow series: at most one waits
        this.unmerged.push(b);
        this.mergeAt = b.t + TIER_MS[M] + mergeDelayMs(this.id);
      }
    } else if (i === H) this.mergeMinutes();
    if (i === 0) {
      // Its samples all in the head: rolled up from there when asked (secondBuckets.ts).
      const s = this.seconds;
      if (b.t >= s.from) s.rolled++;
      else s.push(b);
      this.finishedSecond = b.t;
      this.spare = b;
    } else this.lists[i].push(b);
    this.open[i] = undefined;
  }

  /** Merges the finished minutes that wait into the open hour's sketch (they all belong to it: see `finish`). */
  private mergeMinutes(settle = false): void {
    const h = this.open[H];
    for (const m of this.unmerged) {
      if (h && m.sketch && inHour(m, h)) (h.sketch ??= new QuantileSketch()).merge(m.sketch);
      // Merged at its own moment (`mergeAt`, spread by the id): the minute's sketch is wanted as
      // bytes only from now on (checkpoints, its tier's write, a quantile query reads it back), so
      // it becomes bytes now and its objects go, instead of waiting in the heap for the next cut's
      // checkpoint (a dense array of counts per minute and series: 0.65 MiB a minute at the
      // demo's 650 series, some 3 MiB at each 5-minute cut; docs/performance.md, "Monitoring").
      if (settle) (this.lists[M] as BucketArray).settle(m);
    }
    this.unmerged.length = 0;
    this.mergeAt = Infinity;
  }

  /** Moves open buckets that ended before `now - grace` to the finished ones. */
  closeBuckets(now: number): void {
    // In tier order: a minute ends before (or with) its hour, and goes into the hour's sketch first.
    for (let i = 0; i < TIERS.length; i++) {
      const b = this.open[i];
      if (b && b.t + TIERS[i].ms <= now - BUCKET_GRACE_MS) this.finish(i, b);
    }
  }

  /**
   * The open bucket of tier `i` as queries and the checkpoint see it: the 1 h one with the open
   * minute in its sketch (a copy then). `withSketch: false` gives the bucket for its count, min,
   * max, sum and last only, without the copy.
   */
  openBucket(i: number, withSketch = true): Bucket | undefined {
    const b = this.open[i];
    if (i !== H || !b || !withSketch) return b;
    const m = this.open[M];
    const addOpen = !this.minuteInHourSketch && !!m?.sketch && inHour(m, b);
    const waiting = this.unmerged.filter((w) => w.sketch && inHour(w, b));
    if (!addOpen && waiting.length === 0) return b;
    const sketch = b.sketch ? b.sketch.clone() : new QuantileSketch();
    for (const w of waiting) sketch.merge(w.sketch!);
    if (addOpen) sketch.merge(m!.sketch!);
    return { ...b, sketch };
  }

  /**
   * Writes `openBucket(i)` as `writeBucket` writes it (the checkpoint), the 1 h one's sketch as
   * the sum of its parts (QuantileSketch.encodeSum) instead of a merged copy: a copy per series
   * was some 2.4 MB of garbage at every cut at the monitor's 650 series, when its memory peaks.
   * False when no bucket is open (test/unit/storeCheckpointReuse.test.ts checks the bytes).
   */
  writeOpenBucket(w: ByteWriter, i: number): boolean {
    const b = this.open[i];
    if (!b) return false;
    const m = this.open[M];
    const addOpen = i === H && !this.minuteInHourSketch && !!m?.sketch && inHour(m, b);
    let waiting = false;
    if (i === H) for (const x of this.unmerged) if (x.sketch && inHour(x, b)) waiting = true;
    if (!addOpen && !waiting) {
      writeBucket(w, b);
      return true;
    }
    const parts: QuantileSketch[] = [];
    if (b.sketch) parts.push(b.sketch);
    for (const x of this.unmerged) if (x.sketch && inHour(x, b)) parts.push(x.sketch);
    if (addOpen) parts.push(m!.sketch!);
    writeBucketStats(w, b);
    w.u8(1);
    QuantileSketch.encodeSum(w, parts);
    return true;
  }

  /** The open buckets of a checkpoint (as `openBucket` gave them: the hour's sketch whole). */
  restoreOpen(open: readonly (Bucket | undefined)[]): void {
    this.open = TIERS.map((_, i) => open[i]);
    this.unmerged.length = 0;
    this.mergeAt = Infinity;
    const m = this.open[M];
    const h = this.open[H];
    this.minuteInHourSketch = !!(m && h && inHour(m, h));
    this.seconds.attach(this); // the restored open bucket's samples are not in the head
  }

  get empty(): boolean {
    return this.head.length === 0 && this.open.every((b) => !b) && this.pending.every((p) => p.length === 0) && this.sealing.every((p) => !p);
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
 * A checkpoint built one series at a time, in any order (the store encodes it in the cut's
 * slices: store.ts, checkpointSliced); `finish` gives the bytes of `encodeCheckpoint` over the
 * same states in index order.
 */
export class CheckpointWriter {
  /** Per series its bytes in parts: its open buckets' (copied out of `scratch`) and its finished buckets' kept bytes. */
  private readonly entries: (Uint8Array[] | undefined)[];
  /** One buffer every entry's open buckets are encoded in, then copied out at their exact size (a view would keep the grown buffer). */
  private readonly scratch = new ByteWriter(4096);

  /**
   * `reuseFinished`: a finished bucket's bytes are encoded by the first checkpoint that needs
   * them and kept for the later ones (BucketArray.bucketBytes), so a cut re-encodes only the
   * open buckets; false encodes every bucket anew (the same bytes:
   * test/unit/storeCheckpointReuse.test.ts).
   */
  constructor(private readonly seq: number, readonly size: number, private readonly reuseFinished = true) {
    this.entries = new Array<Uint8Array[] | undefined>(size);
  }

  /** Encodes series `i` of the checkpoint as it is now. */
  entry(i: number, s: SeriesState): void {
    const parts: Uint8Array[] = [];
    const w = this.scratch;
    w.len = 0;
    const copyOut = () => { if (w.len > 0) { parts.push(w.buf.slice(0, w.len)); w.len = 0; } };
    w.lbytes(s.idBytes); // the same bytes as w.str(s.id)
    w.f64(s.lastT);
    for (let t = 0; t < TIERS.length; t++) {
      // The open bucket: a presence byte, then the bucket (written in place after a 1).
      const at = w.len;
      w.u8(1);
      if (!s.writeOpenBucket(w, t)) { w.len = at; w.u8(0); }
      const p = s.pending[t];
      if (this.reuseFinished && p instanceof BucketArray) {
        w.uvar(p.length);
        copyOut();
        p.pushBytes(parts);
      } else p.writeEach(w);
    }
    copyOut();
    this.entries[i] = parts;
  }

  finish(): Uint8Array {
    return concatParts(this.assemble().step(Infinity, () => 0)!);
  }

  /**
   * The checkpoint as parts to be written one after the other (a header, then every entry's
   * parts: the file is their concatenation, the bytes of `finish`), checksummed in steps for
   * the cut's slices: each `step` runs until `now() >= deadline` (at least one entry) and gives
   * the parts when it is done (undefined until then). Under load a checkpoint is tens of MB:
   * copying it into one buffer and checksumming that was a 50-150 ms step and as many MB of
   * garbage at every cut; written as parts (`StoreIo.replace` takes them) it is never copied.
   */
  assemble(): { bytes: number; step(deadline: number, now: () => number): Uint8Array[] | undefined } {
    let bytes = 0;
    for (const e of this.entries) {
      if (!e) throw new Error('checkpoint entry missing'); // a bug in the caller: never write a partial checkpoint
      for (const p of e) bytes += p.length;
    }
    const h = new ByteWriter(32);
    h.u32(CHECKPOINT_MAGIC);
    h.u32(0); // crc, filled below
    h.uvar(this.seq);
    h.uvar(this.size);
    const head = h.result();
    const entries = this.entries as Uint8Array[][];
    let i = 0;
    let crc = crc32(head, 8);
    return {
      bytes: bytes + head.length,
      step: (deadline, now) => {
        while (i < entries.length) {
          for (const p of entries[i++]) crc = crc32(p, 0, p.length, crc);
          if (i < entries.length && now() >= deadline) return undefined;
        }
        h.setU32(4, crc);
        const parts: Uint8Array[] = [head];
        for (const e of entries) for (const p of e) parts.push(p);
        return parts;
      },
    };
  }
}

/** The parts, one after the other, in one buffer. */
export function concatParts(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let off = 0;
  for (const p of parts) { out.set(p, off); off += p.length; }
  return out;
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
