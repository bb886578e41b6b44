/**
 * The context-novelty detector's dictionary packs each word and its count into one slot of a
 * typed array (engine/anomaly/contextNovelty.ts). Its scores must be those of a plain Map from
 * word to count with the detector's rules (counts saturate at rare + 3; when the table is full,
 * the words seen once are forgotten and the others' counts halved), for a count of a byte (the
 * defaults) and of fewer bits (longer contexts), across growing, forgetting and a restore.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { SampleContext } from '../../engine/anomaly/context';
import { ContextNoveltyDetector, unpackWords, type ContextNoveltyOptions } from '../../engine/anomaly/contextNovelty';
import { Rng } from '../../engine/util/rng';

/** The detector's rules over a Map: past maxWords words, forget. */
class Reference {
  private lo = Infinity;
  private hi = -Infinity;
  private bins: number[] = [];
  private n = 0;
  private words = new Map<number, number>();
  private readonly decay: number;
  constructor(private readonly o: Required<ContextNoveltyOptions>) {
    this.decay = 1 - Math.pow(0.5, 1 / o.rangeHalfLife);
  }
  private bin(x: number): number {
    const r = this.hi - this.lo;
    if (!(r > 0)) return x < this.lo ? 0 : x > this.hi ? this.o.levels + 1 : 1;
    const u = (x - this.lo) / r;
    if (u < 0) return 0;
    if (u > 1) return this.o.levels + 1;
    return 1 + Math.min(this.o.levels - 1, Math.floor(u * this.o.levels));
  }
  score(x: number): number {
    const b = this.bin(x);
    if (this.n === 0) this.lo = this.hi = x;
    else {
      const shrink = (this.hi - this.lo) * this.decay;
      this.hi = Math.max(x, this.hi - shrink);
      this.lo = Math.min(x, this.lo + shrink);
    }
    this.bins.unshift(b);
    if (this.bins.length > this.o.length) this.bins.pop();
    this.n++;
    let code = 0;
    let unseen = 0;
    for (let k = 0; k < this.bins.length; k++) {
      code = code * (this.o.levels + 2) + this.bins[k];
      const key = code * 16 + k;
      const c = this.words.get(key) ?? 0;
      if (c <= this.o.rare) unseen++;
      if (c < this.o.rare + 3) this.words.set(key, c + 1);
    }
    if (this.words.size > this.o.maxWords) {
      for (const [k, c] of this.words) if (c <= 1) this.words.delete(k);
      else this.words.set(k, c >> 1);
    }
    if (this.n <= this.o.learn || this.bins.length < this.o.length) return 0;
    return unseen / this.bins.length;
  }
  entries(): Array<[number, number]> {
    return [...this.words].sort((a, b) => a[0] - b[0]);
  }
}

const ctx = (x: number) => ({ t: 0, raw: x, x, finite: true }) as SampleContext;

for (const o of [
  { levels: 8, length: 6, learn: 50, rangeHalfLife: 2000, maxWords: 64, rare: 1 }, // a byte for the count
  { levels: 8, length: 7, learn: 50, rangeHalfLife: 500, maxWords: 128, rare: 9 }, // 10^7 × 16 words: 4 bits left
  { levels: 6, length: 4, learn: 50, rangeHalfLife: 1000, maxWords: 100, rare: 0 }, // not a power of two
]) {
  test(`context novelty scores as a Map of words would (length ${o.length}, rare ${o.rare}, maxWords ${o.maxWords})`, () => {
    const rng = new Rng(21);
    const det = new ContextNoveltyDetector(o);
    const ref = new Reference(o);
    let restored: ContextNoveltyDetector | undefined;
    let x = 0;
    for (let i = 0; i < 6000; i++) {
      // A walk with plateaus and spikes: words repeat (counts saturate) and new ones keep coming (forgetting).
      x = i % 700 < 300 ? Math.round(x + rng.normal()) : x + rng.normal() * 0.2;
      const v = i % 997 === 0 ? x + 40 : x;
      const want = ref.score(v);
      assert.equal(det.score(ctx(v)).score, want, `sample ${i}`);
      if (restored) assert.equal(restored.score(ctx(v)).score, want, `restored, sample ${i}`);
      if (i === 2500) {
        restored = new ContextNoveltyDetector(o);
        restored.restore(JSON.parse(JSON.stringify(det.snapshot())));
      }
    }
    const words = unpackWords(det.snapshot().packed!);
    assert.ok(words.length > o.maxWords / 4 && words.length <= o.maxWords, `${words.length} words`);
    assert.ok(words.some(([, c]) => c > 1), 'some words counted more than once');
    assert.deepEqual(words, ref.entries(), 'the snapshot lists the words and counts of the reference');
  });
}

test('context novelty restores a version 1 snapshot (words as [word, count] pairs) as it was', () => {
  const o = { levels: 8, length: 6, learn: 50, rangeHalfLife: 2000, maxWords: 256, rare: 1 };
  const rng = new Rng(8);
  const det = new ContextNoveltyDetector(o);
  for (let i = 0; i < 3000; i++) det.score(ctx(Math.round(rng.normal() * 3)));
  const v2 = det.snapshot();
  const v1 = { v: 1, lo: v2.lo, hi: v2.hi, bins: v2.bins, n: v2.n, words: unpackWords(v2.packed!).reverse() };
  const a = new ContextNoveltyDetector(o);
  const b = new ContextNoveltyDetector(o);
  a.restore(JSON.parse(JSON.stringify(v2)));
  b.restore(JSON.parse(JSON.stringify(v1)));
  assert.deepEqual(a.snapshot(), v2);
  assert.deepEqual(b.snapshot(), v2);
  for (let i = 0; i < 2000; i++) {
    const x = Math.round(rng.normal() * 4);
    assert.equal(b.score(ctx(x)).score, a.score(ctx(x)).score, `sample ${i}`);
  }
});

test('context novelty packs its words in about 4 characters each, and a damaged table is learned again', () => {
  const det = new ContextNoveltyDetector({ levels: 8, length: 6, learn: 300, rangeHalfLife: 2000, rare: 1 });
  const rng = new Rng(9);
  for (let i = 0; i < 20_000; i++) det.score(ctx(100 + 5 * rng.normal()));
  const st = det.snapshot();
  const words = unpackWords(st.packed!);
  assert.ok(words.length > 1000, `${words.length} words`);
  // JSON pairs took 11-12 characters a word.
  assert.ok(st.packed!.length / words.length < 4.5, `${(st.packed!.length / words.length).toFixed(2)} characters a word`);
  for (let k = 1; k < words.length; k++) assert.ok(words[k][0] > words[k - 1][0], 'ascending words');
  // Cut short: refused, and the detector starts over instead of keeping half a table.
  const damaged = { ...st, packed: st.packed!.slice(0, 101) + '/' };
  const d = new ContextNoveltyDetector({ levels: 8, length: 6, learn: 300, rangeHalfLife: 2000, rare: 1 });
  d.restore(damaged);
  assert.equal(d.snapshot().n, 0);
  assert.equal(unpackWords(d.snapshot().packed!).length, 0);
});

test('context novelty refuses a rare count its packed slots cannot hold', () => {
  assert.throws(() => new ContextNoveltyDetector({ levels: 8, length: 7, rare: 13 }), /rare/);
});

test('context novelty keeps its table between half and three quarters full, at most (maxWords + length + 1) / 0.75 slots', () => {
  // The table is every scored series' largest piece of memory once the series is noisy
  // (bench/diag/noveltyTableMemory.ts): it used to double at half full, to 8,192 slots (32 KiB) at the defaults.
  const det = new ContextNoveltyDetector({ levels: 8, length: 6, learn: 300, rangeHalfLife: 2000, rare: 1 });
  const inner = det as unknown as { table: Int32Array; size: number };
  const rng = new Rng(5);
  const lengths = new Set<number>();
  for (let i = 0; i < 30_000; i++) {
    det.score(ctx(100 + 5 * rng.normal()));
    const n = inner.table.length;
    lengths.add(n);
    assert.ok(inner.size <= 0.75 * n + 6, `sample ${i}: ${inner.size} words in ${n} slots`);
    assert.ok(inner.size <= 4096, `sample ${i}: ${inner.size} words, past maxWords`);
  }
  const top = Math.max(...lengths);
  assert.equal(top, Math.ceil((4096 + 6 + 1) / 0.75), `largest table ${top} slots`);
  // Grown by half each time: 64, 96, 144, …, never twice at once.
  const sorted = [...lengths].sort((a, b) => a - b);
  for (let k = 1; k < sorted.length; k++) assert.ok(sorted[k] <= Math.ceil(sorted[k - 1] * 1.5), `${sorted[k - 1]} → ${sorted[k]}`);
  // Full once: words seen once were forgotten, and the table kept its length.
  assert.ok(inner.size < 4096 && inner.table.length === top);
});
