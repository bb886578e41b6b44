/** CRC-32 (IEEE 802.3, the one of zip and PNG), used on every block, index and WAL record. */
import * as zlib from 'node:zlib';

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/**
 * zlib's CRC-32 (Node >= 20.15, 22.2): the same checksum some 30 times faster than the table
 * below, which matters for the checkpoint (tens of MB at every cut under load, in one step).
 * Older Node (an older VS Code's extension host) uses the table.
 */
const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** Below this many bytes the table is as fast as the call into zlib. */
const NATIVE_MIN = 256;

/**
 * The CRC-32 of `bytes[start, end)`; `prev`: the CRC of the bytes before them, so that a long
 * buffer can be checksummed in parts (the checkpoint, in the cut's slices): crc32(b, m, n,
 * crc32(b, 0, m)) === crc32(b, 0, n).
 */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length, prev = 0): number {
  if (native && end - start >= NATIVE_MIN) return native(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end), prev) >>> 0;
  return crc32Table(bytes, start, end, prev);
}

/** The table-driven CRC-32 (exported for the test that checks zlib's gives the same). */
export function crc32Table(bytes: Uint8Array, start = 0, end = bytes.length, prev = 0): number {
  let c = (prev ^ 0xffffffff) >>> 0;
  for (let i = start; i < end; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
