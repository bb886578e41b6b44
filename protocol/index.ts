/**
 * The one typed protocol of ALL-USE Performance: the custom LSP requests and notifications
 * between the extension and the analysis server, and the messages between the extension
 * and its webviews. Client, server and webviews import this module; it imports only types,
 * so it is safe in the browser.
 */
import type { Range, WorkspaceSummary } from '../engine/index';

export type { Range, WorkspaceSummary, ComponentSummary, StudySummary } from '../engine/index';

// ---- Language server ↔ extension ---------------------------------------------------------

/** Server → client, after each analysis of a workspace file: what it found and how long it took. */
export namespace AnalysisDoneNotification {
  export const method = 'alluse/analysisDone' as const;
  export interface Params {
    uri: string;
    version: number;
    /** Milliseconds the analysis itself took (parse, schema, semantics). */
    ms: number;
    diagnostics: number;
    errors: number;
  }
}

/** Client → server: the summary of a workspace file, for the overview and the trees. */
export namespace WorkspaceSummaryRequest {
  export const method = 'alluse/workspaceSummary' as const;
  export interface Params {
    uri: string;
  }
  export type Result = { summary: WorkspaceSummary; version: number } | null;
}

/** Client → server: who the server is, for the status item's details and for fault tests. */
export namespace ServerInfoRequest {
  export const method = 'alluse/serverInfo' as const;
  export interface Result {
    pid: number;
    version: string;
    /** Seconds since the server process started. */
    uptimeS: number;
    /** Workspace files analysed since the start. */
    analyses: number;
    /** The server process's memory now. */
    memory?: { rssBytes: number; heapUsedBytes: number };
    /**
     * How late the server's event loop ran a 10 ms timer (`monitorEventLoopDelay`), since the
     * server started or since the last query with `resetEventLoop`: a stall shows as a delay.
     */
    eventLoop?: { maxDelayMs: number; p99DelayMs: number; meanDelayMs: number; samples: number };
  }
  export interface Params {
    /** Start a new event-loop window after answering (the load benchmark reads one per interval). */
    resetEventLoop?: boolean;
  }
}

// ---- Monitoring -------------------------------------------------------------------------

import { DASHBOARD_RANGES } from '../engine/monitor/types';
export { DASHBOARD_RANGES };
export type { RangeName, ChartUnit, ChartSeries, ChartPanel, AlertInfo, AnomalyFinding, ComponentStatus, MonitorStatus, DashboardData } from '../engine/monitor/types';
import type { RangeName, MonitorStatus, DashboardData } from '../engine/monitor/types';

/** Server → client whenever the monitor's status changes (at most every second). */
export namespace MonitorStatusNotification {
  export const method = 'alluse/monitorStatus' as const;
  export type Params = MonitorStatus & { uri: string };
}

/** Client → server: start or stop monitoring the workspace of a workspace file. */
export namespace MonitorControlRequest {
  export const method = 'alluse/monitorControl' as const;
  export interface Params {
    uri: string;
    action: 'start' | 'stop';
    /** Whether the workspace is trusted: without trust nothing is started (`process.start`). */
    trusted: boolean;
  }
  export type Result = MonitorStatus;
}

/** Client → server: the dashboard's charts for a range. */
export namespace DashboardDataRequest {
  export const method = 'alluse/dashboardData' as const;
  export interface Params {
    uri: string;
    range: RangeName;
  }
  /** null while monitoring is not running. */
  export type Result = DashboardData | null;
}

// ---- Profiling --------------------------------------------------------------------------

export type { ProfileResult, HotFunction, FlameNode, SourceLocation, GcSummary } from '../engine/profile/types';
export type { ProfileEntry } from '../engine/profile/profileStore';
export type { ProfileComparison } from '../engine/profile/compare';
export type { HotPathFinding } from '../engine/profile/hotChecks';
export type { ConfigKeyUsage } from '../engine/profile/configKeys';
export type { OsProcessProfile } from '../engine/profile/osProcess';
import type { OsProcessProfile } from '../engine/profile/osProcess';
import type { ProfileResult } from '../engine/profile/types';
import type { ProfileEntry } from '../engine/profile/profileStore';
import type { ProfileComparison } from '../engine/profile/compare';
import type { HotPathFinding } from '../engine/profile/hotChecks';
import type { ConfigKeyUsage } from '../engine/profile/configKeys';

/**
 * Client → server: profile a Node component through its inspector for `durationMs`, map the
 * samples to the TypeScript source, keep the profile in the store. Cancellable (the capture
 * then stops early and what was sampled is analysed).
 */
export namespace ProfileStartRequest {
  export const method = 'alluse/profileStart' as const;
  export interface Params {
    uri: string;
    component: string;
    durationMs: number;
    /** V8 sampling interval; default 1000 µs. */
    samplingIntervalUs?: number;
    heap?: boolean;
  }
  /** `os`: the component has no inspector (not Node, or no port); what the OS tells about its process instead. */
  export type Result = { entry?: ProfileEntry; result: ProfileResult; findings: HotPathFinding[] } | { os: OsProcessProfile; component: string } | { error: string };
}

/**
 * Client → server: start or stop continuous low-rate profiling of a component: one profile
 * after another (`windowMs` each, 10 ms sampling by default), each kept in the store. Runs in
 * the server until stopped, until the server shuts down, or until the component goes away
 * (no longer in alluse-perf.yaml, or its inspector stops answering). Answers with the
 * components profiled continuously now.
 */
export namespace ProfileContinuousRequest {
  export const method = 'alluse/profileContinuous' as const;
  export interface Params {
    uri: string;
    component: string;
    action: 'start' | 'stop';
    /** Length of each profile; default 60 000 ms (200 to 600 000). */
    windowMs?: number;
    /** Default 10 000 µs (low overhead). */
    samplingIntervalUs?: number;
  }
  export type Result = { running: string[] } | { error: string };
}

/**
 * Server → client: a continuous profile window ended (`window`: its kept entry and result,
 * relocated into today's sources) or continuous profiling of a component stopped (`stopped`,
 * with the reason).
 */
export namespace ProfileContinuousNotification {
  export const method = 'alluse/profileContinuousWindow' as const;
  export type Params =
    | { uri: string; component: string; state: 'window'; windows: number; entry?: ProfileEntry; result: ProfileResult }
    | { uri: string; component: string; state: 'stopped'; windows: number; reason: string };
}

/** Client → server: the profiles kept in the workspace's store, newest first. */
export namespace ProfileListRequest {
  export const method = 'alluse/profileList' as const;
  export interface Params { uri: string }
  export type Result = ProfileEntry[];
}

/** Client → server: one kept profile's analysed result (relocated into today's sources) and its hot-path findings. */
export namespace ProfileResultRequest {
  export const method = 'alluse/profileResult' as const;
  export interface Params { uri: string; id: string }
  export type Result = { result: ProfileResult; findings: HotPathFinding[] } | null;
}

/** Client → server: compare two kept profiles (before → after). */
export namespace ProfileCompareRequest {
  export const method = 'alluse/profileCompare' as const;
  export interface Params { uri: string; before: string; after: string }
  export type Result = ProfileComparison | { error: string };
}

/** Client → server: where each key of a component config file is read in the component's source. */
export namespace ConfigKeyUsagesRequest {
  export const method = 'alluse/configKeyUsages' as const;
  export interface Params {
    /** The workspace file (alluse-perf.yaml). */
    uri: string;
    /** The component config file (e.g. config/protocol-engine.yaml). */
    configUri: string;
    /** Its text as the editor has it. */
    text: string;
  }
  export type Result = ConfigKeyUsage[];
}

/** What the flame graph webview shows (a profile's flame tree and its functions' locations). */
export interface FlameGraphData {
  id: string;
  component: string;
  startedAt: number;
  busyMs: number;
  flame: ProfileResult['flame'];
  /** Per function index: name, share and where it is (file URI and 0-based line), if mapped. */
  functions: { name: string; selfPct: number; totalPct: number; uri?: string; line?: number; category: string }[];
}

// ---- Capacity planning and impact assessment -----------------------------------------------

export type { CapacityPlan, CapacityChart, CapacityCurve, ResourceNeed, CapacityResource } from '../engine/monitor/capacity';
export type { GrowthEstimate } from '../engine/monitor/growth';
export type { ImpactMetric, StoreImpact } from '../engine/monitor/impactQuery';
import type { CapacityPlan } from '../engine/monitor/capacity';
import type { ImpactMetric, StoreImpact } from '../engine/monitor/impactQuery';
import type { ChartUnit } from '../engine/monitor/types';

/** What a capacity plan is asked for: a load (per second), months of the measured growth, or (neither) today's load. */
export interface CapacityQuery {
  load?: number;
  months?: number;
}

/** Client → server: each component's CPU and memory at a load or after months of growth, with the chart of use against load. */
export namespace CapacityPlanRequest {
  export const method = 'alluse/capacityPlan' as const;
  export type Params = CapacityQuery & { uri: string };
  /** `message` says why there are no plans (monitoring not running, no component with a throughput series). */
  export interface Result {
    plans: CapacityPlan[];
    message?: string;
  }
}

/** Client → server: the components and metrics whose changes can be assessed, and the config files whose saves are changes. */
export namespace ImpactTargetsRequest {
  export const method = 'alluse/impactTargets' as const;
  export interface Params {
    uri: string;
  }
  export interface Result {
    components: { name: string; metrics: { metric: ImpactMetric; label: string; series: string }[]; configFiles: string[] }[];
  }
}

/** Client → server: the effect of a change at `at` on a component's metric, from the store. */
export namespace AssessImpactRequest {
  export const method = 'alluse/assessImpact' as const;
  export interface Params {
    uri: string;
    component: string;
    metric: ImpactMetric;
    /** The change time, ms since the epoch. */
    at: number;
  }
  export type Result = { ok: true; impact: StoreImpact; unit: ChartUnit; label: string } | { ok: false; message: string };
}

/** Options the client passes to the server when it starts it. */
export interface ServerInitializationOptions {
  /** Delay between the last edit and the analysis. */
  debounceMs: number;
}

// ---- Webview ↔ extension ----------------------------------------------------------------

/** Messages a webview sends to the extension. Validated by `parseWebviewMessage` before use. */
export type WebviewToExtension =
  | { type: 'ready' }
  | { type: 'refresh' }
  | { type: 'reveal'; uri: string; range: Range }
  | { type: 'setRange'; range: RangeName }
  | { type: 'planCapacity'; query: CapacityQuery };

/** Messages the extension sends to a webview. */
export type ExtensionToWebview =
  | { type: 'summary'; uri: string; summary: WorkspaceSummary; version: number }
  | { type: 'dashboard'; data: DashboardData }
  | { type: 'flame'; data: FlameGraphData }
  | { type: 'capacity'; query: CapacityQuery; plans: CapacityPlan[]; message?: string }
  | { type: 'impact'; component: string; label: string; unit: ChartUnit; impact: StoreImpact }
  | { type: 'error'; message: string };

function isPosition(x: unknown): boolean {
  const p = x as { line?: unknown; character?: unknown };
  return !!p && typeof p === 'object' && Number.isInteger(p.line) && Number.isInteger(p.character) && (p.line as number) >= 0 && (p.character as number) >= 0;
}

/**
 * Checks a message that arrived from a webview. Webview content is untrusted: anything that
 * does not match the protocol exactly is dropped.
 */
export function parseWebviewMessage(x: unknown): WebviewToExtension | undefined {
  if (!x || typeof x !== 'object') return undefined;
  const m = x as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
    case 'refresh':
      return { type: m.type };
    case 'setRange':
      return typeof m.range === 'string' && Object.prototype.hasOwnProperty.call(DASHBOARD_RANGES, m.range) ? { type: 'setRange', range: m.range as RangeName } : undefined;
    case 'planCapacity': {
      // Exactly one of a load (per second) or months of growth, or neither (today's load); sane bounds.
      const q = m.query as Record<string, unknown> | undefined;
      if (!q || typeof q !== 'object') return undefined;
      const ok = (v: unknown, max: number) => v === undefined || (typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= max);
      if (!ok(q.load, 1e12) || !ok(q.months, 120) || (q.load !== undefined && q.months !== undefined)) return undefined;
      return { type: 'planCapacity', query: { ...(q.load !== undefined ? { load: q.load as number } : {}), ...(q.months !== undefined ? { months: q.months as number } : {}) } };
    }
    case 'reveal': {
      const r = m.range as { start?: unknown; end?: unknown } | undefined;
      if (typeof m.uri !== 'string' || m.uri.length > 4096 || !r || !isPosition(r.start) || !isPosition(r.end)) return undefined;
      return { type: 'reveal', uri: m.uri, range: r as Range };
    }
    default:
      return undefined;
  }
}

// ---- Tuning studies ---------------------------------------------------------------------

import type { Effect } from '../engine/tune/remeasure';
export type { Effect } from '../engine/tune/remeasure';

/** A study of the workspace file, for the pick list and the tree. */
export interface StudyInfo {
  name: string;
  component?: string;
  /** Absolute path of the configuration file the study edits. */
  configFile?: string;
  parameters: string[];
  objectives: { name: string; direction: 'minimize' | 'maximize' }[];
  constraints: string[];
  budget: number;
  /** Finished trials in its log. */
  finished: number;
  running: boolean;
}

export type StudyPhase = 'idle' | 'running' | 'remeasuring';

/** One trial as the study view shows it. */
export interface StudyViewTrial {
  trial: number;
  state: 'complete' | 'failed';
  feasible: boolean;
  params: Record<string, number | string | boolean>;
  /** Raw objective values in objective order. */
  values?: number[];
  reason?: string;
}

/** One key the recommendation changes. */
export interface StudyViewChange {
  key: string;
  oldValue?: number | string | boolean;
  newValue: number | string | boolean;
  missing?: boolean;
}

/** Everything the study view draws. */
export interface StudyViewData {
  study: string;
  component?: string;
  configFile?: string;
  phase: StudyPhase;
  parameters: string[];
  objectives: { name: string; direction: 'minimize' | 'maximize' }[];
  constraints: string[];
  budget: number;
  trials: StudyViewTrial[];
  /** Best feasible value of the first objective after each finished trial (trial number, value). */
  bestSoFar: { trial: number; value: number }[];
  /** Parameter importance for the first objective (sums to 1), and the number of trials it rests on. */
  importance: { name: string; importance: number }[];
  importanceTrials: number;
  /** Trial numbers of the Pareto front (several objectives) or the best trial. */
  pareto: number[];
  recommendation?: { trial: number; changes: StudyViewChange[]; unchanged: string[] };
  remeasure?: { pairs: number; effects: Effect[]; feasible: boolean; problem?: string; at: string };
  /** The last progress text (running trial, re-measurement run, errors). */
  message?: string;
}

/** Client → server: the studies of a workspace file. */
export namespace StudyListRequest {
  export const method = 'alluse/studyList' as const;
  export interface Params {
    uri: string;
  }
  export interface Result {
    studies: StudyInfo[];
    /** Why there are none (no analysis yet, errors in the file). */
    message?: string;
  }
}

/** Client → server: run (or resume) a study. Nothing runs unless the client says the workspace is trusted. */
export namespace StudyRunRequest {
  export const method = 'alluse/studyRun' as const;
  export interface Params {
    uri: string;
    study: string;
    trusted: boolean;
    /** Override of the study's trial budget (a raised budget continues the study). */
    budget?: number;
  }
  export interface Result {
    started: boolean;
    message: string;
  }
}

/** Client → server: stop the study's trials or its re-measurement; running trials are stopped and not counted. */
export namespace StudyCancelRequest {
  export const method = 'alluse/studyCancel' as const;
  export interface Params {
    uri: string;
    study: string;
  }
  export interface Result {
    cancelled: boolean;
  }
}

/** Server → client: a trial or a re-measurement run started or ended, or the study stopped. */
export namespace StudyProgressNotification {
  export const method = 'alluse/studyProgress' as const;
  export interface Params {
    uri: string;
    study: string;
    phase: StudyPhase;
    /** Finished trials (or re-measurement runs) and the total planned. */
    done: number;
    total: number;
    message: string;
    /** Set with phase 'idle' when the work ended: how it ended. */
    ended?: 'finished' | 'cancelled' | 'failed';
  }
}

/** Client → server: the study view's data (read from the study's log when no run is in memory). */
export namespace StudyResultRequest {
  export const method = 'alluse/studyResult' as const;
  export interface Params {
    uri: string;
    study: string;
  }
  export type Result = StudyViewData | null;
}

/** Client → server: re-measure the recommendation against the current configuration file (interleaved A/B). */
export namespace StudyRemeasureRequest {
  export const method = 'alluse/studyRemeasure' as const;
  export interface Params {
    uri: string;
    study: string;
    trusted: boolean;
    /** A/B pairs (default 5). */
    pairs?: number;
  }
  export interface Result {
    started: boolean;
    message: string;
  }
}

/** Client → server: the quick fixes of `tuning-recommendation` diagnostics in a component's configuration file (LSP CodeAction objects). */
export namespace StudyCodeActionsRequest {
  export const method = 'alluse/studyCodeActions' as const;
  export interface Params {
    /** The configuration file's URI. */
    uri: string;
    /** The diagnostics VS Code asks about, as LSP diagnostics. */
    diagnostics: { range: Range; code?: string | number; source?: string; message: string }[];
  }
  export type Result = unknown[];
}

/** Client → server: every edit of a study's recommendation, for "Apply All Recommendations". */
export namespace StudyEditsRequest {
  export const method = 'alluse/studyEdits' as const;
  export interface Params {
    uri: string;
    study: string;
  }
  export interface Result {
    /** The configuration file's URI; absent when there is nothing to apply. */
    configUri?: string;
    edits: { range: Range; newText: string }[];
    message: string;
  }
}

/** Client → server: a configuration file changed (saved, edited by a fix): publish its recommendation diagnostics again. */
export namespace StudyRecheckNotification {
  export const method = 'alluse/studyRecheck' as const;
  export interface Params {
    /** The configuration file's URI. */
    uri: string;
  }
}

/** The diagnostic code of a recommended change on a configuration file's key. */
export const TUNING_RECOMMENDATION_CODE = 'tuning-recommendation';

/** Messages the study webview sends to the extension. Validated by `parseStudyWebviewMessage`. */
export type StudyWebviewToExtension =
  | { type: 'ready' }
  | { type: 'refresh' }
  | { type: 'studyCommand'; command: 'run' | 'cancel' | 'remeasure' | 'applyAll' | 'revert' };

/** Messages the extension sends to the study webview. */
export type ExtensionToStudyWebview = { type: 'study'; data: StudyViewData } | { type: 'error'; message: string };

const STUDY_COMMANDS = ['run', 'cancel', 'remeasure', 'applyAll', 'revert'] as const;

/** Checks a message from the study webview; anything else is dropped. */
export function parseStudyWebviewMessage(x: unknown): StudyWebviewToExtension | undefined {
  if (!x || typeof x !== 'object') return undefined;
  const m = x as Record<string, unknown>;
  if (m.type === 'ready' || m.type === 'refresh') return { type: m.type };
  if (m.type === 'studyCommand' && typeof m.command === 'string' && (STUDY_COMMANDS as readonly string[]).includes(m.command)) return { type: 'studyCommand', command: m.command as (typeof STUDY_COMMANDS)[number] };
  return undefined;
}
