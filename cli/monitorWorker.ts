/**
 * `alluse-perf monitor` in a worker thread (see monitorLauncher.ts): the monitor with the
 * options of the command, stopped when the main thread says so (it gets the signals).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { monitorWorkspace, type MonitorCommandOptions } from './monitorCommand';

const { opts, isTty } = workerData as { opts: MonitorCommandOptions; isTty: boolean };
const stopRequested = new Promise<void>((resolve) => parentPort!.once('message', () => resolve()));
// Listening must not keep the thread alive once the monitor has stopped (--duration).
parentPort!.unref();
void monitorWorkspace(
  opts,
  (s) => process.stdout.write(s + '\n'),
  (s) => process.stderr.write(s + '\n'),
  isTty,
  stopRequested,
).then(
  (code) => parentPort!.postMessage({ code }),
  (e: unknown) => {
    process.stderr.write(`alluse-perf monitor: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    parentPort!.postMessage({ code: 1 });
  },
);
