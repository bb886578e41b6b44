/**
 * Coordination's shared vocabulary: recommendations from every source, the conflicts between
 * them and their resolutions, the resources their keys consume, and the job queue that runs
 * studies, profiles and benchmarks under one policy. The scheduler, conflict detection,
 * resolution, allocation, the SLO guardrail, the server, the CLI and the governor speak only
 * these types. Pure data: no editor or LSP imports.
 */
import type { Range } from '../text/positions';
import type { ParamValue } from '../tune/types';

/** Where a recommendation comes from. */
export type RecommendationSource = 'study' | 'capacity' | 'bottleneck' | 'rule' | 'allocation';

/** A measured effect of a recommendation on one metric (relative change, with its interval when known). */
export interface MeasuredEffect {
  metric: string;
  /** Relative change of the metric, e.g. 0.12 = +12%. */
  relative: number;
  /** 95% interval of `relative`, when measured with repeats. */
  low?: number;
  high?: number;
  /** True when a larger value of the metric is better (throughput); false for latency, CPU, memory. */
  higherIsBetter?: boolean;
}

/** One proposed change of one key in one component's configuration file. */
export interface Recommendation {
  /** Unique and stable, e.g. `study:engine-throughput:workers`. */
  id: string;
  source: RecommendationSource;
  /** What produced it, for the user: the study, rule or plan name. */
  origin?: string;
  component: string;
  /** Absolute path of the configuration file the key lives in. */
  file: string;
  /** Dotted key path in that file, e.g. `workers` or `pool.size`. */
  key: string;
  /** The value today, when known. */
  from?: ParamValue;
  to: ParamValue;
  measured?: MeasuredEffect[];
  /** Larger wins; usually filled from `coordination.priorities` by `applyPriorities`. */
  priority?: number;
  /** Why the source proposes it, one sentence. */
  reason?: string;
}

/** What one key of one component consumes of a shared resource: `value × per`. */
export interface ResourceDeclaration {
  component: string;
  /** Absolute path of the configuration file; undefined means the component's first `configFiles` entry. */
  file?: string;
  key: string;
  /** Resource name: `cpu-cores`, `memory` (MiB) or any name given in `coordination.totals`. */
  resource: string;
  /** Units of the resource per unit of the key's value (1 core per worker thread). */
  per: number;
}

/** The total of a shared resource: from the host (`cpu-cores`, `memory`) or `coordination.totals`. */
export interface ResourceTotal {
  resource: string;
  total: number;
  /** Where the total comes from, for the explanation: `host` or `alluse-perf.yaml`. */
  from: 'host' | 'config';
  unit?: string;
}

/** How much one key contributes to a resource after the recommendations are applied. */
export interface ResourceContribution {
  component: string;
  file: string;
  key: string;
  value: number;
  amount: number;
  /** The recommendation that set `value`, when one did (else it is today's value). */
  recommendation?: string;
}

export interface SameKeyConflict {
  kind: 'same-key';
  id: string;
  component: string;
  file: string;
  key: string;
  /** Two or more recommendations with different `to` values for this key. */
  recommendations: Recommendation[];
}

export interface SharedResourceConflict {
  kind: 'shared-resource';
  id: string;
  resource: string;
  total: ResourceTotal;
  /** The resource's use if every recommendation were applied. */
  demand: number;
  contributions: ResourceContribution[];
  /** The recommendations whose keys take part (those that raise the use). */
  recommendations: Recommendation[];
}

export type Conflict = SameKeyConflict | SharedResourceConflict;

/** How a conflict was settled. `unresolved` keeps every recommendation out until the user decides. */
export type ResolutionMethod = 'priority' | 'measured' | 'unresolved';

export interface Resolution {
  conflict: Conflict;
  method: ResolutionMethod;
  /** Recommendations kept (offered). */
  kept: Recommendation[];
  /** Recommendations withdrawn, each with why. */
  dropped: { recommendation: Recommendation; reason: string }[];
  /** For the user: what conflicted and why this outcome, in plain sentences. */
  explanation: string;
}

/** `coordination.priorities` entries: a source over another, or a priority per component. */
export type PriorityRule =
  | { source: RecommendationSource; over: RecommendationSource }
  | { component: string; priority: number };

/** A measurement of a combination of recommendations (applied together); higher `score` is better. */
export interface CombinationMeasurement {
  /** undefined when it could not be measured (with `reason`). */
  score?: number;
  /** False when the combination broke a constraint or an SLO. */
  feasible: boolean;
  reason?: string;
  metrics?: Record<string, number>;
}

export type MeasureCombination = (recommendations: readonly Recommendation[], signal?: AbortSignal) => Promise<CombinationMeasurement>;

/** An SLO check of one re-measured recommendation (or set): what the guardrail reads. */
export interface SloCheck {
  component: string;
  /** e.g. `latency.p95`, `errorRate`, `throughputMin`. */
  slo: string;
  limit: number;
  measured: number;
  ok: boolean;
}

export interface GuardrailVerdict {
  recommendation: Recommendation;
  offered: boolean;
  /** Why it is not offered (the broken SLOs); when offered, set only to note SLOs today's configuration broke as well. */
  reason?: string;
  checks: SloCheck[];
}

// ---------------------------------------------------------------- scheduling

export type JobKind = 'study' | 'profile' | 'benchmark';
export type JobState = 'queued' | 'held' | 'running' | 'done' | 'failed' | 'cancelled';

export interface JobProgress {
  done: number;
  total: number;
  message: string;
}

/** What a caller asks the scheduler to run. */
export interface JobRequest {
  kind: JobKind;
  component: string;
  /** For the views: `Study engine-throughput`. */
  label: string;
  /** Concurrent trials the job runs (a study's `concurrency`; 1 for a benchmark; 0 for a profile, which samples the running component and takes no trial budget). */
  trials: number;
  /** CPU (cores) the job's trials take from the trial CPU budget. */
  cpuCores: number;
  /** Run even while the component has a firing alert. */
  force?: boolean;
}

export interface ScheduledJob extends JobRequest {
  id: string;
  state: JobState;
  /** Why it waits (queued/held) or how it ended (failed/cancelled). */
  reason?: string;
  progress?: JobProgress;
  queuedAt: number;
  startedAt?: number;
  endedAt?: number;
}

export interface SchedulerBudget {
  /** Largest number of trials running at once over all jobs. */
  maxConcurrentTrials: number;
  /** Largest CPU (cores) given to trials at once over all jobs. */
  trialCpuCores: number;
  /** Whether a job may start while its component has a firing alert without `force`. */
  allowRunDuringAlert: boolean;
}

export interface QueueState {
  jobs: ScheduledJob[];
  budget: SchedulerBudget;
  /** In use by running jobs. */
  used: { trials: number; cpuCores: number };
}

// ---------------------------------------------------------------- configuration

/** `coordination` in alluse-perf.yaml, typed, with host defaults filled in. */
export interface CoordinationConfig {
  priorities: PriorityRule[];
  resources: ResourceDeclaration[];
  /** Totals named in the file (override the host's for `cpu-cores` and `memory`). */
  totals: Record<string, number>;
  budget: SchedulerBudget;
}

// ---------------------------------------------------------------- allocation

/** One key the allocator may set: the component's share of a resource. */
export interface AllocationVariable {
  component: string;
  file: string;
  key: string;
  resource: string;
  per: number;
  min: number;
  max: number;
  /** Whole numbers only (worker threads, pool sizes). */
  integer: boolean;
  current?: number;
}

/** The system objective for one assignment; higher `score` is better; infeasible assignments are not chosen. */
export type AllocationObjective = (values: Readonly<Record<string, number>>, signal?: AbortSignal) => Promise<CombinationMeasurement>;

/** One config edit of the allocation's change set. */
export interface ConfigEdit {
  component: string;
  file: string;
  key: string;
  from?: ParamValue;
  to: ParamValue;
  /** The value's range in the file (line/character), for an exact text edit; absent when the key is missing (the user adds it). */
  range?: Range;
  /** The replacement text for `range`. */
  text: string;
}

export interface AllocationResult {
  /** Variable id (`component/key`) -> chosen value. */
  values: Record<string, number>;
  score?: number;
  /** Use of each resource by the chosen values against its total. */
  usage: { resource: string; used: number; total: number }[];
  evaluations: number;
  /** All edits together: one change. */
  edits: ConfigEdit[];
  explanation: string;
}
