/**
 * Re-measures a workspace study's recommendation against the current configuration file,
 * outside the editor (the same engine code as the study view's "Re-measure"):
 *
 *   node --import tsx bench/tune/remeasure.ts --workspace examples/all-use --study engine-throughput [--pairs 6] [--trial N] [--set-arg FLAG=VALUE]
 *
 * Reads the study's log (.alluse-perf/studies/<name>.jsonl), takes the recommended trial
 * (or --trial N), runs the trial command for the current file (A) and the recommendation
 * (B) interleaved A B A B ..., and prints each run, then every effect with its 95% paired-
 * bootstrap interval, and a JSON line with everything. Method: docs/tuning.md.
 * --set-arg replaces the value after FLAG in the trial command's arguments (e.g.
 * `--set-arg --rate=2200` re-measures at another offered load); the output says so.
 */
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { recommendedTrial } from '../../engine/tune/recommendation';
import { describeEffect, remeasure } from '../../engine/tune/remeasure';
import type { StudyTrial } from '../../engine/tune/study';
import { studiesFromYaml } from '../../engine/tune/studyConfig';
import { parseStudyLog, resumeState, studyLogPath } from '../../engine/tune/studyLog';
import { join, resolve } from 'node:path';
import { analyzeWorkspace } from '../../engine/index';
import { workspaceConfigFrom } from '../../engine/workspace/config';

function loadWorkspace(dirArg: string) {
  const dir = resolve(dirArg);
  const analysis = analyzeWorkspace(readFileSync(join(dir, 'alluse-perf.yaml'), 'utf8'), { fileExists: (p) => existsSync(resolve(dir, p)) });
  if (!analysis.doc || analysis.findings.some((f) => f.severity === 'error')) throw new Error(`${dir}/alluse-perf.yaml has errors: run alluse-perf validate`);
  return { dir, config: workspaceConfigFrom(analysis.doc) };
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<number> {
  const loaded = loadWorkspace(arg('workspace') ?? '.');
  const defs = studiesFromYaml(loaded.config.tuning.studies, loaded.dir);
  let def = defs.find((d) => d.name === (arg('study') ?? defs[0]?.name));
  if (!def) throw new Error(`no such study; studies: ${defs.map((d) => d.name).join(', ')}`);
  const set = arg('set-arg');
  if (set) {
    const [flag, value] = [set.slice(0, set.indexOf('=')), set.slice(set.indexOf('=') + 1)];
    const i = def.trial.args.indexOf(flag);
    if (!flag || i < 0 || i + 1 >= def.trial.args.length) throw new Error(`--set-arg ${set}: the trial command has no argument ${flag} with a value`);
    def = { ...def, trial: { ...def.trial, args: def.trial.args.map((a, k) => (k === i + 1 ? value : a)) } };
    process.stderr.write(`Trial command changed for this re-measurement: ${flag} ${value}\n`);
  }
  const logPath = studyLogPath(loaded.dir, def.name);
  if (!existsSync(logPath)) throw new Error(`no log ${logPath}: run the study first (alluse-perf optimize --workspace ${loaded.dir} --study ${def.name})`);
  const trials = resumeState(parseStudyLog(readFileSync(logPath, 'utf8')).records.slice(1)).finished.map((t) => ({ ...t, params: t.params ?? {} })) as StudyTrial[];
  const pick = arg('trial');
  const rec = pick !== undefined ? trials.find((t) => t.trial === Number(pick)) : recommendedTrial(trials, def);
  if (!rec) throw new Error('no feasible trial to re-measure');
  const pairs = Number(arg('pairs') ?? 6);
  const t0 = Date.now();
  const load0 = loadavg();
  process.stderr.write(`Re-measuring trial #${rec.trial} ${JSON.stringify(rec.params)} (study values ${JSON.stringify(rec.values)}) against ${def.configFile}: ${pairs} interleaved pairs; load average ${load0.map((x) => x.toFixed(2)).join(' ')}\n`);
  // Trials run in their own process group (detached), so a signal to this script does not
  // reach them: cancel through the engine, which stops the running trial's group.
  const abort = new AbortController();
  const onSignal = (sig: string) => {
    process.stderr.write(`${sig}: stopping the running trial; the complete pairs are reported\n`);
    abort.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const r = await remeasure(def, rec.params, {
    pairs,
    signal: abort.signal,
    onRun: (run, done, total) => {
      const m = run.outcome.metrics ?? {};
      process.stderr.write(`  run ${done}/${total} ${run.arm.padEnd(11)} ${run.outcome.state}${run.outcome.reason ? ` (${run.outcome.reason.slice(0, 200)})` : ''} ${[...def.objectives.map((o) => o.name), ...def.constraints.map((c) => c.metric)].map((n) => `${n}=${m[n]}`).join(' ')}  load ${loadavg()[0].toFixed(2)}\n`);
    },
  });
  const load1 = loadavg();
  for (const e of r.effects) process.stdout.write(`${describeEffect(e)}\n`);
  if (r.problem) process.stdout.write(`problem: ${r.problem}\n`);
  process.stdout.write(
    JSON.stringify({ study: def.name, trialArgs: def.trial.args, trial: rec.trial, params: rec.params, pairs: r.pairs, feasible: r.feasible, effects: r.effects, problem: r.problem, minutes: (Date.now() - t0) / 60000, loadavgBefore: load0, loadavgAfter: load1, runs: r.runs.map((x) => ({ arm: x.arm, pair: x.pair, state: x.outcome.state, metrics: Object.fromEntries([...def.objectives.map((o) => o.name), ...def.constraints.map((c) => c.metric)].map((n) => [n, x.outcome.metrics?.[n]])) })) }) + '\n',
  );
  return r.pairs ? 0 : 1;
}

main().then(
  (c) => process.exit(c),
  (e) => {
    process.stderr.write(`remeasure: ${(e as Error).message}\n`);
    process.exit(2);
  },
);
