/**
 * One trial: the configuration copy (values changed in place, comments and layout kept),
 * the placeholders and environment, the result line, repeats with median and spread, and
 * the failures (exit code, missing metric, timeout), run with small real Node scripts.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse } from 'yaml';
import type { StudyDefinition } from '../../engine/tune/studyConfig';
import { editJsonText, editYamlText, TrialConfigError, writeTrialConfig, yamlScalarText } from '../../engine/tune/trialConfigFile';
import { flattenMetrics, lastJsonLine, median, paramEnv, paramEnvName, runTrial, substituteArg } from '../../engine/tune/trialRunner';

const dir = mkdtempSync(join(tmpdir(), 'tune-trial-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const CONFIG = `# protocol-engine: pricing throughput vs tick latency.
workers: 4                # pricing worker threads
batch_timeout_ms: 20      # max wait for a batch
pool:
  # the pool
  size: 8   # threads
  mode: "fast"
flow: { a: 1, b: [1, 2] }
expiries_days: [7, 30, 90]
`;

describe('the trial configuration file', () => {
  it('changes only the values: every comment, alignment and flow style stays byte for byte', () => {
    const out = editYamlText(CONFIG, { workers: 6, batch_timeout_ms: 2.5, size: 16, mode: 'slow', a: 3 }, { size: 'pool.size', mode: 'pool.mode', a: 'flow.a' });
    assert.equal(
      out,
      CONFIG.replace('workers: 4 ', 'workers: 6 ').replace('batch_timeout_ms: 20 ', 'batch_timeout_ms: 2.5 ').replace('size: 8 ', 'size: 16 ').replace('mode: "fast"', 'mode: slow').replace('{ a: 1,', '{ a: 3,'),
    );
    assert.deepEqual(parse(out), { workers: 6, batch_timeout_ms: 2.5, pool: { size: 16, mode: 'slow' }, flow: { a: 3, b: [1, 2] }, expiries_days: [7, 30, 90] });
  });

  it('quotes strings that YAML would read as something else, so they read back as the same string', () => {
    for (const v of ['true', 'no', '12', '1e3', 'a: b', '#x', '', 'null', '${HOME}', "it's", '- x', '{a}']) {
      const out = editYamlText('k: 1 # c\n', { k: v }, {});
      assert.equal(parse(out).k, v, `${JSON.stringify(v)} -> ${out}`);
      assert.match(out, / # c\n$/);
    }
    assert.equal(yamlScalarText('lru'), 'lru');
    assert.equal(yamlScalarText(true), 'true');
    assert.equal(yamlScalarText(0.125), '0.125');
  });

  it('adds keys that are missing: a new top-level block at the end, or inside an existing map', () => {
    const added = editYamlText(CONFIG, { workers: 2, 'cache.size': 64 }, { 'cache.size': 'cache.size' });
    assert.ok(added.startsWith(CONFIG.replace('workers: 4 ', 'workers: 2 ')), 'the existing text is untouched');
    assert.deepEqual(parse(added).cache, { size: 64 });
    const inside = editYamlText(CONFIG, { t: 5 }, { t: 'pool.timeout' });
    assert.deepEqual(parse(inside).pool, { size: 8, mode: 'fast', timeout: 5 });
    assert.match(inside, /# threads/);
    assert.throws(() => editYamlText(CONFIG, { p: 1 }, { p: 'pool' }), TrialConfigError);
    assert.throws(() => editYamlText('a: [1\n', { a: 1 }, {}), /not valid YAML/);
  });

  it('edits JSON files as JSON, creating nested objects', () => {
    const out = editJsonText('{"a": 1, "n": {"x": true}}', { a: 2, y: 'z', d: 0.5 }, { y: 'n.y', d: 'deep.er.d' });
    assert.deepEqual(JSON.parse(out), { a: 2, n: { x: true, y: 'z' }, deep: { er: { d: 0.5 } } });
    assert.throws(() => editJsonText('{"a": 1}', { b: 1 }, { b: 'a.b' }), /"a" is not an object/);
  });

  it('writes the copy under the same file name and leaves the original alone', () => {
    const src = join(dir, 'engine.yaml');
    writeFileSync(src, CONFIG);
    const out = mkdtempSync(join(dir, 'copy-'));
    const copy = writeTrialConfig(src, out, { workers: 1 }, {});
    assert.equal(copy, join(out, 'engine.yaml'));
    assert.equal(readFileSync(src, 'utf8'), CONFIG);
    assert.equal(parse(readFileSync(copy, 'utf8')).workers, 1);
  });
});

describe('trial arguments, environment and result', () => {
  it('replaces placeholders as plain text inside one argument', () => {
    const vars = { '${trialConfigDir}': '/tmp/t 1', '{params}': '{"a":"$&$1 `x`"}' };
    assert.equal(substituteArg('--config=${trialConfigDir}/x', vars), '--config=/tmp/t 1/x');
    assert.equal(substituteArg('{params}', vars), '{"a":"$&$1 `x`"}');
    assert.equal(substituteArg('${trialConfigDir}${trialConfigDir}', vars), '/tmp/t 1/tmp/t 1');
    assert.equal(substituteArg('$trialConfigDir', vars), '$trialConfigDir');
    // One pass: a value holding a placeholder is not substituted again, whatever the order.
    const tricky = { '{params}': '{"m":"${trialConfigDir}"}', '${trialConfigDir}': '/d{params}' };
    assert.equal(substituteArg('{params} ${trialConfigDir}', tricky), '{"m":"${trialConfigDir}"} /d{params}');
  });

  it('passes each parameter as ALLUSE_PARAM_<NAME> and all as ALLUSE_PARAMS', () => {
    assert.equal(paramEnvName('batch-size.max'), 'ALLUSE_PARAM_BATCH_SIZE_MAX');
    assert.deepEqual(paramEnv({ workers: 4, 'pool.mode': 'a b', on: true }), { ALLUSE_PARAMS: '{"workers":4,"pool.mode":"a b","on":true}', ALLUSE_PARAM_WORKERS: '4', ALLUSE_PARAM_POOL_MODE: 'a b', ALLUSE_PARAM_ON: 'true' });
  });

  it('reads the last JSON object line of stdout and flattens nested metrics', () => {
    assert.deepEqual(lastJsonLine('starting\n{"a": 1}\nlog line\n{"b": 2}\n\n'), { b: 2 });
    assert.deepEqual(lastJsonLine('{"a": 1}\n{broken\ndone'), { a: 1 });
    assert.equal(lastJsonLine('[1,2]\n3\n'), undefined);
    assert.equal(lastJsonLine(''), undefined);
    assert.deepEqual(flattenMetrics({ tps: 10, p95: null, cpu: { total: 1.5, a: 'x' }, ok: true, list: [1] }), { tps: 10, 'cpu.total': 1.5, ok: 1 });
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
  });
});

describe('running a trial', () => {
  const script = join(dir, 'trial.js');
  writeFileSync(
    script,
    `const fs = require('node:fs'), path = require('node:path');
const [mode, cfgDir, cfgFile, paramsArg] = process.argv.slice(2);
const counter = path.join(${JSON.stringify(dir)}, 'count-' + process.env.ALLUSE_PARAM_TAG);
const n = fs.existsSync(counter) ? Number(fs.readFileSync(counter, 'utf8')) + 1 : 1;
fs.writeFileSync(counter, String(n));
fs.writeFileSync(counter + '.json', JSON.stringify({ cfgDir, cfgFile, paramsArg, env: process.env.ALLUSE_PARAMS, one: process.env.ALLUSE_PARAM_WORKERS, cfgExists: fs.existsSync(cfgFile) }));
const cfg = fs.readFileSync(cfgFile, 'utf8');
if (mode === 'fail') { console.error('boom: the engine refused'); process.exit(3); }
if (mode === 'hang') {
  const child = require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  fs.writeFileSync(counter + '.child', String(child.pid));
  setTimeout(() => {}, 60000);
  return;
}
if (mode === 'nometric') { console.log(JSON.stringify({ other: 1 })); return; }
console.log('warming up');
console.log(JSON.stringify({ tps: 100 * n, lat: 10 / n, cpu: { total: n }, workers: Number(/workers: (\\d+)/.exec(cfg)[1]) }));
`,
  );
  const cfg = join(dir, 'engine.yaml');
  writeFileSync(cfg, CONFIG);
  const def = (mode: string, extra: Partial<StudyDefinition> = {}): StudyDefinition => ({
    name: 't',
    configFile: cfg,
    space: { workers: { type: 'int', low: 1, high: 8 }, tag: { type: 'categorical', choices: ['a'] } },
    keys: { workers: 'workers', tag: 'tag' },
    objectives: [
      { name: 'tps', direction: 'maximize' },
      { name: 'lat', direction: 'minimize' },
    ],
    constraints: [{ metric: 'cpu.total', op: '<=', bound: 10 }],
    trial: { command: process.execPath, args: [script, mode, '${trialConfigDir}', '${trialConfigFile}', '{params}'], cwd: dir, env: {}, timeoutMs: 20_000 },
    budget: { trials: 1 },
    repeats: 1,
    concurrency: 1,
    algorithm: 'random',
    seed: 1,
    ...extra,
  });

  it('runs the command on the edited copy and reads the objectives; the trial folder is removed', async () => {
    const o = await runTrial(def('ok'), { workers: 6, tag: 'one' }, { trialNumber: 3 });
    assert.equal(o.state, 'complete', o.reason);
    assert.deepEqual(o.values, [100, 10]);
    assert.equal(o.metrics!['cpu.total'], 1);
    assert.equal(o.metrics!.workers, 6, 'the command read the edited copy');
    assert.equal(o.spread, undefined);
    const seen = JSON.parse(readFileSync(join(dir, 'count-one.json'), 'utf8'));
    assert.deepEqual(JSON.parse(seen.paramsArg), { workers: 6, tag: 'one' });
    assert.equal(seen.env, seen.paramsArg);
    assert.equal(seen.one, '6');
    assert.equal(seen.cfgFile, join(seen.cfgDir, 'engine.yaml'));
    assert.ok(seen.cfgExists);
    assert.ok(!existsSync(seen.cfgDir), 'the trial folder is removed afterwards');
  });

  it('repeats the command, uses the median and records the spread', async () => {
    const o = await runTrial(def('ok', { repeats: 3 }), { workers: 3, tag: 'rep' }, { trialNumber: 1 });
    assert.equal(o.state, 'complete', o.reason);
    assert.equal(o.repeats, 3);
    assert.deepEqual(o.values, [200, 5]); // tps 100, 200, 300; lat 10, 5, 3.33
    assert.deepEqual(o.spread!.tps, { min: 100, max: 300, relative: 1 });
    assert.equal(o.spread!['cpu.total'].max, 3);
    assert.equal(o.spread!.lat.min, 10 / 3);
  });

  it('records a failure with its reason, never a value: exit code and stderr, missing metric, no JSON, missing program', async () => {
    const fail = await runTrial(def('fail'), { workers: 1, tag: 'f' }, { trialNumber: 1 });
    assert.equal(fail.state, 'failed');
    assert.equal(fail.values, undefined);
    assert.match(fail.reason!, /exited with code 3; stderr: boom: the engine refused/);
    const miss = await runTrial(def('nometric'), { workers: 1, tag: 'm' }, { trialNumber: 1 });
    assert.match(miss.reason!, /no numeric value for the objective "tps".*it has: other/);
    const none = await runTrial({ ...def('ok'), trial: { ...def('ok').trial, command: process.execPath, args: ['-e', 'console.log("done")'] } }, { workers: 1, tag: 'n' }, { trialNumber: 1 });
    assert.match(none.reason!, /printed no JSON object on stdout.*ended with: done/);
    const absent = await runTrial({ ...def('ok'), trial: { ...def('ok').trial, command: 'alluse-no-such-program' } }, { workers: 1, tag: 'x' }, { trialNumber: 1 });
    assert.match(absent.reason!, /could not start: the program "alluse-no-such-program" was not found/);
    const badRepeat = await runTrial(def('fail', { repeats: 2 }), { workers: 1, tag: 'f2' }, { trialNumber: 1 });
    assert.match(badRepeat.reason!, /\(repeat 1 of 2\)/);
  });

  it('stops a trial at its timeout, with everything it started, and counts it failed', async () => {
    const t0 = Date.now();
    const o = await runTrial({ ...def('hang'), trial: { ...def('hang').trial, timeoutMs: 500 } }, { workers: 1, tag: 'h' }, { trialNumber: 1 });
    assert.equal(o.state, 'failed');
    assert.match(o.reason!, /timed out after/);
    assert.ok(Date.now() - t0 < 10_000);
    // The grandchild the command started is stopped with it (the whole process group).
    const pid = Number(readFileSync(join(dir, 'count-h.child'), 'utf8'));
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(!alive(), `grandchild ${pid} still runs`);
  });

  it('is cancelled by its signal', async () => {
    const ac = new AbortController();
    const p = runTrial(def('hang'), { workers: 1, tag: 'c' }, { trialNumber: 1, signal: ac.signal });
    // Wait until the command runs (it writes its counter first), then cancel.
    const counter = join(dir, 'count-c');
    while (!existsSync(counter)) await new Promise((r) => setTimeout(r, 20));
    ac.abort();
    const o = await p;
    assert.equal(o.state, 'cancelled');
  });
});
