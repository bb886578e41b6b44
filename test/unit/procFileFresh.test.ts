/**
 * The kernel regenerates each /proc file the collectors keep open when it is read again at
 * offset 0 (engine/collect/procFile.ts): for every file of the 100 ms path, something is done
 * that changes it (CPU burnt, bytes read, memory touched, loopback traffic, a disk write, a
 * process started), and once a fresh open shows new content, the kept-open read must show new
 * content too, not the bytes of its first read.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, fsyncSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ProcFile } from '../../engine/collect/procFile';

const linux = process.platform === 'linux';

function burn(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) Math.sqrt(Math.random());
}

async function loopbackTraffic(): Promise<void> {
  const server = net.createServer((s) => s.resume());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const c = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
  await new Promise<void>((r) => c.end(Buffer.alloc(64 * 1024), () => r()));
  await new Promise((r) => c.once('close', r));
  await new Promise((r) => server.close(r));
}

let held: Buffer[] = [];
/** Touched memory: RSS and the system's free memory change. */
function touchMemory(): void {
  held.push(Buffer.alloc(8 * 1024 * 1024, 1));
  if (held.length > 4) held = [];
}

function diskWrite(): void {
  // In the repository's folder: the system's temporary folder may be in memory.
  const dir = mkdtempSync(join(__dirname, '..', '..', '.tmp-procfresh-'));
  try {
    const fd = openSync(join(dir, 'f'), 'w');
    writeSync(fd, Buffer.alloc(256 * 1024, 7));
    fsyncSync(fd);
    closeSync(fd);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const pid = process.pid;
const cases: Array<[path: string, change: () => void | Promise<void>, mustChange: boolean]> = [
  ['/proc/stat', () => burn(30), true],
  ['/proc/meminfo', touchMemory, true],
  ['/proc/net/dev', loopbackTraffic, true],
  // Whether a write reaches a disk that /proc/diskstats lists depends on the machine: checked when it does.
  ['/proc/diskstats', diskWrite, false],
  // The last field is the last pid made.
  ['/proc/loadavg', () => void spawnSync(process.execPath, ['-e', '0']), true],
  [`/proc/${pid}/stat`, () => burn(30), true],
  [`/proc/${pid}/status`, touchMemory, true],
  [`/proc/${pid}/io`, () => void readFileSync(__filename), true],
];

describe('ProcFile re-reads /proc files fresh at offset 0', { skip: !linux }, () => {
  for (const [path, change, mustChange] of cases) {
    it(`${path.replace(String(pid), 'PID')}: a kept-open read sees what a fresh open sees`, async () => {
      const kept = new ProcFile(path);
      kept.read();
      const first = kept.buf.toString('latin1', 0, kept.len);
      let changed = false;
      for (let attempt = 0; attempt < 50 && !changed; attempt++) {
        await change();
        changed = readFileSync(path, 'latin1') !== first;
      }
      if (!changed) {
        assert.ok(!mustChange, `${path} did not change`);
        kept.close();
        return;
      }
      kept.read();
      const again = kept.buf.toString('latin1', 0, kept.len);
      const fresh = readFileSync(path, 'latin1');
      assert.notEqual(again, first, `the kept-open ${path} still shows its first read`);
      // The whole file, not the rest after the first read's end.
      assert.equal(again.split('\n').length, fresh.split('\n').length, `the kept-open ${path} read back: ${JSON.stringify(again.slice(0, 80))}`);
      kept.close();
    });
  }
});
