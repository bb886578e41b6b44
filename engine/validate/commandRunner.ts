/**
 * `runOnce` for a benchmark command given as argv: runs it without a shell, in its own
 * process group (a timeout or a cancel stops all it started), with the arm's configuration
 * path in place of `{config}` inside arguments (one plain-text pass, the argument stays one
 * argument) and in `ALLUSE_CONFIG`, the arm in `{arm}`/`ALLUSE_ARM` and the round in
 * `ALLUSE_RUN`. The metrics are the last JSON object line of stdout, nested keys joined with
 * dots: the same convention as `alluse-perf optimize` trial commands.
 */
import { runProcess } from '../tune/trialProcess';
import { flattenMetrics, lastJsonLine, substituteArg } from '../tune/trialRunner';
import type { Arm, RunOnce } from './compare';

export interface CommandRunnerOptions {
  argv: readonly string[];
  cwd: string;
  configs: Record<Arm, string>;
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
}

const oneLine = (s: string, max = 400) => {
  const t = s.trim().replace(/\s*\n\s*/g, ' | ');
  return t.length > max ? `...${t.slice(-max)}` : t;
};

export function commandRunner(o: CommandRunnerOptions): RunOnce {
  const [program, ...rest] = o.argv;
  return async (arm, round, signal) => {
    const vars = { '{config}': o.configs[arm], '{arm}': arm };
    const args = rest.map((x) => substituteArg(x, vars));
    const env = { ...(o.env ?? process.env), ALLUSE_CONFIG: o.configs[arm], ALLUSE_ARM: arm, ALLUSE_RUN: String(round) };
    const run = await runProcess(substituteArg(program, vars), args, { cwd: o.cwd, env, timeoutMs: o.timeoutMs, signal });
    if (run.cancelled) return { ok: false, reason: 'cancelled', cancelled: true };
    if (run.spawnError) return { ok: false, reason: `the command could not start: ${run.spawnError}` };
    if (run.timedOut) return { ok: false, reason: `timed out after ${Math.round(o.timeoutMs / 1000)} s (--timeout); the command and its processes were stopped` };
    const stderr = run.stderrTail.trim() ? `; stderr: ${oneLine(run.stderrTail)}` : '';
    if (run.signal) return { ok: false, reason: `killed by ${run.signal}${stderr}` };
    if (run.code !== 0) return { ok: false, reason: `exited with code ${run.code}${stderr}` };
    const line = lastJsonLine(run.stdout);
    if (!line) return { ok: false, reason: `printed no JSON object on stdout (its last line must be like {"latency_ms": 12.5})${run.stdout.trim() ? `; stdout ended with: ${oneLine(run.stdout, 200)}` : ''}` };
    const metrics = flattenMetrics(line);
    if (!Object.keys(metrics).length) return { ok: false, reason: `its last JSON line has no numbers: ${oneLine(JSON.stringify(line), 200)}` };
    return { ok: true, metrics };
  };
}
