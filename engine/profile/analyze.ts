/**
 * From captured thread profiles to the analysed result the editor and the CLI show: every
 * call frame mapped through source maps to the workspace's TypeScript, resolved with
 * ts-morph to the function or method that contains it (and relocated into today's text
 * when the file changed since the build), then self and total time per function summed
 * over threads and call paths (recursion counted once), self time per source line, and a
 * merged flame graph with one subtree per thread.
 */
import { existsSync, readFileSync } from 'node:fs';
import { functionAt, indexFunctions, relocate, type FunctionInfo } from './functionIndex';
import { frameCategory, nodeTimes, type FrameCategory } from './model';
import { scriptPath, SourceMapper } from './sourceMapper';
import type { CallFrame, CapturedProfile, FlameNode, HotFunction, ProfileResult, SourceLocation } from './types';

export interface AnalyzeOptions {
  id: string;
  /** Today's text of a source file (an open editor's buffer); default: read from disk. */
  readCurrent?(file: string): string | undefined;
  /** Reuse a mapper (and its cached maps) across analyses. */
  mapper?: SourceMapper;
  /** Flame graph nodes below this share of busy time are folded into their parent (default 0.05%). */
  flameMinShare?: number;
}

interface ResolvedFrame {
  key: string;
  name: string;
  category: FrameCategory;
  mapped: boolean;
  url: string;
  location?: SourceLocation;
  range?: { startLine: number; endLine: number };
  /** Maps a line of the script (1-based) to a line of today's source, for line ticks. */
  lineShift: number;
  file?: string;
}

/** Function indexes of a file: as it was built (source map content) and as it is now. */
class SourceIndexes {
  private readonly cache = new Map<string, { built: FunctionInfo[]; current: FunctionInfo[] | undefined; same: boolean }>();
  constructor(private readonly mapper: SourceMapper, private readonly readCurrent: (file: string) => string | undefined) {}

  get(file: string) {
    let e = this.cache.get(file);
    if (!e) {
      const current = this.readCurrent(file);
      const built = this.mapper.sourceContent(file) ?? current;
      let builtIdx: FunctionInfo[] = [];
      let currentIdx: FunctionInfo[] | undefined;
      try {
        builtIdx = built === undefined ? [] : indexFunctions(file, built);
        currentIdx = current === undefined ? undefined : current === built ? builtIdx : indexFunctions(file, current);
      } catch { /* an unparsable file leaves its frames at the mapped position */ }
      e = { built: builtIdx, current: currentIdx, same: current === built };
      this.cache.set(file, e);
    }
    return e;
  }
}

const defaultRead = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : undefined);

function categoryName(cat: FrameCategory, fnName: string): string {
  return fnName || (cat === 'user' || cat === 'dependency' || cat === 'node' ? '(anonymous)' : `(${cat})`);
}

function resolveFrame(cf: CallFrame, mapper: SourceMapper, indexes: SourceIndexes): ResolvedFrame {
  const category = frameCategory(cf.functionName, cf.url);
  const base: ResolvedFrame = { key: `${cf.url}:${cf.lineNumber}:${cf.columnNumber}:${cf.functionName}`, name: categoryName(category, cf.functionName), category, mapped: false, url: cf.url, lineShift: 0 };
  if (category !== 'user' && category !== 'dependency') {
    if (category !== 'node') base.key = base.name; // (garbage collector), (program)... one entry each
    return base;
  }
  const m = mapper.map(cf.url, cf.lineNumber, cf.columnNumber);
  if (!m) {
    const path = scriptPath(cf.url);
    if (path) base.location = { file: path, line: cf.lineNumber + 1, column: cf.columnNumber + 1 };
    return base;
  }
  const cat: FrameCategory = /[\\/]node_modules[\\/]/.test(m.file) ? 'dependency' : category;
  const idx = indexes.get(m.file);
  const fn = functionAt(idx.built, m.line, m.column);
  const out: ResolvedFrame = { ...base, category: cat, mapped: true, file: m.file, name: cf.functionName || fn?.name || '(anonymous)', location: { file: m.file, line: m.line, column: m.column } };
  if (!fn) {
    out.key = `${m.file}:${m.line}:${m.column}`;
    return out;
  }
  out.name = fn.qualifiedName.replace(/#\d+$/, '');
  out.key = `${m.file}#${fn.qualifiedName}`;
  out.range = { startLine: fn.startLine, endLine: fn.endLine };
  out.location = { file: m.file, line: fn.startLine, column: fn.startColumn };
  if (!idx.same && idx.current) {
    // The file was edited since the build: find the same function in today's text.
    const now = relocate(idx.current, fn.qualifiedName, fn.startLine);
    if (now) {
      out.lineShift = now.startLine - fn.startLine;
      out.range = { startLine: now.startLine, endLine: now.endLine };
      out.location = { file: m.file, line: now.startLine, column: now.startColumn };
    } else {
      out.range = undefined; // gone from today's text: keep the name, show no range
    }
  }
  return out;
}

interface Acc {
  frame: ResolvedFrame;
  selfMs: number;
  totalMs: number;
  threads: Set<string>;
  lines: Map<number, number>;
}

const round = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;

export function analyzeProfile(cap: CapturedProfile, opts: AnalyzeOptions): ProfileResult {
  const t0 = performance.now();
  const mapper = opts.mapper ?? new SourceMapper();
  const indexes = new SourceIndexes(mapper, opts.readCurrent ?? defaultRead);
  const frames = new Map<string, ResolvedFrame>();
  const accs = new Map<string, Acc>();
  const frameOf = (cf: CallFrame) => {
    const k = `${cf.url}:${cf.lineNumber}:${cf.columnNumber}:${cf.functionName}`;
    let f = frames.get(k);
    if (!f) frames.set(k, (f = resolveFrame(cf, mapper, indexes)));
    return f;
  };
  const accOf = (f: ResolvedFrame) => {
    let a = accs.get(f.key);
    if (!a) accs.set(f.key, (a = { frame: f, selfMs: 0, totalMs: 0, threads: new Set(), lines: new Map() }));
    return a;
  };

  const threadsOut: ProfileResult['threads'] = [];
  const flameRoot: FlameNode = { name: cap.component, fn: -1, selfMs: 0, totalMs: 0, children: [] };
  const flameByThread: { label: string; node: FlameNode; keyed: Map<FlameNode, Map<string, FlameNode>> }[] = [];
  let totalMs = 0;
  let idleMs = 0;

  for (const th of cap.threads) {
    const t = nodeTimes(th.profile, cap.samplingIntervalUs);
    let threadIdle = 0;
    const threadNode: FlameNode = { name: th.label, fn: -1, selfMs: 0, totalMs: 0, children: [] };
    const keyed = new Map<FlameNode, Map<string, FlameNode>>();
    // Depth-first walk with the set of functions on the current stack (recursion counts once in total).
    const onStack = new Map<string, number>();
    type Item = { id: number; flame: FlameNode; exit?: boolean };
    const stack: Item[] = [];
    const root = t.byId.get(t.rootId);
    for (const c of root?.children ?? []) stack.push({ id: c, flame: threadNode });
    while (stack.length) {
      const item = stack.pop()!;
      const node = t.byId.get(item.id)!;
      const f = frameOf(node.callFrame);
      if (item.exit) {
        const n = onStack.get(f.key)! - 1;
        if (n === 0) onStack.delete(f.key); else onStack.set(f.key, n);
        continue;
      }
      const self = t.selfMs.get(item.id) ?? 0;
      const total = t.totalMs.get(item.id) ?? 0;
      if (f.category === 'idle') { threadIdle += self; continue; }
      const a = accOf(f);
      a.selfMs += self;
      if (!onStack.has(f.key)) a.totalMs += total;
      if (total > 0) a.threads.add(th.label);
      if (self > 0 && node.positionTicks?.length) {
        const ticks = node.positionTicks.reduce((s, p) => s + p.ticks, 0);
        for (const p of node.positionTicks) {
          const line = f.mapped ? mapper.map(f.url, p.line - 1, 0, true)?.line : p.line;
          if (line === undefined) continue;
          const l = line + f.lineShift;
          a.lines.set(l, (a.lines.get(l) ?? 0) + (self * p.ticks) / ticks);
        }
      }
      // Flame graph: merge siblings that are the same function.
      let kids = keyed.get(item.flame);
      if (!kids) keyed.set(item.flame, (kids = new Map()));
      let fl = kids.get(f.key);
      if (!fl) {
        fl = { name: f.name, fn: 0, selfMs: 0, totalMs: 0, children: [] };
        (fl as FlameNode & { key?: string }).key = f.key;
        kids.set(f.key, fl);
        item.flame.children.push(fl);
      }
      fl.selfMs += self;
      fl.totalMs += total;
      onStack.set(f.key, (onStack.get(f.key) ?? 0) + 1);
      stack.push({ id: item.id, flame: fl, exit: true });
      for (const c of node.children ?? []) stack.push({ id: c, flame: fl });
    }
    threadNode.totalMs = threadNode.children.reduce((s, c) => s + c.totalMs, 0);
    flameRoot.children.push(threadNode);
    flameByThread.push({ label: th.label, node: threadNode, keyed });
    threadsOut.push({ label: th.label, kind: th.kind, sampledMs: round(t.sampledMs), busyMs: round(t.sampledMs - threadIdle) });
    totalMs += t.sampledMs;
    idleMs += threadIdle;
  }
  const busyMs = totalMs - idleMs;
  flameRoot.totalMs = flameRoot.children.reduce((s, c) => s + c.totalMs, 0);
  const pct = (v: number) => (busyMs > 0 ? round((100 * v) / busyMs, 1) : 0);

  const list = [...accs.values()].filter((a) => a.totalMs > 0 || a.selfMs > 0).sort((a, b) => b.selfMs - a.selfMs || b.totalMs - a.totalMs);
  const fnIndex = new Map(list.map((a, i) => [a.frame.key, i]));
  const functions: HotFunction[] = list.map((a) => ({
    key: a.frame.key,
    name: a.frame.name,
    location: a.frame.location,
    range: a.frame.range,
    url: a.frame.url,
    mapped: a.frame.mapped,
    selfMs: round(a.selfMs),
    totalMs: round(a.totalMs),
    selfPct: pct(a.selfMs),
    totalPct: pct(a.totalMs),
    threads: [...a.threads].sort(),
    lines: [...a.lines].map(([line, ms]) => ({ line, ms: round(ms, 3) })).sort((x, y) => x.line - y.line),
    category: a.frame.category === 'root' ? 'native' : a.frame.category,
  }));

  // Fold tiny flame nodes (keeps the webview's payload small) and attach function indexes.
  const minMs = busyMs * (opts.flameMinShare ?? 0.0005);
  const finish = (n: FlameNode): FlameNode => {
    const key = (n as FlameNode & { key?: string }).key;
    const kept = n.children.filter((c) => c.totalMs >= minMs).sort((a, b) => b.totalMs - a.totalMs);
    const folded = n.children.reduce((s, c) => s + (c.totalMs >= minMs ? 0 : c.totalMs), 0);
    return { name: n.name, fn: key ? fnIndex.get(key) ?? -1 : -1, selfMs: round(n.selfMs + folded, 3), totalMs: round(n.totalMs, 3), children: kept.map(finish) };
  };

  let heapTop: ProfileResult['heapTop'];
  let heapTotalBytes: number | undefined;
  if (cap.heap) {
    heapTotalBytes = 0;
    const bytes = new Map<string, { name: string; location?: SourceLocation; bytes: number }>();
    const stack = [cap.heap.head];
    while (stack.length) {
      const n = stack.pop()!;
      if (n.selfSize > 0) {
        const f = frameOf(n.callFrame);
        const e = bytes.get(f.key) ?? { name: f.name, location: f.location, bytes: 0 };
        e.bytes += n.selfSize;
        heapTotalBytes += n.selfSize;
        bytes.set(f.key, e);
      }
      stack.push(...n.children);
    }
    heapTop = [...bytes.values()].sort((a, b) => b.bytes - a.bytes).slice(0, 20);
  }

  return {
    id: opts.id,
    component: cap.component,
    startedAt: cap.startedAt,
    durationMs: cap.durationMs,
    samplingIntervalUs: cap.samplingIntervalUs,
    totalMs: round(totalMs),
    busyMs: round(busyMs),
    threads: threadsOut,
    functions,
    flame: finish(flameRoot),
    gc: cap.gc ?? gcFromProfile(functions),
    heapTop,
    heapTotalBytes,
    warnings: cap.warnings,
    analysisMs: round(performance.now() - t0, 1),
  };
}

function gcFromProfile(functions: HotFunction[]): ProfileResult['gc'] {
  const gc = functions.find((f) => f.category === 'gc');
  return gc ? { source: 'profile', count: 0, totalMs: gc.selfMs, maxMs: 0, pauses: [] } : undefined;
}
