/**
 * Node's io's `append`: a small record (the WAL's, every flush interval) is opened, written
 * and closed on the calling thread with only its fdatasync in the thread pool; a large one (a
 * cut's chunk group) goes through the thread pool all the way. Either way the file holds the
 * appends in order, nothing stays open afterwards, and a failure is a rejected promise (the
 * store degrades to memory on it), never a synchronous throw.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { nodeIo } from '../../engine/store/index';
import { openFilesUnder } from '../helpers/openFiles';

const dirs: string[] = [];
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

/** Bytes from a seeded generator. */
function bytes(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) b[i] = (s = (s * 48271) % 2147483647) & 0xff;
  return b;
}

it('appends small and large records in order, creating the file, and keeps nothing open', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alluse-io-append-'));
  dirs.push(dir);
  const file = join(dir, '1.wal');
  const parts = [bytes(10, 1), bytes(300 * 1024, 2), bytes(7000, 3), bytes(1, 4), bytes(256 * 1024, 5), bytes(256 * 1024 + 1, 6)];
  await nodeIo.append(file, parts[0], true);
  for (const p of parts.slice(1)) await nodeIo.append(file, p);
  const want = Buffer.concat(parts.map((p) => Buffer.from(p)));
  assert.ok(Buffer.from(readFileSync(file)).equals(want), 'the file is the appends, in order');
  assert.deepEqual(openFilesUnder(dir), []);
});

it('reports a file that cannot be opened as a rejected promise, small or large', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alluse-io-append-'));
  dirs.push(dir);
  for (const n of [16, 512 * 1024]) {
    let p: Promise<void> | undefined;
    assert.doesNotThrow(() => { p = nodeIo.append(join(dir, 'missing', 'x.wal'), bytes(n, 7)); });
    await assert.rejects(p!, (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
  }
  assert.deepEqual(openFilesUnder(dir), []);
});
