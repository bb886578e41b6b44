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
  }
}

// ---- Monitoring -------------------------------------------------------------------------

/** The time ranges the dashboard offers; each reads raw samples or one rollup tier. */
export type RangeName = '5m' | '1h' | '24h' | '30d';
export const DASHBOARD_RANGES: Record<RangeName, { spanMs: number; stepMs: number; label: string }> = {
  '5m': { spanMs: 5 * 60_000, stepMs: 0, label: '5 minutes (raw samples)' },
  '1h': { spanMs: 3_600_000, stepMs: 1000, label: '1 hour (1 s rollups)' },
  '24h': { spanMs: 86_400_000, stepMs: 60_000, label: '24 hours (1 min rollups)' },
  '30d': { spanMs: 30 * 86_400_000, stepMs: 3_600_000, label: '30 days (1 h rollups)' },
};

export type ChartUnit = 'ratio' | 'bytes' | 'per_second' | 'seconds' | 'count';

export interface ChartSeries {
  label: string;
  /** [time in ms since the epoch, value] pairs, oldest first. */
  points: [number, number][];
}

export interface ChartPanel {
  id: string;
  title: string;
  unit: ChartUnit;
  series: ChartSeries[];
  /** A limit or SLO drawn as a dashed line. */
  threshold?: { value: number; label: string };
}

export interface AlertInfo {
  name: string;
  severity: 'info' | 'warning' | 'critical';
  component?: string;
  series: string;
  value: number;
  threshold: number;
  op: string;
  since: number;
  firedAt: number;
  description?: string;
}

export interface ComponentStatus {
  name: string;
  /** Whether its process was found running at the last sample. */
  up: boolean;
  pid?: number;
  cpuRatio?: number;
  rssBytes?: number;
  /** The last problem collecting it (endpoint down, process not found), in words. */
  problem?: string;
  alerts: number;
}

export interface MonitorStatus {
  running: boolean;
  /** Why monitoring is not running, or what is degraded. */
  message?: string;
  components: ComponentStatus[];
  alerts: AlertInfo[];
  /** The monitor's own cost: CPU as a share of one core, and resident memory. */
  cost: { cpuRatio: number; rssBytes: number };
  store: { path: string; readOnly: boolean; memoryOnly: boolean; diskBytes: number; bytesPerSample: number; problems: string[] };
  series: number;
  samplesPerSecond: number;
}

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
  export interface Result {
    range: RangeName;
    from: number;
    to: number;
    system: ChartPanel[];
    components: { name: string; up: boolean; panels: ChartPanel[] }[];
    alerts: AlertInfo[];
    cost: MonitorStatus['cost'];
  }
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
  | { type: 'setRange'; range: RangeName };

/** Messages the extension sends to a webview. */
export type ExtensionToWebview =
  | { type: 'summary'; uri: string; summary: WorkspaceSummary; version: number }
  | { type: 'dashboard'; data: DashboardDataRequest.Result }
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
    case 'reveal': {
      const r = m.range as { start?: unknown; end?: unknown } | undefined;
      if (typeof m.uri !== 'string' || m.uri.length > 4096 || !r || !isPosition(r.start) || !isPosition(r.end)) return undefined;
      return { type: 'reveal', uri: m.uri, range: r as Range };
    }
    default:
      return undefined;
  }
}
