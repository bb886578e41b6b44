/**
 * The checkpoint is written as parts (its header and every entry's parts), checksummed in
 * steps and never copied into one buffer (engine/store/seriesState.ts `assemble`, io.ts
 * `writeParts`): the file must be the bytes of `finish`, whatever the steps' deadlines, and a
 * short writev must be finished part by part.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { nodeIo } from '../../engine/store/index';
import { writeParts } from '../../engine/store/io';
import { CheckpointWriter, concatParts, decodeCheckpoint, SeriesState } from '../../engine/store/seriesState';
import { Rng } from '../../engine/util/rng';

const dir = mkdtempSync(join(tmpdir(), 'alluse-ckpt-parts-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function states(n: number, seed: number): SeriesState[] {
  const r = new Rng(seed);
  const list = Array.from({ length: n }, (_, i) => new SeriesState(`s${i}`, { name: 'g', labels: { i: String(i) } }));
  let t = Date.UTC(2026, 10, 2, 9, 50, 0);
  for (let k = 0; k < 6_000; k++) {
    t += 100 + Math.floor(r.next() * 200);
    for (const st of list) st.ingest(t, Math.round(r.next() * 1e4) / 10);
  }
  return list;
}

describe('checkpoint written as parts', () => {
  it('checksums in steps of any size and gives the bytes of finish, also through the real replace', async () => {
    const list = states(300, 5);
    const w = new CheckpointWriter(9, list.length);
    list.forEach((st, i) => w.entry(i, st));
    const whole = w.finish();
    // A fake clock that passes the deadline after every `every` reads: steps of 1, 7 and all entries.
    for (const every of [1, 7, Infinity]) {
      let reads = 0;
      const a = w.assemble();
      let parts: Uint8Array[] | undefined;
      let steps = 0;
      while (!parts) {
        steps++;
        parts = a.step(0, () => (++reads % every === 0 ? 1 : -1));
      }
      if (every === 1) assert.ok(steps > 100, `one entry per step (${steps} steps)`);
      assert.equal(a.bytes, whole.length);
      assert.ok(Buffer.from(concatParts(parts)).equals(Buffer.from(whole)), `steps every ${every}`);
      assert.equal(decodeCheckpoint(concatParts(parts)).series.length, 300);
      if (every === 7) {
        assert.ok(parts.length > 1024, `more parts than one writev takes (${parts.length})`);
        const file = join(dir, 'head.ckpt');
        await nodeIo.replace(file, parts);
        assert.ok(readFileSync(file).equals(Buffer.from(whole)), 'the file written from parts');
      }
    }
  });

  it('finishes a short writev part by part', async () => {
    const r = new Rng(3);
    const parts = Array.from({ length: 2_500 }, () => Uint8Array.from({ length: 1 + Math.floor(r.next() * 40) }, () => Math.floor(r.next() * 256)));
    const out: number[] = [];
    let calls = 0;
    // A file handle whose writev writes only part of what it is given (as a full pipe or a signal can).
    const h = {
      async writev(bufs: Uint8Array[]) {
        calls++;
        const all = concatParts(bufs);
        const n = calls % 3 === 0 ? all.length : Math.floor(all.length * 0.6);
        out.push(...all.subarray(0, n));
        return { bytesWritten: n, buffers: bufs };
      },
      async write(b: Uint8Array, off: number, len: number) {
        const n = Math.max(1, Math.floor(len / 2));
        out.push(...b.subarray(off, off + n));
        return { bytesWritten: n, buffer: b };
      },
    } as unknown as FileHandle;
    await writeParts(h, parts);
    assert.ok(Buffer.from(out).equals(Buffer.from(concatParts(parts))));
    assert.ok(calls >= 3);
  });
});
