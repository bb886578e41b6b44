/**
 * `alluse-perf compare --a CONFIG_A --b CONFIG_B --command CMD`: runs the benchmark command
 * for both configurations interleaved (A B A B …), then per metric the medians, the
 * difference with a bootstrap interval, the Mann–Whitney p-value and a verdict ("no
 * detectable difference" when the data cannot tell). The command runs without a shell;
 * `{config}` in its arguments and $ALLUSE_CONFIG hold the arm's configuration path (a file or
 * a folder, as the benchmark takes it), like optimize's generic mode.
 *
 * Output: a table on stdout (progress on stderr), or with --json the result as one JSON
 * line; --out writes the result with every sample (for `alluse-perf gate` and reports),
 * --html a self-contained report with a box-and-strip plot per metric.
 * Exit codes: 0 compared, 1 nothing could be compared (runs failed), 2 usage, 130 stopped.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { commandRunner } from '../engine/validate/commandRunner';
import { describeComparison, formatNumber, formatP, runComparison, type ComparisonResult, type Direction } from '../engine/validate/compare';
import { comparisonHtml } from '../engine/validate/htmlReport';
import { durationMs } from '../engine/tune/studyConfig';
import { splitCommandLine } from '../engine/tune/trialCommandLine';

export interface CompareCommandOptions {
  a: string;
  b: string;
  command: string;
  repeats?: string;
  warmup?: string;
  order?: string;
  seed?: string;
  timeout?: string;
  metric: string[];
  json: boolean;
  out?: string;
  html?: string;
}

type Out = (s: string) => void;

class UsageError extends Error {}

function intFlag(v: string | undefined, flag: string, min: number, fallback: number): number {
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v.trim()) || Number(v) < min) throw new UsageError(`${flag} must be a whole number of at least ${min}, not "${v}".`);
  return Number(v);
}

/** The JSON written by --out and --json: what `gate` reads (arms.a.samples, arms.b.samples). */
export function comparisonJson(r: ComparisonResult, ctx: { configs: { a: string; b: string }; argv: readonly string[]; cwd: string }): Record<string, unknown> {
  return {
    kind: 'alluse-perf.compare',
    version: 1,
    createdAt: new Date().toISOString(),
    command: ctx.argv,
    cwd: ctx.cwd,
    arms: { a: { config: ctx.configs.a, samples: r.samples.a }, b: { config: ctx.configs.b, samples: r.samples.b } },
    directions: Object.fromEntries(r.metrics.map((m) => [m.metric, m.direction])),
    repeats: r.repeats,
    warmup: r.warmup,
    order: r.order,
    seed: r.seed,
    level: r.level,
    cancelled: r.cancelled,
    ...(r.problem ? { problem: r.problem } : {}),
    metrics: r.metrics,
    runs: r.runs,
  };
}

/** The terminal table: one row per metric. */
export function comparisonTable(r: ComparisonResult): string {
  const pct = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%` : 'n/a');
  const head = ['metric', 'median A', 'median B', 'change', `${Math.round(r.level * 100)}% CI`, 'p', 'verdict'];
  const rows = r.metrics.map((m) => [m.metric, formatNumber(m.median.a), formatNumber(m.median.b), pct(m.relative), `${pct(m.relativeCi.lo)} .. ${pct(m.relativeCi.hi)}`, formatP(m.p), m.verdict]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export async function compareCommand(o: CompareCommandOptions, out: Out, err: Out, io: { isTTY: boolean; writeErr: (s: string) => void; signal?: AbortSignal }): Promise<number> {
  let argv: string[];
  let repeats: number;
  let warmup: number;
  let seed: number;
  let timeoutMs: number;
  let order: 'abab' | 'random';
  const directions: Record<string, Direction> = {};
  const configs = { a: resolve(o.a), b: resolve(o.b) };
  try {
    for (const [arm, path] of Object.entries(configs)) if (!existsSync(path)) throw new UsageError(`--${arm} ${path} does not exist: give the configuration (a file or a folder) that {config} stands for.`);
    argv = splitCommandLine(o.command);
    if (!argv.length) throw new UsageError('--command is empty: give the benchmark, e.g. --command "node bench --config {config} --duration 10s".');
    repeats = intFlag(o.repeats, '--repeats', 2, 10);
    warmup = intFlag(o.warmup, '--warmup', 0, 1);
    seed = intFlag(o.seed, '--seed', 0, 1);
    timeoutMs = durationMs(o.timeout, '--timeout', 1000) ?? 600_000;
    if (o.order !== undefined && o.order !== 'abab' && o.order !== 'random') throw new UsageError(`--order must be abab or random, not "${o.order}".`);
    order = (o.order as 'abab' | 'random' | undefined) ?? 'abab';
    for (const f of o.metric) {
      const m = /^(.+):(min|max|minimize|maximize)$/.exec(f.trim());
      if (!m || !m[1].trim()) throw new UsageError(`--metric "${f}" is not NAME:min or NAME:max (which way is better), e.g. --metric p95_latency_ms:min.`);
      directions[m[1].trim()] = m[2].startsWith('min') ? 'minimize' : 'maximize';
    }
    if (!o.command.includes('{config}') && !o.command.includes('{arm}')) err('alluse-perf compare: note: the command has no {config}; it gets the configuration only in $ALLUSE_CONFIG.');
  } catch (e) {
    err(`alluse-perf compare: ${(e as Error).message}`);
    return 2;
  }
  const metrics = o.metric.length ? Object.keys(directions) : undefined;
  err(`Comparing A = ${o.a} and B = ${o.b}: ${repeats} run(s) each after ${warmup} warm-up round(s), ${order === 'abab' ? 'A B A B …' : `randomized blocks (seed ${seed})`}.`);
  const total = 2 * (repeats + warmup);
  let line = '';
  const result = await runComparison(commandRunner({ argv, cwd: process.cwd(), configs, timeoutMs }), {
    repeats,
    warmup,
    order,
    seed,
    directions,
    metrics,
    signal: io.signal,
    onRun: (e) => {
      const what = `run ${e.done}/${total}: ${e.arm.toUpperCase()}${e.warmup ? ' (warm-up)' : ''} ${e.outcome.ok ? 'done' : `failed: ${e.outcome.reason}`}`;
      if (io.isTTY && e.outcome.ok) {
        line = `[${'#'.repeat(Math.round((e.done / total) * 24)).padEnd(24, '-')}] ${what}`;
        io.writeErr(`\r\x1b[K${line.slice(0, (process.stderr.columns ?? 120) - 1)}`);
      } else {
        if (line) io.writeErr('\r\x1b[K');
        line = '';
        err(what);
      }
    },
  });
  if (line) io.writeErr('\r\x1b[K');
  if (o.metric.length) {
    for (const m of metrics ?? []) if (!result.metrics.some((x) => x.metric === m) && !result.cancelled && result.runs.some((r) => r.ok)) err(`alluse-perf compare: the metric "${m}" was not in every run's result; the runs reported: ${Object.keys(result.samples.a).join(', ') || 'nothing'}.`);
  }
  const json = comparisonJson(result, { configs, argv, cwd: process.cwd() });
  try {
    if (o.out) writeFileSync(o.out, JSON.stringify(json, null, 2) + '\n');
    if (o.html) writeFileSync(o.html, comparisonHtml(result, { labels: { a: o.a, b: o.b }, command: o.command, createdAt: json.createdAt as string }));
  } catch (e) {
    err(`alluse-perf compare: cannot write the result: ${(e as Error).message}`);
    return 2;
  }
  if (o.json) out(JSON.stringify(json));
  else {
    if (result.metrics.length) out(comparisonTable(result));
    const differing = result.metrics.filter((m) => m.verdict !== 'no detectable difference');
    if (result.metrics.length) out(differing.length ? `\n${differing.map(describeComparison).join('\n')}` : '\nNo detectable difference in any metric.');
    if (o.out) out(`Samples: ${o.out} (alluse-perf gate --baseline ${o.out} --current ${o.out} gates B against A)`);
    if (o.html) out(`Report: ${o.html}`);
  }
  if (result.problem) err(`alluse-perf compare: ${result.problem}`);
  if (result.cancelled) return 130;
  return result.metrics.length ? 0 : 1;
}
