/**
 * The governor's decision for one applied change: is it still being watched, did it turn
 * out fine, or did it make things worse? Pure: the caller passes the store, the alerts that
 * are firing and the time, and keeps the small hysteresis memory between calls.
 *
 * A change regresses when
 * - an alert (an SLO or a `monitor.alerts` rule) of its component starts firing after it, or
 * - on one of the component's watched series, the effect measured by `assessImpactInStore`
 *   (observed after the change against a forecast from before it) is on the bad side with
 *   its whole 95% interval, and bigger than `regressionThreshold` (relative to the forecast)
 *   and than a small absolute floor for the unit, in `confirmations` consecutive evaluations.
 *
 * Hysteresis: the count of bad evaluations goes back to 0 only when every series is clearly
 * fine again (not significant, or its worsening is under half the threshold); an evaluation in
 * between leaves the count as it is. So noise near the threshold neither flaps nor rolls back.
 */
import type { AlertInfo } from '../monitor/types';
import { assessImpactInStore, impactSeries, type ImpactMetric, type ImpactSeries } from '../monitor/impactQuery';
import type { MetricStore } from '../monitor/storeApi';
import type { Forecaster } from '../forecast/types';
import type { ComponentConfig } from '../workspace/config';
import type { AuditSeriesEffect } from './audit';

export interface GovernorOptions {
  /** Roll a regressed change back without asking (`governor.autoRollback`). */
  autoRollback: boolean;
  /** How long a change is watched (`governor.watchMinutes`). */
  watchMs: number;
  /** Relative worsening that counts as a regression (`governor.regressionThreshold`, 0.2 = 20%). */
  regressionThreshold: number;
  /** Consecutive bad evaluations before a change is called regressed (default 2). */
  confirmations?: number;
}

export const DEFAULT_GOVERNOR: GovernorOptions = { autoRollback: false, watchMs: 10 * 60_000, regressionThreshold: 0.2, confirmations: 2 };

/** A watched series and which way is better. */
export interface WatchedSeries extends ImpactSeries {
  better: 'lower' | 'higher';
}

const BETTER: Record<ImpactMetric, 'lower' | 'higher'> = { cpu: 'lower', memory: 'lower', throughput: 'higher', latencyP95: 'lower', errorRatio: 'lower', queueDepth: 'lower' };

/**
 * The series the governor watches for a component: what its SLOs and `metrics` describe
 * (p95 latency, error ratio, throughput, queue depth). CPU and memory are watched only when
 * the component declares no application metric: a change that adds worker threads is
 * expected to use more of them, which is not a regression of the service.
 */
export function watchedSeries(c: ComponentConfig): WatchedSeries[] {
  const all = impactSeries(c).map((s) => ({ ...s, better: BETTER[s.metric] }));
  const service = all.filter((s) => s.metric !== 'cpu' && s.metric !== 'memory');
  return service.length ? service : all;
}

const Z95 = 1.959964;

/**
 * The governor's counterfactual: the series stays at the level it had before the change.
 * The level is the median of the history, the spread of one step is 1.4826 × the median
 * absolute deviation (robust to the spikes a latency series has), and the 95% interval of
 * each step is level ± 1.96 × spread × √(1 + 1/n). `assessImpact` averages the bounds, so an
 * effect is significant only when the mean after the change leaves the band of a *single*
 * step: cautious, as a rollback should be.
 *
 * Why not the engine's auto forecaster: over a watch window it forecasts dozens to hundreds
 * of steps from a short, noisy history, and its intervals grow with the horizon. On the demo
 * system 90 s after a change (1 s steps, 30 s of history), its 95% interval of the p95
 * latency effect was −4.25 s to 4.44 s, wide enough to hide a 300 ms fault. A change is
 * judged against the steady state just before it; that is what this model says. It also
 * costs a sort instead of a model search, every few seconds in the language server.
 */
export const levelForecaster: Forecaster = {
  name: 'level',
  fit(values: number[]) {
    const xs = values.filter(Number.isFinite);
    const med = median(xs);
    const mad = median(xs.map((x) => Math.abs(x - med)));
    // A flat history (MAD 0) still has some spread: the standard deviation, or a relative floor.
    const sd = mad > 0 ? 1.4826 * mad : Math.sqrt(xs.reduce((a, x) => a + (x - med) ** 2, 0) / Math.max(1, xs.length - 1)) || Math.abs(med) * 1e-6;
    const half95 = Z95 * sd * Math.sqrt(1 + 1 / Math.max(1, xs.length));
    const half80 = (1.281552 / Z95) * half95;
    return {
      model: `level(${xs.length})`,
      forecast: (h: number) => ({
        mean: Array(h).fill(med),
        lo80: Array(h).fill(med - half80),
        hi80: Array(h).fill(med + half80),
        lo95: Array(h).fill(med - half95),
        hi95: Array(h).fill(med + half95),
      }),
    };
  },
};

function median(xs: readonly number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Below these absolute changes nothing is called a regression, whatever the relative change (a 0.1 ms latency is not worth a rollback). */
const ABSOLUTE_FLOOR: Record<string, number> = { seconds: 0.001, ratio: 0.005, per_second: 0.5, count: 1, bytes: 1_048_576 };

/** What the caller keeps between evaluations of one change. */
export interface GovernorMemory {
  /** Consecutive bad evaluations (reset only when clearly fine: hysteresis). */
  bad: number;
  evaluations: number;
}

export interface GovernorInput {
  /** The change: when it was applied, and the component it changed. */
  change: { time: number; component?: string };
  series: readonly WatchedSeries[];
  store: MetricStore;
  now: number;
  /** Alerts firing now (the monitor's status). */
  alerts: readonly AlertInfo[];
  options: GovernorOptions;
  memory?: GovernorMemory;
  /** The counterfactual model (default: `levelForecaster`). */
  forecaster?: Forecaster;
}

export type GovernorState = 'watching' | 'ok' | 'regressed';

export interface GovernorDecision {
  state: GovernorState;
  /** One sentence for people. */
  reason: string;
  /** The measured effect on each series that could be assessed now. */
  effects: AuditSeriesEffect[];
  memory: GovernorMemory;
  /** The series that regressed (state `regressed` by effect). */
  regressedSeries: string[];
  /** The alert that fired after the change (state `regressed` by alert). */
  alert?: string;
}

/** How an assessed effect reads for a metric with a good direction. */
export function effectVerdict(better: 'lower' | 'higher', effectLo95: number, effectHi95: number): AuditSeriesEffect['verdict'] {
  const worse = better === 'lower' ? effectLo95 > 0 : effectHi95 < 0;
  const improved = better === 'lower' ? effectHi95 < 0 : effectLo95 > 0;
  return worse ? 'worse' : improved ? 'better' : 'neutral';
}

/** Decides the state of one applied change now. */
export function governorDecide(input: GovernorInput): GovernorDecision {
  const { change, options, now } = input;
  const prev = input.memory ?? { bad: 0, evaluations: 0 };
  const confirmations = Math.max(1, options.confirmations ?? DEFAULT_GOVERNOR.confirmations!);
  const threshold = Math.max(0, options.regressionThreshold);

  // An alert of the component that began after the change: its own `for` delay is the confirmation.
  const alert = input.alerts.find((a) => a.since >= change.time && (change.component === undefined || a.component === change.component));

  const effects: AuditSeriesEffect[] = [];
  const bad: string[] = [];
  let unclear = false;
  const skipped: string[] = [];
  for (const s of input.series) {
    let r;
    try {
      r = assessImpactInStore(input.store, { name: s.name, labels: s.labels, at: change.time, now, forecaster: input.forecaster ?? levelForecaster }, s.unit);
    } catch (e) {
      skipped.push(`${s.label}: ${(e as Error).message}`);
      continue;
    }
    const verdict = effectVerdict(s.better, r.effectLo95, r.effectHi95);
    const worsening = s.better === 'lower' ? r.effect : -r.effect;
    const scale = Math.abs(r.expectedMean);
    const floor = ABSOLUTE_FLOOR[s.unit] ?? 0;
    const beyond = (share: number) => worsening > floor * share && (scale > 0 ? worsening > share * threshold * scale : true);
    if (verdict === 'worse' && beyond(1)) bad.push(`${s.label} (${r.message})`);
    else if (verdict === 'worse' && beyond(0.5)) unclear = true;
    effects.push({
      metric: s.metric,
      series: s.name,
      label: s.label,
      unit: s.unit,
      effect: r.effect,
      effectLo95: r.effectLo95,
      effectHi95: r.effectHi95,
      relative: Number.isFinite(r.relative) ? r.relative : null,
      verdict,
      message: r.message,
    });
  }

  const evaluated = effects.length > 0;
  const memory: GovernorMemory = {
    bad: bad.length ? prev.bad + 1 : evaluated && !unclear ? 0 : prev.bad,
    evaluations: prev.evaluations + (evaluated ? 1 : 0),
  };
  if (alert) {
    return { state: 'regressed', reason: `Alert ${alert.name} started firing after the change${alert.description ? ` (${alert.description})` : ''}.`, effects, memory, regressedSeries: [], alert: alert.name };
  }
  if (bad.length && memory.bad >= confirmations) {
    return { state: 'regressed', reason: `Worse after the change: ${bad.join('; ')}.`, effects, memory, regressedSeries: bad.map((b) => b.split(' (')[0]) };
  }
  const elapsed = now - change.time;
  if (!input.series.length) return { state: 'ok', reason: 'Nothing to watch: the component declares no metrics in alluse-perf.yaml.', effects, memory, regressedSeries: [] };
  // The window is over: fine when nothing is pending; a pending suspicion gets at most one more window.
  if (elapsed >= options.watchMs && (memory.bad === 0 || elapsed >= 2 * options.watchMs)) {
    const better = effects.filter((e) => e.verdict === 'better').map((e) => e.label);
    const reason = !evaluated
      ? `Watched for ${Math.round(elapsed / 60_000)} min; the effect could not be measured (${skipped[0] ?? 'no data'}).`
      : `No regression in ${Math.round(elapsed / 60_000)} min${better.length ? `; better: ${better.join(', ')}` : ''}.`;
    return { state: 'ok', reason, effects, memory, regressedSeries: [] };
  }
  const reason = bad.length
    ? `Worse after the change (${memory.bad} of ${confirmations} confirmations): ${bad.join('; ')}.`
    : evaluated
      ? `Watching (${effects.length} series assessed, nothing worse${unclear ? ' beyond doubt' : ''}).`
      : `Watching: ${skipped[0] ?? 'waiting for data after the change'}.`;
  return { state: 'watching', reason, effects, memory, regressedSeries: [] };
}
