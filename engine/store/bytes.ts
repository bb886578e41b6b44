/**
 * Byte and bit buffers for the on-disk formats: a growable byte writer with varints,
 * float64 and strings, its reader, and the bit writer/reader of the Gorilla-style codecs.
 * All numbers are little-endian. Integers handled here are safe integers (|n| <= 2^53).
 */

const TWO32 = 0x1_0000_0000;
const enc = new TextEncoder();
const dec = new TextDecoder();

export class ByteWriter {
  buf: Uint8Array;
  len = 0;
  private view: DataView;
  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
    this.view = new DataView(this.buf.buffer);
  }
  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
    this.view = new DataView(b.buffer);
  }
  u8(n: number): void { this.ensure(1); this.buf[this.len++] = n; }
  u32(n: number): void { this.ensure(4); this.view.setUint32(this.len, n >>> 0, true); this.len += 4; }
  f64(n: number): void { this.ensure(8); this.view.setFloat64(this.len, n, true); this.len += 8; }
  /** Unsigned varint (LEB128) of a non-negative safe integer. */
  uvar(n: number): void {
    this.ensure(8);
    while (n >= 0x80) { this.buf[this.len++] = (n % 0x80) | 0x80; n = Math.floor(n / 0x80); }
    this.buf[this.len++] = n;
  }
  /** Signed varint (zigzag) of a safe integer. */
  svar(n: number): void { this.uvar(n < 0 ? -2 * n - 1 : 2 * n); }
  bytes(b: Uint8Array): void { this.ensure(b.length); this.buf.set(b, this.len); this.len += b.length; }
  /** Length-prefixed bytes. */
  lbytes(b: Uint8Array): void { this.uvar(b.length); this.bytes(b); }
  str(s: string): void { this.lbytes(enc.encode(s)); }
  /** Overwrites a u32 at an earlier position. */
  setU32(pos: number, n: number): void { this.view.setUint32(pos, n >>> 0, true); }
  result(): Uint8Array { return this.buf.subarray(0, this.len); }
}

export class FormatError extends Error {}

export class ByteReader {
  pos: number;
  private view: DataView;
  constructor(readonly buf: Uint8Array, start = 0, readonly end = buf.length) {
    this.pos = start;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  private need(n: number): void { if (this.pos + n > this.end) throw new FormatError('unexpected end of data'); }
  get remaining(): number { return this.end - this.pos; }
  u8(): number { this.need(1); return this.buf[this.pos++]; }
  u32(): number { this.need(4); const v = this.view.getUint32(this.pos, true); this.pos += 4; return v; }
  f64(): number { this.need(8); const v = this.view.getFloat64(this.pos, true); this.pos += 8; return v; }
  uvar(): number {
    let n = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.u8();
      n += (b & 0x7f) * mul;
      if (b < 0x80) return n;
      mul *= 0x80;
    }
    throw new FormatError('varint too long');
  }
  svar(): number { const z = this.uvar(); return z % 2 ? -(z + 1) / 2 : z / 2; }
  bytes(n: number): Uint8Array { this.need(n); const b = this.buf.subarray(this.pos, this.pos + n); this.pos += n; return b; }
  lbytes(): Uint8Array { return this.bytes(this.uvar()); }
  str(): string { return dec.decode(this.lbytes()); }
}

/** Writes bit fields, most significant bit first. */
/**
 * A zeroed buffer lent to one BitWriter at a time and given back by `result()`: a cut
 * encodes a few thousand columns (every series' raw times and values, its 1 s rollup
 * columns, each value column three ways to keep the smallest), and growing a fresh buffer
 * from 64 bytes for each made most of the cut's garbage. Buffers above 1 MiB are not kept.
 */
let spare: Uint8Array | undefined = new Uint8Array(4096);
const SPARE_MAX = 1 << 20;

export class BitWriter {
  private buf: Uint8Array;
  private lent: boolean;
  private bytePos = 0;
  private bitPos = 0; // bits used in buf[bytePos]
  /**
   * `owned`: the writer keeps a buffer of its own for reuse (`view`, then `reset`): the codec's
   * column writers (codec.ts), written again for every column of a cut.
   */
  constructor(owned = false) {
    if (owned) {
      this.lent = false;
      this.buf = new Uint8Array(4096);
      return;
    }
    this.lent = spare !== undefined;
    this.buf = spare ?? new Uint8Array(64);
    spare = undefined;
  }
  /** How many bytes `view()` would give (without making the view). */
  get byteLength(): number {
    return this.bytePos + (this.bitPos ? 1 : 0);
  }
  /** The bytes written so far: a view, valid until the next write or `reset`. */
  view(): Uint8Array {
    return this.buf.subarray(0, this.bytePos + (this.bitPos ? 1 : 0));
  }
  /** Empties an owned writer for its next column (zeroed: `bits` ORs into the buffer); a buffer grown past 1 MiB is let go. */
  reset(): void {
    const used = this.bytePos + (this.bitPos ? 1 : 0);
    if (this.buf.length > SPARE_MAX) this.buf = new Uint8Array(4096);
    else this.buf.fill(0, 0, used);
    this.bytePos = 0;
    this.bitPos = 0;
  }
  private ensure(): void {
    if (this.bytePos + 9 < this.buf.length) return;
    const b = new Uint8Array(Math.max(64, this.buf.length * 2));
    b.set(this.buf);
    this.buf = b;
  }
  /** Writes the low `n` bits (n <= 32) of `v`. */
  bits(v: number, n: number): void {
    if (n === 0) return;
    this.ensure();
    if (n < 32) v &= (1 << n) - 1;
    // Signed (`| 0`), not `>>> 0`: only the bits are read below, and a 32-bit half of 2^31 or
    // more would be a heap number in cold code (codec.ts, encodeXor).
    v |= 0;
    while (n > 0) {
      const free = 8 - this.bitPos;
      const take = Math.min(free, n);
      const chunk = (v >> (n - take)) & ((1 << take) - 1);
      this.buf[this.bytePos] |= chunk << (free - take);
      this.bitPos += take;
      n -= take;
      if (this.bitPos === 8) { this.bytePos++; this.bitPos = 0; }
    }
  }
  bit(b: number): void { this.bits(b, 1); }
  /** Writes the low `n` bits (n <= 64) of the 64-bit number (hi, lo). */
  bits64(hi: number, lo: number, n: number): void {
    if (n > 32) { this.bits(hi, n - 32); this.bits(lo, 32); } else this.bits(lo, n);
  }
  /** Writes a non-negative safe integer in `n` bits (n <= 53). */
  uint(v: number, n: number): void {
    if (n > 32) { this.bits(Math.floor(v / TWO32), n - 32); this.bits(v % TWO32, 32); } else this.bits(v, n);
  }
  get bitLength(): number { return this.bytePos * 8 + this.bitPos; }
  /** The bytes written. Ends the writer: its buffer may be lent to the next one. */
  result(): Uint8Array {
    const used = this.bytePos + (this.bitPos ? 1 : 0);
    const out = this.buf.slice(0, used);
    if (this.lent) {
      // Give the buffer back zeroed (bits() ORs into it); a grown one replaces the one lent.
      if (this.buf.length <= SPARE_MAX) {
        this.buf.fill(0, 0, used);
        spare = this.buf;
      } else spare = new Uint8Array(4096);
      this.lent = false;
      this.buf = new Uint8Array(0);
      this.bytePos = 0;
      this.bitPos = 0;
    }
    return out;
  }
}

export class BitReader {
  private bytePos: number;
  private bitPos = 0;
  constructor(private readonly buf: Uint8Array, start = 0, private readonly end = buf.length) { this.bytePos = start; }
  bits(n: number): number {
    let v = 0;
    while (n > 0) {
      if (this.bytePos >= this.end) throw new FormatError('bit stream ended early');
      const avail = 8 - this.bitPos;
      const take = Math.min(avail, n);
      const chunk = (this.buf[this.bytePos] >>> (avail - take)) & ((1 << take) - 1);
      v = v * (1 << take) + chunk; // stays exact: at most 32 bits
      this.bitPos += take;
      n -= take;
      if (this.bitPos === 8) { this.bytePos++; this.bitPos = 0; }
    }
    return v >>> 0;
  }
  bit(): number { return this.bits(1); }
  uint(n: number): number {
    if (n > 32) { const hi = this.bits(n - 32); return hi * TWO32 + this.bits(32); }
    return this.bits(n);
  }
}
