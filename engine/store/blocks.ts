/** Raw blocks: the payload of a block of samples of one series. */
import { ByteReader } from './bytes';
import { decodeTimes, decodeValues, payloadOf, writeTimesWithLength, writeValues } from './codec';

export function encodeRaw(ts: ArrayLike<number>, vs: ArrayLike<number>): Uint8Array {
  // Assembled in the codec's reused writers and copied out at its exact size (payloadOf): the
  // payload waits in memory until the cut's write is done, and is the encoding's only allocation.
  return payloadOf((w) => {
    writeTimesWithLength(w, ts, ts.length);
    writeValues(w, vs, vs.length);
  });
}

export function decodeRaw(payload: Uint8Array, n: number): { t: Float64Array; v: Float64Array } {
  const r = new ByteReader(payload);
  const t = decodeTimes(r.lbytes(), n);
  const v = decodeValues(payload.subarray(r.pos), n);
  return { t, v };
}
