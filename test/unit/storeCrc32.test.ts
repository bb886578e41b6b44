/** crc32 takes zlib's CRC-32 for longer inputs when Node has it: the same checksums as the table's, at any offset. */
import { strict as assert } from 'node:assert';
import { it } from 'node:test';
import { crc32, crc32Table } from '../../engine/store/crc32';

it('gives the table-driven CRC-32 of any range, short or long', () => {
  let seed = 12345;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24;
  const bytes = Uint8Array.from({ length: 70_000 }, next);
  for (const [start, end] of [[0, 0], [0, 9], [3, 300], [0, 255], [1, 257], [100, 70_000], [0, 70_000], [69_000, 69_999]]) {
    assert.equal(crc32(bytes, start, end), crc32Table(bytes, start, end), `bytes ${start}-${end}`);
  }
  assert.equal(crc32(new TextEncoder().encode('123456789'.repeat(40))), crc32Table(new TextEncoder().encode('123456789'.repeat(40))));
  assert.equal(crc32Table(new TextEncoder().encode('123456789')), 0xcbf43926);
});

it('checksums a buffer in parts: the CRC of the parts before is carried into the next one', () => {
  let seed = 777;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24;
  const bytes = Uint8Array.from({ length: 50_000 }, next);
  const whole = crc32Table(bytes);
  for (const cuts of [[0, 50_000], [0, 100, 50_000], [0, 1, 2, 300, 4_000, 49_999, 50_000], [0, 25_000, 50_000]]) {
    let c = 0;
    let t = 0;
    for (let k = 1; k < cuts.length; k++) {
      c = crc32(bytes, cuts[k - 1], cuts[k], c);
      t = crc32Table(bytes, cuts[k - 1], cuts[k], t);
    }
    assert.equal(c, whole, `zlib or table in parts ${cuts.join(',')}`);
    assert.equal(t, whole, `table in parts ${cuts.join(',')}`);
  }
});
