/**
 * Gives a process's helper threads a lower scheduling priority than its main thread (Linux).
 *
 * Why: the analysis server's main thread answers the editor and runs the monitor's rounds; the
 * threads it starts do background work that can wait a few milliseconds: libuv's pool (file
 * writes, the WAL's fdatasync) and the store's encode worker (a cut's blocks). On two cores,
 * under `bench:load`, stalls over 100 ms were the main thread waiting for a CPU while the
 * server's other threads ran (docs/performance.md, "Load"). Linux schedules each thread by its
 * own nice value, so a helper at nice 10 (weight 110 against the main thread's 1024) runs
 * whenever a core is free but yields to the main thread when they compete. Raising a thread's
 * nice value needs no privilege; nothing here lowers one.
 *
 * Not for threads the main thread waits for synchronously: V8's platform threads mark and
 * sweep inside collections that the main thread joins, and lowered they made it wait
 * (priority inversion; the caller passes them in `keep`).
 *
 * Threads come and go (libuv's pool starts at the first file operation, the encode worker at
 * the first cut), so the caller runs this again now and then; each run reads
 * /proc/self/task (a dozen entries) and sets only the threads not yet at `nice`.
 *
 * Elsewhere (macOS, Windows: no per-thread nice through this call) it does nothing.
 */
import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

export interface ThreadPriorityResult {
  /** Helper threads found: every thread but the main one and the kept ones. */
  helpers: number;
  /** Of them, set to `nice` by this call. */
  lowered: number;
}

/**
 * Sets every thread of this process except the main one and those in `keep` to at least
 * `nice` (1–19). Returns what it found and set; undefined where per-thread priorities are not
 * available.
 */
export function lowerHelperThreads(nice: number, keep: ReadonlySet<number> = new Set(), pid = process.pid): ThreadPriorityResult | undefined {
  if (process.platform !== 'linux' || !(nice >= 1 && nice <= 19)) return undefined;
  const tids = threadIds();
  if (tids.size === 0) return undefined; // no /proc here: a process has at least its main thread
  let helpers = 0;
  let lowered = 0;
  for (const tid of tids) {
    if (tid === pid || keep.has(tid)) continue;
    helpers++;
    try {
      // getpriority/setpriority with a thread id apply to that thread alone on Linux.
      if (getPriority(tid) < nice) {
        setPriority(tid, nice);
        lowered++;
      }
    } catch {
      // The thread ended between the listing and the call.
    }
  }
  return { helpers, lowered };
}

/** The ids of this process's threads now (Linux; empty elsewhere). */
export function threadIds(): Set<number> {
  try {
    return new Set(readdirSync('/proc/self/task').map(Number).filter(Number.isInteger));
  } catch {
    return new Set();
  }
}

/** The nice value for the server's helper threads: ALLUSE_HELPER_THREAD_NICE (0 turns it off, for A/B benchmarks), else `fallback`. */
export function helperThreadNice(env: Readonly<Record<string, string | undefined>>, fallback: number): number {
  const v = env.ALLUSE_HELPER_THREAD_NICE;
  if (v === undefined || v.trim() === '') return fallback;
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 && n <= 19 ? n : fallback;
}
