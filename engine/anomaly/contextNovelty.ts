/**
 * Novelty of short contexts (in the manner of CAD-OSE and ARTime on NAB): the value is
 * quantized into `levels` bins of the series' own running range (which decays slowly toward
 * the recent values, so one spike does not flatten every later value into one bin; values
 * outside the range get a bin of their own on each side), and the last 1…`length` bins form
 * context words. A sample scores by the share of its context words never seen before in the
 * series' history: a value level, or a short shape of values, that is new. Nothing is scored
 * during the first `learn` samples (the learning phase).
 *
 * The dictionary is an open-addressing hash table from word to a saturating count (one typed
 * array, word and count packed in each slot: no allocation per sample), capped at `maxWords`
 * (past it, words seen once are forgotten and the other counts halved); its snapshot is a
 * packed list of words and counts (packWords). Every scored series has one, so its size is the monitor's
 * memory over hours: a noisy series fills it within an hour or two, and the monitor scores
 * some 470 series. The table is kept between half and three quarters full (linear probing at
 * three quarters: about 2.5 probes for a word in it, 8.5 for one not in it), of any length, not
 * a power of two: at most (`maxWords` + `length` + 1) / 0.75 slots, 21 KiB at the defaults,
 * where doubling at half full took 32 (and a word array and a count array 40 before that;
 * docs/performance.md, "Monitoring"): the same words and scores, the novelty score about
 * 0.02 µs a sample dearer on noise.
 */
import type { AnomalyResult } from './types';
import type { ContextDetector, SampleContext } from './context';
import { explainWith, fmt, NO_SCORE } from './util';

export interface ContextNoveltyOptions {
  /** Quantization bins inside the range (default 8). */
  levels?: number;
  /** Longest context word, in samples (default 4). */
  length?: number;
  /** Samples learned before scoring (default 300). */
  learn?: number;
  /** Half-life in samples of the range shrinking toward the values seen since (default 2000). */
  rangeHalfLife?: number;
  /** Words kept at most (default 4096): past it the table forgets. */
  maxWords?: number;
  /** A word seen at most this many times counts as new (default 0). */
  rare?: number;
}

export interface ContextNoveltyState {
  /** 2 since 28 Nov 2026 (`packed`); 1 (`words`) is still restored. */
  v: 1 | 2;
  lo: number | null;
  hi: number | null;
  bins: number[];
  n: number;
  /** v1: the words and their counts. */
  words?: Array<[number, number]>;
  /** v2: the same in base64 (see packWords). */
  packed?: string;
}

/**
 * The words and counts of a table for its snapshot, in ascending word order, as base64 of
 * unsigned LEB128 varints: how many words, then each word's gap from the previous one (the
 * first from 0) and its count (the number first: a text cut short is refused). Every scored
 * series saves its table every 5 minutes (engine/monitor/baselineFile.ts): as JSON [word,
 * count] pairs a full table was 11-12 characters and one small array a word, about 19 MB and
 * 120 ms of CPU per save at 470 noisy series. Packed it is about 4 characters a word and no
 * object per word (5.9 MB; docs/performance.md, "Monitoring"). `slots` are the table's slots
 * ((word + 1) << countBits | count, 0 empty).
 */
export function packWords(slots: Int32Array, countBits: number): string {
  let n = 0;
  for (let i = 0; i < slots.length; i++) if (slots[i] !== 0) n++;
  const sorted = new Uint32Array(n);
  n = 0;
  for (let i = 0; i < slots.length; i++) if (slots[i] !== 0) sorted[n++] = slots[i] >>> 0;
  radixSort(sorted); // the word is in the high bits: word order
  const bytes = new Uint8Array(n * 10 + 5);
  const mask = (1 << countBits) - 1;
  let o = putVarint(bytes, 0, n);
  let prev = 0;
  for (let k = 0; k < n; k++) {
    const word = (sorted[k] >>> countBits) - 1;
    o = putVarint(bytes, o, word - prev);
    o = putVarint(bytes, o, sorted[k] & mask);
    prev = word;
  }
  return Buffer.from(bytes.buffer, 0, o).toString('base64');
}

/** Writes `x` (an unsigned 32-bit number) at `o` as an unsigned LEB128 varint; returns the offset after it. */
function putVarint(bytes: Uint8Array, o: number, x: number): number {
  while (x >= 128) {
    bytes[o++] = (x & 127) | 128;
    x >>>= 7;
  }
  bytes[o++] = x;
  return o;
}

/** Scratch for radixSort, shared by every table (one at a time). */
let radixScratch = new Uint32Array(0);
const radixCounts = new Uint32Array(2048);

/**
 * Sorts `a` in place, least significant 11 bits first (three passes). `TypedArray.prototype.sort`
 * took 27-34 ns a number here, more than the rest of a save: for 470 tables of 3,650 words it
 * took 57 ms alone, where `packWords` with this sort takes 45-52 ms in all.
 */
function radixSort(a: Uint32Array): void {
  const n = a.length;
  if (radixScratch.length < n) radixScratch = new Uint32Array(n);
  let src: Uint32Array = a;
  let dst: Uint32Array = radixScratch.subarray(0, n);
  for (let shift = 0; shift < 32; shift += 11) {
    radixCounts.fill(0);
    for (let i = 0; i < n; i++) radixCounts[(src[i] >>> shift) & 2047]++;
    let sum = 0;
    for (let d = 0; d < 2048; d++) {
      const c = radixCounts[d];
      radixCounts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) dst[radixCounts[(src[i] >>> shift) & 2047]++] = src[i];
    const t = src;
    src = dst;
    dst = t;
  }
  if (src !== a) a.set(src); // three passes: the result is in the scratch
}

/** The [word, count] pairs of `packWords`' text, in word order; throws on text it did not write. */
export function unpackWords(text: string): Array<[number, number]> {
  const bytes = Buffer.from(text, 'base64');
  const out: Array<[number, number]> = [];
  let o = 0;
  const get = () => {
    let x = 0;
    let scale = 1;
    for (;;) {
      if (o >= bytes.length || scale > 2 ** 35) throw new Error('context-novelty: a damaged packed table');
      const b = bytes[o++];
      x += (b & 127) * scale;
      if (b < 128) return x;
      scale *= 128;
    }
  };
  const n = get();
  let word = 0;
  for (let k = 0; k < n; k++) {
    word += get();
    out.push([word, get()]);
  }
  if (o !== bytes.length) throw new Error('context-novelty: a damaged packed table');
  return out;
}

/** A table starts with this many slots … */
const MIN_SLOTS = 64;
/** … grows by half when more than three quarters full … */
const MAX_LOAD = 0.75;
const GROWTH = 1.5;

/** The scratch copy of a table being rehashed in place (`rehash`), shared by all detectors. */
let scratchTable = new Int32Array(0);

export class ContextNoveltyDetector implements ContextDetector {
  readonly name = 'context-novelty';
  private readonly levels: number;
  private readonly length: number;
  private readonly learn: number;
  /** The learning phase, in samples (nothing is scored before it ends). */
  get warmup(): number {
    return this.learn;
  }
  private readonly decay: number;
  private readonly maxWords: number;
  private readonly rare: number;
  private lo = Infinity;
  private hi = -Infinity;
  /** The last `length` bins, newest first. */
  private readonly bins: number[];
  private n = 0;
  /**
   * The slots: 0 empty, else (word + 1) in the high bits and its count in the low `countBits`
   * (read with `>>>`: the word's bits may reach the sign bit).
   */
  private table: Int32Array;
  private readonly countBits: number;
  private readonly countMask: number;
  private size = 0;
  /** The table grows past this many words (three quarters of its slots) … */
  private growAt = 0;
  /** … by half, up to this many slots: `maxWords` plus a sample's new words at three quarters. */
  private readonly maxSlots: number;

  constructor(opts: ContextNoveltyOptions = {}) {
    this.levels = Math.max(2, Math.round(opts.levels ?? 8));
    this.length = Math.max(1, Math.round(opts.length ?? 4));
    this.learn = opts.learn ?? 300;
    this.decay = 1 - Math.pow(0.5, 1 / (opts.rangeHalfLife ?? 2000));
    this.maxWords = opts.maxWords ?? 4096;
    this.rare = opts.rare ?? 0;
    this.bins = [];
    const words = Math.pow(this.levels + 2, this.length) * 16; // the keys are 0 … words - 1
    if (words >= 2 ** 31) throw new Error('context-novelty: levels and length too large');
    // A byte for the count when the words leave one (the defaults: 10^6 × 16 < 2^24), else the bits left.
    this.countBits = Math.min(8, 32 - Math.ceil(Math.log2(words + 1)));
    this.countMask = (1 << this.countBits) - 1;
    if (this.rare + 3 > this.countMask) throw new Error('context-novelty: levels and length too large for the counts that `rare` needs');
    this.maxSlots = Math.ceil((this.maxWords + this.length + 1) / MAX_LOAD);
    this.table = new Int32Array(0);
    this.setSlots(MIN_SLOTS);
  }

  /** A new, empty table of `slots` slots (at most `maxSlots`). */
  private setSlots(slots: number): void {
    slots = Math.min(this.maxSlots, slots);
    this.table = new Int32Array(slots);
    this.growAt = slots === this.maxSlots ? Infinity : Math.floor(slots * MAX_LOAD);
  }

  /**
   * Moves the words into a table of `slots` slots (the same size: forgetting), in slot order
   * as `load(this.entries())` does, without a [word, count] pair per word: the tables grow
   * while every series learns, and forget now and then for good.
   */
  private rehash(slots: number, forget: boolean): void {
    let old = this.table;
    if (slots === old.length) {
      // In place, from a copy in a scratch array that every detector shares (one at a time).
      if (scratchTable.length < slots) scratchTable = new Int32Array(slots);
      scratchTable.set(old);
      old = scratchTable.subarray(0, slots);
      this.table.fill(0);
    } else this.setSlots(slots);
    const cb = this.countBits;
    this.size = 0;
    for (let i = 0; i < old.length; i++) {
      const e = old[i];
      if (e === 0) continue;
      let c = e & this.countMask;
      if (forget) {
        if (c <= 1) continue;
        c >>= 1;
      }
      if (this.size >= slots - 1) continue;
      const tag = e >>> cb;
      const j = this.slot(tag - 1);
      if (this.table[j] === 0) this.size++;
      this.table[j] = (tag << cb) | c;
    }
  }

  /** The slot of `key` (stored as key + 1; 0 is empty): where it is, or where it would go. */
  private slot(key: number): number {
    const table = this.table;
    const n = table.length;
    const tag = key + 1;
    const cb = this.countBits;
    // Fibonacci hashing, its high bits scaled to the length (exact in a double: < 2^32 × 2^21).
    let i = Math.floor((Math.imul(tag, 0x9e3779b1) >>> 0) * n * 2 ** -32);
    while (table[i] !== 0 && table[i] >>> cb !== tag) if (++i === n) i = 0;
    return i;
  }

  private bump(key: number, sat: number): number {
    const i = this.slot(key);
    const e = this.table[i];
    if (e === 0) {
      this.table[i] = ((key + 1) << this.countBits) | 1;
      this.size++;
      return 0;
    }
    const c = e & this.countMask;
    // The count is in the low bits and below `sat` ≤ countMask: adding 1 leaves the word's bits.
    if (c < sat) this.table[i] = e + 1;
    return c;
  }

  /** The bin of x in the current range: 1…levels inside, 0 below, levels + 1 above. */
  private bin(x: number): number {
    const r = this.hi - this.lo;
    if (!(r > 0)) return x < this.lo ? 0 : x > this.hi ? this.levels + 1 : 1;
    const u = (x - this.lo) / r;
    if (u < 0) return 0;
    if (u > 1) return this.levels + 1;
    const b = Math.floor(u * this.levels);
    return 1 + (b >= this.levels ? this.levels - 1 : b);
  }

  score(c: SampleContext): AnomalyResult {
    if (!c.finite) return NO_SCORE;
    const x = c.x;
    const b = this.bin(x);
    // Range: grows at once, shrinks slowly toward the values seen since.
    if (this.n === 0) {
      this.lo = this.hi = x;
    } else {
      const shrink = (this.hi - this.lo) * this.decay;
      this.hi = Math.max(x, this.hi - shrink);
      this.lo = Math.min(x, this.lo + shrink);
    }
    const bins = this.bins;
    const len = this.length;
    if (bins.length < len) bins.unshift(b);
    else {
      for (let k = len - 1; k > 0; k--) bins[k] = bins[k - 1];
      bins[0] = b;
    }
    this.n++;
    const base = this.levels + 2;
    const sat = this.rare + 3;
    let code = 0;
    let unseen = 0;
    const words = bins.length;
    for (let k = 0; k < words; k++) {
      code = code * base + bins[k];
      const key = code * 16 + k;
      // Counts saturate: past `rare` only "seen often" matters.
      if (this.bump(key, sat) <= this.rare) unseen++;
    }
    if (this.size > this.maxWords) this.forget();
    else if (this.size > this.growAt) this.rehash(Math.ceil(this.table.length * GROWTH), false);
    if (this.n <= this.learn || words < this.length) return NO_SCORE;
    const score = unseen / words;
    if (score === 0) return NO_SCORE;
    return { score, explanation: explainWith(this.name, c, noveltyMessage, c.raw, unseen, words, '') };
  }

  private load(entries: Array<[number, number]>): void {
    let slots = MIN_SLOTS;
    while (entries.length > slots * MAX_LOAD && slots < this.maxSlots) slots = Math.ceil(slots * GROWTH);
    this.setSlots(slots);
    this.size = 0;
    const keyLimit = 2 ** (32 - this.countBits) - 1;
    for (const [k, c] of entries) {
      if (!(Number.isInteger(k) && k >= 0 && k < keyLimit && c > 0) || this.size >= this.table.length - 1) continue;
      const i = this.slot(k);
      if (this.table[i] === 0) this.size++;
      this.table[i] = ((k + 1) << this.countBits) | Math.min(this.countMask, c);
    }
  }

  /** Forgets the words seen once and halves the other counts. */
  private forget(): void {
    this.rehash(this.table.length, true);
  }

  snapshot(): ContextNoveltyState {
    return {
      v: 2,
      lo: Number.isFinite(this.lo) ? this.lo : null,
      hi: Number.isFinite(this.hi) ? this.hi : null,
      bins: [...this.bins],
      n: this.n,
      packed: packWords(this.table, this.countBits),
    };
  }

  restore(s: unknown): void {
    const st = s as ContextNoveltyState;
    if (!st || (st.v !== 1 && st.v !== 2)) return;
    let words: Array<[number, number]>;
    try {
      words = st.v === 2 ? unpackWords(typeof st.packed === 'string' ? st.packed : '') : (st.words ?? []);
    } catch {
      return; // a damaged table: learned again, like a missing one
    }
    this.lo = st.lo ?? Infinity;
    this.hi = st.hi ?? -Infinity;
    this.bins.length = 0;
    this.bins.push(...st.bins.slice(0, this.length));
    this.n = st.n;
    this.load(words);
  }
}

function noveltyMessage(raw: number, unseen: number, words: number): string {
  return `${fmt(raw)} and the samples just before it form a pattern not seen before in this series (${unseen} of ${words} context lengths new).`;
}
