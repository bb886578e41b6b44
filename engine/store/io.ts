/**
 * The store's writes to disk, in one place: appends are fdatasync'ed, whole files are
 * replaced atomically (temp file, fsync, rename, fsync of the folder). Tests pass their own
 * `StoreIo` (through `StoreOptions.io`) to simulate a full disk. Reads use node:fs directly.
 */
import { promises as fsp } from 'node:fs';
import { dirname } from 'node:path';

export interface StoreIo {
  /** Appends `data` to the file (creating it) and makes it durable. */
  append(path: string, data: Uint8Array): Promise<void>;
  /** Replaces the file with `data` atomically and durably. */
  replace(path: string, data: Uint8Array): Promise<void>;
  remove(path: string): Promise<void>;
}

async function syncDir(dir: string): Promise<void> {
  let h: fsp.FileHandle | undefined;
  try {
    h = await fsp.open(dir, 'r');
    await h.sync();
  } catch {
    // Some platforms (Windows) cannot open or fsync a folder: the rename is still atomic.
  } finally {
    await h?.close().catch(() => undefined);
  }
}

export const nodeIo: StoreIo = {
  async append(path, data) {
    const h = await fsp.open(path, 'a');
    try {
      const created = (await h.stat()).size === 0;
      let off = 0;
      while (off < data.length) off += (await h.write(data, off, data.length - off)).bytesWritten;
      await h.datasync();
      if (created) await syncDir(dirname(path));
    } finally {
      await h.close();
    }
  },
  async replace(path, data) {
    const tmp = `${path}.tmp`;
    const h = await fsp.open(tmp, 'w');
    try {
      await h.writeFile(data);
      await h.sync();
    } finally {
      await h.close();
    }
    await fsp.rename(tmp, path);
    await syncDir(dirname(path));
  },
  async remove(path) {
    await fsp.rm(path, { force: true });
  },
};
