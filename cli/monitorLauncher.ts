/**
 * Runs `alluse-perf monitor` in a worker thread whose young generation is limited.
 *
 * Why: V8 grows the young generation (where new objects are made) to 32 MiB in a process
 * that allocates more than about 1 MB/s, and gives it back only when allocation falls below
 * that. The monitor allocates 1–2 MB/s, so about 30 MiB of its resident memory was an
 * almost empty nursery (docs/performance.md, "Monitoring"). The size is fixed when a heap is
 * made: `--max-semi-space-size` works on the command line only (`v8.setFlagsFromString`
 * leaves a running heap as it is), and a launcher line with flags (`#!/usr/bin/env -S node
 * …`) is not portable (busybox, Windows). A worker's heap takes its limits as an option
 * (`resourceLimits.maxYoungGenerationSizeMb`), so the monitor runs there; the main thread
 * only forwards its output and the stop signals.
 *
 * V8 runs in single-threaded mode here (`--single-threaded`: no background compilation or
 * garbage-collection tasks): the platform's four threads kept 1.6–3.5 MiB each of freed
 * memory in glibc's per-thread malloc arenas, 8–10 MiB of the monitor's RSS (measured side by
 * side in docs/performance.md, "Monitoring"). The flag is set before the worker's isolate is
 * made, so that isolate is set up with it (its compile dispatcher, its heap's marking and
 * sweeping); the main thread has run nothing but Node's start-up and this entry by then.
 *
 * The cost: more frequent, smaller scavenges (measured in docs/performance.md). Run from the
 * sources (tsx) there is no bundle to start a worker on: the monitor runs in this thread.
 * This module is bundled into dist/cli.js, the entry of every command, so it imports nothing
 * of the monitor itself.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { MonitorCommandOptions } from './monitorCommand';

/**
 * The young generation of the monitor's heap, in MiB: V8 makes it three times a semi-space,
 * so 6 gives semi-spaces of 2 MiB (`--max-semi-space-size=2`, as the editor's server gets).
 */
export const MONITOR_YOUNG_GENERATION_MB = 6;

export function runMonitor(opts: MonitorCommandOptions, out: (s: string) => void, err: (s: string) => void, isTty: boolean): Promise<number> {
  const bundle = join(__dirname, 'monitorWorker.js');
  if (!__filename.endsWith('.js') || !existsSync(bundle)) {
    // From the sources only: the bundle that starts the worker (dist/cli.js) must not carry
    // the monitor's code, so it is required by a name esbuild leaves to run time.
    const { monitorWorkspace } = require(join(__dirname, 'monitorCommand')) as typeof import('./monitorCommand');
    return monitorWorkspace(opts, out, err, isTty);
  }
  // Before the worker's isolate exists: it is set up without V8's background threads.
  setFlagsFromString('--single-threaded');
  return new Promise<number>((resolve) => {
    let code = 1;
    const worker = new Worker(bundle, { workerData: { opts, isTty }, resourceLimits: { maxYoungGenerationSizeMb: MONITOR_YOUNG_GENERATION_MB } });
    const stop = () => worker.postMessage('stop');
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    worker.on('message', (m: { code?: number }) => {
      if (typeof m.code === 'number') code = m.code;
    });
    worker.on('error', (e) => err(`alluse-perf monitor: ${e.stack ?? e.message}`));
    worker.on('exit', () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(code);
    });
  });
}
