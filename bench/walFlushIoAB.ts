/**
 * In-process A/B of one WAL flush's disk work: `nodeIo.append` of a 7,000-byte record (the
 * demo's WAL record every 500 ms) from another tree's engine against this one's, interleaved,
 * four rounds of 200 appends with a 5 ms pause between them, CPU time of the whole process
 * (`process.cpuUsage()`: the thread pool's share included), the pause's own cost subtracted.
 *
 * Usage: node --import tsx bench/walFlushIoAB.ts [oldEngineDir]   (default /tmp/old/engine:
 * `git archive <commit> engine | tar -x -C /tmp/old`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { StoreIo } from '../engine/store/io';

const OLD = resolve(process.argv[2] ?? '/tmp/old/engine');
const RECORD = new Uint8Array(7000).fill(7);
const N = 200;
const pause = () => new Promise((r) => setTimeout(r, 5));

async function run(io: StoreIo, file: string): Promise<number> {
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) {
    await io.append(file, RECORD, i === 0);
    await pause();
  }
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / N;
}

async function main(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const oldIo = (require(join(OLD, 'store/io')) as typeof import('../engine/store/io')).nodeIo;
  const { nodeIo } = await import('../engine/store/io');
  const dir = mkdtempSync(join(tmpdir(), 'alluse-wal-io-ab-'));
  const load0 = loadavg()[0];
  try {
    const res = { old: [] as number[], new: [] as number[] };
    for (let r = 0; r < 4; r++) {
      res.old.push(await run(oldIo, join(dir, `old${r}.wal`)));
      res.new.push(await run(nodeIo, join(dir, `new${r}.wal`)));
    }
    const c0 = process.cpuUsage();
    for (let i = 0; i < N; i++) await pause();
    const c = process.cpuUsage(c0);
    const idle = (c.user + c.system) / N;
    const show = (xs: number[]) => xs.map((x) => (x - idle).toFixed(0)).join(' / ');
    console.log(`WAL flush io (${RECORD.length} B record, fdatasync), process CPU per flush in µs, 4 interleaved rounds of ${N} (the pause's ${idle.toFixed(0)} µs subtracted), load ${load0.toFixed(1)} → ${loadavg()[0].toFixed(1)}`);
    console.log(`  ${OLD}: ${show(res.old)}`);
    console.log(`  this tree: ${show(res.new)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
