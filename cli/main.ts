/**
 * `alluse-perf` (dist/cli.js): the entry of the command line. A plain `alluse-perf monitor`
 * starts the monitor's worker from here without loading anything else, so the monitor's
 * main thread, which only forwards output and signals for as long as the monitor runs, keeps
 * a heap of a few MiB instead of commander and every command's code (cli/monitorArgs.ts).
 * Everything else, `monitor --help` and every error included, goes to the whole command line
 * (cli/commandLine.ts, its own bundle dist/commandLine.js). The name is not a literal, so
 * esbuild leaves the require to run time; run from the sources (tsx), it names the .ts module.
 */
import { join } from 'node:path';
import { plainMonitorArgs } from './monitorArgs';
import { runMonitor } from './monitorLauncher';

const monitor = plainMonitorArgs(process.argv.slice(2));
if (monitor) {
  runMonitor(monitor, (s) => process.stdout.write(s + '\n'), (s) => process.stderr.write(s + '\n'), process.stdout.isTTY === true).then(
    (code) => {
      process.exitCode = code;
    },
    // As cli/commandLine.ts reports an action that throws.
    (e: unknown) => {
      process.stderr.write(`alluse-perf: ${(e as Error).message}\n`);
      process.exitCode = 2;
    },
  );
} else {
  require(join(__dirname, 'commandLine'));
}
