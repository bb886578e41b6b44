/** Raw blocks: the payload of a block of samples of one series. */
import { ByteReader, ByteWriter } from './bytes';
import { decodeTimes, decodeValues, encodeTimes, encodeValues } from './codec';

export function encodeRaw(ts: ArrayLike<number>, vs: ArrayLike<number>): Uint8Array {
  const times = encodeTimes(ts);
  const values = encodeValues(vs);
  // Sized exactly (the length prefix is a varint of at most 8 bytes): the payload waits in
  // memory until the cut's write is done, and a view on a grown buffer would keep all of it.
  const w = new ByteWriter(times.length + values.length + 8);
  w.lbytes(times);
  w.bytes(values);
  return w.result();
}

export function decodeRaw(payload: Uint8Array, n: number): { t: Float64Array; v: Float64Array } {
  const r = new ByteReader(payload);
  const t = decodeTimes(r.lbytes(), n);
  const v = decodeValues(payload.subarray(r.pos), n);
  return { t, v };
}
