/**
 * The Sobol low-discrepancy sequence with Joe and Kuo's direction numbers
 * (new-joe-kuo-6.21201, the table SciPy and Optuna use), in Gray-code order with 32-bit
 * integers, up to 64 dimensions.
 *
 * Unscrambled, point 0 is the origin and point 1 is the centre of the cube (0.5, ..., 0.5),
 * which would flatter any test function whose optimum sits at the centre. The samplers
 * therefore use a seeded random digital shift (each coordinate's 32-bit integer XOR a seeded
 * random word, which keeps the net property) and do not skip points: `scramble: false`
 * gives the published points, e.g. for tests against Joe and Kuo's values.
 */
import { Rng } from '../util/rng';

/** Rows `s a m_1 .. m_s` for dimensions 2..64 (dimension 1 is van der Corput). */
const JOE_KUO =
  '1 0 1|2 1 1 3|3 1 1 3 1|3 2 1 1 1|4 1 1 1 3 3|4 4 1 3 5 13|5 2 1 1 5 5 17|5 4 1 1 5 5 5|5 7 1 1 7 11 19|' +
  '5 11 1 1 5 1 1|5 13 1 1 1 3 11|5 14 1 3 5 5 31|6 1 1 3 3 9 7 49|6 13 1 1 1 15 21 21|6 16 1 3 1 13 27 49|' +
  '6 19 1 1 1 15 7 5|6 22 1 3 1 15 13 25|6 25 1 1 5 5 19 61|7 1 1 3 7 11 23 15 103|7 4 1 3 7 13 13 15 69|' +
  '7 7 1 1 3 13 7 35 63|7 8 1 3 5 9 1 25 53|7 14 1 3 1 13 9 35 107|7 19 1 3 1 5 27 61 31|7 21 1 1 5 11 19 41 61|' +
  '7 28 1 3 5 3 3 13 69|7 31 1 1 7 13 1 19 1|7 32 1 3 7 5 13 19 59|7 37 1 1 3 9 25 29 41|7 41 1 3 5 13 23 1 55|' +
  '7 42 1 3 7 3 13 59 17|7 50 1 3 1 3 5 53 69|7 55 1 1 5 5 23 33 13|7 56 1 1 7 7 1 61 123|7 59 1 1 7 9 13 61 49|' +
  '7 62 1 3 3 5 3 55 33|8 14 1 3 1 15 31 13 49 245|8 21 1 3 5 15 31 59 63 97|8 22 1 3 1 11 11 11 77 249|' +
  '8 38 1 3 1 11 27 43 71 9|8 47 1 1 7 15 21 11 81 45|8 49 1 3 7 3 25 31 65 79|8 50 1 3 1 1 19 11 3 205|' +
  '8 52 1 1 5 9 19 21 29 157|8 56 1 3 7 11 1 33 89 185|8 67 1 3 3 3 15 9 79 71|8 70 1 3 7 11 15 39 119 27|' +
  '8 84 1 1 3 1 11 31 97 225|8 97 1 1 1 3 23 43 57 177|8 103 1 3 7 7 17 17 37 71|8 115 1 3 1 5 27 63 123 213|' +
  '8 122 1 1 3 5 11 43 53 133|9 8 1 3 5 5 29 17 47 173 479|9 13 1 3 3 11 3 1 109 9 69|9 16 1 1 1 5 17 39 23 5 343|' +
  '9 22 1 3 1 5 25 15 31 103 499|9 25 1 1 1 11 11 17 63 105 183|9 44 1 1 5 11 9 29 97 231 363|' +
  '9 47 1 1 5 15 19 45 41 7 383|9 52 1 3 7 7 31 19 83 137 221|9 55 1 1 1 3 23 15 111 223 83|' +
  '9 59 1 1 5 13 31 15 55 25 161';

const BITS = 32;

function buildDirections(): Uint32Array[] {
  const all: Uint32Array[] = [Uint32Array.from({ length: BITS }, (_, j) => (1 << (31 - j)) >>> 0)];
  for (const row of JOE_KUO.split('|')) {
    const [s, a, ...m] = row.split(' ').map(Number);
    const v = new Uint32Array(BITS);
    for (let j = 0; j < BITS; j++) {
      if (j < s) {
        v[j] = (m[j] << (31 - j)) >>> 0;
        continue;
      }
      // Bratley-Fox recurrence; the inner coefficients of the primitive polynomial are the bits of a.
      let x = v[j - s] ^ (v[j - s] >>> s);
      for (let k = 1; k < s; k++) if ((a >>> (s - 1 - k)) & 1) x ^= v[j - k];
      v[j] = x >>> 0;
    }
    all.push(v);
  }
  return all;
}

const DIRECTIONS = buildDirections();
export const SOBOL_MAX_DIM = DIRECTIONS.length;

/**
 * Point `index` (0-based) of the `dim`-dimensional sequence, computed directly (no state):
 * x = XOR of the direction numbers selected by the bits of the Gray code of `index`.
 * Gray-code order visits, for every power-of-two prefix, the same set as natural order.
 */
export function sobolPoint(index: number, dim: number, shift?: Uint32Array): Float64Array {
  if (dim > SOBOL_MAX_DIM) throw new Error(`the Sobol sequence here has ${SOBOL_MAX_DIM} dimensions; use the random sampler for ${dim}`);
  if (!Number.isInteger(index) || index < 0 || index >= 2 ** 31) throw new Error(`no Sobol point at index ${index}`);
  const gray = (index ^ (index >>> 1)) >>> 0;
  const out = new Float64Array(dim);
  for (let d = 0; d < dim; d++) {
    const v = DIRECTIONS[d];
    let x = 0;
    for (let j = 0, g = gray; g > 0; j++, g >>>= 1) if (g & 1) x ^= v[j];
    if (shift) x ^= shift[d];
    out[d] = (x >>> 0) / 2 ** 32;
  }
  return out;
}

/** A seeded random digital shift for `dim` dimensions. */
export function sobolShift(seed: number, dim: number): Uint32Array {
  const rng = new Rng(seed ^ 0x50b01);
  const s = new Uint32Array(dim);
  for (let d = 0; d < dim; d++) s[d] = Math.floor(rng.next() * 2 ** 32) >>> 0;
  return s;
}
