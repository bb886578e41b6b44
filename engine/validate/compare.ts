/**
 * A/B comparison of two configurations by a benchmark: runs `runOnce` for A and B
 * interleaved (A B A B …, or in seeded random order within each block of one A and one B),
 * so slow drifts of a shared machine (other load, thermal state, caches) fall on both arms
 * alike; discards warm-up rounds; then, per metric, compares the two samples:
 * - the medians, their difference B − A and relative difference (B − A) / |A|, each with a
 *   95% bootstrap interval (percentile; for medians BCa's bias correction is unreliable on
 *   the few, tied values a benchmark gives);
 * - the Mann–Whitney U test (its p-value), the Hodges–Lehmann shift with its interval, and
 *   Welch's t for the means, for readers who want them;
 * - a verdict in the metric's direction: "better"/"worse" only when the rank test rejects
 *   AND the interval of the relative median difference excludes 0 (the two always agree on
 *   what is shown), else "no detectable difference".
 * Pure: the runner is a function, so the logic is tested on synthetic distributions.
 */
import { Rng } from '../util/rng';
import { bootstrapDifference, hodgesLehmann, mannWhitney, mean, median, welchT, type Interval } from './stats';

export type Arm = 'a' | 'b';
export type Direction = 'minimize' | 'maximize';
export type Verdict = 'better' | 'worse' | 'no detectable difference';

/** One run's metrics (numbers by name), or why the run failed. */
export type RunOutcome = { ok: true; metrics: Record<string, number> } | { ok: false; reason: string; cancelled?: boolean };

export type RunOnce = (arm: Arm, round: number, signal?: AbortSignal) => Promise<RunOutcome>;

export interface CompareOptions {
  /** Measured rounds per arm (default 10). */
  repeats?: number;
  /** Rounds per arm run first and discarded (default 1: the first run warms caches, JIT, disk). */
  warmup?: number;
  /** 'abab' (default) or 'random': each block of one A and one B in seeded random order. */
  order?: 'abab' | 'random';
  seed?: number;
  /** Directions by metric; unnamed metrics get `guessDirection`. */
  directions?: Readonly<Record<string, Direction>>;
  /** Only these metrics (default: every metric that every complete run of both arms reported). */
  metrics?: readonly string[];
  level?: number;
  resamples?: number;
  signal?: AbortSignal;
  /** Failed runs tolerated before the comparison stops (default: a quarter of the runs). */
  maxFailures?: number;
  onRun?: (e: { arm: Arm; round: number; warmup: boolean; outcome: RunOutcome; done: number; total: number }) => void;
}

export interface MetricComparison {
  metric: string;
  direction: Direction;
  n: { a: number; b: number };
  median: { a: number; b: number };
  mean: { a: number; b: number };
  /** median(B) − median(A) with its bootstrap interval. */
  difference: number;
  differenceCi: Interval;
  /** (median(B) − median(A)) / |median(A)| with its bootstrap interval. */
  relative: number;
  relativeCi: Interval;
  /** Two-sided Mann–Whitney p-value and how it was computed. */
  p: number;
  test: 'mann-whitney exact' | 'mann-whitney normal';
  /** Hodges–Lehmann shift of B against A, with its interval. */
  shift: { estimate: number; ci: Interval };
  /** Welch's t for the means (two-sided p). */
  welch: { difference: number; p: number; ci: Interval };
  verdict: Verdict;
}

export interface RunRecord {
  arm: Arm;
  round: number;
  warmup: boolean;
  ok: boolean;
  reason?: string;
  metrics?: Record<string, number>;
}

export interface ComparisonResult {
  metrics: MetricComparison[];
  /** Samples per arm per metric, in run order (warm-up excluded): what `gate` and the plots read. */
  samples: { a: Record<string, number[]>; b: Record<string, number[]> };
  runs: RunRecord[];
  repeats: number;
  warmup: number;
  order: 'abab' | 'random';
  seed: number;
  level: number;
  cancelled: boolean;
  /** Set when runs failed (the comparison uses the others) or too many failed. */
  problem?: string;
}

/**
 * The usual good direction from a metric's name: latencies, durations, errors, resource use
 * are better low; throughputs and rates of work done better high. A guess: the CLI's
 * --metric NAME:min|max and the workspace's objectives override it.
 */
export function guessDirection(metric: string): Direction {
  const m = metric.toLowerCase();
  if (/(error|fail|reject|drop|timeout|latency|duration|_ms$|_us$|_ns$|_s$|seconds|time|cpu|mem|rss|heap|bytes|gc|p\d\d|wait|queue)/.test(m)) return 'minimize';
  if (/(throughput|tps|qps|rps|ops|per_s|persec|per_sec|rate|count|score|hits|success)/.test(m)) return 'maximize';
  return 'minimize';
}

/** The order of the arms in each round: A B every time, or a seeded coin per block. */
export function armOrder(rounds: number, order: 'abab' | 'random', seed: number): Arm[][] {
  const rng = new Rng(seed);
  const out: Arm[][] = [];
  for (let r = 0; r < rounds; r++) out.push(order === 'random' && rng.next() < 0.5 ? ['b', 'a'] : ['a', 'b']);
  return out;
}

/** Compares the samples of one metric (B against A). */
export function compareMetric(metric: string, a: readonly number[], b: readonly number[], direction: Direction, o: { level?: number; resamples?: number; seed?: number } = {}): MetricComparison {
  const level = o.level ?? 0.95;
  const boot = { level, resamples: o.resamples ?? 4000, seed: o.seed ?? 1, method: 'percentile' as const, statistic: 'median' as const };
  const diff = bootstrapDifference(a, b, boot);
  const rel = bootstrapDifference(a, b, { ...boot, relative: true });
  const mw = mannWhitney(a, b);
  const hl = hodgesLehmann(a, b, level);
  const w = welchT(a, b, level);
  const alpha = 1 - level;
  // A difference is claimed when the rank test rejects and the shown interval excludes 0.
  const up = rel.ci.lo > 0 && mw.p < alpha;
  const down = rel.ci.hi < 0 && mw.p < alpha;
  const verdict: Verdict = up || down ? ((up && direction === 'maximize') || (down && direction === 'minimize') ? 'better' : 'worse') : 'no detectable difference';
  return {
    metric,
    direction,
    n: { a: a.length, b: b.length },
    median: { a: median(a), b: median(b) },
    mean: { a: mean(a), b: mean(b) },
    difference: diff.estimate,
    differenceCi: diff.ci,
    relative: rel.estimate,
    relativeCi: rel.ci,
    p: mw.p,
    test: mw.method === 'exact' ? 'mann-whitney exact' : 'mann-whitney normal',
    shift: { estimate: hl.estimate, ci: hl.ci },
    welch: { difference: w.difference, p: w.p, ci: w.ci },
    verdict,
  };
}

/** Compares every metric of two sample sets (what `compare` measured, or two result files). */
export function compareSampleSets(a: Readonly<Record<string, readonly number[]>>, b: Readonly<Record<string, readonly number[]>>, o: Pick<CompareOptions, 'directions' | 'metrics' | 'level' | 'resamples' | 'seed'> = {}): MetricComparison[] {
  const names = o.metrics ?? Object.keys(a).filter((k) => b[k] !== undefined);
  const out: MetricComparison[] = [];
  for (const name of names) {
    const xa = a[name] ?? [];
    const xb = b[name] ?? [];
    if (xa.length < 2 || xb.length < 2) continue;
    out.push(compareMetric(name, xa, xb, o.directions?.[name] ?? guessDirection(name), o));
  }
  return out;
}

/** Runs the interleaved A/B rounds and compares the results. */
export async function runComparison(runOnce: RunOnce, o: CompareOptions = {}): Promise<ComparisonResult> {
  const repeats = o.repeats ?? 10;
  const warmup = o.warmup ?? 1;
  const order = o.order ?? 'abab';
  const seed = o.seed ?? 1;
  const level = o.level ?? 0.95;
  const total = 2 * (repeats + warmup);
  const maxFailures = o.maxFailures ?? Math.max(1, Math.floor(total / 4));
  const runs: RunRecord[] = [];
  const failures: string[] = [];
  let cancelled = false;
  let stoppedForFailures = false;
  const rounds = armOrder(repeats + warmup, order, seed);
  outer: for (let r = 0; r < rounds.length; r++) {
    for (const arm of rounds[r]) {
      if (o.signal?.aborted) {
        cancelled = true;
        break outer;
      }
      const isWarmup = r < warmup;
      const outcome = await runOnce(arm, r, o.signal);
      if (!outcome.ok && (outcome.cancelled || o.signal?.aborted)) {
        cancelled = true;
        break outer;
      }
      runs.push(outcome.ok ? { arm, round: r, warmup: isWarmup, ok: true, metrics: outcome.metrics } : { arm, round: r, warmup: isWarmup, ok: false, reason: outcome.reason });
      o.onRun?.({ arm, round: r, warmup: isWarmup, outcome, done: runs.length, total });
      if (!outcome.ok) {
        failures.push(`${arm.toUpperCase()} run ${r + 1}${isWarmup ? ' (warm-up)' : ''} failed: ${outcome.reason}`);
        if (failures.length > maxFailures) {
          stoppedForFailures = true;
          break outer;
        }
      }
    }
  }
  const measured = runs.filter((x) => x.ok && !x.warmup);
  const samples = { a: {} as Record<string, number[]>, b: {} as Record<string, number[]> };
  for (const run of measured) for (const [k, v] of Object.entries(run.metrics!)) (samples[run.arm][k] ??= []).push(v);
  // By default, the metrics every measured run of both arms reported (a metric that some runs
  // lack would compare different subsets of rounds).
  const countA = measured.filter((x) => x.arm === 'a').length;
  const countB = measured.length - countA;
  const names = o.metrics ?? Object.keys(samples.a).filter((k) => samples.a[k].length === countA && samples.b[k]?.length === countB);
  const metrics = compareSampleSets(samples.a, samples.b, { directions: o.directions, metrics: names, level, resamples: o.resamples, seed });
  const problems: string[] = [];
  if (failures.length) problems.push(`${failures.length} run(s) failed${stoppedForFailures ? ' (too many: the comparison stopped)' : ''}; ${failures[0]}`);
  if (cancelled) problems.push('the comparison was cancelled; the results use the runs that finished');
  if (!metrics.length && !cancelled) problems.push(countA < 2 || countB < 2 ? 'fewer than 2 measured runs per configuration: nothing to compare' : 'no metric was reported by every run of both configurations');
  return { metrics, samples, runs, repeats, warmup, order, seed, level, cancelled, ...(problems.length ? { problem: problems.join('; ') } : {}) };
}

/** "p95_latency_ms: 12.3 → 14.8 (+20.3%, 95% CI +15.1% to +25.0%; p = 0.0002): worse". */
export function describeComparison(m: MetricComparison): string {
  const pct = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%` : 'n/a');
  const ci = Number.isFinite(m.relativeCi.lo) ? `${Math.round(m.relativeCi.level * 100)}% CI ${pct(m.relativeCi.lo)} to ${pct(m.relativeCi.hi)}; ` : '';
  return `${m.metric}: ${formatNumber(m.median.a)} -> ${formatNumber(m.median.b)} (${pct(m.relative)}, ${ci}p = ${formatP(m.p)}): ${m.verdict}`;
}

export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a >= 1000 ? v.toFixed(0) : a >= 100 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toPrecision(3);
}

export function formatP(p: number): string {
  if (!Number.isFinite(p)) return 'n/a';
  return p < 0.0001 ? '<0.0001' : p < 0.01 ? p.toFixed(4) : p.toFixed(3);
}
