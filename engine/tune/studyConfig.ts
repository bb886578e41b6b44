/**
 * A tuning study as the runner sees it: the `tuning.studies` entries of alluse-perf.yaml (or
 * the CLI's generic mode) turned into one typed `StudyDefinition`. Errors name the YAML key,
 * so the user knows where to look; the analysis of the workspace file catches most of them
 * first, these checks are for what a schema cannot say (a condition naming an unknown
 * parameter, `min` above `max`, ...).
 */
import { createHash } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import { parseComparison } from '../workspace/expressions';
import { parseDuration } from '../workspace/units';
import type { ConstraintOp, ConstraintSpec, ObjectiveSpec, ParamCondition, ParamSpec, ParamValue, SearchSpace } from './types';

export interface TrialCommand {
  /** The program; looked up on PATH when it has no slash. Never run through a shell. */
  command: string;
  args: string[];
  /** Absolute working folder. */
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
}

export interface StudyDefinition {
  name: string;
  component?: string;
  /** Absolute path of the configuration file the trials edit; absent in the CLI's generic mode. */
  configFile?: string;
  space: SearchSpace;
  /** Parameter name -> dotted key path in the configuration file. */
  keys: Record<string, string>;
  objectives: ObjectiveSpec[];
  constraints: ConstraintSpec[];
  trial: TrialCommand;
  budget: { trials: number; timeMs?: number };
  repeats: number;
  concurrency: number;
  algorithm: string;
  seed: number;
  /**
   * Where the metrics come from: `command`, the last JSON line of the trial command's stdout;
   * `monitor`, the monitor's series of `component` over each run after `warmupMs`.
   */
  objectiveSource?: 'command' | 'monitor';
  warmupMs?: number;
}

/** A problem in a study's definition; `key` is the YAML path, e.g. `tuning.studies[0].parameters.workers.max`. */
export class StudyConfigError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`${key}: ${message}`);
    this.name = 'StudyConfigError';
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const DEFAULT_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_TRIALS = 30;

function num(v: unknown, key: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new StudyConfigError(key, `must be a number, not ${JSON.stringify(v)}.`);
  return v;
}

function int(v: unknown, key: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const n = num(v, key);
  if (n === undefined) return undefined;
  if (!Number.isInteger(n) || n < min || n > max) throw new StudyConfigError(key, `must be a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}, not ${n}.`);
  return n;
}

function text(v: unknown, key: string, required: true): string;
function text(v: unknown, key: string, required?: false): string | undefined;
function text(v: unknown, key: string, required = false): string | undefined {
  if (v === undefined || v === null) {
    if (required) throw new StudyConfigError(key, 'is required.');
    return undefined;
  }
  if (typeof v === 'number') return String(v);
  if (typeof v !== 'string' || (required && !v.trim())) throw new StudyConfigError(key, `must be a non-empty string, not ${JSON.stringify(v)}.`);
  return v;
}

/** A duration key: `10m`, `90s`; a bare number counts in `unitMs`. */
export function durationMs(v: unknown, key: string, unitMs: number, allowZero = false): number | undefined {
  if (v === undefined || v === null) return undefined;
  const ok = (ms: number | undefined): ms is number => ms !== undefined && Number.isFinite(ms) && (ms > 0 || (allowZero && ms === 0));
  if (typeof v === 'number' && ok(v * unitMs)) return v * unitMs;
  if (typeof v === 'string') {
    const t = v.trim();
    const ms = /^\d+(\.\d+)?$/.test(t) ? Number(t) * unitMs : parseDuration(t);
    if (ok(ms)) return ms;
  }
  throw new StudyConfigError(key, `is not a duration: write a number and a unit, e.g. "90s", "10m", "2h" (got ${JSON.stringify(v)}).`);
}

/** `METRIC OP NUMBER` (OP one of < <= > >=) as a constraint on a measured metric. */
export function parseConstraint(textValue: string, key: string): ConstraintSpec {
  const c = parseComparison(textValue, false);
  if (!c) throw new StudyConfigError(key, `"${textValue}" is not a constraint: write METRIC OP NUMBER, e.g. "p95_latency_ms <= 50".`);
  if (c.op === '==' || c.op === '!=') throw new StudyConfigError(key, `"${textValue}": a constraint on a measured metric uses <, <=, > or >=, not ${c.op} (measurements are never exactly equal).`);
  if (typeof c.value !== 'number') throw new StudyConfigError(key, `"${textValue}": a constraint compares the metric with a number, not ${JSON.stringify(c.value)}.`);
  return { metric: c.metric, op: c.op as ConstraintOp, bound: c.value };
}

/** Every value a discrete parameter takes, or undefined for a float (or a huge int range). */
function discreteValues(spec: ParamSpec): ParamValue[] | undefined {
  if (spec.type === 'categorical') return spec.choices;
  if (spec.type === 'int') {
    const step = spec.step ?? 1;
    const n = Math.floor((spec.high - spec.low) / step) + 1;
    if (n > 10_000) return undefined;
    return Array.from({ length: n }, (_, i) => spec.low + i * step);
  }
  return undefined;
}

/**
 * A parameter condition, `eviction == "lru"` or `workers > 2`, as the set of values of the
 * parent parameter under which the child is tuned. The parent must be categorical or int
 * and come before the child, so a sampler can decide the parent first.
 */
export function parseCondition(textValue: string, key: string, space: SearchSpace): ParamCondition {
  const c = parseComparison(textValue, false);
  if (!c) throw new StudyConfigError(key, `"${textValue}" is not a condition: write PARAMETER OP VALUE, e.g. 'eviction == "lru"' or "workers > 2".`);
  const parent = space[c.metric];
  if (!parent) {
    const known = Object.keys(space);
    throw new StudyConfigError(key, `the condition names "${c.metric}", which is not a parameter declared before this one${known.length ? ` (declared before: ${known.join(', ')})` : ''}.`);
  }
  const values = discreteValues(parent);
  if (!values) throw new StudyConfigError(key, `the condition's parameter "${c.metric}" must be categorical or int (a small range); a float has no values to list.`);
  const holds = (v: ParamValue): boolean => {
    const w = c.value;
    switch (c.op) {
      case '==':
        return String(v) === String(w);
      case '!=':
        return String(v) !== String(w);
      default: {
        if (typeof v !== 'number' || typeof w !== 'number') throw new StudyConfigError(key, `"${textValue}": ${c.op} compares numbers; use == or != for a categorical parameter.`);
        return c.op === '<' ? v < w : c.op === '<=' ? v <= w : c.op === '>' ? v > w : v >= w;
      }
    }
  };
  const inSet = values.filter(holds);
  if (!inSet.length) throw new StudyConfigError(key, `"${textValue}" never holds for the values of "${c.metric}" (${values.slice(0, 8).map((v) => JSON.stringify(v)).join(', ')}${values.length > 8 ? ', ...' : ''}), so this parameter would never be tuned.`);
  return { param: c.metric, in: inSet };
}

/** One parameter from its YAML (`min`/`max`) or generic-mode JSON (`low`/`high`) form. */
export function parseParameter(name: string, raw: unknown, key: string, before: SearchSpace): ParamSpec {
  if (!isObj(raw)) throw new StudyConfigError(key, 'must be a map with at least `type`.');
  const type = raw.type;
  let condition: ParamCondition | undefined;
  if (raw.condition !== undefined) condition = parseCondition(text(raw.condition, `${key}.condition`, true), `${key}.condition`, before);
  if (type === 'categorical') {
    const choices = raw.choices;
    if (!Array.isArray(choices) || !choices.length) throw new StudyConfigError(`${key}.choices`, 'a categorical parameter needs a non-empty list of choices.');
    for (const [i, c] of choices.entries()) {
      if (typeof c !== 'string' && typeof c !== 'boolean' && !(typeof c === 'number' && Number.isFinite(c))) throw new StudyConfigError(`${key}.choices[${i}]`, `a choice is a string, number or boolean, not ${JSON.stringify(c)}.`);
    }
    if (new Set(choices.map((c) => JSON.stringify(c))).size !== choices.length) throw new StudyConfigError(`${key}.choices`, 'the choices must be different from each other.');
    return { type, choices: choices as ParamValue[], ...(condition ? { condition } : {}) };
  }
  if (type !== 'int' && type !== 'float') throw new StudyConfigError(`${key}.type`, `must be int, float or categorical, not ${JSON.stringify(type)}.`);
  const lowKey = raw.min !== undefined || raw.low === undefined ? 'min' : 'low';
  const highKey = raw.max !== undefined || raw.high === undefined ? 'max' : 'high';
  const low = num(raw[lowKey], `${key}.${lowKey}`);
  const high = num(raw[highKey], `${key}.${highKey}`);
  if (low === undefined) throw new StudyConfigError(`${key}.${lowKey}`, `an ${type} parameter needs its smallest value.`);
  if (high === undefined) throw new StudyConfigError(`${key}.${highKey}`, `an ${type} parameter needs its largest value.`);
  if (low > high) throw new StudyConfigError(key, `${lowKey} (${low}) is above ${highKey} (${high}).`);
  if (type === 'int' && (!Number.isInteger(low) || !Number.isInteger(high))) throw new StudyConfigError(key, `an int parameter needs whole-number bounds, not ${low}..${high}.`);
  const log = raw.log === undefined ? false : raw.log;
  if (typeof log !== 'boolean') throw new StudyConfigError(`${key}.log`, 'must be true or false.');
  if (log && low <= 0) throw new StudyConfigError(`${key}.log`, `a logarithmic scale needs ${lowKey} > 0 (it is ${low}).`);
  const step = num(raw.step, `${key}.step`);
  if (step !== undefined && !(step > 0)) throw new StudyConfigError(`${key}.step`, 'must be above 0.');
  if (type === 'int' && step !== undefined && !Number.isInteger(step)) throw new StudyConfigError(`${key}.step`, 'the step of an int parameter is a whole number.');
  return { type, low, high, ...(log ? { log } : {}), ...(step !== undefined ? { step } : {}), ...(condition ? { condition } : {}) };
}

/** A search space from generic-mode JSON: `{"name": {"type": "float", "low": 0, "high": 1, "log": false}, ...}`. */
export function spaceFromJson(raw: unknown, where = 'space'): SearchSpace {
  if (!isObj(raw) || !Object.keys(raw).length) throw new StudyConfigError(where, 'must be a JSON object mapping each parameter name to {"type": "float"|"int"|"categorical", "low", "high", "log", "choices"}.');
  const space: SearchSpace = {};
  for (const [name, spec] of Object.entries(raw)) space[name] = parseParameter(name, spec, `${where}.${name}`, space);
  return space;
}

export function parseObjective(raw: unknown, key: string): ObjectiveSpec {
  if (!isObj(raw)) throw new StudyConfigError(key, 'must be a map with `metric` and `direction`.');
  const name = text(raw.metric, `${key}.metric`, true);
  const direction = raw.direction;
  if (direction !== 'minimize' && direction !== 'maximize') throw new StudyConfigError(`${key}.direction`, `must be minimize or maximize, not ${JSON.stringify(direction)}.`);
  return { name, direction };
}

function stringMap(v: unknown, key: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isObj(v)) throw new StudyConfigError(key, 'must be a map of NAME: value.');
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
}

/** The stable default seed of a study without `seed`: derived from its name, so a re-run is reproducible. */
export function defaultSeed(name: string): number {
  return createHash('sha256').update(name).digest().readUInt32LE(0) & 0x7fffffff;
}

/**
 * One `tuning.studies[i]` entry (the raw YAML value) as a definition. `workspaceDir` is the
 * folder of alluse-perf.yaml: `configFile` and `trial.cwd` are relative to it.
 */
export function studyFromYaml(raw: Record<string, unknown>, index: number, workspaceDir: string): StudyDefinition {
  const at = `tuning.studies[${index}]`;
  const name = text(raw.name, `${at}.name`, true);
  const k = (s: string) => `${at}.${s}`;
  const configFile = text(raw.configFile, k('configFile'), true);
  const params = raw.parameters;
  if (!isObj(params) || !Object.keys(params).length) throw new StudyConfigError(k('parameters'), 'needs at least one parameter to tune.');
  const space: SearchSpace = {};
  const keys: Record<string, string> = {};
  for (const [p, spec] of Object.entries(params)) {
    space[p] = parseParameter(p, spec, k(`parameters.${p}`), space);
    keys[p] = (isObj(spec) ? text(spec.key, k(`parameters.${p}.key`)) : undefined) ?? p;
  }
  if (!Array.isArray(raw.objectives) || !raw.objectives.length) throw new StudyConfigError(k('objectives'), 'needs at least one objective: - { metric: throughput_tps, direction: maximize }.');
  const objectives = raw.objectives.map((o, i) => parseObjective(o, k(`objectives[${i}]`)));
  const dup = objectives.find((o, i) => objectives.findIndex((p) => p.name === o.name) !== i);
  if (dup) throw new StudyConfigError(k('objectives'), `the metric "${dup.name}" is an objective twice.`);
  const rawConstraints = raw.constraints ?? [];
  if (!Array.isArray(rawConstraints)) throw new StudyConfigError(k('constraints'), 'must be a list of "METRIC OP NUMBER" strings.');
  const constraints = rawConstraints.map((c, i) => parseConstraint(text(c, k(`constraints[${i}]`), true), k(`constraints[${i}]`)));
  const t = raw.trial;
  if (!isObj(t)) throw new StudyConfigError(k('trial'), 'is required: the command that measures one trial ({ command: node, args: [bench, --config, "${trialConfigDir}"] }).');
  const args = t.args ?? [];
  if (!Array.isArray(args)) throw new StudyConfigError(k('trial.args'), 'must be a list of arguments.');
  const cwd = text(t.cwd, k('trial.cwd')) ?? '.';
  const trial: TrialCommand = {
    command: text(t.command, k('trial.command'), true),
    args: args.map((a) => String(a)),
    cwd: isAbsolute(cwd) ? cwd : resolve(workspaceDir, cwd),
    env: stringMap(t.env, k('trial.env')),
    timeoutMs: durationMs(t.timeout, k('trial.timeout'), 1000) ?? DEFAULT_TIMEOUT_MS,
  };
  const b = raw.budget === undefined ? {} : raw.budget;
  if (!isObj(b)) throw new StudyConfigError(k('budget'), 'must be a map: { trials: 40, time: 2h }.');
  const seed = int(raw.seed, k('seed'), 0) ?? defaultSeed(name);
  const algorithm = text(raw.algorithm, k('algorithm')) ?? 'auto';
  const source = raw.objectiveSource ?? 'command';
  if (source !== 'command' && source !== 'monitor') throw new StudyConfigError(k('objectiveSource'), `must be command or monitor, not ${JSON.stringify(source)}.`);
  const component = text(raw.component, k('component'));
  if (source === 'monitor' && !component) throw new StudyConfigError(k('component'), 'objectiveSource: monitor reads the series of the study\'s component: name it here.');
  const warmupMs = raw.warmup === undefined ? 0 : (durationMs(raw.warmup, k('warmup'), 1000, true) ?? 0);
  return {
    name,
    component,
    configFile: isAbsolute(configFile) ? configFile : resolve(workspaceDir, configFile),
    space,
    keys,
    objectives,
    constraints,
    trial,
    budget: { trials: int(b.trials, k('budget.trials'), 1) ?? DEFAULT_TRIALS, timeMs: durationMs(b.time, k('budget.time'), 60_000) },
    repeats: int(raw.repeats, k('repeats'), 1, 100) ?? 1,
    concurrency: int(raw.concurrency, k('concurrency'), 1, 64) ?? 1,
    algorithm,
    seed,
    ...(source === 'monitor' ? { objectiveSource: source, warmupMs } : {}),
  };
}

/** Every study of a workspace's raw `tuning.studies`, or the error of the first broken one. */
export function studiesFromYaml(studies: readonly Record<string, unknown>[], workspaceDir: string): StudyDefinition[] {
  return studies.map((s, i) => studyFromYaml(s, i, workspaceDir));
}

/** JSON with object keys sorted, so equal definitions hash equally whatever the key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObj(v)) return `{${Object.keys(v).sort().filter((k) => v[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

/**
 * A hash of everything that decides what a trial measures and which points the sampler
 * proposes: the space, keys, objectives, constraints, trial command, repeats, algorithm,
 * seed, and the content of the base configuration file. Not the budget or the concurrency:
 * raising the budget continues the same study. `space` key order matters (dimension order).
 */
export function definitionHash(def: StudyDefinition, configFileContent?: string): string {
  const parts = {
    name: def.name,
    configFile: def.configFile,
    configFileContent: configFileContent === undefined ? undefined : createHash('sha256').update(configFileContent).digest('hex'),
    space: Object.entries(def.space),
    keys: def.keys,
    objectives: def.objectives,
    constraints: def.constraints,
    trial: def.trial,
    repeats: def.repeats,
    algorithm: def.algorithm,
    seed: def.seed,
    objectiveSource: def.objectiveSource,
    warmupMs: def.objectiveSource === 'monitor' ? def.warmupMs : undefined,
  };
  return createHash('sha256').update(canonical(parts)).digest('hex').slice(0, 16);
}

/** `NAME:min`, `NAME:max` (or `:minimize`/`:maximize`) of the CLI's `--objective`. */
export function parseObjectiveFlag(flag: string): ObjectiveSpec {
  const m = /^(.+):(min|max|minimize|maximize)$/.exec(flag.trim());
  if (!m || !m[1].trim()) throw new StudyConfigError('--objective', `"${flag}" is not NAME:min or NAME:max, e.g. --objective latency_ms:min.`);
  return { name: m[1].trim(), direction: m[2].startsWith('min') ? 'minimize' : 'maximize' };
}

export interface GenericStudyInput {
  name: string;
  space: SearchSpace;
  argv: string[];
  cwd: string;
  objectives: ObjectiveSpec[];
  constraints?: ConstraintSpec[];
  trials: number;
  timeMs?: number;
  timeoutMs?: number;
  repeats?: number;
  concurrency?: number;
  algorithm: string;
  seed: number;
}

/** The study of the CLI's generic mode: no configuration file, the parameters reach the command as `{params}` and ALLUSE_PARAMS. */
export function genericStudy(g: GenericStudyInput): StudyDefinition {
  if (!g.argv.length) throw new StudyConfigError('--command', 'is empty: give the program and its arguments, e.g. --command "node score.js {params}".');
  if (!g.objectives.length) throw new StudyConfigError('--objective', 'give at least one, e.g. --objective latency_ms:min.');
  const dup = g.objectives.find((o, i) => g.objectives.findIndex((p) => p.name === o.name) !== i);
  if (dup) throw new StudyConfigError('--objective', `"${dup.name}" is given twice.`);
  return {
    name: g.name,
    space: g.space,
    keys: Object.fromEntries(Object.keys(g.space).map((k) => [k, k])),
    objectives: g.objectives,
    constraints: g.constraints ?? [],
    trial: { command: g.argv[0], args: g.argv.slice(1), cwd: g.cwd, env: {}, timeoutMs: g.timeoutMs ?? DEFAULT_TIMEOUT_MS },
    budget: { trials: g.trials, timeMs: g.timeMs },
    repeats: g.repeats ?? 1,
    concurrency: g.concurrency ?? 1,
    algorithm: g.algorithm,
    seed: g.seed,
  };
}
