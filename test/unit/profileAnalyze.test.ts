// The profile model (self/total time per node and per function, recursion counted once,
// idle left out of the shares), mapping through a real esbuild source map to the
// TypeScript source, ts-morph resolution to functions and methods, and the relocation of
// a profile's functions and line heat into a file that was edited since the build.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { analyzeProfile } from '../../engine/profile/analyze';
import { relocateResult } from '../../engine/profile/relocateResult';
import { nodeTimes, sampleDurationsMs } from '../../engine/profile/model';
import { SourceMapper } from '../../engine/profile/sourceMapper';
import type { CallFrame, CapturedProfile, CpuProfile, CpuProfileNode } from '../../engine/profile/types';

const FIX = join(__dirname, '../fixtures/profile');
const JS = join(FIX, 'dist/calc.js');
const TS = join(FIX, 'src/calc.ts');
const URL_JS = pathToFileURL(JS).href;
const jsText = readFileSync(JS, 'utf8');
const tsText = readFileSync(TS, 'utf8');

/** 0-based line and column of the first occurrence of `needle` in the generated script. */
function pos(needle: string): { lineNumber: number; columnNumber: number } {
  const i = jsText.indexOf(needle);
  assert.ok(i >= 0, needle);
  const before = jsText.slice(0, i).split('\n');
  return { lineNumber: before.length - 1, columnNumber: before.at(-1)!.length };
}
const frame = (functionName: string, at?: string): CallFrame => ({ functionName, scriptId: '1', url: at ? URL_JS : '', lineNumber: at ? pos(at).lineNumber : -1, columnNumber: at ? pos(at).columnNumber : -1 });

/** A profile from a tree of nodes and a list of sampled node ids, 1 ms apart. */
function profile(nodes: CpuProfileNode[], samples: number[]): CpuProfile {
  return { nodes, startTime: 1_000_000, endTime: 1_000_000 + (samples.length + 1) * 1000, samples, timeDeltas: samples.map(() => 1000) };
}

// root → run → Pricer.price → heavy; (garbage collector) and (idle) under root.
const NODES: CpuProfileNode[] = [
  { id: 1, callFrame: frame('(root)'), children: [2, 5, 6] },
  { id: 2, callFrame: frame('run', '(n) =>'), children: [3] },
  { id: 3, callFrame: frame('price', 'price(x)'), children: [4] },
  { id: 4, callFrame: frame('heavy', '(v) {'), children: [], positionTicks: [{ line: pos('const a = Math.sqrt').lineNumber + 1, ticks: 1 }, { line: pos('return a * Math.log').lineNumber + 1, ticks: 2 }] },
  { id: 5, callFrame: frame('(garbage collector)'), children: [] },
  { id: 6, callFrame: frame('(idle)'), children: [] },
];
const SAMPLES = [4, 4, 4, 3, 2, 5, 6, 6];
const captured = (threads: CpuProfile[]): CapturedProfile => ({ component: 'calc', startedAt: 0, durationMs: 8, samplingIntervalUs: 1000, threads: threads.map((p, i) => ({ label: i ? `worker ${i}` : 'main', kind: i ? 'worker' : 'main', profile: p })), warnings: [] });
const tsLine = (needle: string) => tsText.slice(0, tsText.indexOf(needle)).split('\n').length;

describe('profile model', () => {
  it('gives every sample the gap to the next one, the last one the gap to the end', () => {
    const p = profile(NODES, SAMPLES);
    p.timeDeltas = [0, 1000, 3000, 500, 1000, 1000, 1000, 1000];
    p.endTime = p.startTime + 8500 + 2000;
    assert.deepEqual(sampleDurationsMs(p), [1, 3, 0.5, 1, 1, 1, 1, 2]);
  });

  it('sums self and total time per node', () => {
    const t = nodeTimes(profile(NODES, SAMPLES));
    assert.equal(t.selfMs.get(4), 3);
    assert.equal(t.totalMs.get(3), 4);
    assert.equal(t.totalMs.get(2), 5);
    assert.equal(t.totalMs.get(1), 8);
    assert.equal(t.sampledMs, 8);
  });

  it('falls back to hitCount × interval without samples', () => {
    const nodes = NODES.map((n) => ({ ...n, hitCount: n.id === 4 ? 5 : 0 }));
    const t = nodeTimes({ nodes, startTime: 0, endTime: 1 }, 250);
    assert.equal(t.selfMs.get(4), 1.25);
  });
});

describe('mapping and ts-morph resolution', () => {
  it('maps frames to the TypeScript functions and methods, with shares of busy (not idle) time', () => {
    const r = analyzeProfile(captured([profile(NODES, SAMPLES)]), { id: 't' });
    assert.equal(r.totalMs, 8);
    assert.equal(r.busyMs, 6);
    const by = Object.fromEntries(r.functions.map((f) => [f.name, f]));
    assert.deepEqual(Object.keys(by).sort(), ['(garbage collector)', 'Pricer.price', 'heavy', 'run']);
    assert.equal(r.functions[0].name, 'heavy');
    assert.equal(by.heavy.selfPct, 50);
    assert.equal(by.heavy.location!.file, TS);
    assert.equal(by.heavy.location!.line, tsLine('export function heavy'));
    assert.deepEqual(by.heavy.range, { startLine: tsLine('export function heavy'), endLine: tsLine('export function heavy') + 3 });
    assert.equal(by['Pricer.price'].selfMs, 1);
    assert.equal(by['Pricer.price'].totalPct, 66.7);
    assert.equal(by['Pricer.price'].location!.line, tsLine('price(x: number)'));
    assert.equal(by.run.totalPct, 83.3);
    assert.equal(by.run.location!.line, tsLine('export const run'));
    assert.equal(by['(garbage collector)'].category, 'gc');
    // Line heat: 1 of 3 ticks on the sqrt line, 2 on the log line, of heavy's 3 ms.
    assert.deepEqual(by.heavy.lines, [{ line: tsLine('const a = Math.sqrt'), ms: 1 }, { line: tsLine('return a * Math.log'), ms: 2 }]);
    // The flame graph: component → thread → run → price → heavy.
    const main = r.flame.children[0];
    assert.equal(main.name, 'main');
    assert.equal(main.totalMs, 6);
    const runNode = main.children.find((c) => c.name === 'run')!;
    assert.equal(r.functions[runNode.fn].name, 'run');
    assert.equal(runNode.children[0].children[0].name, 'heavy');
    assert.equal(runNode.children[0].children[0].selfMs, 3);
  });

  it('sums a function over threads and counts a recursive function once in its total', () => {
    // run → price → run → heavy: run's total is 4 ms, not 4 + 2.
    const rec: CpuProfileNode[] = [
      { id: 1, callFrame: frame('(root)'), children: [2] },
      { id: 2, callFrame: frame('run', '(n) =>'), children: [3] },
      { id: 3, callFrame: frame('price', 'price(x)'), children: [4] },
      { id: 4, callFrame: frame('run', '(n) =>'), children: [5] },
      { id: 5, callFrame: frame('heavy', '(v) {'), children: [] },
    ];
    const r = analyzeProfile(captured([profile(rec, [5, 5, 4, 2]), profile(NODES, SAMPLES)]), { id: 't' });
    const run = r.functions.find((f) => f.name === 'run')!;
    assert.equal(run.totalMs, 4 + 5);
    assert.equal(run.selfMs, 2 + 1);
    assert.deepEqual(run.threads, ['main', 'worker 1']);
    assert.equal(r.functions.find((f) => f.name === 'heavy')!.selfMs, 2 + 3);
    assert.equal(r.threads.length, 2);
  });

  it('relocates functions and line heat into a file edited since the build (lines inserted above)', () => {
    const edited = `// three\n// new\n// lines\n${tsText}`;
    const r = analyzeProfile(captured([profile(NODES, SAMPLES)]), { id: 't', readCurrent: (f) => (f === TS ? edited : undefined) });
    const heavy = r.functions.find((f) => f.name === 'heavy')!;
    assert.equal(heavy.location!.line, tsLine('export function heavy') + 3);
    assert.equal(heavy.range!.startLine, tsLine('export function heavy') + 3);
    assert.deepEqual(heavy.lines.map((l) => l.line), [tsLine('const a = Math.sqrt') + 3, tsLine('return a * Math.log') + 3]);
    // A function that no longer exists keeps its name but shows no range.
    const gone = analyzeProfile(captured([profile(NODES, SAMPLES)]), { id: 't', readCurrent: (f) => (f === TS ? tsText.replace(/export function heavy[\s\S]*?\n}\n/, '') : undefined) });
    assert.equal(gone.functions.find((f) => f.name === 'heavy')!.range, undefined);
  });

  it('moves a kept result into today\'s text by function name, without the old build', () => {
    const r = analyzeProfile(captured([profile(NODES, SAMPLES)]), { id: 't' });
    const edited = `// one\n// two\n${tsText}`;
    const moved = relocateResult(r, (f) => (f === TS ? edited : undefined));
    const heavy = moved.functions.find((f) => f.name === 'heavy')!;
    assert.equal(heavy.range!.startLine, tsLine('export function heavy') + 2);
    assert.equal(heavy.location!.line, tsLine('export function heavy') + 2);
    assert.deepEqual(heavy.lines.map((l) => l.line), [tsLine('const a = Math.sqrt') + 2, tsLine('return a * Math.log') + 2]);
    assert.equal(moved.functions.find((f) => f.name === 'Pricer.price')!.range!.startLine, tsLine('price(x: number)') + 2);
    // Unchanged text: the same objects; a removed function loses its range only.
    assert.equal(relocateResult(r, () => tsText).functions[0], r.functions[0]);
    const gone = relocateResult(r, () => tsText.replace(/export function heavy[\s\S]*?\n}\n/, ''));
    assert.equal(gone.functions.find((f) => f.name === 'heavy')!.range, undefined);
    assert.equal(gone.functions.find((f) => f.name === 'heavy')!.selfMs, 3);
  });

  it('leaves frames of scripts without a source map unmapped, at their script position', () => {
    const m = new SourceMapper();
    assert.equal(m.map('node:internal/timers', 3, 4), undefined);
    assert.equal(m.map('file:///no/such/file.js', 3, 4), undefined);
    const p = m.map(URL_JS, pos('function heavy').lineNumber, pos('function heavy').columnNumber);
    assert.equal(p?.file, TS);
    assert.equal(p?.line, tsLine('export function heavy'));
  });
});
