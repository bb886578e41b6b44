/**
 * `alluse-perf optimize` in generic mode, end to end through the built dist/cli.js with a
 * real Node script as the trial command: the JSON lines, hostile parameter values that must
 * stay values (no shell anywhere), a kill -9 of the CLI in the middle of a study and the
 * resume (no finished trial lost, none run twice), timeouts, and the usage errors.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ROOT } from '../helpers/lspClient';

const CLI = join(ROOT, 'dist/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'optimize-generic-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], cwd = dir): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, 'optimize', ...args], { cwd, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

const jsonLines = (s: string) => s.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>);

/**
 * The trial command: appends {trial, params, argv, env} to runs.jsonl as it starts (so the
 * test counts executions), optionally sleeps, then prints a noise line and the result.
 * y = (x - 0.3)^2 + (mode == "b" ? 0.5 : 0), z = n.
 */
const TRIAL = join(dir, 'trial.js');
writeFileSync(
  TRIAL,
  `const fs = require('node:fs');
const params = JSON.parse(process.argv[2]);
fs.appendFileSync(process.env.RUNS_FILE, JSON.stringify({ trial: Number(process.env.ALLUSE_TRIAL_NUMBER), params, argv: process.argv.slice(2), env: process.env.ALLUSE_PARAMS, mode: process.env.ALLUSE_PARAM_MODE }) + '\\n');
const done = () => {
  console.log('measured');
  console.log(JSON.stringify({ y: (params.x - 0.3) ** 2 + (params.mode === 'b' ? 0.5 : 0), z: params.n, nested: { v: 1 } }));
};
const sleep = Number(process.env.TRIAL_SLEEP_MS || 0) * (params.slow === 'yes' ? 1000 : 1);
if (sleep) setTimeout(done, sleep); else done();
`,
);

function space(extra: Record<string, unknown> = {}): string {
  const p = join(dir, `space-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(p, JSON.stringify({ x: { type: 'float', low: 0, high: 1 }, n: { type: 'int', low: 1, high: 5 }, mode: { type: 'categorical', choices: ['a', 'b'] }, ...extra }));
  return p;
}

function runsOf(file: string): { trial: number; params: Record<string, unknown>; argv: string[]; env: string; mode: string }[] {
  return existsSync(file) ? jsonLines(readFileSync(file, 'utf8')) as never : [];
}

describe('alluse-perf optimize (generic mode)', () => {
  it('runs the study and prints one JSON line per trial, then the best point', async () => {
    const ws = join(dir, 'ws-basic');
    mkdirSync(ws);
    const runs = join(ws, 'runs.jsonl');
    process.env.RUNS_FILE = runs;
    const r = await cli(['--workspace', ws, '--space', space(), '--command', `node ${TRIAL} {params}`, '--objective', 'y:min', '--budget', '6', '--seed', '5', '--algorithm', 'random', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const lines = jsonLines(r.stdout);
    assert.equal(lines.length, 7);
    const trials = lines.slice(0, 6);
    assert.deepEqual(trials.map((l) => l.trial), [0, 1, 2, 3, 4, 5]);
    for (const l of trials) {
      assert.equal(l.state, 'complete');
      assert.deepEqual(Object.keys(l.params).sort(), ['mode', 'n', 'x']);
      const expected = ((l.params.x as number) - 0.3) ** 2 + (l.params.mode === 'b' ? 0.5 : 0);
      assert.ok(Math.abs(l.values.y - expected) < 1e-12, `${JSON.stringify(l)}`);
      assert.ok(Number.isInteger(l.params.n) && l.params.n >= 1 && l.params.n <= 5);
    }
    const best = lines[6];
    const min = trials.reduce((a, b) => (b.values.y < a.values.y ? b : a));
    assert.deepEqual(best.best, { trial: min.trial, params: min.params, values: min.values });
    assert.equal(best.trials, 6);
    assert.equal(best.stoppedBy, 'budget-trials');
    assert.equal(best.log, join(ws, '.alluse-perf/studies/optimize.jsonl'));
    // The command got the parameters both as {params} and as ALLUSE_PARAMS.
    const seen = runsOf(runs);
    assert.equal(seen.length, 6);
    for (const s of seen) assert.equal(s.env, s.argv[0]);
    // Same seed, fresh log: the same points (reproducible).
    const again = await cli(['--workspace', ws, '--space', space(), '--command', `node ${TRIAL} {params}`, '--objective', 'y:min', '--budget', '6', '--seed', '5', '--json', '--fresh']);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(jsonLines(again.stdout).slice(0, 6).map((l) => l.params), trials.map((l) => l.params));
  });

  it('several objectives: a last line with the Pareto front of the feasible points', async () => {
    const ws = join(dir, 'ws-pareto');
    mkdirSync(ws);
    process.env.RUNS_FILE = join(ws, 'runs.jsonl');
    const r = await cli(['--workspace', ws, '--space', space(), '--command', `node ${TRIAL} {params}`, '--objective', 'y:min', '--objective', 'z:max', '--constraint', 'z <= 4', '--budget', '10', '--seed', '2', '--json']);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    const lines = jsonLines(r.stdout);
    const trials = lines.slice(0, -1);
    const last = lines.at(-1)!;
    assert.ok(Array.isArray(last.pareto));
    const feasible = trials.filter((t) => t.state === 'complete' && t.values.z <= 4);
    for (const t of trials) assert.equal(t.feasible, t.values.z <= 4);
    // The front by hand: feasible points no other feasible point beats in both.
    const front = feasible.filter((a) => !feasible.some((b) => b !== a && b.values.y <= a.values.y && b.values.z >= a.values.z && (b.values.y < a.values.y || b.values.z > a.values.z)));
    assert.deepEqual(last.pareto.map((p: { trial: number }) => p.trial), front.map((t) => t.trial));
    assert.equal(r.code, front.length ? 0 : 1);
  });

  it('keeps hostile parameter values as values: no shell, verbatim in argv, environment and output', async () => {
    const ws = join(dir, 'ws-hostile');
    mkdirSync(ws);
    const runs = join(ws, 'runs.jsonl');
    process.env.RUNS_FILE = runs;
    const victim = join(ws, 'victim');
    mkdirSync(victim);
    writeFileSync(join(victim, 'keep.txt'), 'still here');
    const pwned = join(ws, 'pwned');
    const hostile = [`; rm -rf ${victim}`, `$(touch ${pwned})`, `\`touch ${pwned}-bt\``, `a' && touch ${pwned}-q '`, `x | touch ${pwned}-pipe`, '$&{params}${trialConfigDir}'];
    const s = space({ mode: { type: 'categorical', choices: hostile } });
    // The command line itself holds shell syntax too; words only, so it reaches node as arguments.
    const r = await cli(['--workspace', ws, '--space', s, '--command', `node ${TRIAL} {params} ; touch ${pwned}-cmd`, '--objective', 'y:min', '--budget', '12', '--seed', '1', '--json']);
    assert.equal(r.code, 0, r.stderr);
    for (const f of ['', '-bt', '-q', '-pipe', '-cmd']) assert.ok(!existsSync(pwned + f), `${pwned + f} was created: something ran through a shell`);
    assert.equal(readFileSync(join(victim, 'keep.txt'), 'utf8'), 'still here');
    const seen = runsOf(runs);
    assert.equal(seen.length, 12);
    const modes = new Set(seen.map((x) => x.params.mode));
    assert.ok(modes.size >= 4, `only ${[...modes].length} different values drawn`);
    for (const x of seen) {
      assert.ok(hostile.includes(x.params.mode as string));
      assert.equal(x.mode, x.params.mode, 'ALLUSE_PARAM_MODE holds the value verbatim');
      assert.deepEqual(x.argv, [JSON.stringify(x.params), ';', 'touch', `${pwned}-cmd`], 'one argument for {params}, shell syntax as plain words');
      assert.equal(x.env, x.argv[0]);
    }
    const trials = jsonLines(r.stdout).slice(0, -1);
    for (const [i, t] of trials.entries()) assert.equal(t.params.mode, seen.find((x) => x.trial === t.trial)!.params.mode, `trial ${i}`);
  });

  it('after a kill -9 of the CLI mid-study, a re-run resumes: no finished trial lost, none run twice', async () => {
    const ws = join(dir, 'ws-kill');
    mkdirSync(ws);
    const runs = join(ws, 'runs.jsonl');
    const logPath = join(ws, '.alluse-perf/studies/killme.jsonl');
    const args = ['--workspace', ws, '--study', 'killme', '--space', space(), '--command', `node ${TRIAL} {params}`, '--objective', 'y:min', '--budget', '8', '--seed', '11', '--json'];
    const env = { ...process.env, RUNS_FILE: runs, TRIAL_SLEEP_MS: '300' };
    const child = spawn(process.execPath, [CLI, 'optimize', ...args], { cwd: ws, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let firstOut = '';
    child.stdout.on('data', (d) => (firstOut += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ? null : code)));
    // Kill it while its fourth trial runs: three finished, the fourth started by the command.
    const logText = () => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : '');
    const deadline = Date.now() + 60_000;
    while (!(logText().split('"type":"trial-finished"').length - 1 >= 3 && runsOf(runs).some((x) => x.trial === 3))) {
      assert.ok(Date.now() < deadline, `the study did not get to its fourth trial: ${logText()}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    child.kill('SIGKILL');
    assert.equal(await exited, null);
    const atKill = jsonLines(logText());
    const finishedBefore = new Set(atKill.filter((r) => r.type === 'trial-finished').map((r) => r.trial as number));
    const unfinished = atKill.filter((r) => r.type === 'trial-started' && !finishedBefore.has(r.trial)).map((r) => r.trial as number);
    assert.ok(finishedBefore.size >= 3);
    // One trial was running at the kill (or, on a slow machine, had just been logged as started).
    assert.ok(unfinished.length <= 1 && unfinished.every((t) => t === Math.max(...finishedBefore) + 1), JSON.stringify(unfinished));
    assert.equal(jsonLines(firstOut).length, finishedBefore.size);

    // The re-run (the killed trial's orphaned command may still be finishing: it only prints).
    const second = await new Promise<Run>((resolve) => {
      execFile(process.execPath, [CLI, 'optimize', ...args], { cwd: ws, env: { ...env, TRIAL_SLEEP_MS: '0' } }, (error, stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stdout, stderr }));
    });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, new RegExp(`Resuming study "killme".*${finishedBefore.size} finished trial\\(s\\) kept${unfinished.length ? `, 1 interrupted trial\\(s\\) run again \\(#${unfinished[0]}\\)` : ''}`));
    const out = jsonLines(second.stdout);
    assert.deepEqual(out.slice(0, -1).map((l) => l.trial), [...Array(8).keys()]);
    assert.deepEqual(out.filter((l) => l.resumed).map((l) => l.trial), [...finishedBefore].sort((a, b) => a - b));
    // Executions per trial: the finished ones once, the interrupted one twice (killed, then re-run with the same parameters), the rest once.
    const seen = runsOf(runs);
    for (let t = 0; t < 8; t++) {
      const execs = seen.filter((x) => x.trial === t);
      // The killed one ran twice, unless the kill came before its command started.
      if (unfinished.includes(t)) assert.ok(execs.length === 1 || execs.length === 2, `trial ${t} ran ${execs.length} times`);
      else assert.equal(execs.length, 1, `trial ${t} ran ${execs.length} times`);
      if (execs.length === 2) assert.deepEqual(execs[1].params, execs[0].params);
    }
    // In the log, every trial finished exactly once.
    const fin = jsonLines(logText()).filter((r) => r.type === 'trial-finished').map((r) => r.trial);
    assert.deepEqual([...fin].sort((a, b) => a - b), [...Array(8).keys()]);
    assert.equal(out.at(-1)!.trials, 8);
  });

  it('stops a trial at its timeout and records it failed, never as a value', async () => {
    const ws = join(dir, 'ws-timeout');
    mkdirSync(ws);
    const s = space({ slow: { type: 'categorical', choices: ['yes'] } });
    const t0 = Date.now();
    const r = await new Promise<Run>((resolve) => {
      execFile(process.execPath, [CLI, 'optimize', '--workspace', ws, '--space', s, '--command', `node ${TRIAL} {params}`, '--objective', 'y:min', '--budget', '2', '--timeout', '1s', '--json'], { cwd: ws, env: { ...process.env, RUNS_FILE: join(ws, 'runs.jsonl'), TRIAL_SLEEP_MS: '60' } }, (error, stdout, stderr) =>
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
      );
    });
    assert.equal(r.code, 1, 'no trial completed: exit 1');
    assert.ok(Date.now() - t0 < 30_000);
    const lines = jsonLines(r.stdout);
    for (const l of lines.slice(0, 2)) {
      assert.equal(l.state, 'failed');
      assert.equal(l.values, null);
      assert.match(l.reason, /timed out after 1 s/);
    }
    assert.equal(lines[2].best, null);
    assert.equal(lines[2].failed, 2);
  });

  it('tells the user what to do when the study cannot start (exit 2)', async () => {
    const s = space();
    const cases: [string[], RegExp][] = [
      [['--space', s, '--command', 'node x.js'], /at least one --objective NAME:min\|max/],
      [['--space', s, '--objective', 'y:min'], /--space needs --command/],
      [['--command', 'node x', '--objective', 'y:min'], /--command needs --space/],
      [['--space', s, '--command', 'node "x', '--objective', 'y:min'], /unclosed "/],
      [['--space', s, '--command', 'node x', '--objective', 'y'], /NAME:min or NAME:max/],
      [['--space', join(dir, 'nope.json'), '--command', 'node x', '--objective', 'y:min'], /cannot read the search space/],
      [['--space', s, '--command', 'node x', '--objective', 'y:min', '--algorithm', 'magic'], /unknown tuning algorithm "magic"; use one of: auto, bayesian/],
      [['--space', s, '--command', 'node x', '--objective', 'y:min', '--budget', 'lots'], /--budget must be a whole number/],
      [['--workspace', dir], /no alluse-perf\.yaml in .*--workspace DIR/],
    ];
    for (const [args, msg] of cases) {
      const r = await cli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, msg, args.join(' '));
      assert.equal(r.stdout, '');
    }
  });
});
