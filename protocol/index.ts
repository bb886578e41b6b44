/**
 * The one typed protocol of ALL-USE Performance: the custom LSP requests and notifications
 * between the extension and the analysis server, and the messages between the extension
 * and its webviews. Client, server and webviews import this module; it imports only types,
 * so it is safe in the browser.
 */
import type { Range, WorkspaceSummary } from '../engine/index';
import type { AllocationResult, Conflict, QueueState, Recommendation, Resolution } from '../engine/coordinate/types';

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
    /** Whether the workspace is trusted. Monitoring never starts a process; untrusted, its store must stay inside the workspace folder. */
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
    /** Whether the workspace is trusted: profiling attaches to a process and evaluates code in it, so the server refuses without `true`. */
    trusted?: boolean;
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
    /** Whether the workspace is trusted: `start` is refused without `true` (`stop` always works). */
    trusted?: boolean;
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

// ---- Reports -----------------------------------------------------------------------------

/**
 * Client → server: write the HTML report of a workspace (`engine/report/`) to `out`, a path on
 * the server's disk (the save dialog's choice). From the running monitor's store and findings
 * when monitoring runs, otherwise from the store on disk (like `alluse-perf report`).
 */
export namespace ReportExportRequest {
  export const method = 'alluse/report/export' as const;
  export interface Params {
    uri: string;
    /** How far back: a duration such as `24h` (at least a minute). */
    range: string;
    /** The file to write, an absolute path. */
    out: string;
  }
  export type Result =
    | { ok: true; file: string; bytes: number; summary: { components: number; anomalies: number; predictions: number; studies: number; changes: number }; message: string }
    | { ok: false; message: string };
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
    /** Start even while the component has a firing alert (the job queue holds it otherwise). */
    force?: boolean;
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

// ---- A/B comparison of configurations ---------------------------------------------------

import type { MetricComparison } from '../engine/validate/compare';
export type { MetricComparison } from '../engine/validate/compare';

/** Everything the comparison view draws. */
export interface CompareViewData {
  /** The study whose trial command measured, and its component. */
  study: string;
  component?: string;
  /** The configuration file (absolute path) and what A and B are. */
  configFile: string;
  labels: { a: string; b: string };
  repeats: number;
  warmup: number;
  metrics: MetricComparison[];
  /** Samples per arm per metric, in run order. */
  samples: { a: Record<string, number[]>; b: Record<string, number[]> };
  cancelled: boolean;
  problem?: string;
  at: string;
}

/**
 * Client → server: compare two versions of a component's configuration file (`before` = A,
 * `after` = B, as text) by running the trial command of the study that edits that file,
 * interleaved A B A B. Progress comes as `alluse/compare/progress` with the same `id`;
 * cancellable ($/cancelRequest). Nothing runs unless the client says the workspace is trusted.
 */
export namespace CompareRunRequest {
  export const method = 'alluse/compare/run' as const;
  export interface Params {
    /** The workspace file (alluse-perf.yaml). */
    uri: string;
    /** The configuration file (file URI). */
    configUri: string;
    before: string;
    after: string;
    labels: { a: string; b: string };
    /** Measured runs per version (default 5). */
    repeats?: number;
    /** Warm-up rounds (default 1). */
    warmup?: number;
    trusted: boolean;
    /** Chosen by the client; names this run's progress notifications. */
    id: string;
  }
  export type Result = { ok: true; data: CompareViewData } | { ok: false; message: string };
}

/** Server → client: a run of a comparison finished (`done` of `total`). */
export namespace CompareProgressNotification {
  export const method = 'alluse/compare/progress' as const;
  export interface Params {
    id: string;
    done: number;
    total: number;
    message: string;
  }
}

// ---- Coordination: the job queue, recommendation conflicts, resource allocation --------------

export type {
  QueueState,
  ScheduledJob,
  JobKind,
  JobState,
  Recommendation,
  Conflict,
  Resolution,
  AllocationResult,
  ConfigEdit,
} from '../engine/coordinate/types';

/** Client → server: the job queue (running, waiting and recently ended jobs) and its budget. */
export namespace CoordinationQueueRequest {
  export const method = 'alluse/coordination/queue' as const;
  export type Params = Record<string, never>;
  export type Result = QueueState;
}

/** Server → client: the queue changed (a job was queued, held, started, progressed or ended). */
export namespace CoordinationQueueNotification {
  export const method = 'alluse/coordination/queueChanged' as const;
  export type Params = QueueState;
}

/** Client → server: cancel a queued or running job of the queue. */
export namespace CoordinationCancelJobRequest {
  export const method = 'alluse/coordination/cancelJob' as const;
  export interface Params {
    id: string;
  }
  export interface Result {
    cancelled: boolean;
  }
}

/** Client → server: the recommendations of the workspace, their conflicts and how each was resolved. */
export namespace CoordinationConflictsRequest {
  export const method = 'alluse/coordination/conflicts' as const;
  export interface Params {
    uri: string;
    /** Settle conflicts the priority rules do not decide by measuring the combinations (runs the allocation trial command: needs trust). */
    measure?: boolean;
    trusted?: boolean;
    /** More recommendations to take into account (capacity and bottleneck ones come from the running monitor already). */
    extra?: Recommendation[];
    /** The load (per second) the capacity recommendations plan for, or months of the measured growth; default: today's load. */
    load?: number;
    months?: number;
  }
  export interface Result {
    recommendations: Recommendation[];
    conflicts: Conflict[];
    resolutions: Resolution[];
    /** The recommendations left to offer after the resolutions. */
    offered: Recommendation[];
    /** Recommendations the SLO guardrail keeps out: their re-measurement broke a component's SLO. */
    withheld: { recommendation: Recommendation; reason: string }[];
    /** Problems in `coordination` of alluse-perf.yaml, or why nothing could be checked. */
    problems: string[];
  }
}

/** Client → server: distribute the resource totals across components (`coordination.allocation`); runs through the job queue. */
export namespace CoordinationAllocateRequest {
  export const method = 'alluse/coordination/allocate' as const;
  export interface Params {
    uri: string;
    trusted: boolean;
    /** Override of `coordination.allocation.budget`. */
    budget?: number;
    /** Start even while a component has a firing alert. */
    force?: boolean;
  }
  export interface Result {
    result?: AllocationResult;
    /** Why there is no result (not trusted, no allocation section, cancelled). */
    message?: string;
  }
}

// ---- Governor and audit history -----------------------------------------------------------

export type { AuditEntry, AuditEdit, AuditSeriesEffect, AuditActor, AuditStatus, AuditProblem, AuditWatch, WatchState } from '../engine/coordinate/audit';
import type { AuditActor, AuditEntry, AuditProblem } from '../engine/coordinate/audit';

/**
 * Client → server: a change to a component's configuration file was applied (apply all, a
 * quick fix, a revert): record it in `.alluse-perf/audit.jsonl` and start watching it. The
 * server works out the changed keys from the two texts; a change that changes no value is not
 * recorded. Send it before saving the file, so the save is not recorded a second time.
 */
export namespace AuditRecordRequest {
  export const method = 'alluse/audit/record' as const;
  export interface Params {
    /** The workspace file (alluse-perf.yaml). */
    uri: string;
    /** The changed configuration file. */
    file: string;
    actor: AuditActor;
    /** Where the change came from, for people (`study "engine-throughput"`). */
    source?: string;
    beforeText: string;
    afterText: string;
  }
  export interface Result {
    entry?: AuditEntry;
    message: string;
  }
}

/** Messages the comparison webview sends. Validated by `parseCompareWebviewMessage`. */
export type CompareWebviewToExtension = { type: 'ready' } | { type: 'cancel' } | { type: 'rerun' };

/** Messages the extension sends to the comparison webview. */
export type ExtensionToCompareWebview =
  | { type: 'progress'; done: number; total: number; message: string; labels: { a: string; b: string }; configFile: string }
  | { type: 'compare'; data: CompareViewData }
  | { type: 'error'; message: string };

/** Checks a message from the comparison webview; anything else is dropped. */
export function parseCompareWebviewMessage(x: unknown): CompareWebviewToExtension | undefined {
  if (!x || typeof x !== 'object') return undefined;
  const t = (x as Record<string, unknown>).type;
  return t === 'ready' || t === 'cancel' || t === 'rerun' ? { type: t } : undefined;
}

/** Client → server: a file was saved in the editor; a configuration file whose values changed is recorded as the user's change. */
export namespace AuditFileSavedNotification {
  export const method = 'alluse/audit/fileSaved' as const;
  export interface Params {
    uri: string;
    file: string;
    text: string;
  }
}

/** Client → server: the audit history, newest first, with the lines that could not be read. */
export namespace AuditListRequest {
  export const method = 'alluse/audit/list' as const;
  export interface Params {
    uri: string;
  }
  export interface Result {
    entries: AuditEntry[];
    problems: AuditProblem[];
    /** Where the history is kept (for messages). */
    path: string;
  }
}

/**
 * Client → server: undo an entry (the "Roll back" button of a regression, or "Revert" in the
 * history). The server sets the entry's keys back to their previous values with in-place edits
 * (through `workspace/applyEdit` when the client supports it, so the editor can undo it;
 * otherwise on disk), records the undo as a new entry (`rollbackOf`) and marks the entry
 * `rolled-back` (`kind: 'rollback'`) or `reverted`. The client saves `fileUri` afterwards.
 */
export namespace AuditRevertRequest {
  export const method = 'alluse/audit/revert' as const;
  export interface Params {
    uri: string;
    id: string;
    kind: 'rollback' | 'revert';
  }
  export interface Result {
    ok: boolean;
    message: string;
    entry?: AuditEntry;
    fileUri?: string;
  }
}

/** Server → client: the audit history of a workspace changed (an entry, an effect, a verdict). */
export namespace AuditChangedNotification {
  export const method = 'alluse/audit/changed' as const;
  export interface Params {
    uri: string;
  }
}

/**
 * Server → client: the governor found that an applied change made things worse. With
 * `governor.autoRollback` the server has already rolled it back (`rollback` is that entry;
 * the client saves `fileUri` and says so); otherwise the client offers a one-click rollback.
 */
export namespace GovernorRegressionNotification {
  export const method = 'alluse/governor/regression' as const;
  export interface Params {
    uri: string;
    entry: AuditEntry;
    reason: string;
    fileUri: string;
    rollback?: AuditEntry;
    /** Why an automatic rollback did not happen or was partial. */
    rollbackMessage?: string;
  }
}

/** Messages the history webview sends to the extension. Validated by `parseHistoryWebviewMessage`. */
export type HistoryWebviewToExtension = { type: 'ready' } | { type: 'refresh' } | { type: 'revert'; id: string } | { type: 'openFile'; id: string };

/** Messages the extension sends to the history webview. */
export type ExtensionToHistoryWebview = { type: 'history'; entries: AuditEntry[]; problems: AuditProblem[]; path: string } | { type: 'error'; message: string };

/** Checks a message from the history webview; anything else is dropped. */
export function parseHistoryWebviewMessage(x: unknown): HistoryWebviewToExtension | undefined {
  if (!x || typeof x !== 'object') return undefined;
  const m = x as Record<string, unknown>;
  if (m.type === 'ready' || m.type === 'refresh') return { type: m.type };
  if ((m.type === 'revert' || m.type === 'openFile') && typeof m.id === 'string' && /^[0-9TZ]{16}-[0-9a-f]{6}$/.test(m.id)) return { type: m.type, id: m.id };
  return undefined;
}
