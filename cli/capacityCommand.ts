/**
 * `alluse-perf capacity`: what each component needs at another load, fitted from the
 * monitor's store (`alluse-perf monitor` or the editor fills it).
 */
import { existsSync } from 'node:fs';
import { parseDuration } from '../engine/index';
import { planCapacity, type CapacityPlan, type ResourceNeed } from '../engine/monitor/capacity';
import { formatGrowth } from '../engine/monitor/growth';
import { resolveStorePath } from '../engine/monitor/createMonitor';
import { TimeSeriesStore } from '../engine/store/index';
import { loadWorkspaceConfig } from './workspaceFile';

export interface CapacityCommandOptions {
  workspace: string;
  load?: string;
  growth?: string;
  months?: string;
  window: string;
  json: boolean;
}

const cores = (n: number) => `${n.toFixed(2)} cores`;
const mib = (n: number) => `${(n / 1048576).toFixed(0)} MiB`;

function need(label: string, r: ResourceNeed | undefined, fmt: (n: number) => string): string {
  if (!r) return `  ${label}: not enough variation in load to fit`;
  const over = r.limit !== undefined && r.hi80 > r.limit ? ` — may exceed its limit of ${fmt(r.limit)}` : r.limit !== undefined ? ` (limit ${fmt(r.limit)})` : '';
  const weak = r.r2 < 0.3 ? ' — a weak fit: the load explains little of the variation, vary the load (or use a longer --window) for a better answer' : '';
  return `  ${label}: ${fmt(r.mean)} (80%: ${fmt(r.lo80)} to ${fmt(r.hi80)})${over}; r² ${r.r2.toFixed(2)}${weak}`;
}

function text(p: CapacityPlan): string {
  if (p.growth && !p.growth.ok) return `${p.component}: no answer for ${p.months} months: ${p.growth.reason}`;
  const when = p.growth?.ok ? ` after ${p.months} months of ${formatGrowth(p.growth)}, 80%: ${p.loadLo80!.toFixed(0)} to ${p.loadHi80!.toFixed(0)}/s` : '';
  const first = p.runsOutFirst;
  const runsOut = first
    ? `  runs out first: ${first.resource === 'cpu' ? 'CPU' : 'memory'} at ${first.load.toFixed(0)}/s${first.load <= p.loadNow ? ' (already at today’s load)' : first.months !== undefined ? `, in about ${first.months.toFixed(1)} months at this growth` : ''}`
    : undefined;
  return [
    `${p.component}: at ${p.load.toFixed(0)}/s${when} (now ${p.loadNow.toFixed(0)}/s, ${p.points} points)${p.extrapolated ? ' — beyond 1.5× the highest load seen: an extrapolation' : ''}`,
    need('CPU', p.cpuCores, cores),
    need('memory', p.memoryBytes, mib),
    runsOut,
  ]
    .filter((x) => x !== undefined)
    .join('\n');
}

export async function capacityCommand(opts: CapacityCommandOptions, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const load = opts.load === undefined ? undefined : Number(opts.load);
  const growth = opts.growth === undefined ? undefined : Number(opts.growth);
  const months = opts.months === undefined ? undefined : Number(opts.months);
  const given = [load, growth, months].filter((x) => x !== undefined);
  if (given.length !== 1 || !(given[0]! > 0)) {
    err('alluse-perf: give one of --load N (per second), --growth F (1.5 = 50% more than now) or --months M (months of the growth measured from the store), a positive number.');
    return 2;
  }
  const windowMs = parseDuration(opts.window);
  if (windowMs === undefined) {
    err(`alluse-perf: --window "${opts.window}" is not a duration (e.g. 1h, 30m).`);
    return 2;
  }
  const ws = loadWorkspaceConfig(opts.workspace, err);
  if (typeof ws === 'number') return ws;
  const { config } = ws;
  const storePath = resolveStorePath(config, ws.dir);
  if (!existsSync(storePath)) {
    err(`alluse-perf: no metrics yet in ${storePath}. Monitor the system first (alluse-perf monitor, or the editor).`);
    return 1;
  }
  const store = await TimeSeriesStore.open({ dir: storePath });
  try {
    const plans = planCapacity(store, config.components, Date.now(), { load, growth, months, windowMs });
    if (!plans.length) {
      err(`alluse-perf: no component has both a throughput series (metrics.throughput) and process metrics in the last ${opts.window}.`);
      return 1;
    }
    out(opts.json ? plans.map((p) => JSON.stringify(p)).join('\n') : plans.map(text).join('\n\n'));
    return 0;
  } finally {
    await store.close();
  }
}
