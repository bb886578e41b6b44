/**
 * The ALL-USE Performance language server: a thin LSP adapter over the analysis engine.
 * It owns no analysis logic; it schedules the engine's work and converts its results.
 */
import { createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind, type InitializeResult } from 'vscode-languageserver/node';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { completeAt, hoverAt } from '../../engine/index';
import { AnalysisDoneNotification, ConfigKeyUsagesRequest, DashboardDataRequest, ProfileCompareRequest, ProfileContinuousNotification, ProfileContinuousRequest, ProfileListRequest, ProfileResultRequest, ProfileStartRequest, MonitorControlRequest, MonitorStatusNotification, ServerInfoRequest, WorkspaceSummaryRequest, type ServerInitializationOptions } from '../../protocol/index';
import { removeServerEnv } from '../../protocol/serverProcess';
import { helperThreadNice, lowerHelperThreads, threadIds } from '../../engine/util/threadPriority';
import { Coalescer } from './coalesce';
import { installProcessErrorHandlers, scheduleTestFault } from './processErrors';
import { MonitorService } from './monitorService';
import { registerGovernor } from './governorRequests';
import { ProfileService } from './profileService';
import { registerPlanningHandlers } from './planningHandlers';
import { registerReportService } from './reportService';
import { registerStudyService } from './studyRequests';
import { registerCompareService } from './compareService';
import { registerCoordination } from './coordinationService';
import { toCodeActions, toCompletionItem, toDiagnostic } from './toLsp';
import { WorkspaceAnalyses, type CachedAnalysis } from './workspaceDocuments';

// The threads that exist before this module runs are V8's platform threads (see HELPER_THREAD_NICE).
const platformThreads = threadIds();

// The launcher's malloc settings are for this process only, not for what it starts.
removeServerEnv(process.env);

const connection = createConnection(ProposedFeatures.all);
// Errors nothing caught are written out (stderr, the client's output, a crash file); an uncaught exception ends the server, which the client restarts (processErrors.ts).
installProcessErrorHandlers(connection.console);
const documents = new TextDocuments(TextDocument);

/** Only the workspace file is ours; the client's selector already narrows to it. */
const isWorkspaceFile = (uri: string) => /(^|\/)alluse-perf\.ya?ml$/i.test(decodeURIComponent(uri));

const SERVER_VERSION = '0.1.0';
let analysisCount = 0;

/** Diagnostics of a file: the analysis findings, plus the alerts firing on its components. */
function publish(uri: string): number {
  const cached = analyses.latest(uri);
  if (!cached) return 0;
  const diagnostics = [...cached.analysis.findings, ...monitors.alertFindings(uri, cached)].map(toDiagnostic);
  void connection.sendDiagnostics({ uri, version: cached.version, diagnostics });
  return diagnostics.length;
}

/** At most one status and one republish of a file's diagnostics per 200 ms, with the latest state (see coalesce.ts). */
const STATUS_COALESCE_MS = 200;
const statusSends = new Coalescer(STATUS_COALESCE_MS, (uri) => void connection.sendNotification(MonitorStatusNotification.method, { ...monitors.status(uri), uri } satisfies MonitorStatusNotification.Params));
const diagnosticSends = new Coalescer(STATUS_COALESCE_MS, (uri) => publish(uri));

/** A workspace file's analysis: the open document's, else the file on disk (see `WorkspaceAnalyses.ofUri`). */
function analysisOf(uri: string): CachedAnalysis | undefined {
  return analyses.ofUri(uri, documents.get(uri));
}

const monitors = new MonitorService({
  analysis: analysisOf,
  status: (uri) => statusSends.changed(uri),
  alertsChanged: (uri) => {
    coordination.scheduler.alertsChanged();
    diagnosticSends.changed(uri);
    statusSends.changed(uri);
  },
});

const analyses = new WorkspaceAnalyses(150, (uri, result) => {
  analysisCount++;
  coordination.workspaceChanged(uri);
  const diagnostics = publish(uri);
  const params: AnalysisDoneNotification.Params = {
    uri,
    version: result.version,
    ms: Math.round(result.ms * 100) / 100,
    diagnostics,
    errors: result.analysis.findings.filter((f) => f.severity === 'error').length,
  };
  void connection.sendNotification(AnalysisDoneNotification.method, params);
  governor.track(uri);
});

connection.onInitialize((params): InitializeResult => {
  const opts = params.initializationOptions as Partial<ServerInitializationOptions> | undefined;
  clientAppliesEdits = params.capabilities.workspace?.applyEdit === true;
  if (typeof opts?.debounceMs === 'number') analyses.setDebounce(opts.debounceMs);
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true,
      completionProvider: { triggerCharacters: [':'] },
      codeActionProvider: { codeActionKinds: ['quickfix'] },
    },
    serverInfo: { name: 'alluse-perf-server', version: SERVER_VERSION },
  };
});

// A test-only fault (ALLUSE_SERVER_TEST_FAULT; none when unset): checks processErrors.ts end to end.
connection.onInitialized(() => scheduleTestFault());

documents.onDidOpen((e) => {
  if (isWorkspaceFile(e.document.uri)) guard(() => analyses.analyseNow(e.document));
});
documents.onDidChangeContent((e) => {
  if (isWorkspaceFile(e.document.uri)) analyses.schedule(e.document);
});
documents.onDidClose((e) => {
  analyses.forget(e.document.uri);
  void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
});

connection.onCodeAction((params) =>
  guard(() => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc || !isWorkspaceFile(doc.uri)) return [];
    return toCodeActions(doc.uri, analyses.current(doc).analysis.findings, params.context.diagnostics);
  }, []),
);

connection.onHover((params) =>
  guard(() => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc || !isWorkspaceFile(doc.uri)) return null;
    const { analysis } = analyses.current(doc);
    const h = analysis.doc && hoverAt(analysis.doc, analysis.index, params.position);
    return h ? { contents: { kind: 'markdown', value: h.markdown }, range: h.range } : null;
  }, null),
);

connection.onCompletion((params) =>
  guard(() => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc || !isWorkspaceFile(doc.uri)) return [];
    return completeAt(analyses.current(doc).analysis.index, params.position).map(toCompletionItem);
  }, []),
);

connection.onRequest(WorkspaceSummaryRequest.method, (params: WorkspaceSummaryRequest.Params): WorkspaceSummaryRequest.Result => {
  const c = analysisOf(params.uri);
  return c ? { summary: c.analysis.summary, version: c.version } : null;
});

connection.onRequest(MonitorControlRequest.method, async (params: MonitorControlRequest.Params): Promise<MonitorControlRequest.Result> => {
  try {
    if (params.action === 'stop') return await monitors.stop(params.uri);
    const status = await monitors.start(params.uri, params.trusted === true);
    governor.track(params.uri);
    return status;
  } catch (e) {
    connection.console.error(`Monitoring failed: ${(e as Error).stack ?? String(e)}`);
    return { ...monitors.status(params.uri), message: `Monitoring could not start: ${(e as Error).message}` };
  }
});

connection.onRequest(DashboardDataRequest.method, (params: DashboardDataRequest.Params): DashboardDataRequest.Result | null => monitors.dashboard(params.uri, params.range) ?? null);

registerPlanningHandlers(connection, monitors);
registerReportService(connection, monitors, analysisOf);

let clientAppliesEdits = false;
const governor = registerGovernor(connection, monitors, () => clientAppliesEdits, analysisOf);

const comparisons = registerCompareService(connection, analysisOf);

const coordination = registerCoordination(connection, {
  analysis: analysisOf,
  firingAlerts: (component) => documents.keys().filter(isWorkspaceFile).flatMap((uri) => monitors.status(uri).alerts.filter((a) => component === 'system' || a.component === component).map((a) => a.name)),
  monitorData: (uri) => {
    const r = monitors.runningStore(uri);
    return r && { store: r.store, predictions: monitors.status(uri).predictions };
  },
});

const studies = registerStudyService(
  connection,
  documents,
  analysisOf,
  { scheduler: coordination.scheduler, jobCpu: coordination.jobCpu },
);

connection.onShutdown(() => {
  studies.cancelAll();
  statusSends.dispose();
  diagnosticSends.dispose();
  comparisons.cancelAll();
  governor.stop();
  return Promise.all([monitors.stopAll(), profiles.stopAll(), coordination.scheduler.cancelAll()]).then(() => undefined);
});

const profiles = new ProfileService({
  analysis: analysisOf,
  openText: (uri) => documents.get(uri)?.getText(),
  publish: (uri, diagnostics) => void connection.sendDiagnostics({ uri, diagnostics }),
  log: (m) => connection.console.log(m),
  continuous: (p) => void connection.sendNotification(ProfileContinuousNotification.method, p),
});
connection.onRequest(ProfileContinuousRequest.method, (params: ProfileContinuousRequest.Params) => profiles.continuous(params));
connection.onRequest(ProfileStartRequest.method, async (params: ProfileStartRequest.Params, token): Promise<ProfileStartRequest.Result> => {
  const abort = new AbortController();
  token.onCancellationRequested(() => abort.abort());
  // Listed in the job queue; a profile takes no trial budget and is what one takes to diagnose an alert, so it is not held by one.
  const r = await coordination.asJob({ kind: 'profile', component: params.component, label: `Profile ${params.component}${params.heap ? ' (heap)' : ''}`, trials: 0, cpuCores: 0, force: true }, (signal) => profiles.start(params, signal), abort.signal);
  return r.value ?? { error: `The profile did not run: ${r.job.reason ?? r.job.state}.` };
});
connection.onRequest(ProfileListRequest.method, (params: ProfileListRequest.Params) => profiles.list(params));
connection.onRequest(ProfileResultRequest.method, (params: ProfileResultRequest.Params) => profiles.result(params));
connection.onRequest(ProfileCompareRequest.method, (params: ProfileCompareRequest.Params) => profiles.compare(params));
connection.onRequest(ConfigKeyUsagesRequest.method, (params: ConfigKeyUsagesRequest.Params) => profiles.configKeyUsages(params).catch(() => []));

/** Event-loop delay of this process, for `alluse/serverInfo`: a stall of the loop shows as a late timer. */
const LOOP_RESOLUTION_MS = 10;
const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
loopDelay.enable();

connection.onRequest(ServerInfoRequest.method, (params?: ServerInfoRequest.Params): ServerInfoRequest.Result => {
  const mem = process.memoryUsage();
  // The histogram records the whole interval between timer runs; the delay is what exceeds the resolution.
  const late = (ns: number) => Math.max(0, Math.round((ns / 1e6 - LOOP_RESOLUTION_MS) * 100) / 100);
  const samples = loopDelay.count;
  const eventLoop = { maxDelayMs: samples ? late(loopDelay.max) : 0, p99DelayMs: samples ? late(loopDelay.percentile(99)) : 0, meanDelayMs: samples ? late(loopDelay.mean) : 0, samples };
  if (params?.resetEventLoop) loopDelay.reset();
  return {
    pid: process.pid,
    version: SERVER_VERSION,
    uptimeS: Math.round(process.uptime()),
    analyses: analysisCount,
    memory: { rssBytes: mem.rss, heapUsedBytes: mem.heapUsed },
    eventLoop,
  };
});

/**
 * A bug in one request must not take the server down with it: log it and answer with
 * the fallback, so the editor keeps working.
 */
function guard<T>(work: () => T, fallback?: T): T {
  try {
    return work();
  } catch (e) {
    connection.console.error(`Internal error: ${(e as Error).stack ?? String(e)}`);
    return fallback as T;
  }
}

documents.listen(connection);
connection.listen();

/**
 * The threads the server starts (libuv's pool: file writes and the WAL's fdatasync; the
 * store's encode worker) yield to its main thread when they compete for a CPU
 * (engine/util/threadPriority.ts): the editor's requests and the monitor's rounds run on the
 * main thread. V8's platform threads, which exist before this module runs, keep their
 * priority: the main thread waits for them inside collections (a scavenge during concurrent
 * marking pauses the markers; a mark-compact joins them), and at nice 10 such waits took
 * 40–85 ms under `bench:load` (docs/performance.md, "Load", "The server's helper threads").
 * Their competition is bounded instead by `--concurrent-marking-max-worker-num=1`
 * (protocol/serverProcess.ts). Again every second for threads started since (the encode
 * worker starts at the first cut); a run reads a dozen entries of /proc/self/task.
 */
const HELPER_THREAD_NICE = 10;
const helperNice = helperThreadNice(process.env, HELPER_THREAD_NICE);
if (helperNice > 0 && lowerHelperThreads(helperNice, platformThreads)) setInterval(() => lowerHelperThreads(helperNice, platformThreads), 1_000).unref();
