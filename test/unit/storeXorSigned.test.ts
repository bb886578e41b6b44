/**
 * The XOR value codec and the bit writer work on signed 32-bit halves (codec.ts, bytes.ts: no
 * heap numbers in cold code). The bytes must be the ones the unsigned arithmetic wrote: checked
 * here against that arithmetic, kept below as the reference, on seeded doubles whose halves
 * cover the sign bit (negative numbers, NaN payloads, ±Infinity, -0, large and tiny magnitudes).
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createHash } from 'node:crypto';
import { decodeTimes, decodeValues, encodeTimes, encodeValues } from '../../engine/store/codec';
import { BitWriter } from '../../engine/store/bytes';

/** The unsigned bit writer as it was (bits of `v >>> 0`, most significant first). */
class RefBits {
  bytes: number[] = [];
  private bitPos = 0;
  bits(v: number, n: number): void {
    if (n === 0) return;
    if (n < 32) v &= (1 << n) - 1;
    v >>>= 0;
    while (n > 0) {
      if (this.bitPos === 0) this.bytes.push(0);
      const free = 8 - this.bitPos;
      const take = Math.min(free, n);
      const chunk = (v >>> (n - take)) & ((1 << take) - 1);
      this.bytes[this.bytes.length - 1] |= chunk << (free - take);
      this.bitPos = (this.bitPos + take) % 8;
      n -= take;
    }
  }
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const clz64 = (hi: number, lo: number) => (hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo));
const ctz32 = (x: number) => (x === 0 ? 32 : 31 - Math.clz32(x & -x));
const ctz64 = (hi: number, lo: number) => (lo !== 0 ? ctz32(lo) : 32 + ctz32(hi));

/** The unsigned XOR encoder as it was: its bit stream after the codec byte. */
function refXor(vs: number[]): number[] {
  const w = new RefBits();
  const window = (hi: number, lo: number, shift: number, len: number) => {
    let sHi: number, sLo: number;
    if (shift === 0) { sHi = hi; sLo = lo; }
    else if (shift < 32) { sLo = ((lo >>> shift) | (hi << (32 - shift))) >>> 0; sHi = hi >>> shift; }
    else { sLo = hi >>> (shift - 32); sHi = 0; }
    if (len > 32) { w.bits(sHi, len - 32); w.bits(sLo, 32); } else w.bits(sLo, len);
  };
  f64[0] = vs[0];
  let pHi = u32[1], pLo = u32[0];
  w.bits(pHi, 32);
  w.bits(pLo, 32);
  let pLead = -1, pTrail = 0;
  for (let i = 1; i < vs.length; i++) {
    f64[0] = vs[i];
    const hi = u32[1], lo = u32[0];
    const xHi = (hi ^ pHi) >>> 0, xLo = (lo ^ pLo) >>> 0;
    pHi = hi; pLo = lo;
    if (xHi === 0 && xLo === 0) { w.bits(0, 1); continue; }
    w.bits(1, 1);
    let lead = clz64(xHi, xLo);
    const trail = ctz64(xHi, xLo);
    if (lead > 31) lead = 31;
    if (pLead >= 0 && lead >= pLead && trail >= pTrail) { w.bits(0, 1); window(xHi, xLo, pTrail, 64 - pLead - pTrail); }
    else {
      const len = 64 - lead - trail;
      w.bits(1, 1); w.bits(lead, 5); w.bits(len & 63, 6);
      window(xHi, xLo, trail, len);
      pLead = lead; pTrail = trail;
    }
  }
  return w.bytes;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** A double from two random 32-bit halves (any bit pattern: NaN payloads, subnormals, negatives). */
function anyBits(r: () => number): number {
  u32[1] = Math.floor(r() * 2 ** 32);
  u32[0] = Math.floor(r() * 2 ** 32);
  return f64[0];
}

describe('XOR codec on signed halves', () => {
  it('writes the bytes of the unsigned arithmetic, and they read back bit for bit', () => {
    const special = [NaN, -NaN, Infinity, -Infinity, -0, 0, Number.MIN_VALUE, -Number.MAX_VALUE, 2 ** 31, -(2 ** 31), 0.1, -0.1];
    for (let seed = 1; seed <= 40; seed++) {
      const r = rng(seed);
      const n = 1 + Math.floor(r() * 400);
      const vs: number[] = [];
      for (let i = 0; i < n; i++) {
        const k = r();
        // Runs of repeats and near values (the window reuse paths) among arbitrary bit patterns.
        if (k < 0.2 && i > 0) vs.push(vs[i - 1]);
        else if (k < 0.45) vs.push((r() - 0.5) * 10 ** Math.floor(r() * 20 - 10));
        else if (k < 0.55) vs.push(special[Math.floor(r() * special.length)]);
        else if (k < 0.7 && i > 0) vs.push(-vs[i - 1] * (1 + r() * 1e-9));
        else vs.push(anyBits(r));
      }
      // A non-integer first value keeps the integer codecs out, so the XOR path is what is compared.
      vs[0] = 0.5 + r();
      const got = encodeValues(vs);
      assert.equal(got[0], 0, `seed ${seed}: XOR codec chosen`);
      assert.deepEqual([...got.subarray(1)], refXor(vs), `seed ${seed}: same bytes as the unsigned encoder`);
      const back = decodeValues(got, n);
      const a = new Uint32Array(back.buffer);
      const b = new Uint32Array(new Float64Array(vs).buffer);
      assert.deepEqual([...a], [...b], `seed ${seed}: bit for bit`);
    }
  });

  it('BitWriter.bits writes the low n bits of any 32-bit pattern, signed or not', () => {
    const r = rng(7);
    const w = new BitWriter();
    const ref = new RefBits();
    for (let i = 0; i < 5000; i++) {
      const n = 1 + Math.floor(r() * 32);
      const u = Math.floor(r() * 2 ** 32);
      const v = r() < 0.5 ? u : u | 0; // the same bits as an unsigned or a signed number
      w.bits(v, n);
      ref.bits(u, n);
    }
    assert.deepEqual([...w.result()], ref.bytes);
  });

  it('integer columns with 32- and 53-bit deltas: the bytes of main at 9ae2ecc (unsigned arithmetic), read back exactly', () => {
    // The digest of these columns' encodings as the unsigned codec wrote them (computed with
    // the build at 9ae2ecc); writeSigned's 32-bit field is now written as d ^ 2^31.
    const h = createHash('sha256');
    for (let seed = 1; seed <= 30; seed++) {
      const r = rng(seed);
      const n = 2 + Math.floor(r() * 300);
      const vs: number[] = [];
      const ts: number[] = [];
      let v = Math.floor((r() - 0.5) * 2 ** 40);
      let t = 1.7e12 + Math.floor(r() * 1e9);
      const scale = 10 ** Math.floor(r() * 4);
      for (let i = 0; i < n; i++) {
        const k = r();
        v += k < 0.3 ? Math.floor((r() - 0.5) * 2 ** 33) : k < 0.6 ? Math.floor((r() - 0.5) * 2 ** 20) : k < 0.8 ? Math.floor((r() - 0.5) * 16) : 0;
        t += k < 0.2 ? Math.floor(r() * 2 ** 34) : k < 0.5 ? Math.floor(r() * 5000) : 100;
        vs.push(v / scale);
        ts.push(t);
      }
      const ev = encodeValues(vs);
      const et = encodeTimes(ts);
      assert.deepEqual([...decodeValues(ev, n)], vs, `seed ${seed}: values back`);
      assert.deepEqual([...decodeTimes(et, n)], ts, `seed ${seed}: times back`);
      h.update(ev);
      h.update(et);
    }
    assert.equal(h.digest('hex'), '0d7686462bb209545555ee8b84aa36d01ce3eeccf5472acd608c6a3ba95b1963');
  });
});
