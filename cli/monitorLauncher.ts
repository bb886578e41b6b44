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
 * V8 runs here without most of its background tasks (MONITOR_V8_FLAGS: no background
 * compilation, sweeping, parallel scavenges or compaction): the platform's four threads kept
 * 1.6–3.5 MiB each of freed memory in glibc's per-thread malloc arenas, 8–10 MiB of the
 * monitor's RSS (measured side by side in docs/performance.md, "Monitoring"). The flags are
 * set before the worker's isolate is made, so that isolate is set up with them.
 *
 * They are global, though: the main thread's isolate, made before them, runs on under them.
 * The marking flags are therefore left as they are. `--single-threaded` (which also turns off
 * concurrent and parallel marking, its own and cppgc's) was a fatal V8 error at the main
 * thread's first incremental mark-compact ("Check failed: concurrent_marking_handle_ implies
 * !concurrent_marking_handle_->IsValid()" in cppgc's marker; `--no-parallel-marking` alone:
 * "Check failed: heap()->concurrent_marking()->IsStopped()"), which ended the monitor: some
 * time in for the few KB/s the main thread forwards, a minute in with a probe allocating
 * there. The flags kept are read at each compile or collection, not set up once per isolate;
 * test/unit/monitorLauncherFlags.test.ts runs mark-compacts in both threads under them. The
 * same RSS as with `--single-threaded`, side by side (docs/performance.md, "Monitoring").
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
 * so 3 gives semi-spaces of 1 MiB (`--max-semi-space-size=1`, V8's smallest: the nursery never
 * grows). With 6 (2 MiB semi-spaces) V8 doubled the nursery at each store cut, whose blocks
 * survive their scavenges, and that was about half of the cut's peak: 3 lowered the peak by
 * 1-2 MiB in side-by-side pairs, for a fifth more scavenges and no CPU cost that the pairs
 * could tell from their noise (docs/performance.md, "Monitoring", 28 Nov). The editor's server
 * has 16 MiB semi-spaces instead (protocol/serverProcess.ts): at the load benchmark's 100,000
 * samples/s, 2 MiB promoted every object living 40-80 ms. The monitor keeps the small one for
 * its memory target.
 */
export const MONITOR_YOUNG_GENERATION_MB = 3;

/**
 * The V8 flags the monitor's worker is made with: what `--single-threaded` implies but the
 * marking flags (set at run time, so the main thread's isolate gets them too: see above); and
 * no Sparkplug, V8's baseline compiler. Its code for every warm function is several times the
 * function's bytecode, and the monitor's hot functions are optimized by TurboFan anyway: side
 * by side, 2.4 MiB lower on the mean and 3.9 at the peak over 10 minutes at the same CPU
 * (docs/performance.md, "Monitoring", 28 Nov). Read at each tiering decision, so it can be set
 * at run time.
 */
export const MONITOR_V8_FLAGS = ['--no-sparkplug', '--no-concurrent-recompilation', '--no-concurrent-sparkplug', '--no-lazy-compile-dispatcher', '--no-concurrent-osr', '--no-parallel-compile-tasks-for-lazy', '--no-parallel-compile-tasks-for-eager-toplevel', '--no-concurrent-sweeping', '--no-parallel-scavenge', '--no-parallel-compaction', '--no-parallel-pointer-update', '--no-concurrent-array-buffer-sweeping'] as const;

/** Sets MONITOR_V8_FLAGS; call before the worker is made. */
export function setMonitorV8Flags(): void {
  for (const f of MONITOR_V8_FLAGS) setFlagsFromString(f);
}

export function runMonitor(opts: MonitorCommandOptions, out: (s: string) => void, err: (s: string) => void, isTty: boolean): Promise<number> {
  const bundle = join(__dirname, 'monitorWorker.js');
  if (!__filename.endsWith('.js') || !existsSync(bundle)) {
    // From the sources only: the bundle that starts the worker (dist/cli.js) must not carry
    // the monitor's code, so it is required by a name esbuild leaves to run time.
    const { monitorWorkspace } = require(join(__dirname, 'monitorCommand')) as typeof import('./monitorCommand');
    return monitorWorkspace(opts, out, err, isTty);
  }
  // Before the worker's isolate exists: it is set up without V8's background threads.
  setMonitorV8Flags();
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
