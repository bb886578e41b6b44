/**
 * The SLO guardrail: a recommendation whose re-measurement broke any component's SLO is not
 * offered, whatever it gained elsewhere (more throughput on the engine is no gain when the
 * account service's p95 goes over its objective). Every component with SLOs is checked, not
 * only the one the recommendation changes: components share the host.
 *
 * Pure: the measured values per component come in, the verdicts go out, with the reason.
 */
import type { GuardrailVerdict, Recommendation, SloCheck } from './types';

/** A component's objectives, as in `slos` of alluse-perf.yaml (latencies in ms). */
export interface ComponentSlos {
  latency?: { p50Ms?: number; p90Ms?: number; p95Ms?: number; p99Ms?: number };
  errorRate?: number;
  throughputMin?: number;
}

/** What a re-measurement saw for one component; absent values are not checked (and said so). */
export interface ComponentMeasurement {
  latencyMs?: { p50?: number; p90?: number; p95?: number; p99?: number };
  errorRate?: number;
  throughput?: number;
}

/** Checks one component's measured values against its SLOs. */
export function checkSlos(component: string, slos: ComponentSlos, m: ComponentMeasurement | undefined): SloCheck[] {
  const out: SloCheck[] = [];
  if (!m) return out;
  for (const q of ['p50', 'p90', 'p95', 'p99'] as const) {
    const limit = slos.latency?.[`${q}Ms`];
    const measured = m.latencyMs?.[q];
    if (limit !== undefined && measured !== undefined) out.push({ component, slo: `latency.${q}`, limit, measured, ok: measured <= limit });
  }
  if (slos.errorRate !== undefined && m.errorRate !== undefined) out.push({ component, slo: 'errorRate', limit: slos.errorRate, measured: m.errorRate, ok: m.errorRate <= slos.errorRate });
  if (slos.throughputMin !== undefined && m.throughput !== undefined) out.push({ component, slo: 'throughputMin', limit: slos.throughputMin, measured: m.throughput, ok: m.throughput >= slos.throughputMin });
  return out;
}

const unit = (slo: string) => (slo.startsWith('latency') ? ' ms' : slo === 'throughputMin' ? '/s' : '');
const num = (x: number) => String(Number(x.toPrecision(4)));

export function describeCheck(c: SloCheck): string {
  const op = c.slo === 'throughputMin' ? '>=' : '<=';
  return `${c.component} ${c.slo} measured ${num(c.measured)}${unit(c.slo)}, SLO ${op} ${num(c.limit)}${unit(c.slo)}`;
}

export interface GuardrailInput {
  recommendation: Recommendation;
  /** Component name -> what the re-measurement with this recommendation applied saw; undefined when it was not re-measured. */
  measured?: Readonly<Record<string, ComponentMeasurement>>;
  /**
   * The same measurement of today's configuration (the A arm of an A/B re-measurement). An SLO
   * today's configuration already broke under the same load is not blamed on the
   * recommendation unless it made it worse: the load of the measurement broke it, not the change.
   */
  baseline?: Readonly<Record<string, ComponentMeasurement>>;
}

/**
 * A verdict per recommendation. One not re-measured is offered only when `requireMeasurement`
 * is false (the default), and its verdict says it was not checked.
 */
export function applyGuardrail(inputs: readonly GuardrailInput[], slos: Readonly<Record<string, ComponentSlos>>, o: { requireMeasurement?: boolean } = {}): GuardrailVerdict[] {
  return inputs.map(({ recommendation, measured, baseline }) => {
    if (!measured) {
      return o.requireMeasurement
        ? { recommendation, offered: false, reason: 'not re-measured: the guardrail cannot check the SLOs; re-measure it first', checks: [] }
        : { recommendation, offered: true, checks: [] };
    }
    const checks = Object.entries(slos).flatMap(([component, s]) => checkSlos(component, s, measured[component]));
    const before = baseline ? Object.entries(slos).flatMap(([component, s]) => checkSlos(component, s, baseline[component])) : [];
    const worse = (c: SloCheck) => (c.slo === 'throughputMin' ? (x: number, y: number) => x < y : (x: number, y: number) => x > y);
    const broken = checks.filter((c) => {
      if (c.ok) return false;
      const b = before.find((x) => x.component === c.component && x.slo === c.slo);
      return !b || b.ok || worse(c)(c.measured, b.measured);
    });
    const already = checks.filter((c) => !c.ok && !broken.includes(c));
    const note = already.length ? ` (already broken by today's configuration in the same measurement, and not made worse: ${already.map(describeCheck).join('; ')})` : '';
    return broken.length
      ? { recommendation, offered: false, reason: `not offered: in re-measurement it broke ${broken.length === 1 ? 'an SLO' : `${broken.length} SLOs`}: ${broken.map(describeCheck).join('; ')}${note}`, checks }
      : { recommendation, offered: true, checks, ...(note ? { reason: `offered${note}` } : {}) };
  });
}

/** The recommendations the guardrail lets through. */
export function guarded(inputs: readonly GuardrailInput[], slos: Readonly<Record<string, ComponentSlos>>, o: { requireMeasurement?: boolean } = {}): { offered: GuardrailVerdict['recommendation'][]; withheld: GuardrailVerdict[] } {
  const v = applyGuardrail(inputs, slos, o);
  return { offered: v.filter((x) => x.offered).map((x) => x.recommendation), withheld: v.filter((x) => !x.offered) };
}

const QUANTILES = ['p50', 'p90', 'p95', 'p99'] as const;

/**
 * What a trial command's metrics say about each component, by the metric names the trial
 * commands print: `p95_latency_ms`, `error_rate`, `throughput_tps` for `component` (the one
 * the study tunes), and the same names prefixed `<component>.` (a nested JSON object per
 * component) for the others.
 */
export function measurementFromMetrics(metrics: Readonly<Record<string, number>>, component: string, components: readonly string[]): Record<string, ComponentMeasurement> {
  const out: Record<string, ComponentMeasurement> = {};
  for (const c of new Set([component, ...components])) {
    const prefix = c === component ? [`${c}.`, ''] : [`${c}.`];
    const get = (name: string) => prefix.map((p) => metrics[p + name]).find((v) => v !== undefined && Number.isFinite(v));
    const m: ComponentMeasurement = {};
    const lat: NonNullable<ComponentMeasurement['latencyMs']> = {};
    for (const q of QUANTILES) {
      const v = get(`${q}_latency_ms`);
      if (v !== undefined) lat[q] = v;
    }
    if (Object.keys(lat).length) m.latencyMs = lat;
    const e = get('error_rate');
    if (e !== undefined) m.errorRate = e;
    const t = get('throughput_tps');
    if (t !== undefined) m.throughput = t;
    if (Object.keys(m).length) out[c] = m;
  }
  return out;
}
