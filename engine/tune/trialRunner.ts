/**
 * One trial of a study: a fresh folder with the trial's copy of the configuration file, the
 * command run `repeats` times with the parameters in its arguments and environment, the
 * metrics read from the last JSON line of its stdout, and the median of the repeats with
 * their spread (a noise estimate). A trial that cannot be measured is `failed` with the
 * reason, never a zero: a zero would look like a (very good or very bad) measurement.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StudyDefinition } from './studyConfig';
import { TrialConfigError, writeTrialConfig } from './trialConfigFile';
import { runProcess, type ProcessRun } from './trialProcess';
import type { MonitorReader } from './trialMonitorMetrics';
import type { Params } from './types';

/** The outcome of one trial; `values` are the raw objective values (not negated), in objective order. */
export interface TrialOutcome {
  state: 'complete' | 'failed' | 'cancelled';
  values?: number[];
  /** Every numeric metric of the result line (nested objects flattened with dots), median over the repeats. */
  metrics?: Record<string, number>;
  /** Per objective and constraint metric over the repeats: min, max and relative spread (max - min) / |median|. */
  spread?: Record<string, { min: number; max: number; relative: number }>;
  reason?: string;
  repeats: number;
  durationMs: number;
}

export interface TrialContext {
  trialNumber: number;
  signal?: AbortSignal;
  /** Where the trial folders are made (default: the OS temp folder). */
  tmpRoot?: string;
  /** Keep the trial folder afterwards (for debugging). */
  keepFolder?: boolean;
  /** For `objectiveSource: monitor`: reads the component's series over a window. */
  readMonitor?: MonitorReader;
}

/** `ALLUSE_PARAM_<NAME>`: the name upper-cased, anything but letters and digits as `_`. */
export function paramEnvName(name: string): string {
  return `ALLUSE_PARAM_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

export function paramEnv(params: Params): Record<string, string> {
  const env: Record<string, string> = { ALLUSE_PARAMS: JSON.stringify(params) };
  for (const [k, v] of Object.entries(params)) env[paramEnvName(k)] = String(v);
  return env;
}

/**
 * Replaces the placeholders in one argument, in one pass and as plain text: a value that
 * itself holds `{params}` or `$&` stays as it is. The argument stays one argument whatever
 * the value holds.
 */
export function substituteArg(arg: string, vars: Readonly<Record<string, string>>): string {
  const names = Object.keys(vars).sort((a, b) => b.length - a.length);
  if (!names.length) return arg;
  const re = new RegExp(names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  return arg.replace(re, (m) => vars[m]);
}

/** Numeric leaves of a JSON object, nested keys joined with dots (`cpu_seconds.total`). */
export function flattenMetrics(obj: Record<string, unknown>, prefix = '', out: Record<string, number> = {}): Record<string, number> {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'number' && Number.isFinite(v)) out[key] = v;
    else if (typeof v === 'boolean') out[key] = v ? 1 : 0;
    else if (v && typeof v === 'object' && !Array.isArray(v)) flattenMetrics(v as Record<string, unknown>, key, out);
  }
  return out;
}

/** The last line of stdout that is a JSON object; undefined when there is none. */
export function lastJsonLine(stdout: string): Record<string, unknown> | undefined {
  const lines = stdout.split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i].trim();
    if (!l.startsWith('{')) continue;
    try {
      const v: unknown = JSON.parse(l);
      if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      /* not JSON: keep looking upwards */
    }
  }
  return undefined;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const oneLine = (s: string, max = 600) => {
  const t = s.trim().replace(/\s*\n\s*/g, ' | ');
  return t.length > max ? `...${t.slice(-max)}` : t;
};

/** Why a run did not give a result, or undefined when it did. */
function runFailure(run: ProcessRun, timeoutMs: number): string | undefined {
  if (run.spawnError) return `the trial command could not start: ${run.spawnError}`;
  if (run.timedOut) return `timed out after ${Math.round(timeoutMs / 1000)} s (trial.timeout); the command and its processes were stopped`;
  if (run.signal) return `the command was killed by ${run.signal}${run.stderrTail.trim() ? `; stderr: ${oneLine(run.stderrTail)}` : ''}`;
  if (run.code !== 0) return `the command exited with code ${run.code}${run.stderrTail.trim() ? `; stderr: ${oneLine(run.stderrTail)}` : ' (no stderr)'}`;
  return undefined;
}

const clock = (ms: number) => new Date(ms).toISOString().slice(11, 23);

/** The metrics of one run from the monitor (plus any JSON line the command printed), or why there are none. */
async function fromMonitor(def: StudyDefinition, ctx: TrialContext, line: Record<string, unknown> | undefined, runStart: number, runEnd: number): Promise<Record<string, number> | string> {
  if (!ctx.readMonitor) return "objectiveSource: monitor needs the monitor's store; run the study with alluse-perf optimize";
  const from = runStart + (def.warmupMs ?? 0);
  if (from >= runEnd) return `the run lasted ${((runEnd - runStart) / 1000).toFixed(1)} s, no longer than the warmup of ${((def.warmupMs ?? 0) / 1000).toFixed(1)} s: nothing was left to measure. Make the trial command run longer than warmup`;
  const names = [...new Set([...def.objectives.map((o) => o.name), ...def.constraints.map((c) => c.metric)])];
  const measured = await ctx.readMonitor(names, from, runEnd);
  const metrics = { ...(line ? flattenMetrics(line) : {}), ...measured };
  for (const o of def.objectives) {
    if (metrics[o.name] === undefined) return `the monitor has no samples of "${o.name}" for component "${def.component}" between ${clock(from)} and ${clock(runEnd)} UTC: is the monitor running (alluse-perf monitor, or the editor), and is "${o.name}" one of its series?`;
  }
  return metrics;
}

/**
 * Runs one trial. Resolves with a failed outcome (never throws) for everything the trial
 * command does wrong; `cancelled` when `ctx.signal` aborted it.
 */
export async function runTrial(def: StudyDefinition, params: Params, ctx: TrialContext): Promise<TrialOutcome> {
  const t0 = Date.now();
  const failed = (reason: string, repeats = 0): TrialOutcome => ({ state: 'failed', reason, repeats, durationMs: Date.now() - t0 });
  const dir = mkdtempSync(join(ctx.tmpRoot ?? tmpdir(), `alluse-trial-${def.name.replace(/[^\w.-]/g, '_')}-${ctx.trialNumber}-`));
  try {
    let configFile = '';
    if (def.configFile) {
      try {
        configFile = writeTrialConfig(def.configFile, dir, params, def.keys);
      } catch (e) {
        return failed(e instanceof TrialConfigError ? `cannot write the trial's configuration file ${def.configFile}: ${e.message}` : `cannot copy the configuration file ${def.configFile}: ${(e as Error).message}`);
      }
    }
    const paramsJson = JSON.stringify(params);
    const vars = { '${trialConfigDir}': dir, '${trialConfigFile}': configFile, '${trialNumber}': String(ctx.trialNumber), '{params}': paramsJson };
    const args = def.trial.args.map((a) => substituteArg(a, vars));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...def.trial.env,
      ...paramEnv(params),
      ALLUSE_TRIAL_NUMBER: String(ctx.trialNumber),
      ALLUSE_TRIAL_CONFIG_DIR: dir,
      ...(configFile ? { ALLUSE_TRIAL_CONFIG_FILE: configFile } : {}),
    };
    const results: Record<string, number>[] = [];
    for (let r = 0; r < def.repeats; r++) {
      const runStart = Date.now();
      const run = await runProcess(def.trial.command, args, { cwd: def.trial.cwd, env, timeoutMs: def.trial.timeoutMs, signal: ctx.signal });
      const runEnd = Date.now();
      if (run.cancelled) return { state: 'cancelled', reason: 'the study was stopped while this trial ran', repeats: r, durationMs: Date.now() - t0 };
      const why = runFailure(run, def.trial.timeoutMs);
      const rep = def.repeats > 1 ? ` (repeat ${r + 1} of ${def.repeats})` : '';
      if (why) return failed(why + rep, r + 1);
      const line = lastJsonLine(run.stdout);
      if (def.objectiveSource === 'monitor') {
        const m = await fromMonitor(def, ctx, line, runStart, runEnd);
        if (typeof m === 'string') return failed(m + rep, r + 1);
        results.push(m);
        continue;
      }
      if (!line) return failed(`the command printed no JSON object on stdout${rep}: the last line must be like {"${def.objectives[0]?.name ?? 'metric'}": 123}${run.stdout.trim() ? `; stdout ended with: ${oneLine(run.stdout, 200)}` : ''}`, r + 1);
      const metrics = flattenMetrics(line);
      for (const o of def.objectives) {
        if (metrics[o.name] === undefined) {
          const raw = o.name in line ? ` (it is ${JSON.stringify(line[o.name])})` : '';
          return failed(`the result has no numeric value for the objective "${o.name}"${raw}${rep}; it has: ${Object.keys(metrics).slice(0, 20).join(', ') || 'no numbers'}`, r + 1);
        }
      }
      results.push(metrics);
    }
    // Median per metric over the repeats that reported it.
    const names = new Set(results.flatMap((m) => Object.keys(m)));
    const metrics: Record<string, number> = {};
    for (const n of names) {
      const xs = results.map((m) => m[n]).filter((x): x is number => x !== undefined);
      metrics[n] = median(xs);
    }
    let spread: TrialOutcome['spread'];
    if (results.length > 1) {
      spread = {};
      for (const n of new Set([...def.objectives.map((o) => o.name), ...def.constraints.map((c) => c.metric)])) {
        const xs = results.map((m) => m[n]).filter((x): x is number => x !== undefined);
        if (!xs.length) continue;
        const min = Math.min(...xs);
        const max = Math.max(...xs);
        const med = metrics[n];
        spread[n] = { min, max, relative: med !== 0 ? (max - min) / Math.abs(med) : max === min ? 0 : Number.POSITIVE_INFINITY };
      }
    }
    return { state: 'complete', values: def.objectives.map((o) => metrics[o.name]), metrics, spread, repeats: results.length, durationMs: Date.now() - t0 };
  } finally {
    if (!ctx.keepFolder) rmSync(dir, { recursive: true, force: true });
  }
}
