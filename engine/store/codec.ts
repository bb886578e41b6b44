/**
 * Column codecs of the chunk files, after Facebook's Gorilla paper (Pelkonen et al., VLDB 2015):
 * - times: delta-of-delta of integer milliseconds in variable-width bit fields;
 * - values: per block, the smallest of three lossless encodings:
 *   XOR of consecutive float64 bit patterns (Gorilla), or, when every value is an integer
 *   after scaling by 10^k (k = 0..6, checked to round-trip exactly), the deltas or the
 *   delta-of-deltas of those integers. Counters and integer gauges cost a few bits a sample.
 * Every encoding is exact: NaN payloads, ±Infinity and -0 come back bit for bit (XOR path).
 */
import { BitReader, BitWriter, ByteReader, ByteWriter, FormatError } from './bytes';

/** Largest magnitude of a timestamp or scaled integer value the integer paths accept. */
export const MAX_INT = 2 ** 50;

/** Signed integer (|d| < 2^53) in a prefix-coded field: 0 | 10+4 | 110+8 | 1110+13 | 11110+32 | 11111+sign+53. */
function writeSigned(w: BitWriter, d: number): void {
  if (d === 0) w.bit(0);
  else if (d >= -8 && d < 8) { w.bits(0b10, 2); w.bits(d + 8, 4); }
  else if (d >= -128 && d < 128) { w.bits(0b110, 3); w.bits(d + 128, 8); }
  else if (d >= -4096 && d < 4096) { w.bits(0b1110, 4); w.bits(d + 4096, 13); }
  // d + 2^31 in 32 bits, written as the signed d ^ 2^31 (the same bits): no heap number in cold code.
  else if (d >= -(2 ** 31) && d < 2 ** 31) { w.bits(0b11110, 5); w.bits(d ^ -0x80000000, 32); }
  else { w.bits(0b11111, 5); w.bit(d < 0 ? 1 : 0); w.uint(Math.abs(d), 53); }
}

function readSigned(r: BitReader): number {
  if (r.bit() === 0) return 0;
  if (r.bit() === 0) return r.bits(4) - 8;
  if (r.bit() === 0) return r.bits(8) - 128;
  if (r.bit() === 0) return r.bits(13) - 4096;
  if (r.bit() === 0) return r.uint(32) - 2 ** 31;
  const neg = r.bit();
  const m = r.uint(53);
  return neg ? -m : m;
}

/**
 * The writers a column is encoded in, kept and reused: a cut encodes every series' columns one
 * after the other (at the monitor's 650 series some 5,000 columns every 5 minutes), and each
 * column's bits, its candidates (three value codecs) and its header in buffers of their own,
 * each copied out at its exact size and copied again into the payload, were some 9 MB of
 * short-lived allocations at every cut, when the monitor's memory peaks (docs/performance.md,
 * "Monitoring"). Now a payload is assembled in `payloadScratch` from views on these and copied
 * out once, at its exact size: its only allocation.
 */
const timeBits = new BitWriter(true);
const valueBits = [new BitWriter(true), new BitWriter(true)];
let columnScratch = new ByteWriter(4096);
let payloadScratch = new ByteWriter(4096);
/** Scratch writers grown past this are replaced before their next use (one big column must not keep its buffer). */
const SCRATCH_KEEP_BYTES = 1 << 20;

/** The column scratch, empty (a new one when a big column grew it). */
function emptyColumnScratch(): ByteWriter {
  if (columnScratch.buf.length > SCRATCH_KEEP_BYTES) columnScratch = new ByteWriter(4096);
  columnScratch.len = 0;
  return columnScratch;
}

/** The payload scratch, empty (a new one when a big payload grew it). */
function emptyPayloadScratch(): ByteWriter {
  if (payloadScratch.buf.length > SCRATCH_KEEP_BYTES) payloadScratch = new ByteWriter(4096);
  payloadScratch.len = 0;
  return payloadScratch;
}

/** Encodes integer timestamps (ms, |t| <= 2^50, in any order). */
export function encodeTimes(ts: ArrayLike<number>, n = ts.length): Uint8Array {
  const w = new ByteWriter(16);
  writeTimes(w, ts, n);
  return w.buf.slice(0, w.len);
}

/** Writes the bytes of `encodeTimes(ts, n)` to `out`. */
export function writeTimes(out: ByteWriter, ts: ArrayLike<number>, n = ts.length): void {
  if (n === 0) return;
  const w = timeBits;
  w.reset();
  let prev = ts[0];
  let prevDelta = 0;
  for (let i = 1; i < n; i++) {
    const delta = ts[i] - prev;
    writeSigned(w, delta - prevDelta);
    prevDelta = delta;
    prev = ts[i];
  }
  out.svar(ts[0]);
  out.bytes(w.view());
}

/** Writes `encodeTimes(ts, n)` with its length in front (ByteWriter.lbytes) to `out`. */
export function writeTimesWithLength(out: ByteWriter, ts: ArrayLike<number>, n = ts.length): void {
  const c = emptyColumnScratch();
  writeTimes(c, ts, n);
  out.lbytes(c.result());
}

/** Writes `encodeValues(vs, n)` with its length in front (ByteWriter.lbytes) to `out`. */
export function writeValuesWithLength(out: ByteWriter, vs: ArrayLike<number>, n = vs.length): void {
  const c = emptyColumnScratch();
  writeValues(c, vs, n);
  out.lbytes(c.result());
}

/**
 * Runs `write` on the payload scratch and gives what it wrote as a new array of its exact size
 * (a payload waits in memory until the cut's write is done: a view would keep the scratch).
 */
export function payloadOf(write: (w: ByteWriter) => void): Uint8Array {
  const w = emptyPayloadScratch();
  write(w);
  return w.buf.slice(0, w.len);
}

export function decodeTimes(bytes: Uint8Array, n: number, out = new Float64Array(n)): Float64Array {
  if (n === 0) return out;
  const br = new ByteReader(bytes);
  let prev = br.svar();
  out[0] = prev;
  const r = new BitReader(bytes, br.pos);
  let delta = 0;
  for (let i = 1; i < n; i++) {
    delta += readSigned(r);
    prev += delta;
    out[i] = prev;
  }
  return out;
}

const enum ValueCodec { Xor = 0, IntDelta = 1, IntDod = 2 }

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer); // little-endian: [lo, hi]
const i32 = new Int32Array(f64.buffer); // the same halves, signed (encodeXor)

function clz64(hi: number, lo: number): number {
  return hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
}
function ctz32(x: number): number {
  return x === 0 ? 32 : 31 - Math.clz32(x & (~x + 1));
}
function ctz64(hi: number, lo: number): number {
  return lo !== 0 ? ctz32(lo) : 32 + ctz32(hi);
}

/**
 * The XOR encoder works on the bit patterns as signed 32-bit halves (`i32`, `^` without `>>> 0`):
 * every intermediate is then a small integer. It runs cold (once per column at a cut, every 5
 * minutes in the monitor), so in V8's interpreter and baseline code each unsigned half of 2^31
 * or more was a heap number: some 1.4 MiB of garbage at every cut of the monitor's store
 * (bench/storeCutMemory.ts with BENCH_HEAP_PROF=1). The bits written are the same.
 */
function encodeXor(w: BitWriter, vs: ArrayLike<number>, n: number): void {
  w.reset();
  f64[0] = vs[0];
  let pHi = i32[1];
  let pLo = i32[0];
  w.bits(pHi, 32);
  w.bits(pLo, 32);
  let pLead = -1;
  let pTrail = 0;
  for (let i = 1; i < n; i++) {
    f64[0] = vs[i];
    const hi = i32[1];
    const lo = i32[0];
    const xHi = hi ^ pHi;
    const xLo = lo ^ pLo;
    pHi = hi;
    pLo = lo;
    if (xHi === 0 && xLo === 0) { w.bit(0); continue; }
    w.bit(1);
    let lead = clz64(xHi, xLo);
    const trail = ctz64(xHi, xLo);
    if (lead > 31) lead = 31;
    if (pLead >= 0 && lead >= pLead && trail >= pTrail) {
      w.bit(0);
      writeWindow(w, xHi, xLo, pTrail, 64 - pLead - pTrail);
    } else {
      const len = 64 - lead - trail;
      w.bit(1);
      w.bits(lead, 5);
      w.bits(len & 63, 6); // 64 is written as 0
      writeWindow(w, xHi, xLo, trail, len);
      pLead = lead;
      pTrail = trail;
    }
  }
}

/** Writes `len` bits of (hi, lo) >>> shift; the halves as signed 32-bit integers (`BitWriter.bits` takes their bits). */
function writeWindow(w: BitWriter, hi: number, lo: number, shift: number, len: number): void {
  let sHi: number, sLo: number;
  if (shift === 0) { sHi = hi; sLo = lo; }
  else if (shift < 32) { sLo = (lo >>> shift) | (hi << (32 - shift)); sHi = hi >>> shift; }
  else { sLo = shift === 32 ? hi : hi >>> (shift - 32); sHi = 0; }
  w.bits64(sHi, sLo, len);
}

/** `readWindow`'s result: module variables, not a [hi, lo] pair (an array and its destructuring's iterator per value in cold code). */
let winHi = 0;
let winLo = 0;

/** Reads `len` bits and sets (winHi, winLo) to them << shift, unsigned halves. */
function readWindow(r: BitReader, shift: number, len: number): void {
  let hi = 0, lo: number;
  if (len > 32) { hi = r.bits(len - 32); lo = r.bits(32); } else lo = r.bits(len);
  if (shift === 0) { winHi = hi; winLo = lo; }
  else if (shift < 32) { winHi = ((hi << shift) | (lo >>> (32 - shift))) >>> 0; winLo = (lo << shift) >>> 0; }
  else { winHi = (lo << (shift - 32)) >>> 0; winLo = 0; }
}

function decodeXor(bytes: Uint8Array, start: number, n: number, out: Float64Array): void {
  const r = new BitReader(bytes, start);
  let hi = r.bits(32);
  let lo = r.bits(32);
  u32[1] = hi; u32[0] = lo; out[0] = f64[0];
  let lead = 0, trail = 0;
  for (let i = 1; i < n; i++) {
    if (r.bit() === 1) {
      if (r.bit() === 1) {
        lead = r.bits(5);
        let len = r.bits(6);
        if (len === 0) len = 64;
        trail = 64 - lead - len;
        if (trail < 0) throw new FormatError('bad XOR window');
      }
      readWindow(r, trail, 64 - lead - trail);
      hi = (hi ^ winHi) >>> 0;
      lo = (lo ^ winLo) >>> 0;
    }
    u32[1] = hi; u32[0] = lo; out[i] = f64[0];
  }
}

/** The smallest k (0..6) such that every value is an integer after scaling by 10^k, exactly; -1 when none. */
function decimalScale(vs: ArrayLike<number>, n: number): number {
  outer: for (let k = 0; k <= 6; k++) {
    const p = 10 ** k;
    for (let i = 0; i < n; i++) {
      const v = vs[i];
      const m = Math.round(v * p);
      if (!(Math.abs(m) <= MAX_INT) || Object.is(v, -0) || (k === 0 ? m !== v : m / p !== v)) continue outer;
    }
    return k;
  }
  return -1;
}

function encodeInts(w: BitWriter, ints: Float64Array, n: number, dod: boolean): void {
  w.reset();
  let prev = ints[0];
  let prevDelta = 0;
  for (let i = 1; i < n; i++) {
    const delta = ints[i] - prev;
    writeSigned(w, dod ? delta - prevDelta : delta);
    prevDelta = delta;
    prev = ints[i];
  }
}

/** Numbers the scaled-integer scratch of `encodeValues` keeps between calls at most. */
const INT_SCRATCH_KEEP = 1 << 16;
let intsKept = new Float64Array(0);

/**
 * `n` numbers for a column's scaled integers: one array kept between calls, since a cut encodes
 * every series' column one after the other and a new array each time was as much garbage as
 * the raw head's values (bigger columns get an array of their own).
 */
function intScratch(n: number): Float64Array {
  if (n > INT_SCRATCH_KEEP) return new Float64Array(n);
  if (intsKept.length < n) intsKept = new Float64Array(Math.min(INT_SCRATCH_KEEP, Math.max(n, 2 * intsKept.length)));
  return intsKept;
}

/** Encodes a value column with the smallest lossless codec. */
export function encodeValues(vs: ArrayLike<number>, n = vs.length): Uint8Array {
  const w = new ByteWriter(32);
  writeValues(w, vs, n);
  return w.buf.slice(0, w.len);
}

/** Writes the bytes of `encodeValues(vs, n)` to `out`: each codec is tried in one of two reused writers, the smaller kept. */
export function writeValues(out: ByteWriter, vs: ArrayLike<number>, n = vs.length): void {
  if (n === 0) return;
  let best = valueBits[0];
  let other = valueBits[1];
  encodeXor(best, vs, n);
  let bestLen = best.byteLength;
  let codec = ValueCodec.Xor;
  const k = decimalScale(vs, n);
  let ints: Float64Array | undefined;
  if (k >= 0) {
    const p = 10 ** k;
    ints = intScratch(n);
    for (let i = 0; i < n; i++) ints[i] = Math.round(vs[i] * p);
    for (const dod of [false, true]) {
      encodeInts(other, ints, n, dod);
      const len = other.byteLength;
      if (len + 4 < bestLen) {
        [best, other] = [other, best];
        bestLen = len;
        codec = dod ? ValueCodec.IntDod : ValueCodec.IntDelta;
      }
    }
  }
  out.u8(codec);
  if (codec !== ValueCodec.Xor) { out.u8(k); out.svar(ints![0]); }
  out.bytes(best.view());
}

export function decodeValues(bytes: Uint8Array, n: number, out = new Float64Array(n)): Float64Array {
  if (n === 0) return out;
  const br = new ByteReader(bytes);
  const codec = br.u8();
  if (codec === ValueCodec.Xor) { decodeXor(bytes, br.pos, n, out); return out; }
  if (codec !== ValueCodec.IntDelta && codec !== ValueCodec.IntDod) throw new FormatError(`unknown value codec ${codec}`);
  const k = br.u8();
  if (k > 6) throw new FormatError('bad decimal scale');
  const p = 10 ** k;
  let prev = br.svar();
  const r = new BitReader(bytes, br.pos);
  out[0] = k === 0 ? prev : prev / p;
  let delta = 0;
  for (let i = 1; i < n; i++) {
    if (codec === ValueCodec.IntDod) delta += readSigned(r);
    else delta = readSigned(r);
    prev += delta;
    out[i] = k === 0 ? prev : prev / p;
  }
  return out;
}
