/**
 * The store's writes to disk, in one place: appends are fdatasync'ed (a WAL record only when
 * the store asks: see `StoreIo.append`), whole files are replaced atomically (temp file,
 * fsync, rename, fsync of the folder). Tests pass their own
 * `StoreIo` (through `StoreOptions.io`) to simulate a full disk. Reads use node:fs directly.
 */
import { close, closeSync, fdatasync, fstat, fstatSync, open, openSync, promises as fsp, write, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';

// The kept-open WAL file is a plain descriptor, not a FileHandle: a store abandoned without
// `close()` (a simulated crash in the tests) must not trip Node's close-on-GC warning.
const openFd = promisify(open);
const fstatFd = promisify(fstat);
const writeFd = promisify(write);
const datasyncFd = promisify(fdatasync);
const closeFd = promisify(close);

/** A file kept open for appends (the current WAL segment). */
export interface AppendFile {
  /** Appends `data` and makes it durable (fdatasync; the folder too after the file's first append); `durable: false` as in `StoreIo.append`. */
  append(data: Uint8Array, durable?: boolean): Promise<void>;
  close(): Promise<void>;
}

export interface StoreIo {
  /**
   * Appends `data` to the file (creating it) and makes it durable. `created`: the caller knows
   * whether this append creates the file (its folder is then synced), so no fstat is needed.
   * `durable: false` (the WAL's records between its syncs): written to the file (a kill -9 of
   * this process loses nothing written; only a crash of the machine can), not fdatasync'ed; a
   * later durable append to the same file makes it durable too (fdatasync covers the whole
   * file). A file's first append is always durable (its name must survive with it).
   */
  append(path: string, data: Uint8Array | readonly Uint8Array[], created?: boolean, durable?: boolean): Promise<void>;
  /**
   * Opens the file (creating it) for appends that keep it open between them: no open and close
   * per append. Node's io does not offer it (see `nodeIo`); `openAppendFile` does, for an io
   * that wants it. Without it the store uses `append`.
   */
  openAppend?(path: string): Promise<AppendFile>;
  /**
   * Replaces the file with `data` atomically and durably; `data` may be parts, written one
   * after the other (the checkpoint: tens of MB in thousands of parts under load, never copied
   * into one buffer).
   */
  replace(path: string, data: Uint8Array | readonly Uint8Array[]): Promise<void>;
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

async function writeAll(h: fsp.FileHandle, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.length) off += (await h.write(data, off, data.length - off)).bytesWritten;
}

/** Writes the file at `path` through a temp file (`write`, fsync, rename, fsync of the folder). */
async function replaceWith(path: string, write: (h: fsp.FileHandle) => Promise<void>): Promise<void> {
  const tmp = `${path}.tmp`;
  const h = await fsp.open(tmp, 'w');
  try {
    await write(h);
    await h.sync();
  } finally {
    await h.close();
  }
  await fsp.rename(tmp, path);
  await syncDir(dirname(path));
}

/** Parts per writev call (Linux's IOV_MAX is 1024). */
const IOV_MAX = 1024;

/** Writes the parts one after the other, `IOV_MAX` at a time (a short write is finished part by part). */
export async function writeParts(h: fsp.FileHandle, parts: readonly Uint8Array[]): Promise<void> {
  for (let i = 0; i < parts.length; i += IOV_MAX) {
    const batch = parts.slice(i, i + IOV_MAX);
    let want = 0;
    for (const p of batch) want += p.length;
    const { bytesWritten } = await h.writev(batch);
    if (bytesWritten === want) continue;
    let skip = bytesWritten;
    for (const p of batch) {
      if (skip >= p.length) { skip -= p.length; continue; }
      await writeAll(h, p.subarray(skip));
      skip = 0;
    }
  }
}

/**
 * A file kept open for appends, the folder synced after its first one. Not used by `nodeIo`:
 * measured on the WAL (every 500 ms) it saves two thread-pool calls per flush, but a file open
 * for writing makes `mount -o remount,ro` of its file system fail (EBUSY), which the store's
 * fault test does while monitoring (test/integration/storeFaults.test.ts); a kernel remount
 * after errors would still give EROFS on the next write.
 */
export async function openAppendFile(path: string): Promise<AppendFile> {
  const fd = await openFd(path, 'a');
  let created: boolean;
  try {
    created = (await fstatFd(fd)).size === 0;
  } catch (e) {
    await closeFd(fd).catch(() => undefined);
    throw e;
  }
  return {
    async append(data, durable = true) {
      let off = 0;
      while (off < data.length) off += (await writeFd(fd, data, off, data.length - off, null)).bytesWritten;
      if (!durable && !created) return;
      await datasyncFd(fd);
      // A new file's name is durable once its folder is synced: once, after its first append.
      if (created) {
        created = false;
        await syncDir(dirname(path));
      }
    },
    close: () => closeFd(fd),
  };
}

/**
 * Appends up to this size are opened, written and closed on the calling thread; only their
 * fdatasync goes to the thread pool. The WAL's record every flush interval is a few KiB at the
 * demo's scale (hundreds of KiB at 10,000 series): a write into the page cache costs a few
 * microseconds, while each thread-pool call costs a wake-up of a pool thread and of the event
 * loop and a promise (open, write, datasync and close were four of them per flush;
 * docs/performance.md, "Monitoring"). Larger appends (a cut's chunk groups) stay asynchronous,
 * so a big write never holds the event loop.
 */
const SYNC_APPEND_BYTES = 256 * 1024;

function concat(parts: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let off = 0;
  for (const p of parts) { out.set(p, off); off += p.length; }
  return out;
}

/**
 * `append` for a small record: one thread-pool call (the fdatasync) instead of four, and none
 * when it need not be durable (written on the calling thread, the promise already settled).
 */
async function appendSmall(path: string, data: Uint8Array, createdHint: boolean | undefined, durable: boolean): Promise<void> {
  const fd = openSync(path, 'a');
  try {
    const created = createdHint ?? fstatSync(fd).size === 0;
    let off = 0;
    while (off < data.length) off += writeSync(fd, data, off, data.length - off);
    if (!durable && !created) return;
    await datasyncFd(fd);
    if (created) await syncDir(dirname(path));
  } finally {
    closeSync(fd);
  }
}

export const nodeIo: StoreIo = {
  async append(path, data, createdHint, durable = true) {
    // Parts (a cut's chunk group: its records' headers and payloads) are written one after the other, never copied into one buffer.
    const size = data instanceof Uint8Array ? data.length : data.reduce((n, p) => n + p.length, 0);
    if (size <= SYNC_APPEND_BYTES) return appendSmall(path, data instanceof Uint8Array ? data : concat(data, size), createdHint, durable);
    const h = await fsp.open(path, 'a');
    try {
      const created = createdHint ?? (await h.stat()).size === 0;
      if (data instanceof Uint8Array) await writeAll(h, data);
      else await writeParts(h, data);
      await h.datasync();
      if (created) await syncDir(dirname(path));
    } finally {
      await h.close();
    }
  },
  async replace(path, data) {
    await replaceWith(path, (h) => (data instanceof Uint8Array ? h.writeFile(data) : writeParts(h, data)));
  },
  async remove(path) {
    await fsp.rm(path, { force: true });
  },
};
