/**
 * `alluse-perf report`: one self-contained HTML report of a workspace over a range (system and
 * component health, anomalies, bottlenecks, forecasts, studies, applied changes), from the
 * store the monitor fills. Read-only beside a running monitor (the editor or `alluse-perf monitor`).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { resolveStorePath } from '../engine/monitor/createMonitor';
import { gatherReport, isEmptyReport, renderReportHtml, reportRange } from '../engine/report/index';
import { count } from '../engine/report/format';
import { TimeSeriesStore } from '../engine/store/index';
import { loadWorkspaceConfig } from './workspaceFile';

export interface ReportCommandOptions {
  workspace: string;
  range: string;
  out?: string;
  json: boolean;
  forecast: boolean;
}

export const DEFAULT_REPORT_FILE = 'alluse-perf-report.html';

export async function reportCommand(opts: ReportCommandOptions, out: (s: string) => void, err: (s: string) => void, now = Date.now()): Promise<number> {
  const range = reportRange(opts.range);
  if (!range) {
    err(`alluse-perf: --range "${opts.range}" is not a duration of at least a minute (e.g. 1h, 24h, 7d).`);
    return 2;
  }
  const ws = loadWorkspaceConfig(opts.workspace, err);
  if (typeof ws === 'number') return ws;
  const storePath = resolveStorePath(ws.config, ws.dir);
  const startFirst = `Start monitoring first: alluse-perf monitor --workspace ${opts.workspace} (or "ALL-USE Performance: Start Monitoring" in the editor), then make the report.`;
  if (!existsSync(storePath)) {
    err(`alluse-perf: no metrics yet: ${storePath} does not exist. ${startFirst}`);
    return 1;
  }
  const store = await TimeSeriesStore.open({ dir: storePath });
  try {
    const model = await gatherReport({ store, config: ws.config, workspaceDir: ws.dir, now, range, forecasts: opts.forecast });
    if (isEmptyReport(model)) {
      err(`alluse-perf: the store ${storePath} holds no samples from ${range.label}. ${startFirst}`);
      return 1;
    }
    if (opts.json) out(JSON.stringify(model));
    if (!opts.json || opts.out) {
      const file = resolve(opts.out ?? DEFAULT_REPORT_FILE);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, renderReportHtml(model));
      (opts.json ? err : out)(`Report of ${range.label} written to ${file} (${count(model.components.length, 'component')}, ${count(model.findings.length, 'anomaly', 'anomalies')}, ${count(model.predictions.length, 'limit prediction')}, ${count(model.studies.length, 'study', 'studies')}, ${count(model.changes.length, 'applied change')}).`);
    }
    return 0;
  } finally {
    await store.close();
  }
}
