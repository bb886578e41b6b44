/** Registers the tuning study requests on the connection (kept out of server.ts, which only wires services). */
import type { Connection, TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import {
  StudyCancelRequest,
  StudyCodeActionsRequest,
  StudyEditsRequest,
  StudyListRequest,
  StudyProgressNotification,
  StudyRecheckNotification,
  StudyRemeasureRequest,
  StudyResultRequest,
  StudyRunRequest,
} from '../../protocol/index';
import { StudyService, type StudyServiceHooks } from './studyService';
import type { CachedAnalysis } from './workspaceDocuments';

const isWorkspaceFile = (uri: string) => /(^|\/)alluse-perf\.ya?ml$/i.test(decodeURIComponent(uri));

export function registerStudyService(connection: Connection, documents: TextDocuments<TextDocument>, analysis: (uri: string) => CachedAnalysis | undefined, queue?: Pick<StudyServiceHooks, 'scheduler' | 'jobCpu'>): StudyService {
  const service = new StudyService({
    analysis,
    ...queue,
    progress: (p) => void connection.sendNotification(StudyProgressNotification.method, p),
    diagnostics: (uri, diagnostics) => void connection.sendDiagnostics({ uri, diagnostics }),
    error: (m) => connection.console.error(m),
  });
  const safe = <T>(what: string, work: () => T, fallback: T): T => {
    try {
      return work();
    } catch (e) {
      connection.console.error(`${what} failed: ${(e as Error).stack ?? String(e)}`);
      return fallback;
    }
  };
  connection.onRequest(StudyListRequest.method, (p: StudyListRequest.Params): StudyListRequest.Result => safe('studyList', () => service.list(p.uri), { studies: [], message: 'The study list failed; see the server output.' }));
  connection.onRequest(StudyRunRequest.method, (p: StudyRunRequest.Params): StudyRunRequest.Result => safe('studyRun', () => service.run(p.uri, p.study, p.trusted === true, p.budget, p.force === true), { started: false, message: 'The study could not start; see the server output.' }));
  connection.onRequest(StudyCancelRequest.method, (p: StudyCancelRequest.Params): StudyCancelRequest.Result => ({ cancelled: service.cancel(p.uri, p.study) }));
  connection.onRequest(StudyResultRequest.method, (p: StudyResultRequest.Params): StudyResultRequest.Result => safe('studyResult', () => service.result(p.uri, p.study), null));
  connection.onRequest(StudyRemeasureRequest.method, (p: StudyRemeasureRequest.Params): StudyRemeasureRequest.Result => safe('studyRemeasure', () => service.remeasure(p.uri, p.study, p.trusted === true, p.pairs), { started: false, message: 'The re-measurement could not start; see the server output.' }));
  connection.onRequest(StudyCodeActionsRequest.method, (p: StudyCodeActionsRequest.Params): StudyCodeActionsRequest.Result => safe('studyCodeActions', () => service.codeActions(p), []));
  connection.onRequest(StudyEditsRequest.method, (p: StudyEditsRequest.Params): StudyEditsRequest.Result => safe('studyEdits', () => service.edits(p.uri, p.study), { edits: [], message: 'The recommendation could not be read; see the server output.' }));
  connection.onNotification(StudyRecheckNotification.method, () => {
    safe('studyRecheck', () => service.recheck(documents.keys().filter(isWorkspaceFile)), undefined);
  });
  return service;
}
