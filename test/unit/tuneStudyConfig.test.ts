/**
 * Study definitions from alluse-perf.yaml and the CLI's generic mode: the typed space,
 * conditions, constraints, defaults, the errors (each naming the YAML key) and the
 * definition hash that decides whether a log can be resumed.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseDocument } from 'yaml';
import { workspaceConfigFrom } from '../../engine/workspace/config';
import {
  defaultSeed,
  definitionHash,
  genericStudy,
  parseCondition,
  parseConstraint,
  parseObjectiveFlag,
  spaceFromJson,
  StudyConfigError,
  studiesFromYaml,
  studyFromYaml,
} from '../../engine/tune/studyConfig';
import { splitCommandLine } from '../../engine/tune/trialCommandLine';

const root = join(__dirname, '..', '..');
const demoDir = join(root, 'examples/all-use');

function studies(yamlText: string, dir = '/ws') {
  return studiesFromYaml(workspaceConfigFrom(parseDocument(yamlText)).tuning.studies, dir);
}

const base = (extra: string) => `
version: 1
components: [{ name: engine, process: { pidFile: x.pid } }]
tuning:
  studies:
    - name: s1
      component: engine
      configFile: config/engine.yaml
      objectives: [{ metric: tps, direction: maximize }]
      trial: { command: node, args: [bench, --config, "\${trialConfigDir}"] }
${extra}`;

function throwsAt(fn: () => unknown, key: string, text: RegExp) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof StudyConfigError, String(e));
    assert.equal(e.key, key);
    assert.match(e.message, text);
    return true;
  });
}

describe('tuning study definitions', () => {
  it('reads the demo workspace study with its types, log scales, constraints and defaults', () => {
    const text = readFileSync(join(demoDir, 'alluse-perf.yaml'), 'utf8');
    const [s] = studies(text, demoDir);
    assert.equal(s.name, 'engine-throughput');
    assert.equal(s.component, 'protocol-engine');
    assert.equal(s.configFile, join(demoDir, 'config/protocol-engine.yaml'));
    assert.deepEqual(s.space, {
      workers: { type: 'int', low: 1, high: 8 },
      batch_size: { type: 'int', low: 1, high: 256, log: true },
      batch_timeout_ms: { type: 'float', low: 0.5, high: 50, log: true },
    });
    assert.deepEqual(s.keys, { workers: 'workers', batch_size: 'batch_size', batch_timeout_ms: 'batch_timeout_ms' });
    assert.deepEqual(s.objectives, [
      { name: 'throughput_tps', direction: 'maximize' },
      { name: 'capacity.ticks_per_cpu_s', direction: 'maximize' },
    ]);
    assert.deepEqual(s.constraints, [
      { metric: 'p95_latency_ms', op: '<=', bound: 250 },
      { metric: 'error_rate', op: '<=', bound: 0.01 },
    ]);
    assert.deepEqual(s.trial, { command: 'node', args: ['bench', '--config', '${trialConfigDir}', '--capacity', '--slo-p95', '250', '--from', '1200', '--growth', '1.25', '--resolution', '0.08', '--max-probes', '12', '--warmup', '2s', '--quiet'], cwd: demoDir, env: {}, timeoutMs: 240_000 });
    assert.deepEqual(s.budget, { trials: 24, timeMs: undefined });
    assert.equal(s.repeats, 2);
    assert.equal(s.concurrency, 1);
    assert.equal(s.algorithm, 'auto');
    assert.equal(s.seed, defaultSeed('engine-throughput'));
  });

  it('reads keys, steps, categorical choices, conditions, env, timeout, time budget and seed', () => {
    const [s] = studies(
      base(`      parameters:
        eviction: { type: categorical, choices: [lru, lfu, fifo] }
        lru_size: { type: int, min: 16, max: 1024, step: 16, key: cache.lru.size, condition: 'eviction == "lru"' }
        workers: { type: int, min: 1, max: 8 }
        spin: { type: float, min: 0, max: 1, condition: "workers > 6" }
        not_fifo: { type: float, min: 0.1, max: 1, log: true, condition: "eviction != fifo" }
      constraints: ["errors < 1", "tps >= 100"]
      budget: { trials: 12, time: 2h }
      repeats: 3
      concurrency: 2
      seed: 7
      algorithm: random
      `).replace('args: [bench, --config, "${trialConfigDir}"] }', 'args: [bench], cwd: sub, env: { A: "1" }, timeout: 90s }'),
    );
    assert.deepEqual(s.space.lru_size, { type: 'int', low: 16, high: 1024, step: 16, condition: { param: 'eviction', in: ['lru'] } });
    assert.deepEqual(s.space.spin, { type: 'float', low: 0, high: 1, condition: { param: 'workers', in: [7, 8] } });
    assert.deepEqual(s.space.not_fifo.condition, { param: 'eviction', in: ['lru', 'lfu'] });
    assert.equal(s.keys.lru_size, 'cache.lru.size');
    assert.deepEqual(s.constraints, [
      { metric: 'errors', op: '<', bound: 1 },
      { metric: 'tps', op: '>=', bound: 100 },
    ]);
    assert.deepEqual(s.budget, { trials: 12, timeMs: 7_200_000 });
    assert.deepEqual(s.trial, { command: 'node', args: ['bench'], cwd: '/ws/sub', env: { A: '1' }, timeoutMs: 90_000 });
    assert.equal(s.repeats, 3);
    assert.equal(s.concurrency, 2);
    assert.equal(s.seed, 7);
    assert.equal(s.algorithm, 'random');
    assert.equal(s.configFile, '/ws/config/engine.yaml');
  });

  it('says which key is wrong and what to write instead', () => {
    const raw = (extra: Record<string, unknown>) => ({
      name: 's',
      configFile: 'c.yaml',
      parameters: { w: { type: 'int', min: 1, max: 4 } },
      objectives: [{ metric: 'tps', direction: 'maximize' }],
      trial: { command: 'node' },
      ...extra,
    });
    throwsAt(() => studyFromYaml(raw({ parameters: { w: { type: 'int', min: 5, max: 4 } } }), 2, '/ws'), 'tuning.studies[2].parameters.w', /min \(5\) is above max \(4\)/);
    throwsAt(() => studyFromYaml(raw({ parameters: { w: { type: 'float', min: 0, max: 4, log: true } } }), 0, '/ws'), 'tuning.studies[0].parameters.w.log', /needs min > 0/);
    throwsAt(() => studyFromYaml(raw({ parameters: { w: { type: 'int', max: 4 } } }), 0, '/ws'), 'tuning.studies[0].parameters.w.min', /smallest value/);
    throwsAt(() => studyFromYaml(raw({ parameters: { w: { type: 'categorical' } } }), 0, '/ws'), 'tuning.studies[0].parameters.w.choices', /non-empty list/);
    throwsAt(() => studyFromYaml(raw({ parameters: { w: { type: 'int', min: 1, max: 4, condition: 'mode == "x"' } } }), 0, '/ws'), 'tuning.studies[0].parameters.w.condition', /"mode", which is not a parameter declared before/);
    throwsAt(() => studyFromYaml(raw({ parameters: { a: { type: 'float', min: 0, max: 1 }, w: { type: 'int', min: 1, max: 4, condition: 'a > 0.5' } } }), 0, '/ws'), 'tuning.studies[0].parameters.w.condition', /must be categorical or int/);
    throwsAt(() => studyFromYaml(raw({ parameters: { m: { type: 'categorical', choices: ['x'] }, w: { type: 'int', min: 1, max: 4, condition: 'm == y' } } }), 0, '/ws'), 'tuning.studies[0].parameters.w.condition', /never holds/);
    throwsAt(() => studyFromYaml(raw({ constraints: ['p95 == 3'] }), 1, '/ws'), 'tuning.studies[1].constraints[0]', /uses <, <=, > or >=/);
    throwsAt(() => studyFromYaml(raw({ constraints: ['p95 <='] }), 1, '/ws'), 'tuning.studies[1].constraints[0]', /METRIC OP NUMBER/);
    throwsAt(() => studyFromYaml(raw({ objectives: [] }), 0, '/ws'), 'tuning.studies[0].objectives', /at least one objective/);
    throwsAt(() => studyFromYaml(raw({ objectives: [{ metric: 'a', direction: 'up' }] }), 0, '/ws'), 'tuning.studies[0].objectives[0].direction', /minimize or maximize/);
    throwsAt(() => studyFromYaml(raw({ trial: undefined }), 0, '/ws'), 'tuning.studies[0].trial', /is required/);
    throwsAt(() => studyFromYaml(raw({ trial: { command: 'node', timeout: 'soon' } }), 0, '/ws'), 'tuning.studies[0].trial.timeout', /not a duration/);
    throwsAt(() => studyFromYaml(raw({ repeats: 0 }), 0, '/ws'), 'tuning.studies[0].repeats', /from 1 to 100/);
    throwsAt(() => studyFromYaml(raw({ parameters: {} }), 0, '/ws'), 'tuning.studies[0].parameters', /at least one parameter/);
  });

  it('parses constraints and conditions with the workspace expression syntax', () => {
    assert.deepEqual(parseConstraint('p95_latency_ms <= 50', 'k'), { metric: 'p95_latency_ms', op: '<=', bound: 50 });
    assert.deepEqual(parseConstraint('cpu_seconds.total>1.5e1', 'k'), { metric: 'cpu_seconds.total', op: '>', bound: 15 });
    assert.deepEqual(parseConstraint('  error_rate < -0.5 ', 'k'), { metric: 'error_rate', op: '<', bound: -0.5 });
    assert.throws(() => parseConstraint('tps >= "fast"', 'k'), /compares the metric with a number/);
    const space = spaceFromJson({ n: { type: 'int', low: 1, high: 5 }, k: { type: 'categorical', choices: ['a', 'b', true] } });
    assert.deepEqual(parseCondition('n <= 2', 'k', space), { param: 'n', in: [1, 2] });
    assert.deepEqual(parseCondition('k == true', 'k', space), { param: 'k', in: [true] });
    assert.deepEqual(parseCondition("k != 'a'", 'k', space), { param: 'k', in: ['b', true] });
    assert.throws(() => parseCondition('k > 1', 'key', space), /use == or !=/);
  });

  it('builds the generic mode study from a JSON space, a command line and objective flags', () => {
    const space = spaceFromJson({ x: { type: 'float', low: 1e-3, high: 1, log: true }, n: { type: 'int', low: 1, high: 9, step: 2 }, c: { type: 'categorical', choices: [1, 'two'] } });
    assert.deepEqual(space, { x: { type: 'float', low: 1e-3, high: 1, log: true }, n: { type: 'int', low: 1, high: 9, step: 2 }, c: { type: 'categorical', choices: [1, 'two'] } });
    assert.throws(() => spaceFromJson({ x: { type: 'float', low: 2, high: 1 } }, 'space.json'), /space\.json\.x: low \(2\) is above high \(1\)/);
    assert.throws(() => spaceFromJson([], 'space.json'), /must be a JSON object/);
    assert.deepEqual(parseObjectiveFlag('latency_ms:min'), { name: 'latency_ms', direction: 'minimize' });
    assert.deepEqual(parseObjectiveFlag('a:b:maximize'), { name: 'a:b', direction: 'maximize' });
    assert.throws(() => parseObjectiveFlag('latency'), /NAME:min or NAME:max/);
    const def = genericStudy({ name: 'g', space, argv: splitCommandLine('node score.js {params}'), cwd: '/w', objectives: [parseObjectiveFlag('y:max')], trials: 5, algorithm: 'random', seed: 1 });
    assert.deepEqual(def.trial, { command: 'node', args: ['score.js', '{params}'], cwd: '/w', env: {}, timeoutMs: 600_000 });
    assert.deepEqual(def.keys, { x: 'x', n: 'n', c: 'c' });
    assert.throws(() => genericStudy({ ...{ name: 'g', space, cwd: '/w', trials: 5, algorithm: 'random', seed: 1 }, argv: [], objectives: [{ name: 'y', direction: 'minimize' }] }), /--command: is empty/);
  });

  it('splits a command line like a shell splits words, and does nothing else a shell does', () => {
    assert.deepEqual(splitCommandLine('node  bench.js --config "my dir" {params}'), ['node', 'bench.js', '--config', 'my dir', '{params}']);
    assert.deepEqual(splitCommandLine(`a 'b "c" $(x)' "d \\"e\\" \\\\ f" g\\ h '' ""`), ['a', 'b "c" $(x)', 'd "e" \\ f', 'g h', '', '']);
    assert.deepEqual(splitCommandLine('echo $HOME; rm -rf ~ | cat > f'), ['echo', '$HOME;', 'rm', '-rf', '~', '|', 'cat', '>', 'f']);
    assert.deepEqual(splitCommandLine('x"y"z'), ['xyz']);
    assert.throws(() => splitCommandLine('node "oops'), /unclosed "/);
    assert.throws(() => splitCommandLine("node 'oops"), /unclosed '/);
  });

  it('hashes the definition: same study, same hash; a change to what is measured, a new one; not the budget', () => {
    const text = readFileSync(join(demoDir, 'alluse-perf.yaml'), 'utf8');
    const [a] = studies(text, demoDir);
    const [b] = studies(text.replace('    - name: engine-throughput\n', '    - name: engine-throughput\n      seed: ' + a.seed + '\n'), demoDir);
    assert.equal(definitionHash(a, 'x: 1'), definitionHash(b, 'x: 1'), 'an explicit default seed is the same study');
    assert.equal(definitionHash(a, 'x: 1'), definitionHash({ ...a, budget: { trials: 99 }, concurrency: 4 }, 'x: 1'));
    for (const changed of [
      { ...a, seed: a.seed + 1 },
      { ...a, algorithm: 'random' },
      { ...a, repeats: 3 },
      { ...a, space: { ...a.space, workers: { type: 'int' as const, low: 1, high: 9 } } },
      { ...a, constraints: a.constraints.slice(1) },
      { ...a, trial: { ...a.trial, args: [...a.trial.args, '--quiet'] } },
    ]) {
      assert.notEqual(definitionHash(changed, 'x: 1'), definitionHash(a, 'x: 1'));
    }
    assert.notEqual(definitionHash(a, 'x: 1'), definitionHash(a, 'x: 2'), 'the base configuration file is part of it');
  });
});
