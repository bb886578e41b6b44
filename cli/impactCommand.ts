/**
 * `alluse-perf impact`: the effect of a change (a deploy, a config edit) on one stored series,
 * against a forecast made only from the data before it (engine/monitor/impactQuery.ts).
 */
import { existsSync } from 'node:fs';
import { parseDuration } from '../engine/index';
import { resolveStorePath } from '../engine/monitor/createMonitor';
import { assessImpactInStore } from '../engine/monitor/impactQuery';
import { TimeSeriesStore } from '../engine/store/index';
import { loadWorkspaceConfig } from './workspaceFile';

export interface ImpactCommandOptions {
  workspace: string;
  series: string;
  component?: string;
  at: string;
  json: boolean;
}

/** An ISO time, ms since the epoch, or a duration before now ("20m"). */
export function parseChangeTime(s: string, now: number): number | undefined {
  if (/^\d{12,}$/.test(s)) return Number(s);
  const ago = parseDuration(s);
  if (ago !== undefined) return now - ago;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

export async function impactCommand(opts: ImpactCommandOptions, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const now = Date.now();
  const at = parseChangeTime(opts.at, now);
  if (at === undefined) {
    err(`alluse-perf: --at "${opts.at}" is not a time: give an ISO time (2026-11-27T06:10:00Z), ms since the epoch, or how long ago (20m).`);
    return 2;
  }
  const ws = loadWorkspaceConfig(opts.workspace, err);
  if (typeof ws === 'number') return ws;
  const storePath = resolveStorePath(ws.config, ws.dir);
  if (!existsSync(storePath)) {
    err(`alluse-perf: no metrics yet in ${storePath}. Monitor the system first (alluse-perf monitor, or the editor).`);
    return 1;
  }
  const store = await TimeSeriesStore.open({ dir: storePath });
  try {
    const labels = opts.component ? { component: opts.component } : undefined;
    const r = assessImpactInStore(store, { name: opts.series, labels, at, now });
    if (opts.json) {
      out(JSON.stringify({ series: r.series, at: r.at, stepMs: r.stepMs, model: r.model, observedMean: r.observedMean, expectedMean: r.expectedMean, effect: r.effect, effectLo95: r.effectLo95, effectHi95: r.effectHi95, relative: r.relative, significant: r.significant, message: r.message }));
    } else {
      out(r.message);
      out(`  observed mean ${r.observedMean.toPrecision(4)}, expected ${r.expectedMean.toPrecision(4)} (model ${r.model}, ${r.before.length} steps of ${r.stepMs / 1000} s before, ${r.points.length} after)`);
    }
    return 0;
  } catch (e) {
    err(`alluse-perf: cannot assess the impact: ${(e as Error).message}`);
    return 1;
  } finally {
    await store.close();
  }
}
