/** The WAL writes a series' id from the UTF-8 bytes the store keeps (SeriesState.idBytes): the same record as encoding the id, and it reads back. */
import { strict as assert } from 'node:assert';
import { it } from 'node:test';
import { readWal, WalBuffer } from '../../engine/store/wal';

it('a record written with the ids\' kept bytes is the record written from the ids', () => {
  const ids = ['cpu{host="a"}', 'mem{zone="ü-1",k="日本"}', 'x'];
  const utf8 = new TextEncoder();
  const a = new WalBuffer();
  const b = new WalBuffer();
  for (let k = 0; k < 30; k++) {
    const id = ids[k % ids.length];
    a.add(id, 1_000 + k, k * 1.5);
    b.add(id, 1_000 + k, k * 1.5, utf8.encode(id));
    if (k === 14) { a.newSegment(); b.newSegment(); } // ids defined again
  }
  const ra = a.take()!;
  const rb = b.take()!;
  assert.ok(Buffer.from(ra).equals(Buffer.from(rb)));
  const back: string[] = [];
  assert.equal(readWal(rb, (id, t, v) => back.push(`${id} ${t} ${v}`)).problem, undefined);
  assert.equal(back.length, 30);
  assert.equal(back[1], `${ids[1]} 1001 1.5`);
});
