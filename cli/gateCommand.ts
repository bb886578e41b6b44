/**
 * `alluse-perf gate --baseline FILE --current FILE [--budget METRIC=+10%]...`: the CI step.
 * Fails (exit 1) when a metric regressed beyond its budget with confidence; passes (exit 0)
 * on noise and on changes the data cannot tell from noise; exit 2 on a usage error (missing
 * or unreadable file, unknown metric, malformed budget). Writes a summary on stdout, or with
 * --json the result as JSON; --junit FILE writes JUnit XML that CI systems show as tests.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { gateJson, gateJunit, GateUsageError, parseBudget, parseResultFile, runGate, type Budget } from '../engine/validate/gate';
import type { Direction } from '../engine/validate/compare';

export interface GateCommandOptions {
  baseline: string;
  current: string;
  budget: string[];
  direction: string[];
  metric: string[];
  baselineArm?: string;
  currentArm?: string;
  level?: string;
  junit?: string;
  json: boolean;
}

type Out = (s: string) => void;

function read(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new GateUsageError(`cannot read ${flag} ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}.`);
  }
}

function arm(v: string | undefined, flag: string): 'a' | 'b' | undefined {
  if (v === undefined) return undefined;
  if (v !== 'a' && v !== 'b') throw new GateUsageError(`${flag} must be a or b, not "${v}".`);
  return v;
}

export function gateCommand(o: GateCommandOptions, out: Out, err: Out): number {
  let result;
  try {
    const budgets: Record<string, { budget: Budget; sign: -1 | 0 | 1 }> = {};
    for (const b of o.budget) {
      const p = parseBudget(b);
      budgets[p.metric] = { budget: p.budget, sign: p.sign };
    }
    const directions: Record<string, Direction> = {};
    for (const d of o.direction) {
      const m = /^([^=\s]+)=(lower|higher|min|max|minimize|maximize)$/.exec(d.trim());
      if (!m) throw new GateUsageError(`--direction "${d}" is not METRIC=lower or METRIC=higher (which way is better).`);
      directions[m[1]] = m[2] === 'lower' || m[2].startsWith('min') ? 'minimize' : 'maximize';
    }
    const level = o.level === undefined ? 0.95 : Number(o.level);
    if (!(level >= 0.5 && level < 1)) throw new GateUsageError(`--level must be a confidence level between 0.5 and 1, e.g. 0.95, not "${o.level}".`);
    const baseline = parseResultFile(read(o.baseline, '--baseline'), o.baseline, 'baseline', arm(o.baselineArm, '--baseline-arm'));
    const current = parseResultFile(read(o.current, '--current'), o.current, 'current', arm(o.currentArm, '--current-arm'));
    result = runGate(baseline, current, { budgets, directions, metrics: o.metric.length ? o.metric : undefined, level });
  } catch (e) {
    if (!(e instanceof GateUsageError)) throw e;
    err(`alluse-perf gate: ${e.message}`);
    return 2;
  }
  if (o.junit) {
    try {
      writeFileSync(o.junit, gateJunit(result));
    } catch (e) {
      err(`alluse-perf gate: cannot write --junit ${o.junit}: ${(e as Error).message}`);
      return 2;
    }
  }
  if (o.json) out(JSON.stringify(gateJson(result)));
  else {
    for (const m of result.metrics) out(`${m.status === 'fail' ? 'FAIL' : m.status === 'skipped' ? 'SKIP' : 'ok  '}  ${m.message}`);
    const failed = result.metrics.filter((m) => m.status === 'fail');
    out(failed.length ? `\nGate FAILED: ${failed.map((m) => m.metric).join(', ')} regressed beyond budget (${Math.round(result.level * 100)}% confidence).` : `\nGate passed: no metric regressed beyond its budget with ${Math.round(result.level * 100)}% confidence.`);
  }
  return result.passed ? 0 : 1;
}
