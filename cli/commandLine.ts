/**
 * `alluse-perf`: the command line of ALL-USE Performance, on the same engine as the editor.
 */
import { join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { detectFile } from './detectCommand';
import { DETECTOR_NAMES, detectorFactory, type DetectorName } from './detector';
import { capacityCommand } from './capacityCommand';
import { impactCommand, type ImpactCommandOptions } from './impactCommand';
import { runMonitor } from './monitorLauncher';
import { validateFile } from './validateCommand';
import type { ReportCommandOptions } from './reportCommand';
import { DEFAULT_REPORT_FILE } from './defaults';
import { compareCommand, type CompareCommandOptions } from './compareCommand';
import { gateCommand, type GateCommandOptions } from './gateCommand';
import type { CoordinateOptions } from './coordinateCommand';
import type { OptimizeOptions } from './optimizeCommand';

/**
 * Commands with heavy code are loaded when they run, never by the others: profile carries
 * ts-morph and the TypeScript compiler (about 15 MB of source, which `alluse-perf monitor`
 * kept in memory for nothing: some 100 MB of RSS), optimize, forecast, report and coordinate
 * their own engines (tuning, forecasting). Each is a bundle of its own beside dist/cli.js
 * (scripts/build.mjs); run from the sources (tsx), the same path names the .ts module. The
 * name is not a literal, so esbuild leaves the require to run time.
 */
const lazy = <T>(name: string) => (): T => require(join(__dirname, name)) as T;
const profileModule = lazy<typeof import('./profileCommand')>('profileCommand');
const optimizeModule = lazy<typeof import('./optimizeCommand')>('optimizeCommand');
const forecastModule = lazy<typeof import('./forecastCommand')>('forecastCommand');
const reportModule = lazy<typeof import('./reportCommand')>('reportCommand');
const coordinateModule = lazy<typeof import('./coordinateCommand')>('coordinateCommand');

const program = new Command();
program
  .name('alluse-perf')
  .description('ALL-USE Performance: monitor, analyse, tune and profile ALL-USE components from a terminal or CI.')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)');

program
  .command('validate')
  .description('Check a workspace file (alluse-perf.yaml) and print its problems as file:line:col: severity code message. Exits 1 when there are errors.')
  .argument('[file]', 'the workspace file', 'alluse-perf.yaml')
  .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
  .action((file: string, opts: { format: 'text' | 'json' }) => {
    process.exitCode = validateFile(file, opts, (s) => process.stdout.write(s + '\n'), (s) => process.stderr.write(s + '\n'));
  });

program
  .command('monitor')
  .description('Monitor the components of a workspace headlessly: system, process and Prometheus metrics into the same store the editor uses, with alerts. A live table on a terminal, one JSON line a second otherwise (or with --json).')
  .option('--workspace <dir>', 'the folder of alluse-perf.yaml', '.')
  .option('--duration <duration>', 'stop after this long, e.g. 60s (default: until Ctrl-C)')
  .option('--json', 'print JSON lines even on a terminal', false)
  .action(async (opts: { workspace: string; duration?: string; json: boolean }) => {
    process.exitCode = await runMonitor(opts, (s) => process.stdout.write(s + '\n'), (s) => process.stderr.write(s + '\n'), process.stdout.isTTY === true);
  });

program
  .command('detect')
  .description('Score every row of a "timestamp,value" CSV with the streaming anomaly detector and write "timestamp,value,anomaly_score" (same rows, same order; each score uses that row and the rows before it only).')
  .requiredOption('--input <file>', 'the CSV to score')
  .option('--output <file>', 'where to write the scored CSV (default: standard output)')
  .addOption(new Option('--detector <name>', 'the detector: the extension\'s, or NAB\'s windowed Gaussian baseline for comparison').choices(DETECTOR_NAMES).default('default'))
  .action(async (opts: { input: string; output?: string; detector: DetectorName }) => {
    process.exitCode = await detectFile(opts, detectorFactory(opts.detector), process.stdout, (s) => process.stderr.write(s + '\n'));
  });

program
  .command('forecast')
  .description('Forecast one series (a "timestamp,value" CSV) or many (JSON lines {"id": ..., "values": [...]}) and write one JSON line per series: {"id", "mean", "lo80", "hi80", "lo95", "hi95", "model"}. Models are chosen per series by rolling-origin cross-validation.')
  .requiredOption('--input <file>', 'the CSV or JSON lines file')
  .requiredOption('--horizon <steps>', 'how many steps to forecast')
  .option('--season <periods>', 'seasonal periods in steps, comma-separated, e.g. 24,168')
  .option('--output <file>', 'where to write the JSON lines (default: standard output)')
  .option('--with <models>', 'also weigh these optional models, comma-separated: ets, mstl (MSTL + AutoETS, WebAssembly), lstm (pooled LSTM)')
  .action(async (opts: { input: string; horizon: string; season?: string; output?: string; with?: string }) => {
    process.exitCode = await forecastModule().forecastFile(opts, (s) => process.stdout.write(s + '\n'), (s) => process.stderr.write(s + '\n'));
  });

program
  .command('capacity')
  .description("What each component needs (CPU, memory) at another load: its use fitted against its own throughput from the monitor's store, with 80% intervals, against its limits.")
  .option('--workspace <dir>', 'the folder of alluse-perf.yaml', '.')
  .option('--load <n>', 'the load to plan for, per second')
  .option('--growth <f>', 'or: a multiple of the current load (1.5 = 50% more)')
  .option('--months <m>', "or: months of the load's growth, measured from the store's hourly rollups (needs 2 days of history)")
  .option('--window <duration>', 'the history to fit on', '1h')
  .option('--json', 'one JSON line per component', false)
  .action(async (opts: { workspace: string; load?: string; growth?: string; months?: string; window: string; json: boolean }) => {
    process.exitCode = await capacityCommand(opts, (s) => process.stdout.write(s + '\n'), (s) => process.stderr.write(s + '\n'));
  });

const coordinate = program.command('coordinate').description("Reconcile recommendations from several sources and share the machine's resources between components (the workspace's coordination section).");
coordinate
  .command('conflicts')
  .description("List the recommendations (tuning studies; the capacity plan and bottleneck predictions from the store on disk, for keys declared under coordination.resources) that conflict (same key, or a shared resource such as cores over its total) and how each is resolved: by coordination.priorities, by measuring the combinations (--measure), or unresolved. Exits 1 when a conflict stays unresolved.")
  .option('--workspace <dir>', 'the folder of alluse-perf.yaml', '.')
  .option('--measure', 'measure the combinations the priorities do not decide (runs the coordination.allocation trial command)', false)
  .option('--load <n>', 'the load (per second) the capacity recommendations plan for (default: today\'s, from the store)')
  .option('--months <m>', 'plan for this many months of the growth measured from the store instead')
  .option('--json', 'one JSON object: recommendations, conflicts, resolutions, offered, withheld', false)
  .action(async (opts: CoordinateOptions) => {
    process.exitCode = await coordinateModule().coordinateConflicts(opts, (s) => process.stdout.write(s + '\n'), (s) => process.stderr.write(s + '\n'));
  });
coordinate
  .command('allocate')
  .description('Distribute the resource totals (coordination.totals, or the host\'s cores and memory) across the keys in coordination.resources to maximise the objective of coordination.allocation, measuring each assignment with its trial command. Prints one change set; --apply writes it.')
  .option('--workspace <dir>', 'the folder of alluse-perf.yaml', '.')
  .option('--budget <n>', 'assignments to measure (default: coordination.allocation.budget)')
  .option('--apply', 'write the edits into the configuration files', false)
  .option('--json', 'one JSON object: values, score, usage, edits, explanation', false)
  .action(async (opts: CoordinateOptions) => {
    process.exitCode = await coordinateModule().coordinateAllocate(opts, (s) => process.stdout.write(s + '\n'), (s) => process.stderr.write(s + '\n'));
  });

program
  .command('profile')
  .description('Take a CPU profile of a running Node component (main and worker threads) through its inspector (process.inspectPort), map it to the TypeScript source and print the hottest functions. Kept in <store>/../profiles with standard .cpuprofile files. Components without an inspector get OS figures (CPU time, context switches, threads).')
  .option('--workspace <dir>', 'the folder of alluse-perf.yaml', '.')
  .requiredOption('--component <name>', 'the component to profile')
  .option('--duration <duration>', 'how long to sample, e.g. 10s', '10s')
  .option('--interval <us>', 'sampling interval in microseconds (default 1000; 10000 for a light continuous profile)')
  .option('--out <file>', 'also write standard .cpuprofile files: FILE for the main thread, FILE.worker-N… for workers')
  .option('--top <n>', 'how many functions to print', '20')
  .option('--heap', 'also take a sampling heap profile of the main thread', false)
  .option('--no-save', 'do not keep the profile in the workspace store')
  .option('--continuous', 'profile again and again at a low sampling rate (10 ms unless --interval), keeping each profile, until Ctrl-C', false)
  .option('--count <n>', 'with --continuous: stop after this many profiles')
  .option('--json', 'print the mapped result as one JSON line', false)
  .action(async (opts: { workspace: string; component: string; duration: string; interval?: string; out?: string; top: string; heap: boolean; save: boolean; json: boolean; continuous: boolean; count?: string }) => {
    process.exitCode = await profileModule().profileCommand(opts, (s) => process.stdout.write(s + '\n'), (s) => process.stderr.write(s + '\n'));
  });

program
  .command('impact')
  .description("The effect of a change on a metric: what the store holds after --at against a forecast from before it, with a 95% interval; \"no detectable effect\" when the interval covers 0.")
  .option('--workspace <dir>', 'the folder of alluse-perf.yaml', '.')
  .requiredOption('--series <name>', 'the series, e.g. process_cpu_ratio or alluse_engine_ticks_total_rate')
  .option('--component <name>', 'only the series of this component (its component label)')
  .requiredOption('--at <time>', 'when the change happened: an ISO time (2026-11-27T06:10:00Z), ms since the epoch, or a duration ago (20m)')
  .option('--json', 'print the result as JSON', false)
  .action(async (opts: ImpactCommandOptions) => {
    process.exitCode = await impactCommand(opts, (s) => process.stdout.write(s + '\n'), (s) => process.stderr.write(s + '\n'));
  });

program
  .command('report')
  .description('Write one self-contained HTML report (no network needed to open it): system and component health, anomalies, bottlenecks, forecasts, tuning studies and applied changes with their measured effects, from the monitor\'s store. Exit 1 when the store has no samples in the range.')
  .option('--workspace <dir>', 'the folder of alluse-perf.yaml', '.')
  .option('--range <duration>', 'how far back, e.g. 1h, 24h, 7d', '24h')
  .option('--out <file>', `where to write the HTML (default ${DEFAULT_REPORT_FILE}; with --json only when given)`)
  .option('--json', 'print the report\'s model as one JSON object on stdout', false)
  .option('--no-forecast', 'skip the forecasts of the key series (faster)')
  .action(async (opts: ReportCommandOptions) => {
    process.exitCode = await reportModule().reportCommand(opts, (s) => process.stdout.write(s + '\n'), (s) => process.stderr.write(s + '\n'));
  });

const collect = (v: string, prev: string[]) => [...prev, v];
/** compare and gate are CI steps: a usage error (missing or unknown option) exits 2, so it is never taken for a failed gate (1). */
const usageExit2 = (e: CommanderError): never => process.exit(e.exitCode === 0 ? 0 : 2);
program
  .command('optimize')
  .description('Run a tuning study: a study of the workspace (tuning.studies in alluse-perf.yaml), or any command over a JSON search space (--space, --command, --objective). The log in .alluse-perf/studies/<name>.jsonl makes a re-run resume. A progress bar on a terminal; --json prints one line per trial and a last line with the best point or the Pareto front. Exit 0 found, 1 nothing feasible, 2 cannot start, 130 stopped.')
  .option('--workspace <dir>', 'the folder of alluse-perf.yaml (the log goes to <dir>/.alluse-perf/studies)', '.')
  .option('--study <name>', 'the study to run (needed when the workspace has several; in generic mode the log\'s name, default "optimize")')
  .option('--budget <n>', 'total number of trials (finished ones in the log count)')
  .option('--time <duration>', 'stop after this wall-clock time, e.g. 30m')
  .option('--algorithm <name>', 'the search algorithm (overrides the study\'s; generic mode default: random)')
  .option('--seed <n>', 'seed of the random numbers')
  .option('--concurrency <n>', 'trials at the same time')
  .option('--timeout <duration>', 'stop a trial after this long and count it failed, e.g. 90s')
  .option('--fresh', 'set the existing log aside and start over', false)
  .option('--json', 'JSON lines on stdout: one per trial, then the result', false)
  .option('--space <file>', 'generic mode: JSON search space {"name": {"type": "float"|"int"|"categorical", "low", "high", "log", "choices"}}')
  .option('--command <command line>', 'generic mode: the command measuring one point, split into words without a shell; {params} is replaced by the parameters as JSON (also in $ALLUSE_PARAMS); it prints a JSON object with the objectives on its last line')
  .option('--objective <name:min|max>', 'generic mode: an objective (repeat for several: a Pareto front)', collect, [])
  .option('--constraint <expr>', 'generic mode: a constraint "METRIC OP NUMBER" (repeatable)', collect, [])
  .action(async (opts: OptimizeOptions) => {
    const stop = new AbortController();
    let interrupts = 0;
    const onSignal = () => {
      if (++interrupts > 1) process.exit(130);
      process.stderr.write('\nalluse-perf optimize: stopping (running trials are stopped and will run again on resume); Ctrl-C again to quit at once.\n');
      stop.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.exitCode = await optimizeModule().optimizeCommand(opts, (s) => process.stdout.write(s + '\n'), (s) => process.stderr.write(s + '\n'), {
      isTTY: process.stderr.isTTY === true,
      writeErr: (s) => process.stderr.write(s),
      signal: stop.signal,
    });
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  });

program
  .command('compare')
  .description('A/B test two configurations with a benchmark: runs the command for A and B interleaved (A B A B ...), then per metric the medians, the difference with a 95% bootstrap interval, the Mann-Whitney p-value and a verdict (better, worse, or no detectable difference). Exit 0 compared, 1 nothing to compare, 2 usage, 130 stopped.')
  .requiredOption('--a <config>', 'configuration A (the baseline): a file or folder, passed to the command as {config} and $ALLUSE_CONFIG')
  .requiredOption('--b <config>', 'configuration B (the candidate)')
  .requiredOption('--command <command line>', 'the benchmark, split into words without a shell; {config} is replaced by the arm\'s configuration path, {arm} by a or b; it prints a JSON object of metrics on its last line')
  .option('--repeats <n>', 'measured runs per configuration (default 10)')
  .option('--warmup <n>', 'warm-up rounds run first and discarded (default 1)')
  .option('--order <order>', 'abab (default) or random (each A/B block in seeded random order)')
  .option('--seed <n>', 'seed of the random order and the bootstrap (default 1)')
  .option('--timeout <duration>', 'stop a run after this long and count it failed (default 10m)')
  .option('--metric <name:min|max>', 'compare only these metrics, in this direction (repeatable; default: every metric, direction guessed from the name)', collect, [])
  .option('--json', 'print the result (with the samples) as one JSON line', false)
  .option('--out <file>', 'write the result with every sample as JSON (what alluse-perf gate reads)')
  .option('--html <file>', 'write a self-contained HTML report with a plot per metric')
  .exitOverride(usageExit2)
  .action(async (opts: CompareCommandOptions) => {
    const stop = new AbortController();
    const onSignal = () => {
      process.stderr.write('\nalluse-perf compare: stopping; the result uses the runs that finished.\n');
      stop.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.exitCode = await compareCommand(opts, (s) => process.stdout.write(s + '\n'), (s) => process.stderr.write(s + '\n'), { isTTY: process.stderr.isTTY === true, writeErr: (s) => process.stderr.write(s), signal: stop.signal });
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  });

program
  .command('gate')
  .description('CI regression gate: compares the current results with a baseline and fails (exit 1) only when a metric regressed beyond its budget with 95% confidence; noise passes (exit 0); usage errors exit 2. Files: alluse-perf compare --out JSON (baseline = arm a, current = arm b), {"samples": {...}}, or JSON lines of benchmark runs.')
  .requiredOption('--baseline <file>', 'the baseline results')
  .requiredOption('--current <file>', 'the current results')
  .option('--budget <metric=change>', 'allowed worsening: p95_latency_ms=+10%, throughput_tps=-5%, rss_bytes=+1000000 (absolute); *=10% sets the default (5%) (repeatable)', collect, [])
  .option('--direction <metric=lower|higher>', 'which way is better, when the name does not say (repeatable)', collect, [])
  .option('--metric <name>', 'gate only these metrics (repeatable; default: every metric in both files)', collect, [])
  .option('--baseline-arm <a|b>', 'the arm of a compare result to use as the baseline (default a)')
  .option('--current-arm <a|b>', 'the arm of a compare result to use as the current (default b)')
  .option('--level <confidence>', 'confidence level (default 0.95)')
  .option('--junit <file>', 'write JUnit XML (one test case per metric)')
  .option('--json', 'print the result as JSON', false)
  .exitOverride(usageExit2)
  .action((opts: GateCommandOptions) => {
    process.exitCode = gateCommand(opts, (s) => process.stdout.write(s + '\n'), (s) => process.stderr.write(s + '\n'));
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`alluse-perf: ${(e as Error).message}\n`);
  process.exitCode = 2;
});
