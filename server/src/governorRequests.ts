/** Registers the governor's and audit history's requests on the connection (kept out of server.ts, which only wires services). */
import type { Connection } from 'vscode-languageserver/node';
import { workspaceConfigFrom } from '../../engine/workspace/config';
import { AuditChangedNotification, AuditFileSavedNotification, AuditListRequest, AuditRecordRequest, AuditRevertRequest, GovernorRegressionNotification } from '../../protocol/index';
import { GovernorService } from './governorService';
import type { MonitorService } from './monitorService';
import type { CachedAnalysis } from './workspaceDocuments';

export function registerGovernor(connection: Connection, monitors: MonitorService, clientAppliesEdits: () => boolean, analysis: (uri: string) => CachedAnalysis | undefined): GovernorService {
  const service = new GovernorService(
    {
      config: (uri) => {
        const a = analysis(uri)?.analysis;
        if (a?.doc && !a.findings.some((f) => f.severity === 'error')) return workspaceConfigFrom(a.doc);
        return monitors.runningStore(uri)?.config;
      },
      running: (uri) => {
        const r = monitors.runningStore(uri);
        return r && { store: r.store, alerts: monitors.status(uri).alerts };
      },
      applyEdit: async (fileUri, edits, label) => {
        if (!clientAppliesEdits()) return 'unsupported';
        const r = await connection.workspace.applyEdit({ label, edit: { changes: { [fileUri]: edits } } });
        return r.applied ? 'applied' : 'refused';
      },
      regression: (p) => void connection.sendNotification(GovernorRegressionNotification.method, p),
      changed: (uri) => void connection.sendNotification(AuditChangedNotification.method, { uri } satisfies AuditChangedNotification.Params),
      log: (m) => connection.console.error(m),
    },
    Number(process.env.ALLUSE_GOVERNOR_TICK_MS) || undefined,
  );
  const fail = (what: string, e: unknown) => {
    connection.console.error(`${what} failed: ${(e as Error).stack ?? String(e)}`);
    return `${what} failed: ${(e as Error).message}`;
  };
  connection.onRequest(AuditListRequest.method, (p: AuditListRequest.Params): AuditListRequest.Result => {
    try {
      return service.list(p);
    } catch (e) {
      return { entries: [], problems: [{ line: 0, message: fail('Reading the history', e) }], path: '' };
    }
  });
  connection.onRequest(AuditRecordRequest.method, (p: AuditRecordRequest.Params): AuditRecordRequest.Result => {
    try {
      return service.record(p);
    } catch (e) {
      return { message: fail('Recording the change', e) };
    }
  });
  connection.onRequest(AuditRevertRequest.method, async (p: AuditRevertRequest.Params): Promise<AuditRevertRequest.Result> => {
    try {
      return await service.revert(p, 'user');
    } catch (e) {
      return { ok: false, message: fail('Undoing the change', e) };
    }
  });
  connection.onNotification(AuditFileSavedNotification.method, (p: AuditFileSavedNotification.Params) => {
    try {
      service.fileSaved(p.uri, p.file, p.text);
    } catch (e) {
      fail('Recording a saved file', e);
    }
  });
  return service;
}
