/**
 * What one wake-up of an idle Node thread costs on this machine: a worker thread set up as the
 * monitor's (V8 single-threaded as cli/monitorLauncher.ts sets it, a 6 MiB young generation) runs an
 * empty `setTimeout` loop at 1 and at 100 wake-ups per second, each in its own process, both
 * at the same time; after 3 s the CPU time of each process (all threads) is taken over 20 s.
 * The difference per extra wake-up is the price of a timer, a socket event or a thread-pool
 * completion that does no work, which the monitor pays for each of its own (docs/performance.md,
 * "Monitoring").
 *
 * Usage: node --import tsx bench/wakeupCost.ts
 */
import { execFile } from 'node:child_process';
import { loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';

const WARMUP_MS = 3000;
const WINDOW_MS = 20_000;

/** The worker's loop, as plain JavaScript (a worker does not go through tsx). */
const LOOP = `const ms = 1000 / require('node:worker_threads').workerData; const round = () => setTimeout(round, ms); setTimeout(round, ms);`;

if (process.argv[2]) {
  // One measured process: the loop in a worker, CPU of the whole process.
  const w = new Worker(LOOP, { eval: true, workerData: Number(process.argv[2]), resourceLimits: { maxYoungGenerationSizeMb: 6 } });
  setTimeout(() => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    setTimeout(() => {
      const c = process.cpuUsage(c0);
      console.log(JSON.stringify({ hz: Number(process.argv[2]), cpuUsPerS: ((c.user + c.system) * 1000) / (performance.now() - t0) }));
      void w.terminate();
    }, WINDOW_MS);
  }, WARMUP_MS);
} else {
  const run = (hz: number) => new Promise<{ hz: number; cpuUsPerS: number }>((resolve, reject) =>
    // V8's single-threaded mode from the command line: set at run time in this process (as
    // the launcher does), its main thread's next incremental marking crashes V8 (tsx makes
    // garbage there): "Check failed: concurrent_marking_handle_ …" (docs/performance.md).
    execFile(process.execPath, ['--single-threaded', ...process.execArgv, __filename, String(hz)], (e, out) => (e ? reject(e) : resolve(JSON.parse(out)))));
  const load0 = loadavg()[0];
  void Promise.all([run(1), run(100)]).then(([a, b]) => {
    const per = (b.cpuUsPerS - a.cpuUsPerS) / 99;
    console.log(`Wake-up cost (worker thread, V8 single-threaded), load ${load0.toFixed(1)} → ${loadavg()[0].toFixed(1)}: 1/s ${(a.cpuUsPerS / 10_000).toFixed(3)}% of a core, 100/s ${(b.cpuUsPerS / 10_000).toFixed(3)}%: ${per.toFixed(0)} µs of CPU per wake-up (${(per / 10_000).toFixed(4)}% of a core per wake-up a second)`);
  });
}
