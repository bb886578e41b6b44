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

it('a series that keeps its own reference (addFor) writes the record `add` writes, segment after segment', () => {
  const ids = ['cpu{host="a"}', 'mem{zone="ü-1",k="日本"}', 'x'];
  const utf8 = new TextEncoder();
  const byId = new WalBuffer();
  const byHolder = new WalBuffer();
  const holders = ids.map((id) => ({ id, idBytes: utf8.encode(id), walRef: 0, walSegment: -1 }));
  const records: [Uint8Array, Uint8Array][] = [];
  for (let k = 0; k < 90; k++) {
    const i = (k * 7) % ids.length;
    byId.add(ids[i], 1_000 + k, k * 1.5);
    byHolder.addFor(holders[i], 1_000 + k, k * 1.5);
    if (k % 20 === 19) records.push([byId.take()!, byHolder.take()!]); // records within a segment
    if (k % 30 === 29) { byId.newSegment(); byHolder.newSegment(); } // every series defined again
  }
  records.push([byId.take()!, byHolder.take()!]);
  for (const [a, b] of records) assert.ok(Buffer.from(a).equals(Buffer.from(b)));
  // The last segment (k = 60..89) is its last two records: they read back alone, every series defined in them again.
  const segment = Buffer.concat([records.at(-2)![1], records.at(-1)![1]]);
  const back: string[] = [];
  assert.equal(readWal(segment, (id, t, v) => back.push(`${id} ${t} ${v}`)).problem, undefined);
  assert.equal(back.length, 30);
  for (let k = 60; k < 90; k++) assert.equal(back[k - 60], `${ids[(k * 7) % ids.length]} ${1_000 + k} ${k * 1.5}`);
});
