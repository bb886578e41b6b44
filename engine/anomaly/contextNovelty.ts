/**
 * Novelty of short contexts (in the manner of CAD-OSE and ARTime on NAB): the value is
 * quantized into `levels` bins of the series' own running range (which decays slowly toward
 * the recent values, so one spike does not flatten every later value into one bin; values
 * outside the range get a bin of their own on each side), and the last 1…`length` bins form
 * context words. A sample scores by the share of its context words never seen before in the
 * series' history: a value level, or a short shape of values, that is new. Nothing is scored
 * during the first `learn` samples (the learning phase).
 *
 * The dictionary is an open-addressing hash table from word to a saturating count (typed
 * arrays, no allocation per sample), capped at `maxWords` (when full, words seen once are
 * forgotten and the other counts halved); its snapshot is a plain list of [word, count].
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
  /** Words kept at most (default 4096; the table grows to twice as many slots as needed). */
  maxWords?: number;
  /** A word seen at most this many times counts as new (default 0). */
  rare?: number;
}

export interface ContextNoveltyState {
  v: 1;
  lo: number | null;
  hi: number | null;
  bins: number[];
  n: number;
  words: Array<[number, number]>;
}

/** The scratch copy of a table being rehashed in place (`rehash`), shared by all detectors. */
let scratchKeys = new Int32Array(0);
let scratchCounts = new Uint8Array(0);

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
  private keys: Int32Array;
  private counts: Uint8Array;
  private size = 0;
  private shift: number;
  private readonly maxSlots: number;

  constructor(opts: ContextNoveltyOptions = {}) {
    this.levels = Math.max(2, Math.round(opts.levels ?? 8));
    this.length = Math.max(1, Math.round(opts.length ?? 4));
    this.learn = opts.learn ?? 300;
    this.decay = 1 - Math.pow(0.5, 1 / (opts.rangeHalfLife ?? 2000));
    this.maxWords = opts.maxWords ?? 4096;
    this.rare = opts.rare ?? 0;
    this.bins = [];
    if (Math.pow(this.levels + 2, this.length) * 16 >= 2 ** 31) throw new Error('context-novelty: levels and length too large');
    this.maxSlots = 2 ** Math.max(4, Math.ceil(Math.log2(2 * this.maxWords)));
    // The table starts small and doubles while it is more than half full, up to `maxSlots`.
    this.shift = 32 - 6;
    this.keys = new Int32Array(64);
    this.counts = new Uint8Array(64);
  }

  private resize(slots: number): void {
    this.shift = 32 - Math.log2(slots);
    this.rehash(slots, false);
  }

  /**
   * Moves the words into a table of `slots` slots (the same size: forgetting), in slot order
   * as `load(this.entries())` does, without a [word, count] pair per word: the tables grow
   * while every series learns, and forget now and then for good.
   */
  private rehash(slots: number, forget: boolean): void {
    let oldKeys = this.keys;
    let oldCounts = this.counts;
    if (slots === oldKeys.length) {
      // In place, from a copy in scratch arrays that every detector shares (one at a time).
      if (scratchKeys.length < slots) {
        scratchKeys = new Int32Array(slots);
        scratchCounts = new Uint8Array(slots);
      }
      scratchKeys.set(oldKeys);
      scratchCounts.set(oldCounts);
      oldKeys = scratchKeys.subarray(0, slots);
      oldCounts = scratchCounts.subarray(0, slots);
      this.keys.fill(0);
      this.counts.fill(0);
    } else {
      this.keys = new Int32Array(slots);
      this.counts = new Uint8Array(slots);
    }
    this.size = 0;
    for (let i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] === 0) continue;
      let c = oldCounts[i];
      if (forget) {
        if (c <= 1) continue;
        c >>= 1;
      }
      if (this.size >= slots - 1) continue;
      const k = oldKeys[i] - 1;
      const j = this.slot(k);
      if (this.keys[j] === 0) this.size++;
      this.keys[j] = k + 1;
      this.counts[j] = c;
    }
  }

  /** The slot of `key` (stored as key + 1; 0 is empty): where it is, or where it would go. */
  private slot(key: number): number {
    const mask = this.keys.length - 1;
    let i = Math.imul(key + 1, 0x9e3779b1) >>> this.shift;
    const keys = this.keys;
    while (keys[i] !== 0 && keys[i] !== key + 1) i = (i + 1) & mask;
    return i;
  }

  private bump(key: number, sat: number): number {
    const i = this.slot(key);
    if (this.keys[i] === 0) {
      this.keys[i] = key + 1;
      this.counts[i] = 1;
      this.size++;
      return 0;
    }
    const c = this.counts[i];
    if (c < sat) this.counts[i] = c + 1;
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
    if (2 * this.size > this.keys.length) {
      if (this.keys.length < this.maxSlots) this.resize(2 * this.keys.length);
      else if (this.size > this.maxWords) this.forget();
    }
    if (this.n <= this.learn || words < this.length) return NO_SCORE;
    const score = unseen / words;
    if (score === 0) return NO_SCORE;
    return { score, explanation: explainWith(this.name, c, noveltyMessage, c.raw, unseen, words, '') };
  }

  /** The words and their counts. */
  private entries(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] !== 0) out.push([this.keys[i] - 1, this.counts[i]]);
    return out;
  }

  private load(entries: Array<[number, number]>): void {
    while (entries.length > this.keys.length / 2 && this.keys.length < this.maxSlots) {
      this.shift--;
      this.keys = new Int32Array(2 * this.keys.length);
      this.counts = new Uint8Array(this.keys.length);
    }
    this.keys.fill(0);
    this.counts.fill(0);
    this.size = 0;
    for (const [k, c] of entries) {
      if (!(Number.isInteger(k) && k >= 0 && k < 2 ** 31 - 1 && c > 0) || this.size >= this.keys.length - 1) continue;
      const i = this.slot(k);
      if (this.keys[i] === 0) this.size++;
      this.keys[i] = k + 1;
      this.counts[i] = Math.min(255, c);
    }
  }

  /** Forgets the words seen once and halves the other counts. */
  private forget(): void {
    this.rehash(this.keys.length, true);
  }

  snapshot(): ContextNoveltyState {
    return {
      v: 1,
      lo: Number.isFinite(this.lo) ? this.lo : null,
      hi: Number.isFinite(this.hi) ? this.hi : null,
      bins: [...this.bins],
      n: this.n,
      words: this.entries(),
    };
  }

  restore(s: unknown): void {
    const st = s as ContextNoveltyState;
    if (!st || st.v !== 1) return;
    this.lo = st.lo ?? Infinity;
    this.hi = st.hi ?? -Infinity;
    this.bins.length = 0;
    this.bins.push(...st.bins.slice(0, this.length));
    this.n = st.n;
    this.load(st.words ?? []);
  }
}

function noveltyMessage(raw: number, unseen: number, words: number): string {
  return `${fmt(raw)} and the samples just before it form a pattern not seen before in this series (${unseen} of ${words} context lengths new).`;
}
