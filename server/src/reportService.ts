/**
 * `alluse/report/export`: writes the workspace's HTML report (engine/report) where the client's
 * save dialog chose. With monitoring running it reads the running monitor's store, and takes
 * its findings, firing alerts and limit predictions as they are now; otherwise it opens the
 * store on disk for the moment of the report, as `alluse-perf report` does.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connection } from 'vscode-languageserver/node';
import { resolveStorePath } from '../../engine/monitor/createMonitor';
import { gatherReport, isEmptyReport, renderReportHtml, reportRange, type ReportModel } from '../../engine/report/index';
import { count } from '../../engine/report/format';
import { TimeSeriesStore } from '../../engine/store/index';
import { workspaceConfigFrom } from '../../engine/workspace/config';
import { ReportExportRequest } from '../../protocol/index';
import type { MonitorService } from './monitorService';
import type { CachedAnalysis } from './workspaceDocuments';

export const START_MONITORING = 'The store has no samples in that range: run "ALL-USE Performance: Start Monitoring" first (or alluse-perf monitor), then export the report.';

export function registerReportService(connection: Connection, monitors: MonitorService, analysis: (uri: string) => CachedAnalysis | undefined): void {
  connection.onRequest(ReportExportRequest.method, async (p: ReportExportRequest.Params): Promise<ReportExportRequest.Result> => {
    const range = reportRange(p.range);
    if (!range) return { ok: false, message: `"${p.range}" is not a duration of at least a minute (e.g. 1h, 24h, 7d).` };
    if (!isAbsolute(p.out)) return { ok: false, message: `The report's file must be an absolute path on this machine, not "${p.out}".` };
    const cached = analysis(p.uri);
    if (!cached?.analysis.doc || !p.uri.startsWith('file:')) return { ok: false, message: 'Open alluse-perf.yaml (a file on the local disk) first: the report reads its components from it.' };
    if (cached.analysis.findings.some((f) => f.severity === 'error')) return { ok: false, message: 'alluse-perf.yaml has errors; fix them (see the Problems panel) and export the report again.' };
    const folder = dirname(fileURLToPath(p.uri));
    try {
      const running = monitors.runningStore(p.uri);
      let model: ReportModel;
      if (running) {
        const status = monitors.status(p.uri);
        model = await gatherReport({ store: running.store, config: running.config, workspaceDir: folder, now: Date.now(), range, live: { findings: status.findings, alerts: status.alerts, predictions: status.predictions } });
      } else {
        const config = workspaceConfigFrom(cached.analysis.doc);
        const storePath = resolveStorePath(config, folder);
        if (!existsSync(storePath)) return { ok: false, message: START_MONITORING };
        const store = await TimeSeriesStore.open({ dir: storePath });
        try {
          model = await gatherReport({ store, config, workspaceDir: folder, now: Date.now(), range });
        } finally {
          await store.close();
        }
      }
      if (isEmptyReport(model)) return { ok: false, message: START_MONITORING };
      const html = renderReportHtml(model);
      mkdirSync(dirname(p.out), { recursive: true });
      writeFileSync(p.out, html);
      const summary = { components: model.components.length, anomalies: model.findings.length, predictions: model.predictions.length, studies: model.studies.length, changes: model.changes.length };
      return { ok: true, file: p.out, bytes: Buffer.byteLength(html), summary, message: `Report of ${range.label} written: ${count(summary.components, 'component')}, ${count(summary.anomalies, 'anomaly', 'anomalies')}, ${count(summary.predictions, 'limit prediction')}, ${count(summary.studies, 'study', 'studies')}, ${count(summary.changes, 'applied change')}.` };
    } catch (e) {
      connection.console.error(`Report export failed: ${(e as Error).stack ?? String(e)}`);
      return { ok: false, message: `The report could not be written: ${(e as Error).message}` };
    }
  });
}
