/** Raw blocks: the payload of a block of samples of one series. */
import { ByteReader, ByteWriter } from './bytes';
import { decodeTimes, decodeValues, encodeTimes, encodeValues } from './codec';

export function encodeRaw(ts: ArrayLike<number>, vs: ArrayLike<number>): Uint8Array {
  const w = new ByteWriter(ts.length * 2 + 32);
  w.lbytes(encodeTimes(ts));
  w.bytes(encodeValues(vs));
  return w.result();
}

export function decodeRaw(payload: Uint8Array, n: number): { t: Float64Array; v: Float64Array } {
  const r = new ByteReader(payload);
  const t = decodeTimes(r.lbytes(), n);
  const v = decodeValues(payload.subarray(r.pos), n);
  return { t, v };
}
