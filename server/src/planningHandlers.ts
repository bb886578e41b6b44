/**
 * The planning requests: capacity plans (`alluse/capacityPlan`), the metrics whose changes can
 * be assessed (`alluse/impactTargets`) and impact assessment (`alluse/assessImpact`). Thin:
 * each reads the running monitor's store through an engine function and returns its result.
 */
import { resolve } from 'node:path';
import type { Connection } from 'vscode-languageserver/node';
import { planCapacity } from '../../engine/monitor/capacity';
import { assessImpactInStore, impactSeries } from '../../engine/monitor/impactQuery';
import { AssessImpactRequest, CapacityPlanRequest, ImpactTargetsRequest } from '../../protocol/index';
import type { MonitorService } from './monitorService';

const NOT_RUNNING = 'Monitoring is not running: run "ALL-USE Performance: Start Monitoring" first (plans are fitted from what it stores).';

export function registerPlanningHandlers(connection: Connection, monitors: MonitorService): void {
  connection.onRequest(CapacityPlanRequest.method, (p: CapacityPlanRequest.Params): CapacityPlanRequest.Result => {
    const r = monitors.runningStore(p.uri);
    if (!r) return { plans: [], message: NOT_RUNNING };
    try {
      const plans = planCapacity(r.store, r.config.components, Date.now(), { load: p.load, months: p.months, withChart: true });
      return plans.length ? { plans } : { plans, message: 'No component has both a throughput series (metrics.throughput) and process metrics in the last hour yet.' };
    } catch (e) {
      connection.console.error(`Capacity planning failed: ${(e as Error).stack ?? String(e)}`);
      return { plans: [], message: `Capacity planning failed: ${(e as Error).message}` };
    }
  });

  connection.onRequest(ImpactTargetsRequest.method, (p: ImpactTargetsRequest.Params): ImpactTargetsRequest.Result => {
    const r = monitors.runningStore(p.uri);
    if (!r) return { components: [] };
    return {
      components: r.config.components.map((c) => ({
        name: c.name,
        metrics: impactSeries(c).map((s) => ({ metric: s.metric, label: s.label, series: s.name })),
        configFiles: c.configFiles.map((f) => resolve(r.folder, f)),
      })),
    };
  });

  connection.onRequest<AssessImpactRequest.Result, unknown>(AssessImpactRequest.method, (p: AssessImpactRequest.Params): AssessImpactRequest.Result => {
    const r = monitors.runningStore(p.uri);
    if (!r) return { ok: false, message: NOT_RUNNING };
    const c = r.config.components.find((x) => x.name === p.component);
    const s = c && impactSeries(c).find((x) => x.metric === p.metric);
    if (!c || !s) return { ok: false, message: `${p.component} has no ${p.metric} series in alluse-perf.yaml.` };
    try {
      return { ok: true, impact: assessImpactInStore(r.store, { name: s.name, labels: s.labels, at: p.at, now: Date.now() }, s.unit), unit: s.unit, label: s.label };
    } catch (e) {
      return { ok: false, message: `Cannot assess the impact on ${p.component} ${s.label}: ${(e as Error).message}` };
    }
  });
}
