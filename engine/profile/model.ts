/**
 * Arithmetic on one V8 CPU profile: the time each sample stands for, self time per node,
 * and the total (inclusive) time of each node's subtree. Pure; no mapping here.
 */
import type { CpuProfile, CpuProfileNode } from './types';

/** Time in ms each sample stands for: the gap to the next sample (the last one: to the end). */
export function sampleDurationsMs(p: CpuProfile): number[] {
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  const n = samples.length;
  const out = new Array<number>(n).fill(0);
  if (n === 0) return out;
  const ts = new Array<number>(n);
  let t = p.startTime;
  for (let i = 0; i < n; i++) { t += deltas[i] ?? 0; ts[i] = t; }
  for (let i = 0; i < n; i++) {
    const next = i + 1 < n ? ts[i + 1] : Math.max(ts[i], p.endTime);
    out[i] = Math.max(0, next - ts[i]) / 1000;
  }
  return out;
}

export interface NodeTimes {
  byId: Map<number, CpuProfileNode>;
  parent: Map<number, number>;
  selfMs: Map<number, number>;
  totalMs: Map<number, number>;
  rootId: number;
  sampledMs: number;
}

/**
 * Self time per node from the samples (falls back to hitCount × interval for profiles
 * without samples), and total time per node (self plus descendants).
 */
export function nodeTimes(p: CpuProfile, fallbackIntervalUs = 1000): NodeTimes {
  const byId = new Map<number, CpuProfileNode>();
  const parent = new Map<number, number>();
  for (const n of p.nodes) byId.set(n.id, n);
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const rootId = p.nodes.find((n) => !parent.has(n.id))?.id ?? p.nodes[0]?.id ?? 0;
  const selfMs = new Map<number, number>();
  const samples = p.samples ?? [];
  if (samples.length) {
    const d = sampleDurationsMs(p);
    for (let i = 0; i < samples.length; i++) selfMs.set(samples[i], (selfMs.get(samples[i]) ?? 0) + d[i]);
  } else {
    for (const n of p.nodes) if (n.hitCount) selfMs.set(n.id, (n.hitCount * fallbackIntervalUs) / 1000);
  }
  const totalMs = new Map<number, number>();
  // Post-order without recursion (deep stacks would overflow the JS stack).
  const order: number[] = [];
  const stack = [rootId];
  while (stack.length) {
    const id = stack.pop()!;
    order.push(id);
    for (const c of byId.get(id)?.children ?? []) stack.push(c);
  }
  for (let i = order.length - 1; i >= 0; i--) {
    const id = order[i];
    let t = selfMs.get(id) ?? 0;
    for (const c of byId.get(id)?.children ?? []) t += totalMs.get(c) ?? 0;
    totalMs.set(id, t);
  }
  let sampledMs = 0;
  for (const v of selfMs.values()) sampledMs += v;
  return { byId, parent, selfMs, totalMs, rootId, sampledMs };
}

export type FrameCategory = 'user' | 'node' | 'dependency' | 'gc' | 'idle' | 'program' | 'native' | 'root';

/** What kind of frame this is, from its name and script URL. */
export function frameCategory(functionName: string, url: string): FrameCategory {
  if (!url) {
    if (functionName === '(garbage collector)') return 'gc';
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(program)') return 'program';
    if (functionName === '(root)') return 'root';
    return 'native';
  }
  if (url.startsWith('node:') || !/^(file:\/\/|\/)/.test(url)) return 'node';
  if (/[\\/]node_modules[\\/]/.test(url)) return 'dependency';
  return 'user';
}
