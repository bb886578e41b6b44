/**
 * What one read of each /proc file the monitor reads every 100 ms costs, three ways: a fresh
 * `readFileSync` (open, fstat, read, close, a new buffer), a `pread` at offset 0 of a file kept
 * open into a reused buffer (ProcFile, what the collectors do), and for the disks the
 * per-device `/sys/block/DEV/stat` of the whole disks instead of `/proc/diskstats`.
 *
 * Method: CPU time of this process (`process.cpuUsage()`, user + system) over READS reads
 * of one file one way, the ways interleaved per file, ROUNDS rounds; µs per read, min–max
 * over the rounds. Run: `node --import tsx bench/procReadCost.ts` (READS=20000 ROUNDS=3).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { ProcFile } from '../engine/collect/procFile';

const READS = Number(process.env.READS ?? 20_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);

function cpuUs(f: () => void): number {
  const c0 = process.cpuUsage();
  for (let i = 0; i < READS; i++) f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / READS;
}

const wholeDisks = readdirSync('/sys/block').filter((d) => !/^(loop|ram)\d/.test(d));
const files = ['/proc/stat', '/proc/meminfo', '/proc/diskstats', '/proc/net/dev', '/proc/loadavg', `/proc/${process.pid}/stat`, `/proc/${process.pid}/io`];
const ways: Record<string, Array<[string, () => void]>> = {};
for (const path of files) {
  const kept = new ProcFile(path);
  ways[path] = [
    ['readFileSync', () => readFileSync(path)],
    ['pread, kept open', () => kept.read()],
  ];
}
const sys = wholeDisks.map((d) => new ProcFile(`/sys/block/${d}/stat`));
ways[`/sys/block/{${wholeDisks.join(',')}}/stat`] = [['pread, kept open', () => sys.forEach((f) => f.read())]];

const results = new Map<string, number[]>();
for (let round = 0; round < ROUNDS; round++) {
  for (const [path, list] of Object.entries(ways)) {
    for (const [way, f] of list) {
      const key = `${path} | ${way}`;
      results.set(key, [...(results.get(key) ?? []), cpuUs(f)]);
    }
  }
}
const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`CPU per read of /proc files (${READS} reads × ${ROUNDS} rounds, interleaved; Node ${process.version}; load average ${load})`);
console.log('| file | how | µs per read (min–max) |');
console.log('|---|---|---|');
for (const [key, us] of results) {
  const [path, way] = key.split(' | ');
  console.log(`| \`${path}\` | ${way} | ${Math.min(...us).toFixed(2)}–${Math.max(...us).toFixed(2)} |`);
}
