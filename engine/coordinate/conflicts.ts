/**
 * Conflicts between recommendations from different sources (tuning studies, capacity plans,
 * bottleneck predictions, rules):
 * - same key: two or more recommendations set one key of one file to different values;
 * - shared resource: the keys declared in `coordination.resources` (a worker count takes
 *   one core per thread) would, with every recommendation applied, use more of a resource
 *   than the host (or `coordination.totals`) has: say 4 + 3 worker threads on 4 cores.
 * Nothing here is specific to the demo: which keys use which resource is declared per key.
 */
import type { Conflict, Recommendation, ResourceContribution, ResourceDeclaration, ResourceTotal, SameKeyConflict, SharedResourceConflict } from './types';
import type { ParamValue } from '../tune/types';

/** Today's value of a key in a configuration file (undefined when unknown). */
export type CurrentValue = (file: string, key: string) => ParamValue | undefined;

const keyId = (file: string, key: string) => `${file}\u0000${key}`;

const sameValue = (a: ParamValue, b: ParamValue) => (typeof a === 'number' && typeof b === 'number' ? Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a)) : a === b);

/** Recommendations that set one key to different values. Agreeing duplicates are no conflict. */
export function sameKeyConflicts(recs: readonly Recommendation[]): SameKeyConflict[] {
  const groups = new Map<string, Recommendation[]>();
  for (const r of recs) {
    const id = keyId(r.file, r.key);
    groups.set(id, [...(groups.get(id) ?? []), r]);
  }
  const out: SameKeyConflict[] = [];
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    const distinct = group.filter((r, i) => group.findIndex((q) => sameValue(q.to, r.to)) === i);
    if (distinct.length < 2) continue;
    const r0 = group[0];
    out.push({ kind: 'same-key', id: `same-key:${r0.component}:${r0.key}`, component: r0.component, file: r0.file, key: r0.key, recommendations: group });
  }
  return out;
}

const asNumber = (v: ParamValue | undefined): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined);

/**
 * The use of a resource when `applied` recommendations are in force: each declared key at its
 * recommended value (the largest, when several recommend it: the worst case) or today's.
 */
export function resourceUse(
  resource: string,
  declarations: readonly ResourceDeclaration[],
  applied: readonly Recommendation[],
  current: CurrentValue,
): { demand: number; contributions: ResourceContribution[]; unknown: string[] } {
  const contributions: ResourceContribution[] = [];
  const unknown: string[] = [];
  let demand = 0;
  for (const d of declarations) {
    if (d.resource !== resource) continue;
    const file = d.file ?? '';
    const recs = applied.filter((r) => r.component === d.component && r.key === d.key && (!d.file || r.file === d.file));
    let value: number | undefined;
    let by: Recommendation | undefined;
    for (const r of recs) {
      const v = asNumber(r.to);
      if (v !== undefined && (value === undefined || v > value)) {
        value = v;
        by = r;
      }
    }
    if (value === undefined) value = asNumber(current(file, d.key));
    if (value === undefined) {
      unknown.push(`${d.component}.${d.key}`);
      continue;
    }
    const amount = value * d.per;
    demand += amount;
    contributions.push({ component: d.component, file: by?.file ?? file, key: d.key, value, amount, ...(by ? { recommendation: by.id } : {}) });
  }
  return { demand: Math.round(demand * 1e9) / 1e9, contributions, unknown };
}

/** True when the recommendation sets a key declared as using `resource` to more than today. */
function raisesUse(r: Recommendation, resource: string, declarations: readonly ResourceDeclaration[], current: CurrentValue): boolean {
  const d = declarations.find((x) => x.resource === resource && x.component === r.component && x.key === r.key && (!x.file || x.file === r.file));
  if (!d) return false;
  const to = asNumber(r.to);
  if (to === undefined) return false;
  const from = asNumber(r.from ?? current(d.file ?? r.file, r.key));
  return from === undefined || to * d.per > from * d.per;
}

/** Resources whose use, with every recommendation applied, is above their total. */
export function sharedResourceConflicts(
  recs: readonly Recommendation[],
  declarations: readonly ResourceDeclaration[],
  totals: readonly ResourceTotal[],
  current: CurrentValue,
): SharedResourceConflict[] {
  const out: SharedResourceConflict[] = [];
  for (const total of totals) {
    const involved = recs.filter((r) => raisesUse(r, total.resource, declarations, current));
    if (!involved.length) continue;
    const use = resourceUse(total.resource, declarations, recs, current);
    if (use.demand <= total.total + 1e-9) continue;
    out.push({ kind: 'shared-resource', id: `shared-resource:${total.resource}`, resource: total.resource, total, demand: use.demand, contributions: use.contributions, recommendations: involved });
  }
  return out;
}

/** Every conflict among the recommendations: same-key conflicts first, then shared resources. */
export function findConflicts(
  recs: readonly Recommendation[],
  declarations: readonly ResourceDeclaration[],
  totals: readonly ResourceTotal[],
  current: CurrentValue,
): Conflict[] {
  return [...sameKeyConflicts(recs), ...sharedResourceConflicts(recs, declarations, totals, current)];
}

/** One line for the user, e.g. `cpu-cores: 7 needed, 4 available (host)`. */
export function describeConflict(c: Conflict): string {
  if (c.kind === 'same-key') {
    return `${c.component} ${c.key}: ${c.recommendations.map((r) => `${r.source}${r.origin ? ` "${r.origin}"` : ''} says ${String(r.to)}`).join(', ')}`;
  }
  const parts = c.contributions.map((x) => `${x.component}.${x.key}=${x.value}${x.recommendation ? ' (recommended)' : ''}`).join(' + ');
  return `${c.resource}: ${fmt(c.demand)}${c.total.unit ? ` ${c.total.unit}` : ''} needed (${parts}), ${fmt(c.total.total)} available (${c.total.from === 'host' ? "the host's" : 'coordination.totals'})`;
}

export const fmt = (x: number) => String(Number(x.toPrecision(4)));
