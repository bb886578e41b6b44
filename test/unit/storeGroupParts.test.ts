/**
 * A cut's chunk group is written as parts (chunkFile.ts, GroupBuilder.finishParts): the
 * blocks' payloads are parts themselves, not copied into a group buffer, and the parts one
 * after the other are the bytes the group always had (each record as `writeBlockRecord` writes
 * it, then the index and the trailer, which read back). Node's io appends such parts, small
 * or large, as their concatenation.
 */
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { ByteWriter } from '../../engine/store/bytes';
import { BlockKind, GroupBuilder, groupCapacity, parseBlock, readIndex, readTail, writeBlockRecord, type NewBlock } from '../../engine/store/chunkFile';
import { nodeIo } from '../../engine/store/index';
import { Rng } from '../../engine/util/rng';

const dirs: string[] = [];
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
const utf8 = new TextEncoder();

function blocks(seed: number, n: number): NewBlock[] {
  const r = new Rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const payload = new Uint8Array(r.int(3000));
    for (let k = 0; k < payload.length; k++) payload[k] = r.int(256);
    const b: NewBlock = { kind: i % 2 ? BlockKind.Raw : BlockKind.Rollup, seriesId: `m{i="${i}",é="${r.int(9)}"}`, count: 1 + r.int(500), tmin: 1_795_000_000_000 + i, tmax: 1_795_000_300_000 + i, payload };
    // Now and then a record made elsewhere (the cut's worker): a view on a larger buffer.
    if (r.next() < 0.3) {
      const w = new ByteWriter(16);
      w.u8(7);
      writeBlockRecord(w, b.kind, utf8.encode(b.seriesId), b.count, b.tmin, b.tmax, payload);
      b.record = w.buf.subarray(1, w.len);
    }
    return b;
  });
}

it('gives the group as parts holding the payloads themselves; together the bytes of its records, index and trailer', () => {
  for (const seed of [1, 2, 3]) {
    const bs = blocks(seed, 300);
    const g = new GroupBuilder(0, 7, undefined, groupCapacity(bs));
    for (const b of bs) g.add(b);
    const { parts, size, entries } = g.finishParts();
    for (const b of bs) assert.ok(parts.includes(b.record ?? b.payload), 'a payload (or worker record) is a part, not a copy');
    const bytes = Buffer.concat(parts);
    assert.equal(bytes.length, size);
    // Each record is what writeBlockRecord writes, at its entry's offset.
    entries.forEach((e, k) => {
      const w = new ByteWriter(64);
      const b = bs[k];
      writeBlockRecord(w, b.kind, utf8.encode(b.seriesId), b.count, b.tmin, b.tmax, b.payload);
      const rec = bytes.subarray(e.offset, e.offset + e.length);
      assert.ok(rec.equals(w.result()), `record ${k}`);
      assert.ok(Buffer.from(parseBlock(rec).payload).equals(Buffer.from(b.payload)));
    });
    // The same bytes as the group in one buffer; the trailer and the index read back from a file.
    const again = new GroupBuilder(0, 7, undefined);
    for (const b of bs) again.add(b);
    assert.ok(bytes.equals(again.finish().bytes));
    const dir = mkdtempSync(join(tmpdir(), 'alluse-group-parts-'));
    dirs.push(dir);
    const file = join(dir, 'g.chk');
    writeFileSync(file, bytes);
    const fd = openSync(file, 'r');
    try {
      const tail = readTail(fd);
      assert.equal(tail.validEnd, size);
      const idx = readIndex(fd, tail.validEnd);
      assert.deepEqual(idx.problems, []);
      assert.deepEqual(idx.entries.map((e) => [e.seriesId, e.offset, e.length]), entries.map((e) => [e.seriesId, e.offset, e.length]));
    } finally {
      closeSync(fd);
    }
  }
});

it("node's io appends parts, small and large, as their concatenation", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alluse-group-parts-io-'));
  dirs.push(dir);
  const file = join(dir, 'x.chk');
  const r = new Rng(5);
  const make = (n: number) => Array.from({ length: n }, () => { const p = new Uint8Array(r.int(5000)); for (let k = 0; k < p.length; k++) p[k] = r.int(256); return p; });
  const small = make(20); // under 256 KiB: written on the calling thread
  const large = make(1500); // about 3.7 MB, over IOV_MAX parts: through the thread pool
  await nodeIo.append(file, small, true);
  await nodeIo.append(file, large);
  assert.ok(readFileSync(file).equals(Buffer.concat([...small, ...large])));
});
