/**
 * A /proc file read again and again into one reused buffer: the monitor reads a handful of
 * them ten times a second, and `readFileSync(…, 'utf8')` costs an open, a stat, a close, a
 * new buffer and a string each time. Here the file stays open and each read is one `pread`
 * at offset 0 (the kernel regenerates a /proc file when it is read from its start). A read
 * that does not fill the buffer has reached the end (the kernel's seq_file fills all it is
 * given, as a regular file does); a full buffer is doubled and the rest read.
 *
 * An open /proc/PID file answers ESRCH once its process is gone, even if the pid is reused,
 * so keeping it open is also a cheap identity check. A plain file (a test's fake /proc)
 * keeps its old content when it is deleted, so `keepOpen: false` opens it for each read.
 */
import { closeSync, openSync, readSync } from 'node:fs';

export class ProcFile {
  private fd = -1;
  /** The bytes of the last read: `buf[0, len)`. */
  buf: Buffer;
  len = 0;

  constructor(
    readonly path: string,
    private readonly keepOpen = true,
    size = 4096,
  ) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Reads the whole file; returns its length. Throws the file system's error (ENOENT, ESRCH, EACCES). */
  read(): number {
    if (this.fd < 0) this.fd = openSync(this.path, 'r');
    try {
      let n = 0;
      for (;;) {
        if (n === this.buf.length) {
          const bigger = Buffer.allocUnsafe(this.buf.length * 2);
          this.buf.copy(bigger, 0, 0, n);
          this.buf = bigger;
        }
        const space = this.buf.length - n;
        const r = readSync(this.fd, this.buf, n, space, n);
        n += r;
        if (r < space) break;
      }
      this.len = n;
      return n;
    } catch (e) {
      this.close();
      throw e;
    } finally {
      if (!this.keepOpen) this.close();
    }
  }

  close(): void {
    if (this.fd < 0) return;
    try {
      closeSync(this.fd);
    } catch {
      /* already closed */
    }
    this.fd = -1;
  }
}

/** Whether files under `procRoot` behave as the kernel's /proc (see ProcFile). */
export const isRealProc = (procRoot: string): boolean => procRoot === '/proc';
