/**
 * `coordination` of alluse-perf.yaml, typed: priority rules, the keys that use shared
 * resources (with absolute file paths), the resources' totals (the host's cores and memory
 * unless the file says otherwise), the job queue's budget, and the allocation study. The
 * workspace analysis has already checked the shapes; this only converts and fills defaults.
 */
import { cpus, totalmem } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { parseConstraint, parseObjective, durationMs } from '../tune/studyConfig';
import type { ConstraintSpec, ObjectiveSpec } from '../tune/types';
import type { TrialCommand } from '../tune/studyConfig';
import { parseSize } from '../workspace/units';
import { LIMIT_CONTROLS, type DeclaredKey, type LimitControl } from './sources';
import type { CoordinationConfig, PriorityRule, RecommendationSource, ResourceDeclaration, ResourceTotal } from './types';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const SOURCES: readonly RecommendationSource[] = ['study', 'capacity', 'bottleneck', 'rule', 'allocation'];

export interface HostTotals {
  cpuCores: number;
  memoryMiB: number;
}

export const hostTotals = (): HostTotals => ({ cpuCores: cpus().length || 1, memoryMiB: Math.floor(totalmem() / 1048576) });

/** A declared key with its bounds for allocation. */
export interface ResourceKey extends ResourceDeclaration {
  file: string;
  min: number;
  max?: number;
}

export interface AllocationStudy {
  objective: ObjectiveSpec;
  constraints: ConstraintSpec[];
  trial: TrialCommand;
  budget: number;
  algorithm: string;
  seed: number;
}

export interface Coordination extends CoordinationConfig {
  resources: ResourceKey[];
  /** Every declared key, including those that only set a limit (`controls`): what capacity and bottleneck recommendations map onto. */
  declared: DeclaredKey[];
  /** Every resource a key uses or the file names, with its total. */
  totalList: ResourceTotal[];
  /** Cores one trial is counted as taking in the CPU budget. */
  cpuPerTrial: number;
  allocation?: AllocationStudy;
  /** What the file says that cannot be used, for the user. */
  problems: string[];
}

const abs = (dir: string, p: string) => (isAbsolute(p) ? p : resolve(dir, p));

/**
 * Reads `coordination` from the workspace file's plain object (`doc.toJS()`); `components`
 * gives each component's configFiles (relative, as written) for the default file of a key.
 */
export function coordinationFrom(root: Obj, workspaceDir: string, components: readonly { name: string; configFiles: readonly string[] }[], host: HostTotals = hostTotals()): Coordination {
  const c = obj(root.coordination);
  const problems: string[] = [];
  const priorities: PriorityRule[] = [];
  for (const [i, raw] of (Array.isArray(c.priorities) ? c.priorities : []).entries()) {
    const r = obj(raw);
    if (typeof r.source === 'string' && typeof r.over === 'string' && SOURCES.includes(r.source as RecommendationSource) && SOURCES.includes(r.over as RecommendationSource)) priorities.push({ source: r.source as RecommendationSource, over: r.over as RecommendationSource });
    else if (typeof r.component === 'string' && num(r.priority) !== undefined) priorities.push({ component: r.component, priority: num(r.priority)! });
    else problems.push(`coordination.priorities[${i}]: give either source and over, or component and priority.`);
  }
  const resources: ResourceKey[] = [];
  const declared: DeclaredKey[] = [];
  for (const [component, keys] of Object.entries(obj(c.resources))) {
    const comp = components.find((x) => x.name === component);
    if (!comp) {
      problems.push(`coordination.resources.${component}: no component of that name in components.`);
      continue;
    }
    for (const [key, raw] of Object.entries(obj(keys))) {
      const d = obj(raw);
      const fileRel = typeof d.file === 'string' ? d.file : comp.configFiles[0];
      const controls = LIMIT_CONTROLS.find((x) => x === d.controls) as LimitControl | undefined;
      if ((typeof d.resource !== 'string' && !controls) || !fileRel) {
        problems.push(`coordination.resources.${component}.${key}: ${fileRel ? `give its resource, or the limit it sets (controls: ${LIMIT_CONTROLS.join(' or ')})` : 'the component has no configFiles; give file'}.`);
        continue;
      }
      const max = num(d.max) !== undefined ? { max: num(d.max) } : {};
      const file = abs(workspaceDir, fileRel);
      declared.push({ component, key, file, per: num(d.per) ?? 1, ...(typeof d.resource === 'string' ? { resource: d.resource } : {}), ...(controls ? { controls } : {}), ...max });
      if (typeof d.resource === 'string') resources.push({ component, key, file, resource: d.resource, per: num(d.per) ?? 1, min: num(d.min) ?? 1, ...max });
    }
  }
  const totalsRaw = obj(c.totals);
  const totals: Record<string, number> = {};
  for (const [k, v] of Object.entries(totalsRaw)) {
    const n = k === 'memory' && typeof v === 'string' ? (parseSize(v) ?? NaN) / 1048576 : num(v);
    if (n !== undefined && Number.isFinite(n) && n > 0) totals[k] = n;
  }
  const totalList: ResourceTotal[] = [];
  for (const name of new Set([...resources.map((r) => r.resource), ...Object.keys(totals)])) {
    if (totals[name] !== undefined) totalList.push({ resource: name, total: totals[name], from: 'config', ...(name === 'memory' ? { unit: 'MiB' } : name === 'cpu-cores' ? { unit: 'cores' } : {}) });
    else if (name === 'cpu-cores') totalList.push({ resource: name, total: host.cpuCores, from: 'host', unit: 'cores' });
    else if (name === 'memory') totalList.push({ resource: name, total: host.memoryMiB, from: 'host', unit: 'MiB' });
    else problems.push(`coordination.totals: no total for resource "${name}" (used by ${resources.filter((r) => r.resource === name).map((r) => `${r.component}.${r.key}`).join(', ')}); add \`${name}: NUMBER\`.`);
  }
  const t = obj(c.trials);
  const cpuPerTrial = num(t.cpuPerTrial) ?? 1;
  let allocation: AllocationStudy | undefined;
  const a = obj(c.allocation);
  if (Object.keys(a).length) {
    try {
      const tr = obj(a.trial);
      if (typeof tr.command !== 'string') throw new Error('coordination.allocation.trial.command: give the program that measures an assignment.');
      allocation = {
        objective: parseObjective(a.objective, 'coordination.allocation.objective'),
        constraints: (Array.isArray(a.constraints) ? a.constraints : []).map((x, i) => parseConstraint(String(x), `coordination.allocation.constraints[${i}]`)),
        trial: {
          command: tr.command,
          args: (Array.isArray(tr.args) ? tr.args : []).map(String),
          cwd: abs(workspaceDir, typeof tr.cwd === 'string' ? tr.cwd : '.'),
          env: Object.fromEntries(Object.entries(obj(tr.env)).map(([k, v]) => [k, String(v)])),
          timeoutMs: durationMs(tr.timeout, 'coordination.allocation.trial.timeout', 1000) ?? 600_000,
        },
        budget: num(a.budget) ?? 20,
        algorithm: typeof a.algorithm === 'string' ? a.algorithm : 'auto',
        seed: num(a.seed) ?? 1,
      };
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  return {
    priorities,
    resources,
    declared,
    totals,
    totalList,
    budget: {
      maxConcurrentTrials: num(t.maxConcurrent) ?? 2,
      trialCpuCores: num(t.cpuCores) ?? host.cpuCores,
      allowRunDuringAlert: c.allowRunDuringAlert === true,
    },
    cpuPerTrial,
    ...(allocation ? { allocation } : {}),
    problems,
  };
}

/** Cores a job of `trials` concurrent trials is counted as taking. */
export const jobCpu = (coordination: Pick<Coordination, 'cpuPerTrial'>, trials: number) => trials * coordination.cpuPerTrial;
