/**
 * The extension's entry point: starts the analysis server, shows its state, and registers
 * the commands and views. All analysis happens in the server (and its engine).
 */
import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';
import {
  AnalysisDoneNotification,
  AssessImpactRequest,
  CapacityPlanRequest,
  ImpactTargetsRequest,
  DashboardDataRequest,
  MonitorControlRequest,
  MonitorStatusNotification,
  ServerInfoRequest,
  WorkspaceSummaryRequest,
  type MonitorStatus,
  type RangeName,
} from '../../protocol/index';
import { createAnalysisClient, showGaveUp } from './analysisClient';
import { CapacityPanel } from './capacityPanel';
import { ComponentsTree } from './componentsTree';
import { registerExportReport } from './exportReport';
import { assessImpactCommand, SaveLog } from './impactCommand';
import { ImpactPanel } from './impactPanel';
import { LimitNotifier } from './limitNotifier';
import { DashboardPanel } from './dashboardPanel';
import { FindingsTree } from './findingsTree';
import { MonitorStatusBar } from './monitorStatusBar';
import { OverviewPanel } from './overviewPanel';
import { ProfileController } from './profileController';
import { ServerStatusItem } from './statusItem';
import { registerStudyCommands, type StudyApi } from './studyCommands';
import { registerCompare, type CompareApi } from './measureChange';
import { restrictedMonitoringNotice } from './workspaceTrust';
import { registerGovernor, type GovernorApi } from './governorClient';
import { registerCoordinationCommands, type CoordinationApi } from './coordinationCommands';

/** What the extension offers other extensions and its own tests. */
export interface AllUsePerformanceApi {
  whenServerReady(): Promise<void>;
  lastAnalysis(uri: string): { ms: number; diagnostics: number } | undefined;
  /** The running server's process id and counters; rejects while the server is not running. */
  serverInfo(): Promise<ServerInfoRequest.Result>;
  /** The last monitoring status the server sent. */
  monitorStatus(): MonitorStatus | undefined;
  /** Data fetches made by the open dashboard panel (0 when none is open); read-only, for tests of its polling. */
  dashboardPolls(): number;
  /** The profile shown in the editor now (line heat, Hot Functions, flame graph). */
  shownProfile(): import('../../protocol/index').ProfileResult | undefined;
  /** The time-to-limit predictions the Findings view lists, as "label: message", and the limit notifications shown. */
  findingsPredictions(): string[];
  limitNotifications(): string[];
  /** Tuning studies: the open study views and a wait for a study's work to end (tests). */
  studies: StudyApi;
  /** The dashboard's data of the monitored file for a range, as the panel gets it (tests of restarts). */
  dashboardData(range: RangeName): Promise<DashboardDataRequest.Result>;
  /** The message shown when the server crashed too often and was not restarted (undefined while it was not given up). */
  serverGaveUp(): string | undefined;
  /** A/B comparisons of configuration files: the last result (tests). */
  compare: CompareApi;
  /** The governor: record a change, the regressions notified, the Change History panel (tests). */
  governor: GovernorApi;
  /** Coordination: the job queue, the last conflict check and allocation (tests). */
  coordination: CoordinationApi;
}

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<AllUsePerformanceApi> {
  const output = vscode.window.createOutputChannel('ALL-USE Performance', { log: true });
  const status = new ServerStatusItem();
  const analyses = new Map<string, AnalysisDoneNotification.Params>();
  let overview: OverviewPanel | undefined;
  let dashboard: DashboardPanel | undefined;
  let lastMonitorStatus: MonitorStatus | undefined;
  const monitorBar = new MonitorStatusBar();
  const tree = new ComponentsTree();
  const findings = new FindingsTree();
  context.subscriptions.push(
    output,
    status,
    monitorBar,
    vscode.window.registerTreeDataProvider('alluse-perf.components', tree),
  );
  const findingsView = vscode.window.createTreeView('alluse-perf.findings', { treeDataProvider: findings });
  const limitNotifier = new LimitNotifier((p) => {
    const node = findings.predictionNode(p.component, p.limitKey, p.mount);
    if (node) void findingsView.reveal(node, { select: true, focus: true });
    else void vscode.commands.executeCommand('alluse-perf.findings.focus');
  });
  const saves = new SaveLog(context.workspaceState);
  let capacity: CapacityPanel | undefined;
  let impact: ImpactPanel | undefined;
  context.subscriptions.push(findingsView, saves.watch());

  let gaveUp: string | undefined;
  const { client: lc, errorHandler } = createAnalysisClient(context, output, (n) => status.restarted(n), (message) => {
    gaveUp = message;
    status.stopped(message);
    void showGaveUp(message, output);
  });
  client = lc;
  /** Whether the user wants monitoring on: a restarted server picks it up again. */
  let wantMonitoring = false;
  /** The file monitored last: a restarted server monitors that one again, whichever editor is active then. */
  let monitoredFile: vscode.Uri | undefined;
  let everRunning = false;
  context.subscriptions.push(
    lc.onDidChangeState((e) => {
      if (e.newState === State.Running) {
        status.ready();
        // A new server process after a crash or a restart knows nothing of the monitor.
        if (everRunning && wantMonitoring) void controlMonitor('start', true, monitoredFile).catch(() => undefined);
        everRunning = true;
      } else if (e.newState === State.Stopped) status.stopped('The analysis server is not running. Click to restart it.');
    }),
    lc.onNotification(AnalysisDoneNotification.method, (p: AnalysisDoneNotification.Params) => {
      analyses.set(p.uri, p);
      status.ready(p);
      void overview?.update(p.uri);
    }),
    lc.onNotification(MonitorStatusNotification.method, (p: MonitorStatusNotification.Params) => {
      lastMonitorStatus = p;
      monitorBar.update(p);
      tree.update(p);
      findings.update(p);
      limitNotifier.update(p);
    }),
  );

  /** Asks the server to start or stop monitoring the workspace file, and shows why when it cannot. */
  const controlMonitor = async (action: 'start' | 'stop', quiet = false, which?: vscode.Uri): Promise<void> => {
    const file = which ?? (await findWorkspaceFile(quiet));
    if (!file) return;
    wantMonitoring = action === 'start';
    monitoredFile = file;
    await vscode.workspace.openTextDocument(file); // the server monitors what it has analysed
    await ready;
    const s = await lc.sendRequest<MonitorControlRequest.Result>(MonitorControlRequest.method, { uri: file.toString(), action, trusted: vscode.workspace.isTrusted } satisfies MonitorControlRequest.Params);
    lastMonitorStatus = s;
    monitorBar.update(s);
    tree.update(s);
    if (action === 'start' && !s.running && !quiet) void vscode.window.showWarningMessage(`ALL-USE monitoring did not start: ${s.message ?? 'unknown reason'}`);
    // Asked for by hand in restricted mode: say what runs and what does not, and offer trust.
    else if (action === 'start' && !quiet && !vscode.workspace.isTrusted) restrictedMonitoringNotice();
  };

  const ready = lc.start().catch((e: unknown) => {
    const msg = `The ALL-USE Performance analysis server could not start: ${(e as Error).message}. See "ALL-USE Performance: Show Server Output".`;
    status.stopped(msg);
    void vscode.window.showErrorMessage(msg);
    throw e;
  });

  // Trust is read at every command, so granting it needs no reload; the log says when it came.
  context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(() => output.info('The workspace is trusted now: profiling and tuning studies can run.')));

  // Watching processes that already run starts nothing, so it is on by default, trusted or not.
  if (vscode.workspace.getConfiguration('alluse-perf').get<boolean>('monitor.autoStart', true)) {
    void ready.then(() => controlMonitor('start', true)).catch(() => undefined);
  }

  context.subscriptions.push(
    vscode.commands.registerCommand('alluse-perf.showOutput', () => output.show(true)),
    vscode.commands.registerCommand('alluse-perf.restartServer', async () => {
      status.starting();
      gaveUp = undefined;
      errorHandler.policy.reset(); // restarted by hand: the crash count starts afresh
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Restarting the ALL-USE Performance analysis server' }, () => lc.restart());
    }),
    vscode.commands.registerCommand('alluse-perf.startMonitoring', () => controlMonitor('start')),
    vscode.commands.registerCommand('alluse-perf.stopMonitoring', () => controlMonitor('stop')),
    vscode.commands.registerCommand('alluse-perf.openDashboard', async () => {
      const file = await findWorkspaceFile();
      if (!file) return;
      if (!lastMonitorStatus?.running) await controlMonitor('start');
      if (!dashboard) {
        dashboard = new DashboardPanel(
          context.extensionUri,
          file,
          (uri: string, range: RangeName) => lc.sendRequest<DashboardDataRequest.Result>(DashboardDataRequest.method, { uri, range } satisfies DashboardDataRequest.Params),
          () => (dashboard = undefined),
        );
        context.subscriptions.push(dashboard);
      }
      dashboard.reveal();
    }),
    vscode.commands.registerCommand('alluse-perf.openCapacityPlanning', async () => {
      const file = await findWorkspaceFile();
      if (!file) return;
      if (!lastMonitorStatus?.running) await controlMonitor('start');
      if (!capacity) {
        capacity = new CapacityPanel(context.extensionUri, file, (params) => lc.sendRequest<CapacityPlanRequest.Result>(CapacityPlanRequest.method, params), () => (capacity = undefined));
        context.subscriptions.push(capacity);
      }
      capacity.reveal();
    }),
    vscode.commands.registerCommand('alluse-perf.assessImpact', async () => {
      const file = await findWorkspaceFile();
      if (!file) return;
      if (!lastMonitorStatus?.running) await controlMonitor('start');
      await assessImpactCommand(file, {
        targets: (uri) => lc.sendRequest<ImpactTargetsRequest.Result>(ImpactTargetsRequest.method, { uri } satisfies ImpactTargetsRequest.Params),
        assess: (params) => lc.sendRequest<AssessImpactRequest.Result>(AssessImpactRequest.method, params),
        show: (component, r) => {
          impact ??= new ImpactPanel(context.extensionUri, () => (impact = undefined));
          impact.show({ type: 'impact', component, label: r.label, unit: r.unit, impact: r.impact });
        },
        saves,
      });
    }),
    vscode.commands.registerCommand('alluse-perf.openOverview', async () => {
      const file = await findWorkspaceFile();
      if (!file) return;
      if (!overview) {
        // The server analyses files that are open; open it (without stealing focus) first.
        await vscode.workspace.openTextDocument(file);
        overview = new OverviewPanel(context.extensionUri, file, (uri) => lc.sendRequest<WorkspaceSummaryRequest.Result>(WorkspaceSummaryRequest.method, { uri }), () => (overview = undefined));
        context.subscriptions.push(overview);
      }
      overview.reveal();
    }),
  );

  const profiles = new ProfileController(context.extensionUri, lc, ready.then(() => undefined), () => findWorkspaceFile());
  context.subscriptions.push(profiles);

  const governor = registerGovernor(context, lc, ready, findWorkspaceFile);
  const studies = registerStudyCommands(context, lc, ready, findWorkspaceFile, governor);
  registerExportReport(context, lc, ready, findWorkspaceFile);
  const compare = registerCompare(context, lc, ready, findWorkspaceFile);
  const coordination = registerCoordinationCommands(context, lc, ready, findWorkspaceFile, governor);

  return {
    shownProfile: () => profiles.shown,
    studies,
    compare,
    governor,
    coordination,
    whenServerReady: () => ready,
    lastAnalysis: (uri) => {
      const a = analyses.get(uri);
      return a && { ms: a.ms, diagnostics: a.diagnostics };
    },
    serverInfo: () => lc.sendRequest<ServerInfoRequest.Result>(ServerInfoRequest.method),
    monitorStatus: () => lastMonitorStatus,
    dashboardPolls: () => dashboard?.polls ?? 0,
    findingsPredictions: () => findings.predictionMessages(),
    limitNotifications: () => [...limitNotifier.shown],
    dashboardData: async (range) => {
      if (!monitoredFile) return null;
      return lc.sendRequest<DashboardDataRequest.Result>(DashboardDataRequest.method, { uri: monitoredFile.toString(), range } satisfies DashboardDataRequest.Params);
    },
    serverGaveUp: () => gaveUp,
  };
}

/** The workspace file: the one in the active editor, else the first in the workspace; says so when there is none. */
async function findWorkspaceFile(quiet = false): Promise<vscode.Uri | undefined> {
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && /alluse-perf\.yaml$/.test(active.path)) return active;
  const found = (await vscode.workspace.findFiles('**/alluse-perf.yaml', '**/node_modules/**', 1))[0];
  if (!found && !quiet) void vscode.window.showWarningMessage('No alluse-perf.yaml in this workspace. Create one at the workspace root (see docs/configuration.md).');
  return found;
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
