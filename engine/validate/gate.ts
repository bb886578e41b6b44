/**
 * The regression gate: compares a current result file against a baseline, metric by metric,
 * and fails only when a metric regressed beyond its budget *with confidence*: the one-sided
 * 95% bootstrap bound of the relative median change lies beyond the budget (for a latency,
 * the lower bound of the increase is above +10%), and the one-sided Mann–Whitney test of
 * "current is worse than baseline moved by the budget" rejects. Noise within the budget, or
 * a change the data cannot tell from noise, passes.
 *
 * Result files: what `alluse-perf compare --out` writes (arms a and b: the baseline reads
 * arm a, the current reads arm b), a plain samples file `{"samples": {"metric": [...]}}`,
 * or JSON lines, one run per line (a bench's output appended run after run; `optimize
 * --json` trial lines use their `values`).
 */
import { flattenMetrics, lastJsonLine } from '../tune/trialRunner';
import { guessDirection, type Direction } from './compare';
import { bootstrapDifference, mannWhitney, median } from './stats';

export class GateUsageError extends Error {}

export interface SampleSet {
  samples: Record<string, number[]>;
  directions: Record<string, Direction>;
  /** Where it came from, for messages. */
  source: string;
}

/** A budget: how much worse a metric may get, relative (+10% = 0.1) or absolute (in the metric's unit). */
export interface Budget {
  /** The allowed worsening, always ≥ 0, in the metric's bad direction. */
  amount: number;
  relative: boolean;
  /** As the user wrote it. */
  text: string;
}

export const DEFAULT_BUDGET: Budget = { amount: 0.05, relative: true, text: '5%' };

/**
 * Parses `--budget NAME=+10%`, `NAME=-5%`, `NAME=3` (absolute), `*=10%` (the default of every
 * other metric). The sign only restates the bad direction (a latency's budget is an increase,
 * a throughput's a decrease); a sign against the metric's direction is an error, caught
 * when the direction is known (`budgetFor`).
 */
export function parseBudget(spec: string): { metric: string; budget: Budget; sign: -1 | 0 | 1 } {
  const m = /^\s*([^=\s]+)\s*=\s*([+-]?)(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(spec);
  if (!m) throw new GateUsageError(`--budget "${spec}" is not METRIC=+10% (relative), METRIC=-5% or METRIC=2.5 (absolute, in the metric's unit); "*=10%" sets the default.`);
  const value = Number(m[3]);
  const relative = m[4] === '%';
  return { metric: m[1], budget: { amount: relative ? value / 100 : value, relative, text: `${m[2]}${m[3]}${m[4]}` }, sign: m[2] === '+' ? 1 : m[2] === '-' ? -1 : 0 };
}

export interface GateMetric {
  metric: string;
  direction: Direction;
  budget: Budget;
  n: { baseline: number; current: number };
  median: { baseline: number; current: number };
  /** The change in the bad direction (positive = worse): relative (fraction) or absolute, as the budget. */
  worsening: number;
  /** One-sided 95% lower bound of the worsening: the least it plausibly got worse. */
  worseningLowerBound: number;
  /** One-sided Mann–Whitney p of "worse than baseline by more than the budget". */
  p: number;
  status: 'pass' | 'fail' | 'skipped';
  message: string;
}

export interface GateResult {
  passed: boolean;
  metrics: GateMetric[];
  level: number;
  baseline: string;
  current: string;
}

export interface GateOptions {
  /** Budgets by metric; `*` is the default (else DEFAULT_BUDGET). */
  budgets?: Readonly<Record<string, { budget: Budget; sign: -1 | 0 | 1 }>>;
  directions?: Readonly<Record<string, Direction>>;
  /** Only these metrics (default: every metric in both files). */
  metrics?: readonly string[];
  level?: number;
  resamples?: number;
  seed?: number;
}

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : Math.abs(v) >= 100 ? v.toFixed(1) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3));
const show = (x: number, b: Budget) => (b.relative ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%` : `${x >= 0 ? '+' : ''}${fmt(x)}`);

/** Gates one metric. */
export function gateMetric(metric: string, baseline: readonly number[], current: readonly number[], direction: Direction, budget: Budget, o: { level?: number; resamples?: number; seed?: number } = {}): GateMetric {
  const level = o.level ?? 0.95;
  const n = { baseline: baseline.length, current: current.length };
  const med = { baseline: median(baseline), current: median(current) };
  const base = { metric, direction, budget, n, median: med };
  if (baseline.length < 2 || current.length < 2) {
    return { ...base, worsening: Number.NaN, worseningLowerBound: Number.NaN, p: Number.NaN, status: 'skipped', message: `${metric}: skipped, fewer than 2 runs in ${baseline.length < 2 ? 'the baseline' : 'the current results'} (${n.baseline} and ${n.current})` };
  }
  const sign = direction === 'minimize' ? 1 : -1; // worsening = sign · (current − baseline)
  // One-sided bound at `level`: the (1 − level) quantile of the worsening's bootstrap distribution.
  const boot = bootstrapDifference(baseline, current, { statistic: 'median', method: 'percentile', relative: budget.relative, resamples: o.resamples ?? 4000, seed: o.seed ?? 1, quantiles: [1 - level, level] });
  const worsening = sign * boot.estimate;
  const worseningLowerBound = sign > 0 ? boot.quantiles[0] : -boot.quantiles[1];
  // The rank test of "current is worse than the baseline moved by the whole budget".
  const moved = baseline.map((x) => (budget.relative ? x + sign * budget.amount * Math.abs(med.baseline) : x + sign * budget.amount));
  const p = mannWhitney(current, moved, { alternative: sign > 0 ? 'greater' : 'less' }).p;
  const fail = worseningLowerBound > budget.amount && p < 1 - level;
  const what = `${metric} (${direction === 'minimize' ? 'lower' : 'higher'} is better): median ${fmt(med.baseline)} -> ${fmt(med.current)}, worse by ${show(worsening, budget)} (at least ${show(worseningLowerBound, budget)} with ${Math.round(level * 100)}% confidence), budget ${show(budget.amount, budget)}`;
  const message = fail
    ? `${what}: FAIL, it regressed beyond its budget`
    : worsening > budget.amount
      ? `${what}: pass, over budget but not distinguishable from noise with ${n.baseline} and ${n.current} runs (p = ${p.toPrecision(2)}); more runs would tell`
      : `${what}: pass`;
  return { ...base, worsening, worseningLowerBound, p, status: fail ? 'fail' : 'pass', message };
}

/** Gates every metric the two sample sets share. */
export function runGate(baseline: SampleSet, current: SampleSet, o: GateOptions = {}): GateResult {
  const level = o.level ?? 0.95;
  const names = o.metrics ?? Object.keys(baseline.samples).filter((k) => current.samples[k] !== undefined);
  for (const m of o.metrics ?? []) {
    if (!baseline.samples[m] || !current.samples[m]) throw new GateUsageError(`the metric "${m}" is not in ${!baseline.samples[m] ? baseline.source : current.source}; it has: ${Object.keys(!baseline.samples[m] ? baseline.samples : current.samples).join(', ') || 'no metrics'}.`);
  }
  for (const m of Object.keys(o.budgets ?? {})) {
    if (m !== '*' && !names.includes(m)) throw new GateUsageError(`--budget names "${m}", which is not a metric of both files (they share: ${names.join(', ') || 'none'}).`);
  }
  if (!names.length) throw new GateUsageError(`${baseline.source} and ${current.source} share no metric (${Object.keys(baseline.samples).join(', ') || 'none'} / ${Object.keys(current.samples).join(', ') || 'none'}).`);
  const metrics = names.map((name) => {
    const direction = o.directions?.[name] ?? current.directions[name] ?? baseline.directions[name] ?? guessDirection(name);
    const spec = o.budgets?.[name] ?? o.budgets?.['*'];
    if (spec && spec.sign !== 0 && (spec.sign > 0) !== (direction === 'minimize') && o.budgets?.[name]) {
      throw new GateUsageError(`--budget ${name}=${spec.budget.text}: ${name} is ${direction === 'minimize' ? 'better lower, so its budget is an increase (+)' : 'better higher, so its budget is a decrease (-)'}; write ${name}=${direction === 'minimize' ? '+' : '-'}${spec.budget.text.replace(/^[+-]/, '')}, or set its direction with --direction ${name}=${direction === 'minimize' ? 'higher' : 'lower'}.`);
    }
    return gateMetric(name, baseline.samples[name], current.samples[name], direction, spec?.budget ?? DEFAULT_BUDGET, { level, resamples: o.resamples, seed: o.seed });
  });
  return { passed: metrics.every((m) => m.status !== 'fail'), metrics, level, baseline: baseline.source, current: current.source };
}

// ---- Result files ------------------------------------------------------------------------

const isObject = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);

function numbers(x: unknown, where: string): number[] {
  if (!Array.isArray(x) || !x.every((v) => typeof v === 'number' && Number.isFinite(v))) throw new GateUsageError(`${where} must be an array of numbers.`);
  return x as number[];
}

function samplesFrom(obj: Record<string, unknown>, where: string): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = numbers(v, `${where}.${k}`);
  return out;
}

function directionsFrom(x: unknown): Record<string, Direction> {
  const out: Record<string, Direction> = {};
  if (isObject(x)) for (const [k, v] of Object.entries(x)) if (v === 'minimize' || v === 'maximize') out[k] = v;
  return out;
}

/**
 * Reads a result file's text. `role` chooses the arm of a comparison file: the baseline is
 * arm a, the current arm b (override with `arm`).
 */
export function parseResultFile(text: string, source: string, role: 'baseline' | 'current', arm?: 'a' | 'b'): SampleSet {
  const trimmed = text.trim();
  if (!trimmed) throw new GateUsageError(`${source} is empty: it must be the JSON of alluse-perf compare --out, {"samples": {...}}, or JSON lines of benchmark runs.`);
  let whole: unknown;
  try {
    whole = JSON.parse(trimmed);
  } catch {
    whole = undefined;
  }
  if (isObject(whole)) {
    if (isObject(whole.arms)) {
      const which = arm ?? (role === 'baseline' ? 'a' : 'b');
      const a = (whole.arms as Record<string, unknown>)[which];
      if (!isObject(a) || !isObject(a.samples)) throw new GateUsageError(`${source} has no arms.${which}.samples.`);
      return { samples: samplesFrom(a.samples, `${source}: arms.${which}.samples`), directions: directionsFrom(whole.directions), source: `${source} (arm ${which})` };
    }
    if (isObject(whole.samples)) return { samples: samplesFrom(whole.samples, `${source}: samples`), directions: directionsFrom(whole.directions), source };
    // One JSON object of plain numbers: a single run.
  }
  // JSON lines: one run per line.
  const samples: Record<string, number[]> = {};
  let runs = 0;
  const lines = trimmed.split(/\r?\n/);
  for (const line of lines) {
    const obj = lastJsonLine(line);
    if (!obj || 'best' in obj || 'pareto' in obj) continue;
    if ('state' in obj && obj.state !== 'complete') continue; // optimize --json: failed or cancelled trials
    const metrics = flattenMetrics(isObject(obj.values) ? obj.values : obj);
    runs++;
    for (const [k, v] of Object.entries(metrics)) (samples[k] ??= []).push(v);
  }
  if (!runs) throw new GateUsageError(`${source} holds no results: expected the JSON of alluse-perf compare --out, {"samples": {"metric": [..]}}, or one JSON object per line (one benchmark run each).`);
  return { samples, directions: {}, source };
}

// ---- Reports -------------------------------------------------------------------------------

export function gateJson(r: GateResult): Record<string, unknown> {
  return { passed: r.passed, level: r.level, baseline: r.baseline, current: r.current, metrics: r.metrics.map((m) => ({ ...m, budget: m.budget.text })) };
}

export function xmlEscape(s: string): string {
  // Characters XML 1.0 does not allow are dropped; the five specials escaped.
  return s.replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** JUnit XML: one test case per metric, a failure for each regression, skipped when too few runs. CI systems show it as test results. */
export function gateJunit(r: GateResult, suite = 'alluse-perf gate'): string {
  const failures = r.metrics.filter((m) => m.status === 'fail').length;
  const skipped = r.metrics.filter((m) => m.status === 'skipped').length;
  const cases = r.metrics.map((m) => {
    const open = `    <testcase classname="${xmlEscape(suite)}" name="${xmlEscape(m.metric)}" time="0">`;
    const body = m.status === 'fail' ? `\n      <failure message="${xmlEscape(`${m.metric} regressed beyond its budget ${m.budget.text}`)}" type="regression">${xmlEscape(m.message)}</failure>\n    ` : m.status === 'skipped' ? `\n      <skipped message="${xmlEscape(m.message)}"/>\n    ` : `\n      <system-out>${xmlEscape(m.message)}</system-out>\n    `;
    return `${open}${body}</testcase>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="${xmlEscape(suite)}" tests="${r.metrics.length}" failures="${failures}" skipped="${skipped}" errors="0">
  <testsuite name="${xmlEscape(suite)}" tests="${r.metrics.length}" failures="${failures}" skipped="${skipped}" errors="0" time="0">
${cases.join('\n')}
  </testsuite>
</testsuites>
`;
}
