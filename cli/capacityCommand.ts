/**
 * `alluse-perf capacity`: what each component needs at another load, fitted from the
 * monitor's store (`alluse-perf monitor` or the editor fills it).
 */
import { existsSync } from 'node:fs';
import { parseDuration } from '../engine/index';
import { planCapacity, type CapacityPlan, type ResourceNeed } from '../engine/monitor/capacity';
import { resolveStorePath } from '../engine/monitor/createMonitor';
import { TimeSeriesStore } from '../engine/store/index';
import { loadWorkspaceConfig } from './workspaceFile';

export interface CapacityCommandOptions {
  workspace: string;
  load?: string;
  growth?: string;
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
  return [
    `${p.component}: at ${p.load.toFixed(0)}/s (now ${p.loadNow.toFixed(0)}/s, ${p.points} points)${p.extrapolated ? ' — beyond 1.5× the highest load seen: an extrapolation' : ''}`,
    need('CPU', p.cpuCores, cores),
    need('memory', p.memoryBytes, mib),
  ].join('\n');
}

export async function capacityCommand(opts: CapacityCommandOptions, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const load = opts.load === undefined ? undefined : Number(opts.load);
  const growth = opts.growth === undefined ? undefined : Number(opts.growth);
  if ((load === undefined) === (growth === undefined) || (load !== undefined && !(load > 0)) || (growth !== undefined && !(growth > 0))) {
    err('alluse-perf: give either --load N (per second) or --growth F (1.5 = 50% more than now), a positive number.');
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
    const plans = planCapacity(store, config.components, Date.now(), { load, growth, windowMs });
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
