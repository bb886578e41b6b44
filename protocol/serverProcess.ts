/**
 * How the analysis server's process is started: the node flags and environment that every
 * launcher gives it (the extension's client, client/src/analysisClient.ts, and the tests'
 * and benchmarks' client, test/helpers/lspClient.ts, so that `bench:load` runs the server as
 * the editor does). Constants only: this file is shared and imports nothing.
 *
 * Why each one (measured with `npm run bench:load`, docs/performance.md, "Load"):
 * - `--max-semi-space-size=16` (V8's own default on 64 bits, said here so that nobody lowers it
 *   again): the server under load allocates some 50 MB/s, and what a collection round, a scrape
 *   or a cut's slice holds for a few turns of the event loop must die young. With 2 MiB
 *   semi-spaces (this setting before, to keep about 28 MiB of empty nursery out of the editor's
 *   memory) an object that lived 20-40 ms was promoted (or its allocation site pretenured),
 *   the old generation filled with short-lived garbage, and mark-compacts (concurrent marking
 *   on the 2 cores beside the main thread, then an atomic pause with compaction) came every few
 *   seconds, besides seven times the scavenges: the GC pauses in the load benchmark's stalls
 *   at the store's cuts (docs/performance.md, "Load", "GC at the cuts";
 *   test/unit/serverProcessYoungGen.test.ts).
 * - `--heap-growing-percent=50`: after each full collection V8 lets the old generation grow
 *   by a factor it picks between 1.1 and 4 from its GC and allocation speeds. Monitoring many
 *   series allocates fast, so the factor stays high; the heap in use then swings between the
 *   live set and up to twice it, and the committed heap (resident) follows the highest swing
 *   and stays. A fixed 1.5 bounds that swing, for more frequent (concurrent) marking.
 * - `--concurrent-marking-max-worker-num=1`: V8 marks the old generation concurrently on up to
 *   all of its platform threads (four in Node, three in Electron). On two cores, under load,
 *   they ran together with the main thread's work, and the main thread waited for a CPU:
 *   stalls over 100 ms (docs/performance.md, "Load", "The server's helper threads"). One
 *   marker leaves a core to the main thread. Marking takes longer in wall time; the
 *   mark-compacts are as frequent and the memory bounded as before (same section).
 * - glibc malloc (array buffers' backing stores are malloc'ed, by every thread): by default
 *   an allocation of 128 KiB or more is mmapped, but the first time such a block is freed
 *   the threshold rises to its size (up to 32 MiB), so from then on the store's cut buffers
 *   (hundreds of KiB to tens of MiB, every 20 s at 10,000 series) come from the heap and
 *   leave holes that other allocations pin, and each thread that allocates gets an arena of
 *   its own (the encode worker's held 50–90 MiB, most of it free). A fixed threshold of
 *   64 KiB gives such buffers back to the system when freed; two arenas are enough for a
 *   process with one busy thread and one worker; the heap's free top is returned above 1 MiB.
 *   Other C libraries (musl) and allocators ignore these variables, so they are harmless there.
 */

/** Node flags for the server process (before its script). */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=16', '--heap-growing-percent=50', '--concurrent-marking-max-worker-num=1'];

/** Environment variables added to the server process's (glibc's malloc tunables; see above). */
export const SERVER_ENV: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '2',
  MALLOC_MMAP_THRESHOLD_: '65536',
  MALLOC_TRIM_THRESHOLD_: '1048576',
};

/** Names the variables of SERVER_ENV that the launcher added (comma-separated). */
export const SERVER_ENV_ADDED = 'ALLUSE_SERVER_ENV_ADDED';

/**
 * The server's environment: `base` with SERVER_ENV's variables that `base` does not set
 * (a person's own malloc settings stay), and SERVER_ENV_ADDED naming them.
 */
export function serverEnv(base: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  const added = Object.keys(SERVER_ENV).filter((k) => base[k] === undefined);
  for (const k of added) env[k] = SERVER_ENV[k];
  env[SERVER_ENV_ADDED] = added.join(',');
  return env;
}

/**
 * Takes out of `env` (the server's own, at start-up) what `serverEnv` added. glibc has read
 * them by then (at the process's first malloc); the processes the server starts (components,
 * tuning trials) must run with the malloc a person gave them, not with the server's, or they
 * would be measured under other settings than they run with.
 */
export function removeServerEnv(env: Record<string, string | undefined>): void {
  const added = env[SERVER_ENV_ADDED];
  if (added === undefined) return;
  for (const k of added.split(',')) if (k in SERVER_ENV && env[k] === SERVER_ENV[k]) delete env[k];
  delete env[SERVER_ENV_ADDED];
}
