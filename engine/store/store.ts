/**
 * The embedded time-series store: compressed append-only chunk files, a write-ahead log and
 * a checkpoint of the in-memory head, in one folder (see docs/architecture.md, "The embedded store").
 *
 *   <dir>/LOCK              writer lock (pid, host)
 *   <dir>/wal/<seq>.wal     samples since the last cut, written every flush interval, fdatasync'ed every walSyncIntervalMs
 *   <dir>/head.ckpt         open and not-yet-written rollup buckets and last times, as of cut <seq>
 *   <dir>/raw|1s|1m|1h/<windowStart>-<seq>.chk   chunk files (groups of blocks + index + trailer)
 *
 * append() is synchronous and cheap (memory only). Every flush interval the WAL buffer is
 * appended (fdatasync'ed every walSyncIntervalMs and at a cut); every cut interval the head is sealed into compressed blocks,
 * written to the chunk files, the checkpoint is replaced and the WAL segments it covers deleted.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { matchesLabels, parseSeriesId, seriesId, type Labels, type SeriesKey, type SeriesSample } from '../metrics/series';
import { aggregateBucketCols, aggregateBuckets, aggregateRaw, chooseResolution, isQuantile } from './aggregate';
import { decodeRaw, encodeRaw } from './blocks';
import { BlockKind, closeQuietly, GroupBuilder, groupCapacity, openForRead, parseBlock, readAt, readIndex, readTail, type BlockEntry, type BlockMeta, type NewBlock, type Trailer } from './chunkFile';
import { MAX_INT } from './codec';
import { addToIndex, FileIndex } from './fileIndex';
import { CutEncoder, POOLED_VALUES } from './cutEncoder';
import { CutPacer, DEFAULT_PACE } from './cutPacer';
import { nodeIo, type AppendFile, type StoreIo } from './io';
import { acquireLock } from './lock';
import { colsOfBuckets, decodeBucketCols, decodeBuckets, newPending, TIERS, type Bucket, type BucketCols } from './rollup';
import { SecondBuckets } from './secondBuckets';
import { CheckpointWriter, decodeCheckpoint, SeriesState } from './seriesState';
import type { Aggregation, DiskUsage, QueryResult, Resolution, StoreOptions, StoreProblem, StoreProblemKind, StoreQuery } from './types';
import { readWal, WalBuffer } from './wal';
import { COLUMNS, type EncodeBatch, type EncodedBatch } from './sealBatch';

const DAY = 86_400_000;
/** The resolutions, in the order of `files`: raw then the rollup tiers. */
const RES: readonly Resolution[] = ['raw', ...TIERS.map((t) => t.name)];
const RAW_FILE_MS = 2 * 3_600_000;
/** A cut happens early when the head holds this many samples. */
const MAX_HEAD_SAMPLES = 2_000_000;
/** The WAL buffer is handed to the disk early when it is this big. */
const WAL_BUFFER_BYTES = 1 << 20;
/**
 * A tier written every 30 minutes or hours is written early once this many of its finished buckets
 * wait in memory (and in every checkpoint): the 1 min buckets carry quantile sketches, and
 * with 10,000 series an hour of them was gigabytes (bench/load.bench.ts).
 */
const MAX_PENDING_BUCKETS = 50_000;
/**
 * A cut's blocks (the raw head, and the due rollup tiers' buckets) are encoded in slices of
 * about this many milliseconds, yielding to the event loop between them: with 10,000 series
 * the whole head (up to MAX_HEAD_SAMPLES) took seconds in one go, and the 1 s tier's 200,000
 * buckets a second more (1.1 s under load), a stall of everything else in the process
 * (bench/load.bench.ts).
 */
const SEAL_SLICE_MS = 8;
/**
 * A cut encodes its raw head and 1 s buckets on a worker thread (encodeWorker.ts) from this
 * much work on (raw samples + 3 per 1 s bucket, which has six columns to encode): the load
 * benchmark's cuts are about 2.6 million every 20 s (a second of encoding), the small
 * monitor's (4 demo components) about 0.7 million every 5 min, which must not pay the worker's
 * 10+ MiB of memory.
 */
const WORKER_MIN_WORK = 1_000_000;
/** Numbers per batch sent to the worker (2 MiB of columns, the encoder's pooled buffers): packing one is a millisecond or two here. */
const BATCH_VALUES = POOLED_VALUES;
/** 1 s rollup jobs per batch for the worker at most (see sealWithWorker: about 5 ms of packing here). */
const MAX_BATCH_ROLLUP_JOBS = 100;
/** Per series, samples kept by a read-only store that is appended to (memory only). */
const LOCAL_HEAD_LIMIT = 200_000;
/**
 * A finished file's in-memory index is kept while queries use it: dropped at the first cut
 * after no query needed it for this long. Dropped at once when the file was done (as before),
 * the time-to-limit predictions read it again from disk within 5 s (their windows' first steps
 * lie in it): 250,000 entries parsed in one synchronous step, some 200-300 ms of the main
 * thread and 30 MiB promoted under the load benchmark at 10,000 series (docs/performance.md,
 * "Load": the stall at about 480 s, when the 1 s tier's file reached maxFileIndexEntries).
 */
const INDEX_IDLE_MS = 2 * 60_000;

interface TierFile {
  res: number;
  path: string;
  windowStart: number;
  /** Bytes of complete groups. */
  size: number;
  trailer?: Trailer;
  /** Loaded lazily: blocks per series id. */
  index?: FileIndex;
  /** Entries added to `index` while this file is written (it is the tier's current file). */
  indexEntries?: number;
  /** Store clock time a query last needed `index` (ensureIndex). */
  indexUsedAt?: number;
}

interface MemBlock extends NewBlock {
  /** Written by a cut still in flight (else kept because the disk could not be written). */
  inFlight: boolean;
}

/** One block a cut encodes: a due rollup tier's taken buckets (`tier` >= 0) or the raw head (-1). */
interface SealJob {
  st: SeriesState;
  tier: number;
  /** Buckets or head samples in the block. */
  n: number;
}

/** Raw samples of a block or a head; `first`: the time the segments are ordered by when `t` is only part of them (a head's samples in the query's range). */
/** The largest read `readBlocks` makes into its kept buffer (larger ones get a buffer of their own). */
const READ_SCRATCH_KEEP = 1 << 20;

type RawSegment = { t: ArrayLike<number>; v: ArrayLike<number>; first?: number };

type Mode = 'writer' | 'reader' | 'memory' | 'closed';

export class TimeSeriesStore {
  private readonly now: () => number;
  private readonly io: StoreIo;
  private readonly rawRetentionMs: number;
  private readonly rollupRetentionMs: number;
  private readonly flushIntervalMs: number;
  private readonly cutIntervalMs: number;
  private readonly memoryLimitBytes: number;
  private readonly maxFileIndexEntries: number;
  private readonly sealSliceMs: number;
  private readonly encodeWorker: 'auto' | 'always' | 'never';
  /** The cut's encoding worker, made on the first large cut. */
  private encoder?: CutEncoder;
  /** Runs every slice of the cuts' work, one at a time, within a share of the main thread (none for the one-step cut). */
  private readonly pacer?: CutPacer;
  /** The current WAL segment, when the store's io keeps it open between flushes (`StoreIo.openAppend`). */
  private walFile?: { seg: number; file: AppendFile };

  private mode: Mode = 'writer';
  private lockedByOther = false;
  private releaseLock?: () => void;
  private readonly problemList: StoreProblem[] = [];
  /** The buffer `readBlocks` reads blocks into (see there); at most READ_SCRATCH_KEEP bytes. */
  private readScratch = new Uint8Array(0);
  /** Samples `append` could not store because the store threw (a bug: see append). */
  private appendFailures = 0;
  private readonly problemKeys = new Set<string>();

  private series = new Map<string, SeriesState>();
  /** Samples appended to a read-only store: memory only, never written. */
  private readonly local = new Map<string, SeriesState>();
  private readonly keyCache = new WeakMap<SeriesKey, SeriesState>();
  private files: TierFile[][] = RES.map(() => []);
  private readonly current: (TierFile | undefined)[] = RES.map(() => undefined);
  private memBlocks: MemBlock[][] = RES.map(() => []);
  private readonly walSizes = new Map<number, number>();
  private checkpointBytes = 0;

  private readonly wal = new WalBuffer();
  private walSeq = 1;
  private headSamples = 0;
  private nextCutAt = 0;
  private readonly lastTierWrite: number[] = TIERS.map(() => 0);
  private walChain: Promise<void> = Promise.resolve();
  private cutChain: Promise<void> = Promise.resolve();
  /** The raw head of the last cut being encoded in slices; no other cut starts meanwhile. */
  private sealing: Promise<unknown> | undefined;
  private timer?: ReturnType<typeof setInterval>;
  /**
   * The writer's flush timer (the same object as `timer`) and when the WAL was last flushed
   * by it or by `append` (performance.now()): see `append`.
   */
  private flushTimer?: ReturnType<typeof setInterval>;
  private lastTimedFlush = 0;
  /**
   * The WAL's records are written every flush interval but fdatasync'ed only this often
   * (`walSyncIntervalMs`), when the segment ends (a cut), before a checkpoint and on `flush()`
   * and `close()`: see `flushWal`. When the last sync was (performance.now()), and whether a
   * record written since waits for one.
   */
  private readonly walSyncIntervalMs: number;
  private lastWalSync = 0;
  private walUnsynced = false;
  private droppedSamples = 0;
  /**
   * Bumped whenever the set of series ids may change (a new series, blocks sealed or
   * written, a file index read, retention); `listSeries` keeps its id lists until then
   * (the monitor's predictions ask for a few series by name every 5 s).
   */
  private idsGen = 0;
  /** See `dataGeneration`. */
  private dataGen = 0;
  private idsCache?: { gen: number; all: string[]; byName: Map<string, string[]> };

  private constructor(private readonly opts: StoreOptions) {
    this.now = opts.now ?? Date.now;
    this.io = opts.io ?? nodeIo;
    this.rawRetentionMs = opts.rawRetentionMs ?? 30 * DAY;
    this.rollupRetentionMs = opts.rollupRetentionMs ?? 365 * DAY;
    this.flushIntervalMs = Math.min(1000, Math.max(10, opts.flushIntervalMs ?? 500));
    this.walSyncIntervalMs = Math.max(0, opts.walSyncIntervalMs ?? 5000);
    this.cutIntervalMs = Math.max(1000, opts.cutIntervalMs ?? 5 * 60_000);
    this.memoryLimitBytes = opts.memoryLimitBytes ?? 64 << 20;
    this.maxFileIndexEntries = opts.maxFileIndexEntries ?? 250_000;
    this.sealSliceMs = opts.sealSliceMs ?? SEAL_SLICE_MS;
    this.encodeWorker = opts.encodeWorker ?? 'auto';
    if (Number.isFinite(this.sealSliceMs)) {
      const share = Math.min(1, Math.max(0.01, opts.cutShare ?? DEFAULT_PACE.share));
      this.pacer = new CutPacer({ ...DEFAULT_PACE, sliceMs: Math.max(0, this.sealSliceMs), burstMs: Math.max(DEFAULT_PACE.burstMs, 2 * this.sealSliceMs), share });
    }
  }

  /** Opens (or creates) the store in `opts.dir`; never throws for damaged files or an unwritable folder. */
  static async open(opts: StoreOptions): Promise<TimeSeriesStore> {
    const s = new TimeSeriesStore(opts);
    await s.init();
    return s;
  }

  /** True when this store does not write: another process holds the lock, or the folder cannot be written. */
  get readOnly(): boolean {
    return this.mode === 'reader';
  }

  /** True when samples are kept in memory only (the disk could not be written). */
  get memoryOnly(): boolean {
    return this.mode === 'memory' || this.mode === 'reader';
  }

  /** What went wrong so far: damaged files skipped, degraded to memory, refused samples. */
  get problems(): StoreProblem[] {
    return this.problemList;
  }

  /** Samples refused because they were not newer than the last one of their series, or had a bad time. */
  /** Changes whenever samples a query could have returned are gone (retention, the memory limit) or reloaded (`load`). */
  get dataGeneration(): number {
    return this.dataGen;
  }

  get dropped(): number {
    return this.droppedSamples;
  }

  private report(kind: StoreProblemKind, message: string, file?: string): void {
    const key = `${kind}|${file ?? ''}|${message}`;
    if (this.problemKeys.has(key)) return;
    this.problemKeys.add(key);
    this.problemList.push({ kind, message, file, at: this.now() });
  }

  private path(...parts: string[]): string {
    return join(this.opts.dir, ...parts);
  }

  private walPath(seq: number): string {
    return this.path('wal', `${seq}.wal`);
  }

  // ---------------------------------------------------------------- opening

  private async init(): Promise<void> {
    const dir = this.opts.dir;
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      if (!existsSync(dir)) {
        this.mode = 'memory';
        this.report('degraded', `cannot create the store folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): samples are kept in memory only`, dir);
        return;
      }
    }
    const lock = acquireLock(this.path('LOCK'), this.now());
    if (lock.ok) {
      this.releaseLock = lock.release;
      try {
        for (const r of [...RES, 'wal']) mkdirSync(this.path(r), { recursive: true });
      } catch (e) {
        lock.release();
        this.releaseLock = undefined;
        this.mode = 'reader';
        this.report('read-only', `the store folder cannot be written (${(e as NodeJS.ErrnoException).code}): opened read-only`, dir);
      }
    } else {
      this.mode = 'reader';
      if (lock.owner) {
        this.lockedByOther = true;
        this.report('read-only', `another process (pid ${lock.owner.pid} on ${lock.owner.host}) writes this store: opened read-only`, this.path('LOCK'));
      } else {
        this.report('read-only', `the store folder cannot be written (${lock.error?.code ?? 'lock not acquired'}): opened read-only`, dir);
      }
    }
    const recovered = this.load();
    if (this.mode === 'writer') {
      this.nextCutAt = this.cutBoundary(this.now());
      this.lastTierWrite.fill(this.now());
      if (recovered) {
        this.startCut(false, true); // awaited by open: not paced
        await this.cutChain;
      } else {
        await this.removeWalUpTo(this.walSeq - 1).catch(() => undefined);
      }
      if (!this.opts.manualFlush) {
        this.lastTimedFlush = this.lastWalSync = performance.now();
        this.timer = this.flushTimer = setInterval(() => {
          this.lastTimedFlush = performance.now();
          this.flushWal();
          if (this.now() >= this.nextCutAt) this.startCut(false);
        }, this.flushIntervalMs);
        this.timer.unref?.();
      }
    } else if (this.mode === 'reader' && this.lockedByOther && !this.opts.manualFlush && (this.opts.refreshIntervalMs ?? 1000) > 0) {
      this.timer = setInterval(() => void this.refresh(), this.opts.refreshIntervalMs ?? 1000);
      this.timer.unref?.();
    }
  }

  private cutBoundary(now: number): number {
    return (Math.floor(now / this.cutIntervalMs) + 1) * this.cutIntervalMs;
  }

  /**
   * Reads the chunk files' tails, the checkpoint and the WAL; rebuilds the in-memory state.
   * Returns whether WAL samples were replayed (a writer then seals them right away).
   */
  private load(): boolean {
    const writer = this.mode === 'writer';
    const quietTails = this.mode === 'reader' && this.lockedByOther; // the writer may be appending right now
    const old = new Map(this.files.flat().map((f) => [f.path, f]));
    this.files = RES.map(() => []);
    const lastGroupSeq = RES.map(() => 0);
    let maxSeq = 0;
    RES.forEach((res, ri) => {
      let names: string[] = [];
      try { names = readdirSync(this.path(res)); } catch { return; }
      for (const name of names.sort()) {
        const m = /^(-?\d+)-(\d+)\.chk$/.exec(name);
        if (!m) continue;
        const path = this.path(res, name);
        let fd: number | undefined;
        try {
          fd = openForRead(path);
          const tail = readTail(fd);
          if (tail.validEnd < tail.size && !quietTails) {
            const lost = tail.size - tail.validEnd;
            if (writer) {
              try {
                if (tail.validEnd === 0) rmSync(path, { force: true });
                else truncateSync(path, tail.validEnd);
                this.report('truncated', `incomplete last write (${lost} bytes) removed; its samples are recovered from the WAL`, path);
              } catch (e) {
                this.report('truncated', `${lost} bytes at the end are incomplete and skipped (${(e as Error).message})`, path);
              }
            } else this.report('truncated', `${lost} bytes at the end are incomplete and skipped`, path);
          }
          if (!tail.trailer) continue;
          const prev = old.get(path);
          const f: TierFile = { res: ri, path, windowStart: Number(m[1]), size: tail.validEnd, trailer: tail.trailer };
          if (prev && prev.size === f.size) f.index = prev.index;
          this.files[ri].push(f);
          lastGroupSeq[ri] = Math.max(lastGroupSeq[ri], tail.trailer.seq);
          maxSeq = Math.max(maxSeq, tail.trailer.seq);
        } catch (e) {
          this.report('corrupt', `unreadable chunk file skipped (${(e as Error).message})`, path);
        } finally {
          closeQuietly(fd);
        }
      }
    });

    this.series = new Map();
    let ckptSeq = 0;
    const ckptPath = this.path('head.ckpt');
    if (existsSync(ckptPath)) {
      try {
        const bytes = readFileSync(ckptPath);
        this.checkpointBytes = bytes.length;
        const c = decodeCheckpoint(bytes);
        ckptSeq = c.seq;
        for (const s of c.series) {
          const key = parseSeriesId(s.id);
          if (!key) continue;
          const st = new SeriesState(s.id, key);
          st.lastT = s.lastT;
          st.restoreOpen(s.open);
          st.pending = newPending(s.pending);
          this.series.set(s.id, st);
        }
      } catch (e) {
        this.report('corrupt', `checkpoint unreadable (${(e as Error).message}): rollup buckets open at the last shutdown are lost`, ckptPath);
      }
    }
    // Series whose checkpoint entry is missing still must not get duplicates: start after their last written sample.
    maxSeq = Math.max(maxSeq, ckptSeq);

    let walSegs: number[] = [];
    try {
      walSegs = readdirSync(this.path('wal')).map((n) => /^(\d+)\.wal$/.exec(n)).filter((m): m is RegExpExecArray => !!m).map((m) => Number(m[1])).sort((a, b) => a - b);
    } catch { /* no WAL folder */ }
    this.walSizes.clear();
    let replayed = false;
    for (const seg of walSegs) {
      if (seg > ckptSeq) replayed = true;
      maxSeq = Math.max(maxSeq, seg);
      const p = this.walPath(seg);
      let bytes: Uint8Array;
      try { bytes = readFileSync(p); } catch { continue; } // deleted by the writer meanwhile
      this.walSizes.set(seg, bytes.length);
      if (seg <= ckptSeq) continue; // covered by the checkpoint: deleted by the writer after a crash
      const res = readWal(bytes, (id, t, v) => {
        let st = this.series.get(id);
        if (!st) {
          const key = parseSeriesId(id);
          if (!key) return;
          st = new SeriesState(id, key);
          this.series.set(id, st);
        }
        if (t > st.lastT) st.ingest(t, v);
        // Appended after the checkpoint's cut but before its entry was encoded (checkpointSliced):
        // its rollups are in the checkpoint already, its raw sample is not. (Segments up to the
        // checkpoint's were skipped above.)
        else st.ingestRawOnly(t, v);
      });
      if (res.problem && !(quietTails && seg === walSegs[walSegs.length - 1])) {
        this.report(res.validEnd + 8 >= bytes.length || res.problem.startsWith('torn') ? 'truncated' : 'corrupt', `WAL ${res.problem}`, p);
      }
      // What cut `seg` wrote is in the chunk files already: drop it from memory as that cut did.
      for (let ri = 0; ri < RES.length; ri++) {
        if (lastGroupSeq[ri] < seg) continue;
        for (const st of this.series.values()) {
          if (ri === 0) st.dropHead(); else st.pending[ri - 1].clear();
        }
      }
    }
    this.headSamples = 0;
    for (const st of this.series.values()) this.headSamples += st.head.length;
    this.walSeq = maxSeq + 1;
    if (!writer) this.memBlocks = RES.map(() => []);
    this.idsGen++;
    this.dataGen++;
    return replayed;
  }

  /** Read-only stores: reloads what the writer has written since. */
  async refresh(): Promise<void> {
    if (this.mode !== 'reader') return;
    try {
      this.load();
    } catch (e) {
      this.report('corrupt', `refresh failed: ${(e as Error).message}`);
    }
  }

  // ---------------------------------------------------------------- writing

  /** Adds samples. Cheap and synchronous; never throws for disk problems. Out-of-order samples are dropped. */
  append(samples: readonly SeriesSample[]): void {
    if (this.mode === 'closed') return;
    const target = this.mode === 'reader' ? this.local : this.series;
    const logging = this.mode === 'writer';
    // A throw in here is a bug in the store (an invariant of its series state): it is reported
    // and the batch goes on with the next sample, instead of ending the caller's timer callback
    // (the monitor's round), and with it the process.
    let k = 0;
    for (;;) {
      try {
        for (; k < samples.length; k++) this.appendOne(samples[k], target, logging);
        break;
      } catch (e) {
        const err = e instanceof Error ? e : new Error(String(e));
        const where = err.stack?.split('\n').find((l) => l.trim().startsWith('at '))?.trim().slice(3) ?? 'no stack';
        // The first few only (a message per series would grow the list for ever).
        if (++this.appendFailures <= 5) this.report('internal', `a sample could not be stored: ${err.message} (at ${where}). This is a bug: please report it with the analysis server's output; its series may lack samples from now on.`);
        k++;
      }
    }
    if (this.mode === 'reader') return;
    if (this.wal.size > WAL_BUFFER_BYTES) this.flushWal();
    else if (this.flushTimer && performance.now() - this.lastTimedFlush >= this.flushIntervalMs) {
      // The flush that is due, in the turn of an append (the monitor appends every 100 ms)
      // instead of a wake-up of its own; the timer is pushed back by an interval, so it fires
      // only when no append came (a wake-up costs 50-90 µs of CPU on a virtual machine:
      // docs/performance.md, "Monitoring"). Every sample is still written within one interval.
      this.lastTimedFlush = performance.now();
      this.flushTimer.refresh();
      this.flushWal();
    }
    if (this.now() >= this.nextCutAt || this.headSamples > MAX_HEAD_SAMPLES) this.startCut(false);
  }

  /** Stores one sample (append's loop). */
  private appendOne(s: SeriesSample, target: Map<string, SeriesState>, logging: boolean): void {
    let t = s.t;
    if (!(Math.abs(t) <= MAX_INT)) { this.drop(`sample with an unusable time ${t}`); return; }
    t = Math.round(t);
    let st = target === this.series ? this.keyCache.get(s.series) : undefined;
    if (!st) {
      const id = seriesId(s.series);
      st = target.get(id);
      if (!st) {
        st = new SeriesState(id, { name: s.series.name, labels: { ...s.series.labels } });
        target.set(id, st);
        this.idsGen++;
      }
      if (target === this.series) this.keyCache.set(s.series, st);
    }
    if (t <= st.lastT) { this.drop('samples not newer than the last one of their series are dropped'); return; }
    const v = +s.v;
    st.ingest(t, v);
    if (target === this.local && st.head.length > LOCAL_HEAD_LIMIT) {
      st.trim(LOCAL_HEAD_LIMIT / 2, 10_000);
      return;
    }
    this.headSamples++;
    if (logging) this.wal.addFor(st, t, v);
  }

  private drop(message: string): void {
    this.droppedSamples++;
    this.report('dropped', message);
  }

  /** Writes the WAL buffer (fdatasync: durable when this settles) and, when due, seals the head into chunk files. */
  async flush(): Promise<void> {
    if (this.mode === 'writer' || this.mode === 'memory') {
      this.flushWal(true);
      if (this.now() >= this.nextCutAt) this.startCut(false);
    }
    await Promise.all([this.walChain, this.cutChain]);
  }

  /**
   * Writes the WAL buffer as a record of the current segment: always written (a kill -9 of
   * this process loses at most the flush interval), fdatasync'ed when `durable` or when the
   * last sync is `walSyncIntervalMs` old (a crash of the machine loses at most that). Each sync
   * is a thread-pool call and two wake-ups; twice a second they were about a third of the
   * monitor's WAL cost (docs/performance.md, "Monitoring"). Prometheus's WAL syncs less often
   * still (when a segment ends). With nothing buffered, a record that waits for its sync gets
   * it once due (an empty append): the bound holds when the appends stop.
   */
  private flushWal(durable = false): void {
    if (this.mode !== 'writer') return;
    const rec = this.wal.take();
    const now = performance.now();
    const due = durable || now - this.lastWalSync >= this.walSyncIntervalMs;
    if (!rec && !(this.walUnsynced && due)) return;
    this.writeWal(this.walSeq, rec ?? EMPTY_RECORD, due, now);
  }

  /** Appends `rec` to segment `seg` at `now`; fdatasync'ed when `due` (see `flushWal`). */
  private writeWal(seg: number, rec: Uint8Array, due: boolean, now: number): void {
    // A segment's first record is durable (its file's name with it); at most a flush interval apart, every record is.
    const sync = due || !this.walSizes.has(seg) || this.walSyncIntervalMs <= this.flushIntervalMs;
    if (sync) {
      this.lastWalSync = now;
      this.walUnsynced = false;
    } else this.walUnsynced = true;
    const p = this.walPath(seg);
    this.walChain = this.walChain.then(async () => {
      if (this.mode !== 'writer') return;
      try {
        await this.appendWal(seg, p, rec, sync);
        this.walSizes.set(seg, (this.walSizes.get(seg) ?? 0) + rec.length);
      } catch (e) {
        await this.closeWalFile();
        this.degrade(e, p);
      }
    });
  }

  /**
   * Appends to segment `seg`: through a file kept open for it when the io offers one, else
   * opened for each record (node's io: a file open for writing keeps its file system from
   * being remounted read-only, which test/integration/storeFaults.test.ts does while the store
   * writes); a segment's first record is known to create it, so no fstat is needed for that.
   */
  private async appendWal(seg: number, path: string, rec: Uint8Array, durable: boolean): Promise<void> {
    if (!this.io.openAppend) return this.io.append(path, rec, !this.walSizes.has(seg), durable);
    if (this.walFile?.seg !== seg) {
      await this.closeWalFile();
      this.walFile = { seg, file: await this.io.openAppend(path) };
    }
    await this.walFile.file.append(rec, durable);
  }

  private async closeWalFile(): Promise<void> {
    const f = this.walFile;
    this.walFile = undefined;
    await f?.file.close().catch(() => undefined);
  }

  private degrade(e: unknown, file: string): void {
    if (this.mode !== 'writer') return;
    this.mode = 'memory';
    const err = e as NodeJS.ErrnoException;
    this.report('degraded', `cannot write the store (${err.code ?? err.message}): samples are kept in memory only until the store is reopened`, file);
  }

  /**
   * A cut threw while it encoded its blocks or its checkpoint: a bug in the store. Thrown in a
   * slice of the cut (a timer's callback), it became an unhandled rejection, which ends node's
   * process, and a cut chain that stayed rejected. Contained instead: reported as an `internal`
   * problem with where it was thrown; the buckets the cut took and did not encode are dropped
   * from memory (the WAL holds their samples); a writing store flushes its WAL and goes on in
   * memory only, because the next cut would delete this cut's WAL segment while its samples that
   * left the head are in no chunk file: the files and WAL as they are now hold everything, and
   * reopening the store (restarting the analysis server) recovers it.
   */
  private async cutFailed(e: unknown, mem: MemBlock[][]): Promise<void> {
    const err = e instanceof Error ? e : new Error(String(e));
    const where = err.stack?.split('\n').find((l) => l.trim().startsWith('at '))?.trim().slice(3) ?? 'no stack';
    for (const st of this.series.values()) st.sealing.fill(undefined);
    this.keepInMemory(mem);
    this.idsGen++;
    this.dataGen++;
    const writing = this.mode === 'writer';
    if (writing) {
      this.flushWal(true);
      await this.walChain;
      if (this.mode === 'writer') this.mode = 'memory';
    }
    this.report('internal', `a cut of the store failed: ${err.message} (at ${where}). This is a bug: please report it with the analysis server's output.${writing ? ' Samples are kept in memory only from now on; the store\'s files and WAL hold everything until now, and restarting the analysis server recovers them.' : ''}`);
  }

  /** Whether tier `i`'s finished buckets are due by the clock (its write interval has passed since its last write). */
  private tierDueByTime(i: number, now: number, all: boolean): boolean {
    const w = TIERS[i].writeEveryMs;
    return all || w === 0 || Math.floor(now / w) !== Math.floor(this.lastTierWrite[i] / w);
  }

  /**
   * Seals the head: rotates the WAL, takes the due rollup tiers' finished buckets from the
   * series (still queried from `sealing`), snapshots the checkpoint, encodes the taken buckets
   * and the raw head in slices (seal: each series' buckets or samples move to a block in one
   * step, so queries see them in one or the other), then writes them in order.
   */
  private startCut(all: boolean, urgent = all): void {
    if (this.mode !== 'writer' && this.mode !== 'memory') return;
    // The samples of the cut still being sealed belong to its WAL segment: never to a second cut.
    if (this.sealing) return;
    const now = this.now();
    const seq = this.walSeq;
    this.nextCutAt = this.cutBoundary(now);
    const writing = this.mode === 'writer';
    if (writing) {
      // The segment's last record, durable (its earlier ones with it): the cut's groups are written after it (walDone below).
      this.flushWal(true);
      // The segment is complete: closed before the cut deletes it (walDone below).
      this.walChain = this.walChain.then(() => this.closeWalFile());
      this.wal.newSegment();
      this.walSeq = seq + 1;
    }
    this.dropIdleIndexes(now);
    const due = TIERS.map((_, i) => this.tierDueByTime(i, now, all));
    const groups: NewBlock[][] = RES.map(() => []);
    const mem: MemBlock[][] = RES.map(() => []);
    const jobs: SealJob[] = [];
    const rawJobs: SealJob[] = [];
    let work = 0;
    const take = (st: SeriesState, i: number) => {
      // Taken from the series now (the checkpoint below must not hold them), queried from `sealing` until encoded.
      const p = (st.sealing[i] = st.take(i));
      jobs.push({ st, tier: i, n: p.length });
      if (i === 0) work += 3 * p.length;
    };
    // One pass over the series (at 10,000 series each pass was some 3-7 ms of this synchronous
    // step under load: a --cpu-prof of bench:load): their buckets closed, the due tiers' taken,
    // the others' counted, the raw head's length noted. Rollup buckets first (their own groups),
    // then the raw head: the order within each group is the series order.
    const waiting = TIERS.map(() => 0);
    // Series with nothing left in memory whose last sample is older than the rollups keep are
    // forgotten (a writing store's; in this pass: a pass of its own was 10-45 ms under load).
    const pruneBefore = writing ? now - this.rollupRetentionMs : -Infinity;
    for (const st of this.series.values()) {
      st.closeBuckets(now);
      for (let i = 0; i < TIERS.length; i++) {
        const n = st.pending[i].length;
        if (n === 0) continue;
        if (due[i]) take(st, i);
        else waiting[i] += n;
      }
      const n = st.head.length;
      if (n) { rawJobs.push({ st, tier: -1, n }); work += n; }
      else if (st.lastT < pruneBefore && st.empty) this.series.delete(st.id);
    }
    // A tier that waits for its interval is written now when too many of its buckets wait (memory, and every checkpoint holds them).
    for (let i = 0; i < TIERS.length; i++) {
      if (due[i] || waiting[i] <= MAX_PENDING_BUCKETS) continue;
      due[i] = true;
      for (const st of this.series.values()) if (st.pending[i].length) take(st, i);
    }
    due.forEach((d, i) => { if (d) this.lastTierWrite[i] = now; });
    for (const j of rawJobs) jobs.push(j);
    this.headSamples = 0;
    const worker = this.encodeWorker === 'always' || (this.encodeWorker === 'auto' && work >= WORKER_MIN_WORK);
    const sealed = worker && !this.encoder?.failure ? this.sealWithWorker(jobs, writing, groups, mem, urgent) : this.seal(jobs, writing, groups, mem, urgent);
    if (!writing) {
      // Never rejects: a cut that threw is reported (cutFailed), and the next cut may start.
      const settled = sealed.then(() => {
        this.enforceMemoryLimit();
        void this.applyRetention(now);
      }, (e: unknown) => this.cutFailed(e, mem));
      this.sealing = settled;
      void settled.then(() => { this.sealing = undefined; });
      return;
    }
    this.idsGen++; // series may have been forgotten above
    const ckptDone = this.checkpointSliced(seq, urgent);
    const inFlight = Promise.all([sealed, ckptDone]);
    inFlight.catch(() => undefined); // handled below, by cutFailed (an unhandled rejection ends the process)
    // Settles after cutFailed when the cut threw: no other cut starts until the WAL is flushed and the store is in memory.
    const settled = inFlight.then(() => undefined, (e: unknown) => this.cutFailed(e, mem));
    this.sealing = settled;
    void settled.then(() => { this.sealing = undefined; });
    const walDone = this.walChain;
    this.cutChain = this.cutChain.then(async () => {
      const ckpt = await inFlight.then(([, c]) => c, () => undefined);
      if (!ckpt) { await settled; return; } // the cut threw: cutFailed
      // The cut's WAL segment is whole on disk before any of its groups: a reopen that finds a
      // group replays the segment to rebuild the open rollup buckets and drops what the group
      // holds (load); had the group come first (the segment's last record waiting behind an
      // fdatasync), a kill between them lost that record's samples from the 1 s tier.
      await walDone;
      if (this.mode !== 'writer') { this.keepInMemory(mem); return; }
      let file = '';
      try {
        for (let ri = 0; ri < RES.length; ri++) {
          if (groups[ri].length === 0) continue;
          const f = this.targetFile(ri, now, seq);
          file = f.path;
          const g = await this.buildGroupSliced(groups[ri], f.size, seq, f.trailer, urgent);
          groups[ri] = [];
          await this.io.append(f.path, g.parts);
          f.size += g.size;
          f.trailer = g.trailer;
          if (f.index) addToIndex(f.index, g.entries);
          f.indexEntries = (f.indexEntries ?? 0) + g.entries.length;
          const done = new Set(mem[ri]);
          this.memBlocks[ri] = this.memBlocks[ri].filter((b) => !done.has(b));
          this.idsGen++;
        }
        // Every sample in the checkpoint's buckets is in the WAL on disk before it (its entries
        // were encoded after the cut, some with later samples): a crash never leaves rollups
        // holding samples whose raw copy was lost.
        this.flushWal(true);
        await this.walChain;
        if (this.mode !== 'writer') { this.keepInMemory(mem); return; }
        file = this.path('head.ckpt');
        await this.io.replace(file, ckpt.parts);
        this.checkpointBytes = ckpt.bytes;
        await walDone;
        if (this.mode !== 'writer') return;
        await this.removeWalUpTo(seq);
        await this.applyRetention(now);
      } catch (e) {
        this.degrade(e, file);
        this.keepInMemory(mem);
      }
    });
  }

  /**
   * Encodes the cut's blocks in slices of `sealSliceMs` with a yield between them: the taken
   * rollup buckets of each due tier, then the first `n` head samples of each series. A block
   * becomes visible (memBlocks) in the same step as its buckets or samples leave the series,
   * so queries see them in one or the other, once; samples appended meanwhile stay in the head
   * for the next cut. The slices run through the pacer (`inSlices`), the first on a later turn of
   * the event loop than the append that started the cut.
   */
  private async seal(jobs: SealJob[], writing: boolean, groups: NewBlock[][], mem: MemBlock[][], urgent: boolean): Promise<void> {
    let i = 0;
    await this.inSlices(urgent, () => i < jobs.length, (deadline) => {
      do this.sealNow(jobs[i++], writing, groups, mem);
      while (i < jobs.length && performance.now() < deadline);
      this.idsGen++;
    });
  }

  /**
   * Runs `slice(deadline)` until `more()` is false: through the pacer (each slice on a later
   * turn of the event loop, one at a time with the other slices of the cuts, within the cuts'
   * share of the thread; `urgent`: a closing store or the recovery cut at open, not held back
   * by the share), or in one synchronous step for the one-step cut (`sealSliceMs: Infinity`).
   */
  private async inSlices(urgent: boolean, more: () => boolean, slice: (deadline: number) => void): Promise<void> {
    const pacer = this.pacer;
    if (!pacer) {
      while (more()) slice(Infinity);
      return;
    }
    while (more()) await pacer.run(slice, urgent);
  }

  /** Encodes one job in this thread and moves it into its block. */
  private sealNow(job: SealJob, writing: boolean, groups: NewBlock[][], mem: MemBlock[][]): void {
    const { st, tier, n } = job;
    let payload: Uint8Array;
    if (tier >= 0) payload = st.sealing[tier]!.encode();
    else {
      payload = encodeRaw(st.head.timesView(0, n), st.head.values(0, n));
    }
    this.sealed(job, payload, undefined, writing, groups, mem);
  }

  /**
   * Job `job` is encoded: its block (payload, and its whole record when the worker made it)
   * appears in memBlocks in the same step as its buckets or first `n` samples leave the series.
   */
  private sealed(job: SealJob, payload: Uint8Array, record: Uint8Array | undefined, writing: boolean, groups: NewBlock[][], mem: MemBlock[][]): void {
    const { st, tier, n } = job;
    let b: NewBlock;
    if (tier >= 0) {
      const p = st.sealing[tier]!;
      b = { kind: BlockKind.Rollup, seriesId: st.id, count: n, tmin: p.firstT, tmax: p.lastT, payload, record };
      st.sealing[tier] = undefined;
      if (p instanceof SecondBuckets) p.release(); // lets go of the head's arrays (it is encoded, and no longer queried)
    } else {
      b = { kind: BlockKind.Raw, seriesId: st.id, count: n, tmin: st.head.time(0), tmax: st.head.time(n - 1), payload, record };
      // The 1 s buckets the same cut took are rolled up from these samples: their block is made
      // first (rollup jobs come before raw ones, in order); should it ever not be, they are kept first.
      (st.sealing[0] as SecondBuckets | undefined)?.materialize();
      st.dropHeadFirst(n);
    }
    const ri = tier + 1;
    groups[ri].push(b);
    const m: MemBlock = { ...b, inFlight: writing };
    mem[ri].push(m);
    this.memBlocks[ri].push(m);
  }

  /**
   * `seal` with the raw head and the 1 s buckets encoded on the worker thread: each slice
   * packs up to BATCH_VALUES numbers of them (more for one series that alone has more) (a copy: the samples stay in the series, queried
   * from there) and sends them; the records that come back become blocks in order, each in
   * one step with its samples leaving the series, as in `seal`. The 1 min and 1 h buckets
   * (their sketches are objects) are encoded here, in the same slices. When the worker fails,
   * its batches, and all later ones, are encoded here: nothing has left the series yet.
   */
  private async sealWithWorker(jobs: SealJob[], writing: boolean, groups: NewBlock[][], mem: MemBlock[][], urgent: boolean): Promise<void> {
    const enc = (this.encoder ??= new CutEncoder((why) => this.report('worker', `the cut's encoding worker ${why}: cuts are encoded in this thread from now on (slower; nothing is lost)`)));
    let applied: Promise<void> = Promise.resolve();
    let i = 0;
    await this.inSlices(urgent, () => i < jobs.length, (deadline) => {
      const batch: SealJob[] = [];
      let values = 0;
      let rollupJobs = 0;
      do {
        const job = jobs[i];
        if (job.tier >= 0 && TIERS[job.tier].sketch) {
          i++;
          this.sealNow(job, writing, groups, mem);
          continue;
        }
        const v = COLUMNS[job.tier < 0 ? BlockKind.Raw : BlockKind.Rollup] * job.n;
        if (batch.length && values + v > BATCH_VALUES) break; // the batch's buffer is full
        // Packing is done after this loop, in the same slice: a 1 s job's columns cost six small
        // typed arrays (the columns' `cols()` then), so 2 MiB of them (some 2,000 series) was one
        // 100-220 ms slice under load (a --cpu-prof of bench/load.bench.ts).
        if (job.tier >= 0 && ++rollupJobs > MAX_BATCH_ROLLUP_JOBS) break;
        i++;
        batch.push(job);
        values += v;
      } while (i < jobs.length && performance.now() < deadline);
      this.idsGen++;
      if (batch.length) {
        const out = enc.failure ? Promise.reject(new Error(enc.failure)) : enc.encode(this.packBatch(batch, enc));
        out.catch(() => undefined); // handled in order below (a rejection must not go unhandled meanwhile)
        applied = applied.then(() => out).then(
          // The records become blocks in a slice of their own (a batch is about a thousand series).
          (o) => this.inSlices(urgent, once(), () => this.applyEncoded(batch, o, writing, groups, mem)),
          (e: Error) => {
            if (!enc.failure) this.report('worker', `the cut's encoding worker could not encode a batch (${e.message.split('\n')[0]}): it was encoded in this thread`);
            return this.seal(batch, writing, groups, mem, urgent);
          },
        );
      }
    });
    await applied;
  }

  /** The columns of the jobs (raw heads' first `n` samples, 1 s buckets taken by the cut), packed for the worker. */
  private packBatch(jobs: readonly SealJob[], enc: CutEncoder): EncodeBatch {
    let values = 0;
    let idBytes = 0;
    for (const j of jobs) {
      values += COLUMNS[j.tier < 0 ? BlockKind.Raw : BlockKind.Rollup] * j.n;
      idBytes += j.st.idBytes.length;
    }
    const b: EncodeBatch = { kinds: new Uint8Array(jobs.length), counts: new Uint32Array(jobs.length), ids: new Uint8Array(idBytes), idEnds: new Uint32Array(jobs.length), data: enc.columns(values) };
    let off = 0;
    let idOff = 0;
    jobs.forEach(({ st, tier, n }, k) => {
      b.ids.set(st.idBytes, idOff);
      idOff += st.idBytes.length;
      b.idEnds[k] = idOff;
      b.counts[k] = n;
      if (tier < 0) {
        b.kinds[k] = BlockKind.Raw;
        st.head.timesInto(b.data, off, 0, n);
        b.data.set(st.head.values(0, n), off + n);
        off += 2 * n;
      } else {
        b.kinds[k] = BlockKind.Rollup;
        const p = st.sealing[tier]!;
        if (p instanceof SecondBuckets) p.copyColumns(b.data, off, n);
        else {
          const c = p.cols(); // a sketch tier's list is encoded in this thread (sealWithWorker): not expected here
          [c.t, c.count, c.min, c.max, c.sum, c.last].forEach((col, f) => copyFirst(b.data, off + f * n, col, n));
        }
        off += 6 * n;
      }
    });
    return b;
  }

  /**
   * The worker's records of a batch become the jobs' blocks, in order: views on the batch's
   * bytes until the group is written; a store that keeps blocks in memory (the disk cannot be
   * written) keeps copies of the payloads alone, so its memory limit counts what it keeps.
   */
  private applyEncoded(jobs: readonly SealJob[], out: EncodedBatch, writing: boolean, groups: NewBlock[][], mem: MemBlock[][]): void {
    let start = 0;
    jobs.forEach((job, k) => {
      const end = out.ends[k];
      const payload = out.bytes.subarray(out.payloadStarts[k], end);
      if (writing) this.sealed(job, payload, out.bytes.subarray(start, end), writing, groups, mem);
      else this.sealed(job, payload.slice(), undefined, writing, groups, mem);
      start = end;
    });
    this.idsGen++;
  }

  /**
   * The checkpoint of the cut `seq`, encoded in the cut's slices (70,000 quantile sketches at
   * 10,000 series: a one-step stall of 0.1-0.4 s at each cut). Each series' entry is its state
   * when its slice comes, so an entry may hold samples appended after the cut (in WAL segments
   * after `seq`): `lastT` says up to where, and a reopen replays those samples into the raw
   * head only (`load`). Copying every series before its first change instead (the state as of
   * the cut) put the whole checkpoint into the first 100 ms after a cut under load, since every
   * series is appended to within that time. No other cut starts meanwhile.
   */
  private async checkpointSliced(seq: number, urgent: boolean): Promise<{ parts: Uint8Array[]; bytes: number }> {
    const list = [...this.series.values()];
    const c = new CheckpointWriter(seq, list.length);
    let i = 0;
    await this.inSlices(urgent, () => i < list.length, (deadline) => {
      do c.entry(i, list[i++]);
      while (i < list.length && performance.now() < deadline);
    });
    const file = c.assemble();
    let parts: Uint8Array[] | undefined;
    await this.inSlices(urgent, () => !parts, (deadline) => { parts = file.step(deadline, now); });
    return { parts: parts!, bytes: file.bytes };
  }

  /** `buildGroup` in the cut's slices, as parts (the payloads not copied): the same bytes. */
  private async buildGroupSliced(blocks: readonly NewBlock[], fileSize: number, seq: number, prev: Trailer | undefined, urgent: boolean): Promise<ReturnType<GroupBuilder['finishParts']>> {
    const g = new GroupBuilder(fileSize, seq, prev, groupCapacity(blocks));
    let i = 0;
    await this.inSlices(urgent, () => i < blocks.length, (deadline) => {
      do g.add(blocks[i++]);
      while (i < blocks.length && performance.now() < deadline);
    });
    return g.finishParts();
  }

  private keepInMemory(mem: MemBlock[][]): void {
    for (const list of mem) {
      for (const b of list) {
        b.inFlight = false;
        // A worker's block is a view on its whole batch: kept on its own, so the memory limit counts what is kept.
        if (b.record) {
          b.payload = b.payload.slice();
          b.record = undefined;
        }
      }
    }
    this.enforceMemoryLimit();
  }

  private enforceMemoryLimit(): void {
    let total = 0;
    for (const list of this.memBlocks) for (const b of list) total += b.payload.length;
    if (total <= this.memoryLimitBytes) return;
    let droppedBlocks = 0;
    // Oldest raw blocks go first, then the 1 s tier; 1 min and 1 h are small.
    for (let ri = 0; ri < 2 && total > this.memoryLimitBytes; ri++) {
      const list = this.memBlocks[ri];
      list.sort((a, b) => a.tmin - b.tmin);
      let k = 0;
      while (k < list.length && total > this.memoryLimitBytes) {
        if (!list[k].inFlight) { total -= list[k].payload.length; list.splice(k, 1); droppedBlocks++; } else k++;
      }
    }
    if (droppedBlocks) {
      this.idsGen++;
      this.dataGen++;
      this.report('degraded', `memory limit reached: the oldest samples kept in memory are dropped`);
    }
  }

  private targetFile(ri: number, now: number, seq: number): TierFile {
    const fileMs = ri === 0 ? RAW_FILE_MS : TIERS[ri - 1].fileMs;
    const ws = Math.floor(now / fileMs) * fileMs;
    const cur = this.current[ri];
    // A window's file is written until the window ends, or until its in-memory index holds
    // `maxFileIndexEntries` entries: a file gains one per series per cut, and at 10,000 series
    // cut every 20 s (bench/load.bench.ts) a 1 s tier file's index grew by about 1.2 MiB a
    // minute (5 numbers a block), to 140 MiB over its 2 h window (to 2 GB when a 1 s file spanned
    // a day: the windows are TIERS' `fileMs`, rollup.ts). The next file of the same
    // window is named by the cut's seq, like any new file; queries take blocks from every
    // file in range and order them by time.
    if (cur && cur.windowStart === ws && (cur.indexEntries ?? 0) < this.maxFileIndexEntries) return cur;
    // The file written until now is done: its in-memory index goes unless a query used it
    // lately (read again if a query needs it later; dropIdleIndexes drops it once unused),
    // else every file's index would stay for the whole retention (bench/load.bench.ts).
    if (cur && !this.indexInUse(cur, now)) cur.index = undefined;
    const f: TierFile = { res: ri, path: this.path(RES[ri], `${ws}-${seq}.chk`), windowStart: ws, size: 0, index: new FileIndex() };
    this.files[ri].push(f);
    this.current[ri] = f;
    this.idsGen++;
    return f;
  }

  private async removeWalUpTo(seq: number): Promise<void> {
    for (const s of [...this.walSizes.keys()]) {
      if (s > seq) continue;
      await this.io.remove(this.walPath(s));
      this.walSizes.delete(s);
    }
    // Segments only seen on disk (e.g. empty ones) are removed too.
    try {
      for (const n of readdirSync(this.path('wal'))) {
        const m = /^(\d+)\.wal$/.exec(n);
        if (m && Number(m[1]) <= seq) await this.io.remove(this.path('wal', n));
      }
    } catch { /* no folder */ }
  }

  private retentionOf(ri: number): number {
    return ri <= 1 ? this.rawRetentionMs : this.rollupRetentionMs;
  }

  private async applyRetention(now: number): Promise<void> {
    for (let ri = 0; ri < RES.length; ri++) {
      const cutoff = now - this.retentionOf(ri);
      const held = this.memBlocks[ri].length;
      this.memBlocks[ri] = this.memBlocks[ri].filter((b) => b.inFlight || b.tmax >= cutoff);
      if (this.memBlocks[ri].length !== held) this.dataGen++;
      const keep: TierFile[] = [];
      for (const f of this.files[ri]) {
        if (f !== this.current[ri] && f.trailer && f.trailer.maxT < cutoff && this.mode === 'writer') {
          this.dataGen++;
          try { await this.io.remove(f.path); } catch (e) { this.report('degraded', `old chunk file not removed: ${(e as Error).message}`, f.path); keep.push(f); }
        } else keep.push(f);
      }
      this.files[ri] = keep;
    }
    this.idsGen++;
  }

  // ---------------------------------------------------------------- reading

  /** Series known to the store (in memory, in the checkpoint, or in chunk file indexes already read). */
  listSeries(matcher: { name?: string; labels?: Labels } = {}): SeriesKey[] {
    const ids = this.sortedSeriesIds();
    const candidates = matcher.name === undefined ? ids.all : (ids.byName.get(matcher.name) ?? []);
    const matched: SeriesKey[] = [];
    for (const id of candidates) {
      const key = this.series.get(id)?.key ?? this.local.get(id)?.key ?? parseSeriesId(id);
      if (!key) continue;
      if (matcher.name !== undefined && key.name !== matcher.name) continue;
      if (matcher.labels && !matchesLabels(key, matcher.labels)) continue;
      matched.push(key);
    }
    return matched;
  }

  /** Every series id, sorted, and the same grouped by the name in the id; rebuilt only after a change (see `idsGen`). */
  private sortedSeriesIds(): { all: string[]; byName: Map<string, string[]> } {
    if (this.idsCache?.gen === this.idsGen) return this.idsCache;
    const set = new Set<string>(this.series.keys());
    for (const id of this.local.keys()) set.add(id);
    for (const list of this.memBlocks) for (const b of list) set.add(b.seriesId);
    for (const list of this.files) for (const f of list) if (f.index) for (const id of f.index.keys()) set.add(id);
    const all = [...set].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const byName = new Map<string, string[]>();
    for (const id of all) {
      // The name is the id up to its labels ("name{...}"); a key whose parsed name differs is filtered by listSeries.
      const brace = id.indexOf('{');
      const name = brace < 0 ? id : id.slice(0, brace);
      const l = byName.get(name);
      if (l) l.push(id);
      else byName.set(name, [id]);
    }
    this.idsCache = { gen: this.idsGen, all, byName };
    return this.idsCache;
  }

  query(q: StoreQuery): QueryResult[] {
    const agg: Aggregation = q.agg ?? 'mean';
    let ids: string[];
    if (q.series) ids = [...new Set(q.series)];
    else {
      // Matching by name or labels needs every series: read the indexes of the files in range.
      this.forEachFileInRange(chooseResolution(q.stepMs, agg), q.from, q.to, (f) => this.ensureIndex(f));
      ids = this.listSeries({ name: q.name, labels: q.labels }).map(seriesId);
    }
    const res = chooseResolution(q.stepMs, agg);
    const ri = RES.indexOf(res);
    const wanted = new Set(ids);
    // Rollups without quantiles are read and aggregated as columns (no object per bucket).
    const cols = ri > 0 && !isQuantile(agg);
    const found = this.readBlocks(ri, wanted, q.from, q.to, agg.startsWith('p'), cols);
    const out: QueryResult[] = [];
    for (const id of ids) {
      const key = this.series.get(id)?.key ?? this.local.get(id)?.key ?? parseSeriesId(id);
      if (!key) continue;
      const states = [this.series.get(id), this.local.get(id)].filter((s): s is SeriesState => !!s);
      let points;
      if (ri === 0) {
        const segs = (found.get(id) ?? []) as RawSegment[];
        // The head's samples in the range only: its times are offsets (rawHead.ts), made absolute in a new array.
        for (const st of states) {
          const h = st.head;
          if (!h.length) continue;
          const [i0, i1] = h.indexRange(q.from, q.to);
          if (i1 > i0) segs.push({ t: h.times(i0, i1), v: h.values(i0, i1), first: h.time(0) });
        }
        const { t, v } = mergeRaw(segs, q.from, q.to);
        points = aggregateRaw(t, v, q.stepMs, agg);
      } else if (cols) {
        const segs = (found.get(id) ?? []) as BucketCols[];
        for (const st of states) {
          const taken = st.sealing[ri - 1]?.cols(q.from, q.to);
          if (taken?.n) segs.push(taken);
          const p = st.pending[ri - 1].cols(q.from, q.to);
          const o = st.openBucket(ri - 1, false);
          if (p.n) segs.push(p);
          if (o) segs.push(colsOfBuckets([o]));
        }
        points = aggregateBucketCols(segs, q.from, q.to, q.stepMs!, agg);
      } else {
        const segs = (found.get(id) ?? []) as Bucket[][];
        for (const st of states) {
          const taken = st.sealing[ri - 1]?.list(q.from, q.to);
          if (taken?.length) segs.push(taken);
          const p = st.pending[ri - 1].list(q.from, q.to);
          const o = st.openBucket(ri - 1);
          if (p.length) segs.push(p);
          if (o) segs.push([o]);
        }
        points = aggregateBuckets(mergeBuckets(segs, q.from, q.to), q.stepMs!, agg);
      }
      if (points.length || states.length || found.has(id)) out.push({ id, series: key, resolution: res, stepMs: q.stepMs, points });
    }
    return out;
  }

  private forEachFileInRange(res: Resolution, from: number, to: number, fn: (f: TierFile) => void): void {
    for (const f of this.files[RES.indexOf(res)]) if (f.trailer && f.trailer.maxT >= from && f.trailer.minT <= to) fn(f);
  }

  private indexInUse(f: TierFile, now: number): boolean {
    return f.indexUsedAt !== undefined && now - f.indexUsedAt <= INDEX_IDLE_MS;
  }

  /** The in-memory indexes of finished files that no query needed for INDEX_IDLE_MS go (each cut). */
  private dropIdleIndexes(now: number): void {
    for (let ri = 0; ri < RES.length; ri++) {
      for (const f of this.files[ri]) if (f.index && f !== this.current[ri] && !this.indexInUse(f, now)) f.index = undefined;
    }
  }

  private indexReadCount = 0;
  /** Chunk file indexes read from disk so far (a query needed a file whose index was not in memory). */
  get indexReads(): number {
    return this.indexReadCount;
  }

  private ensureIndex(f: TierFile): FileIndex {
    f.indexUsedAt = this.now();
    if (f.index) return f.index;
    this.indexReadCount++;
    const index = new FileIndex();
    let fd: number | undefined;
    try {
      fd = openForRead(f.path);
      const r = readIndex(fd, f.size);
      for (const p of r.problems) this.report('corrupt', p, f.path);
      addToIndex(index, r.entries);
    } catch (e) {
      this.report('corrupt', `chunk file index unreadable (${(e as Error).message}); file skipped`, f.path);
    } finally {
      closeQuietly(fd);
    }
    f.index = index;
    this.idsGen++;
    return index;
  }

  /** Decoded blocks (raw segments or bucket lists) of the wanted series overlapping [from, to]. */
  private readBlocks(ri: number, wanted: Set<string>, from: number, to: number, sketches: boolean, cols = false): Map<string, (RawSegment | Bucket[] | BucketCols)[]> {
    const out = new Map<string, (RawSegment | Bucket[] | BucketCols)[]>();
    const add = (kind: BlockKind, meta: BlockMeta, payload: Uint8Array) => {
      const seg = kind === BlockKind.Raw ? decodeRaw(payload, meta.count) : cols ? decodeBucketCols(payload, meta.count) : decodeBuckets(payload, meta.count, sketches);
      const l = out.get(meta.seriesId);
      if (l) l.push(seg); else out.set(meta.seriesId, [seg]);
    };
    for (const f of this.files[ri]) {
      if (!f.trailer || f.trailer.maxT < from || f.trailer.minT > to) continue;
      const index = this.ensureIndex(f);
      const entries: BlockEntry[] = [];
      for (const id of wanted) index.select(id, from, to, f.size, entries);
      if (!entries.length) continue;
      entries.sort((a, b) => a.offset - b.offset);
      let fd: number | undefined;
      try {
        fd = openForRead(f.path);
        // Coalesce nearby blocks into few large reads.
        let i = 0;
        while (i < entries.length) {
          let j = i + 1;
          let end = entries[i].offset + entries[i].length;
          while (j < entries.length && entries[j].offset - end < 65536 && entries[j].offset + entries[j].length - entries[i].offset < (8 << 20)) {
            end = Math.max(end, entries[j].offset + entries[j].length);
            j++;
          }
          const base = entries[i].offset;
          // Read into a buffer kept for the next reads (every decoder copies out of it): after a
          // cut the monitor's windowed queries read the chunk files several times a second, and a
          // new buffer per read (up to the whole group of a cut, some 0.5-1 MB) was churn outside
          // V8's heap that the process's memory kept (docs/performance.md, "Monitoring").
          const len = end - base;
          if (len <= READ_SCRATCH_KEEP && this.readScratch.length < len) this.readScratch = new Uint8Array(Math.min(READ_SCRATCH_KEEP, Math.max(len, 2 * this.readScratch.length)));
          const buf = readAt(fd, base, len, len <= READ_SCRATCH_KEEP ? this.readScratch : undefined);
          for (let k = i; k < j; k++) {
            const e = entries[k];
            try {
              const b = parseBlock(buf.subarray(e.offset - base, e.offset - base + e.length));
              if (b.meta.seriesId !== e.seriesId || b.meta.count !== e.count) throw new Error('block does not match its index entry');
              add(b.kind, b.meta, b.payload);
            } catch (err) {
              this.report('corrupt', `damaged block of ${e.seriesId} at byte ${e.offset} skipped (${(err as Error).message})`, f.path);
            }
          }
          i = j;
        }
      } catch (err) {
        this.report('corrupt', `chunk file unreadable (${(err as Error).message}); skipped`, f.path);
      } finally {
        closeQuietly(fd);
      }
    }
    for (const b of this.memBlocks[ri]) if (wanted.has(b.seriesId) && b.tmax >= from && b.tmin <= to) add(b.kind, b, b.payload);
    return out;
  }

  // ---------------------------------------------------------------- disk use and closing

  diskUsage(): DiskUsage {
    const tiers = Object.fromEntries(RES.map((r, ri) => [r, this.files[ri].reduce((n, f) => n + f.size, 0)])) as Record<Resolution, number>;
    const samples = this.files[0].reduce((n, f) => n + (f.trailer?.count ?? 0), 0);
    const rollupBytes = TIERS.reduce((n, t) => n + tiers[t.name], 0);
    const walBytes = [...this.walSizes.values()].reduce((a, b) => a + b, 0);
    return { rawBytes: tiers.raw, rollupBytes, walBytes, checkpointBytes: this.checkpointBytes, tiers, samples, bytesPerSample: samples ? tiers.raw / samples : 0 };
  }

  /** Seals and writes everything (the writer), releases the lock. The store cannot be used afterwards. */
  async close(): Promise<void> {
    if (this.mode === 'closed') return;
    if (this.timer) clearInterval(this.timer);
    if (this.mode === 'writer') {
      this.flushWal(true);
      await this.sealing; // the cut in progress first, then one of everything left
      this.startCut(true);
    }
    await Promise.all([this.walChain, this.cutChain]);
    await this.closeWalFile();
    await this.encoder?.close();
    this.releaseLock?.();
    this.mode = 'closed';
  }
}

const now = () => performance.now();

/** A WAL append of no entries: only the fdatasync of what the segment holds (see `flushWal`). */
const EMPTY_RECORD = new Uint8Array(0);

/** A `more` for `inSlices` that is true once: one slice. */
function once(): () => boolean {
  let left = true;
  return () => { const l = left; left = false; return l; };
}

/** Copies the first `n` numbers of `src` into `dst` at `off`. */
function copyFirst(dst: Float64Array, off: number, src: ArrayLike<number>, n: number): void {
  if (src.length === n && (Array.isArray(src) || src instanceof Float64Array)) dst.set(src as ArrayLike<number>, off);
  else for (let i = 0; i < n; i++) dst[off + i] = src[i];
}

/** Concatenates time-ordered segments in time order, keeping [from, to] and dropping repeated times. */
function mergeRaw(segs: RawSegment[], from: number, to: number): { t: number[]; v: number[] } {
  segs.sort((a, b) => (a.first ?? a.t[0]) - (b.first ?? b.t[0]));
  const t: number[] = [];
  const v: number[] = [];
  let last = -Infinity;
  for (const s of segs) {
    for (let i = 0; i < s.t.length; i++) {
      const x = s.t[i];
      if (x < from || x > to || x <= last) continue;
      t.push(x);
      v.push(s.v[i]);
      last = x;
    }
  }
  return { t, v };
}

function mergeBuckets(segs: Bucket[][], from: number, to: number): Bucket[] {
  segs.sort((a, b) => a[0].t - b[0].t);
  const out: Bucket[] = [];
  for (const s of segs) {
    for (const b of s) {
      if (b.t < from || b.t > to) continue;
      const prev = out[out.length - 1];
      if (prev && (b.t < prev.t || (b.t === prev.t && b.count === prev.count && b.sum === prev.sum && b.last === prev.last))) continue;
      out.push(b);
    }
  }
  return out;
}
