/**
 * `alluse-perf`: the command line of ALL-USE Performance, on the same engine as the editor.
 */
import { Command, Option } from 'commander';
import { detectFile } from './detectCommand';
import { forecastFile } from './forecastCommand';
import { DETECTOR_NAMES, detectorFactory, type DetectorName } from './detector';
import { capacityCommand } from './capacityCommand';
import { monitorWorkspace } from './monitorCommand';
import { validateFile } from './validateCommand';

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
    process.exitCode = await monitorWorkspace(opts, (s) => process.stdout.write(s + '\n'), (s) => process.stderr.write(s + '\n'), process.stdout.isTTY === true);
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
    process.exitCode = await forecastFile(opts, (s) => process.stdout.write(s + '\n'), (s) => process.stderr.write(s + '\n'));
  });

program
  .command('capacity')
  .description("What each component needs (CPU, memory) at another load: its use fitted against its own throughput from the monitor's store, with 80% intervals, against its limits.")
  .option('--workspace <dir>', 'the folder of alluse-perf.yaml', '.')
  .option('--load <n>', 'the load to plan for, per second')
  .option('--growth <f>', 'or: a multiple of the current load (1.5 = 50% more)')
  .option('--window <duration>', 'the history to fit on', '1h')
  .option('--json', 'one JSON line per component', false)
  .action(async (opts: { workspace: string; load?: string; growth?: string; window: string; json: boolean }) => {
    process.exitCode = await capacityCommand(opts, (s) => process.stdout.write(s + '\n'), (s) => process.stderr.write(s + '\n'));
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`alluse-perf: ${(e as Error).message}\n`);
  process.exitCode = 2;
});
