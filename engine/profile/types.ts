/**
 * The shapes of profiles: the standard V8 `.cpuprofile` (what Chrome DevTools, VS Code's
 * profile viewer and speedscope open) and sampling heap profiles, as the inspector returns
 * them, plus our analysed, source-mapped result.
 */

/** A V8 call frame; line and column are 0-based positions in the script. */
export interface CallFrame {
  functionName: string;
  scriptId: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

export interface CpuProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
  /** Ticks per 1-based line of the script, inside this node's function. */
  positionTicks?: { line: number; ticks: number }[];
}

/** The standard `.cpuprofile` format (times in microseconds). */
export interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface HeapProfileNode {
  callFrame: CallFrame;
  selfSize: number;
  id: number;
  children: HeapProfileNode[];
}

export interface SamplingHeapProfile {
  head: HeapProfileNode;
  samples?: { size: number; nodeId: number; ordinal: number }[];
}

/** One thread's CPU profile. */
export interface ThreadProfile {
  /** "main" or "worker 1 (pricing-worker.js)". */
  label: string;
  kind: 'main' | 'worker';
  profile: CpuProfile;
}

/** What one capture returned, before mapping. */
export interface CapturedProfile {
  component: string;
  pid?: number;
  startedAt: number;
  durationMs: number;
  samplingIntervalUs: number;
  threads: ThreadProfile[];
  heap?: SamplingHeapProfile;
  /** Garbage collections seen in the target during the capture, when observable. */
  gc?: GcSummary;
  /** Threads we could not profile, and why. */
  warnings: string[];
  /** How long stopping the profilers and receiving the profiles took (ms). */
  stopMs?: number;
}

export interface GcSummary {
  /** How it was measured. */
  source: 'perf_hooks' | 'profile';
  count: number;
  totalMs: number;
  maxMs: number;
  /** The longest pauses, newest first. */
  pauses: { atMs: number; ms: number; kind: string }[];
}

/** A source position (1-based line and column) in a workspace file. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** One function of the analysed profile, summed over every thread and call path. */
export interface HotFunction {
  /** Stable key: file + qualified name (or the script position when unmapped). */
  key: string;
  /** Qualified name: `WorkerPool.run`, `calibrate`, `(anonymous)`. */
  name: string;
  /** Where it is in the workspace source (mapped), or in the script (unmapped). */
  location?: SourceLocation;
  /** The function's range in the source at profile time (1-based lines), from ts-morph. */
  range?: { startLine: number; endLine: number };
  /** The script URL the samples came from. */
  url: string;
  mapped: boolean;
  selfMs: number;
  totalMs: number;
  selfPct: number;
  totalPct: number;
  /** The threads it ran on. */
  threads: string[];
  /** Self time per source line (1-based), for line heat. */
  lines: { line: number; ms: number }[];
  /** Special V8 entries: (garbage collector), (program), (idle), (root). */
  category: 'user' | 'node' | 'dependency' | 'gc' | 'idle' | 'program' | 'native';
}

/** A node of the merged flame graph: one call path, with time summed over threads. */
export interface FlameNode {
  name: string;
  /** Index into ProfileResult.functions, or -1 for thread roots and unmapped special frames. */
  fn: number;
  selfMs: number;
  totalMs: number;
  children: FlameNode[];
}

export interface ProfileResult {
  id: string;
  component: string;
  startedAt: number;
  durationMs: number;
  samplingIntervalUs: number;
  /** Sampled time summed over all threads (not wall time). */
  totalMs: number;
  /** Busy time (not idle or program) summed over threads. */
  busyMs: number;
  threads: { label: string; kind: 'main' | 'worker'; sampledMs: number; busyMs: number }[];
  /** Sorted by self time, descending. Percentages are of busyMs. */
  functions: HotFunction[];
  flame: FlameNode;
  gc?: GcSummary;
  heapTop?: { name: string; location?: SourceLocation; bytes: number }[];
  /** Bytes of every sampled allocation still live at the end (the heap profile's sum; heapTop shares are of it). */
  heapTotalBytes?: number;
  warnings: string[];
  /** How long mapping and analysis took. */
  analysisMs: number;
}
