/**
 * Settles conflicts between recommendations, and always says why.
 *
 * By priority: `coordination.priorities` in alluse-perf.yaml holds rules like
 * `{source: study, over: capacity}` (transitive: study over capacity over rule means study
 * over rule) and `{component: protocol-engine, priority: 10}`. A recommendation beats another
 * when its component's priority is higher, or (equal component priority) when a source rule
 * puts its source over the other's, or when its own `priority` is higher.
 * - same key: the recommendation that beats every other is kept;
 * - shared resource: the weakest recommendations are withdrawn, one at a time, until the
 *   resource's use fits its total.
 * When the rules do not decide (no rule between the sources, equal priorities), the conflict
 * is settled by measurement if a measurement function is given: every candidate combination
 * that fits is measured (applied together) and the best feasible score wins. Otherwise it
 * stays unresolved and none of its recommendations is offered until the user decides.
 */
import { describeConflict, fmt, resourceUse, type CurrentValue } from './conflicts';
import type { Conflict, MeasureCombination, PriorityRule, Recommendation, RecommendationSource, ResourceDeclaration, Resolution } from './types';

export interface ResolveOptions {
  rules: readonly PriorityRule[];
  declarations: readonly ResourceDeclaration[];
  current: CurrentValue;
  /** Measures a combination (applied together); when absent, undecided conflicts stay unresolved. */
  measure?: MeasureCombination;
  /** Largest number of combinations measured per conflict (default 8). */
  maxCombinations?: number;
  signal?: AbortSignal;
}

const label = (r: Recommendation) => `${r.source}${r.origin ? ` "${r.origin}"` : ''} (${r.component} ${r.key} ${r.from !== undefined ? `${String(r.from)} -> ` : '-> '}${String(r.to)})`;

/** Source pairs (a over b) implied by the rules, transitively. */
export function sourceOrder(rules: readonly PriorityRule[]): Set<string> {
  const over = new Set<string>();
  for (const r of rules) if ('source' in r) over.add(`${r.source}>${r.over}`);
  const sources = new Set<RecommendationSource>();
  for (const p of over) for (const s of p.split('>')) sources.add(s as RecommendationSource);
  // Floyd–Warshall closure over a handful of sources.
  for (const k of sources) for (const i of sources) for (const j of sources) if (over.has(`${i}>${k}`) && over.has(`${k}>${j}`)) over.add(`${i}>${j}`);
  for (const s of sources) if (over.has(`${s}>${s}`)) throw new Error(`coordination.priorities: the source rules form a cycle through "${s}"; remove one of the rules so that no source is above itself.`);
  return over;
}

function componentPriority(rules: readonly PriorityRule[], component: string): number {
  let p = 0;
  for (const r of rules) if ('component' in r && r.component === component) p = r.priority;
  return p;
}

/** > 0 when a beats b, < 0 when b beats a, 0 when the rules do not decide; with the rule that decided. */
export function compare(a: Recommendation, b: Recommendation, rules: readonly PriorityRule[], order = sourceOrder(rules)): { sign: number; why: string } {
  const ca = componentPriority(rules, a.component);
  const cb = componentPriority(rules, b.component);
  if (ca !== cb) return { sign: Math.sign(ca - cb), why: `component ${ca > cb ? a.component : b.component} has priority ${Math.max(ca, cb)} over ${ca > cb ? b.component : a.component}'s ${Math.min(ca, cb)}` };
  if (a.source !== b.source) {
    if (order.has(`${a.source}>${b.source}`)) return { sign: 1, why: `rule: ${a.source} over ${b.source}` };
    if (order.has(`${b.source}>${a.source}`)) return { sign: -1, why: `rule: ${b.source} over ${a.source}` };
  }
  const pa = a.priority ?? 0;
  const pb = b.priority ?? 0;
  if (pa !== pb) return { sign: Math.sign(pa - pb), why: `priority ${Math.max(pa, pb)} over ${Math.min(pa, pb)}` };
  return { sign: 0, why: '' };
}

function byPriority(c: Conflict, o: ResolveOptions): Resolution | undefined {
  const order = sourceOrder(o.rules);
  const recs = c.recommendations;
  if (c.kind === 'same-key') {
    for (const w of recs) {
      const against = recs.filter((r) => r !== w);
      const results = against.map((r) => ({ r, c: compare(w, r, o.rules, order) }));
      // Agreeing values need not be beaten.
      if (results.every((x) => x.c.sign > 0 || x.r.to === w.to)) {
        const dropped = results.filter((x) => x.r.to !== w.to).map((x) => ({ recommendation: x.r, reason: `${label(w)} wins: ${x.c.why}` }));
        const kept = recs.filter((r) => r.to === w.to);
        return {
          conflict: c,
          method: 'priority',
          kept,
          dropped,
          explanation: `${describeConflict(c)}. Kept ${label(w)} by the priorities in alluse-perf.yaml (${[...new Set(results.filter((x) => x.c.sign > 0).map((x) => x.c.why))].join('; ')}); withdrawn: ${dropped.map((d) => label(d.recommendation)).join(', ')}.`,
        };
      }
    }
    return undefined;
  }
  // Shared resource: withdraw the weakest until it fits. The weakest is beaten by every other left.
  const left = [...recs];
  const dropped: Resolution['dropped'] = [];
  for (;;) {
    const use = resourceUse(c.resource, o.declarations, left, o.current);
    if (use.demand <= c.total.total + 1e-9) {
      if (!dropped.length) return undefined;
      return {
        conflict: c,
        method: 'priority',
        kept: left,
        dropped,
        explanation: `${describeConflict(c)}. By the priorities in alluse-perf.yaml, withdrawn: ${dropped.map((d) => `${label(d.recommendation)} (${d.reason})`).join('; ')}. With ${left.length ? left.map(label).join(', ') : 'no recommendation'} the use is ${fmt(use.demand)} of ${fmt(c.total.total)}.`,
      };
    }
    if (!left.length) {
      return {
        conflict: c,
        method: 'unresolved',
        kept: [],
        dropped: recs.map((r) => ({ recommendation: r, reason: `${c.resource} is over its total even without any recommendation` })),
        explanation: `${describeConflict(c)}. Even today's configuration uses ${fmt(use.demand)} of ${fmt(c.total.total)}; no recommendation that raises it is offered. Lower the declared keys or raise coordination.totals.`,
      };
    }
    const weakest = left.find((w) => left.every((r) => r === w || compare(r, w, o.rules, order).sign > 0));
    if (!weakest) return undefined; // the rules do not order what is left
    const stronger = left.find((r) => r !== weakest);
    left.splice(left.indexOf(weakest), 1);
    dropped.push({ recommendation: weakest, reason: stronger ? compare(stronger, weakest, o.rules, order).why : `the lowest priority, and ${c.resource} is still over its total` });
  }
}

/** Subsets of `recs` to measure: for a same-key conflict each one alone; for a resource every subset that fits, largest first. */
function candidates(c: Conflict, o: ResolveOptions): Recommendation[][] {
  const max = o.maxCombinations ?? 8;
  if (c.kind === 'same-key') return c.recommendations.slice(0, max).map((r) => [r]);
  const recs = c.recommendations.slice(0, 12);
  const out: Recommendation[][] = [];
  for (let mask = (1 << recs.length) - 1; mask >= 0; mask--) {
    const subset = recs.filter((_, i) => mask & (1 << i));
    // One value per key in a combination.
    if (new Set(subset.map((r) => `${r.file}\u0000${r.key}`)).size !== subset.length) continue;
    if (resourceUse(c.resource, o.declarations, subset, o.current).demand > c.total.total + 1e-9) continue;
    out.push(subset);
  }
  out.sort((a, b) => b.length - a.length);
  return out.slice(0, max);
}

async function byMeasurement(c: Conflict, o: ResolveOptions): Promise<Resolution> {
  const combos = candidates(c, o);
  const results: { combo: Recommendation[]; score?: number; feasible: boolean; reason?: string }[] = [];
  for (const combo of combos) {
    if (o.signal?.aborted) break;
    const m = await o.measure!(combo, o.signal);
    results.push({ combo, score: m.score, feasible: m.feasible, reason: m.reason });
  }
  const name = (combo: Recommendation[]) => (combo.length ? combo.map(label).join(' + ') : "today's configuration");
  const lines = results.map((r) => `${name(r.combo)}: ${r.score === undefined ? `not measured (${r.reason ?? 'no result'})` : `score ${fmt(r.score)}${r.feasible ? '' : ` but infeasible${r.reason ? ` (${r.reason})` : ''}`}`}`);
  const best = results.filter((r) => r.feasible && r.score !== undefined).sort((a, b) => b.score! - a.score!)[0];
  if (!best || !best.combo.length) {
    return {
      conflict: c,
      method: best ? 'measured' : 'unresolved',
      kept: [],
      dropped: c.recommendations.map((r) => ({ recommendation: r, reason: best ? "today's configuration measured best" : 'no combination could be measured as feasible' })),
      explanation: `${describeConflict(c)}. Measured ${results.length} combination(s): ${lines.join('; ')}. ${best ? "Today's configuration measured best: nothing is offered." : 'None was feasible: nothing is offered until the conflict is settled in coordination.priorities.'}`,
    };
  }
  const kept = best.combo;
  return {
    conflict: c,
    method: 'measured',
    kept,
    dropped: c.recommendations.filter((r) => !kept.includes(r)).map((r) => ({ recommendation: r, reason: `the measured best combination (score ${fmt(best.score!)}) does not include it` })),
    explanation: `${describeConflict(c)}. The priorities in alluse-perf.yaml do not decide, so the combinations were measured: ${lines.join('; ')}. Kept the best: ${name(kept)}.`,
  };
}

/** Resolves one conflict: by the priority rules, else by measurement, else unresolved. */
export async function resolveConflict(c: Conflict, o: ResolveOptions): Promise<Resolution> {
  const p = byPriority(c, o);
  if (p) return p;
  if (o.measure) return byMeasurement(c, o);
  return {
    conflict: c,
    method: 'unresolved',
    kept: [],
    dropped: c.recommendations.map((r) => ({ recommendation: r, reason: 'conflict not settled' })),
    explanation: `${describeConflict(c)}. coordination.priorities in alluse-perf.yaml does not decide between ${c.recommendations.map(label).join(' and ')}; none is offered. Add a rule (e.g. {source: ${c.recommendations[0].source}, over: ${c.recommendations.find((r) => r.source !== c.recommendations[0].source)?.source ?? 'capacity'}} or a component priority) or measure the combinations.`,
  };
}

export async function resolveConflicts(conflicts: readonly Conflict[], o: ResolveOptions): Promise<Resolution[]> {
  const out: Resolution[] = [];
  for (const c of conflicts) out.push(await resolveConflict(c, o));
  return out;
}

/** The recommendations left to offer: all minus those any resolution withdrew. */
export function offered(recs: readonly Recommendation[], resolutions: readonly Resolution[]): Recommendation[] {
  const dropped = new Set(resolutions.flatMap((r) => r.dropped.map((d) => d.recommendation.id)));
  return recs.filter((r) => !dropped.has(r.id));
}
