/**
 * Recommendations from the sources other than studies: capacity plans and bottleneck
 * predictions, mapped onto the configuration keys the workspace declares under
 * `coordination.resources`. Pure: the plans, predictions, declared keys and today's values
 * come in; recommendations go out (their source, origin and reason say where they come from).
 *
 * A key is only ever recommended when the workspace says what it controls: a `cpu-cores`
 * key (`workers: {resource: cpu-cores, per: 1}`) for a plan's CPU need, and a key with
 * `controls: limits.memory` or `controls: limits.queueCapacity` for a plan's memory need or
 * a predicted crossing of that limit. Without a declaration there is no recommendation: a
 * guess at which key holds a limit would be a change nobody asked for.
 *
 * Rules produce none: the workspace checks' quick fixes only ever edit alluse-perf.yaml
 * itself (renames, misspelt values), never a component's configuration file.
 */
import type { CapacityPlan } from '../monitor/capacity';
import type { LimitPrediction } from '../monitor/types';
import type { ParamValue } from '../tune/types';
import type { Recommendation } from './types';

/** What a declared key is: the share of a resource it takes, and/or the limit it sets. */
export interface DeclaredKey {
  component: string;
  file: string;
  key: string;
  /** `cpu-cores`, `memory`, ...; absent for a key that only sets a limit. */
  resource?: string;
  /** Units (cores, MiB, queue entries) per unit of the key's value. */
  per: number;
  /** The limit of the component this key sets in its program (`limits.memory`, `limits.queueCapacity`). */
  controls?: LimitControl;
  max?: number;
}

/** The limits a configuration key can be declared to set (the limit keys of predictions). */
export type LimitControl = 'limits.memory' | 'limits.queueCapacity';
export const LIMIT_CONTROLS: readonly LimitControl[] = ['limits.memory', 'limits.queueCapacity'];

export type ValueOf = (file: string, key: string) => ParamValue | undefined;

const MiB = 1048576;
const round = (x: number, d = 2) => Number(x.toFixed(d));
/** ceil with a tolerance: 6.0000000001 workers is 6, not 7. */
const ceil = (x: number) => Math.ceil(x - 1e-9);

/** The one key of a component with this resource or limit; several (the need cannot be split among them) or none give undefined. */
function onlyKey(keys: readonly DeclaredKey[], component: string, match: (k: DeclaredKey) => boolean): DeclaredKey | undefined {
  const found = keys.filter((k) => k.component === component && match(k));
  return found.length === 1 ? found[0] : undefined;
}

/** `to` raised to cover `need` (in the key's units × per), capped by the declared max; undefined when today's value covers it. */
function covering(k: DeclaredKey, current: number, need: number): { to: number; capped: boolean } | undefined {
  if (!(need > current * k.per)) return undefined;
  let to = ceil(need / k.per);
  const capped = k.max !== undefined && to > k.max;
  if (capped) to = k.max!;
  return to > current ? { to, capped } : undefined;
}

const planLoad = (p: CapacityPlan) => `${round(p.load, 1)}/s${p.months !== undefined ? ` (${p.months} months of growth)` : ''}`;

/**
 * From capacity plans: when a component's predicted CPU need (the mean at the planned load)
 * exceeds what its `cpu-cores` key gives (value × per), the value that covers it,
 * ceil(need / per); likewise its memory need against a key declared to set `limits.memory`.
 */
export function capacityRecommendations(plans: readonly CapacityPlan[], keys: readonly DeclaredKey[], valueOf: ValueOf): Recommendation[] {
  const out: Recommendation[] = [];
  for (const plan of plans) {
    const needs: { what: string; need?: { mean: number; lo80: number; hi80: number }; scale: number; unit: string; key?: DeclaredKey }[] = [
      { what: 'CPU', need: plan.cpuCores, scale: 1, unit: 'cores', key: onlyKey(keys, plan.component, (k) => k.resource === 'cpu-cores') },
      { what: 'memory', need: plan.memoryBytes, scale: MiB, unit: 'MiB', key: onlyKey(keys, plan.component, (k) => k.controls === 'limits.memory') },
    ];
    for (const { what, need, scale, unit, key } of needs) {
      if (!need || !key) continue;
      const current = valueOf(key.file, key.key);
      if (typeof current !== 'number') continue;
      const mean = need.mean / scale;
      const c = covering(key, current, mean);
      if (!c) continue;
      out.push({
        id: `capacity:${plan.component}:${key.key}`,
        source: 'capacity',
        origin: 'capacity plan',
        component: plan.component,
        file: key.file,
        key: key.key,
        from: current,
        to: c.to,
        reason:
          `the capacity plan at ${planLoad(plan)} needs ${round(mean)} ${unit} of ${what} (80%: ${round(need.lo80 / scale)} to ${round(need.hi80 / scale)}${plan.extrapolated ? ', extrapolated' : ''}); ` +
          `${key.key} ${current} gives ${round(current * key.per)}${c.capped ? `; capped at its declared max ${key.max}` : ''}`,
      });
    }
  }
  return out;
}

export interface BottleneckOptions {
  /** How far ahead the recommended value should hold the trend (default one day). */
  coverMs?: number;
}

/**
 * From limit predictions: a predicted (or present) crossing of a memory or queue-capacity
 * limit, on a component with a key declared to set that limit, raises the key to cover the
 * trend's level `coverMs` ahead (and at least one step above today's value).
 */
export function bottleneckRecommendations(predictions: readonly LimitPrediction[], keys: readonly DeclaredKey[], valueOf: ValueOf, opts: BottleneckOptions = {}): Recommendation[] {
  const coverMs = opts.coverMs ?? 86_400_000;
  const out: Recommendation[] = [];
  for (const p of predictions) {
    if (p.limitKey !== 'limits.memory' && p.limitKey !== 'limits.queueCapacity') continue;
    const key = onlyKey(keys, p.component, (k) => k.controls === p.limitKey);
    if (!key) continue;
    const current = valueOf(key.file, key.key);
    if (typeof current !== 'number') continue;
    const scale = p.limitKey === 'limits.memory' ? MiB : 1;
    const ahead = Math.max(p.level, p.current) + Math.max(0, p.slopePerS) * ((p.etaMs + coverMs) / 1000);
    const need = Math.max(ahead, p.limit) / scale;
    let to = Math.max(ceil(need / key.per), current + 1);
    const capped = key.max !== undefined && to > key.max;
    if (capped) to = key.max!;
    if (!(to > current)) continue;
    out.push({
      id: `bottleneck:${p.component}:${key.key}`,
      source: 'bottleneck',
      origin: 'bottleneck prediction',
      component: p.component,
      file: key.file,
      key: key.key,
      from: current,
      to,
      reason: `${p.message}; ${key.key} ${to} covers the trend for ${Math.round(coverMs / 3_600_000)} h after that${capped ? ` (capped at its declared max ${key.max})` : ''}`,
    });
  }
  return out;
}
