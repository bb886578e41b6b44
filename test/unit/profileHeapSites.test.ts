// The heap half of a profile in the editor: a sampling heap profile's allocation sites are
// summed per function and mapped to the TypeScript source through the esbuild source map,
// with the total of all sampled bytes (so each site's share is of everything sampled, not of
// the listed top); the Hot Allocations rows (largest first, share, openable only when the
// site is a file on disk); byte formatting; and the continuous-profiling status bar text.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { analyzeProfile } from '../../engine/profile/analyze';
import { allocationSites, fmtBytes } from '../../engine/profile/heapSites';
import type { CallFrame, CapturedProfile, HeapProfileNode } from '../../engine/profile/types';
import { continuousStatusText } from '../../client/src/profileContinuousStatus';

const FIX = join(__dirname, '../fixtures/profile');
const JS = join(FIX, 'dist/calc.js');
const TS = join(FIX, 'src/calc.ts');
const jsText = readFileSync(JS, 'utf8');
const tsText = readFileSync(TS, 'utf8');

function frame(functionName: string, at?: string): CallFrame {
  if (!at) return { functionName, scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 };
  const i = jsText.indexOf(at);
  assert.ok(i >= 0, at);
  const before = jsText.slice(0, i).split('\n');
  return { functionName, scriptId: '1', url: pathToFileURL(JS).href, lineNumber: before.length - 1, columnNumber: before.at(-1)!.length };
}
const tsLine = (needle: string) => tsText.split('\n').findIndex((l) => l.includes(needle)) + 1;

let nextId = 1;
const node = (callFrame: CallFrame, selfSize: number, children: HeapProfileNode[] = []): HeapProfileNode => ({ callFrame, selfSize, id: nextId++, children });

describe('hot allocation sites', () => {
  // heavy allocates twice (two call paths: 3000 + 1000), run 2500, a V8 entry 500: 7000 bytes in all.
  const heap = node(frame('(root)'), 0, [
    node(frame('run', '(n) =>'), 2500, [node(frame('heavy', 'function heavy'), 3000)]),
    node(frame('heavy', 'function heavy'), 1000),
    node(frame('(V8 API)'), 500),
  ]);
  const cap: CapturedProfile = { component: 'calc', startedAt: 0, durationMs: 10, samplingIntervalUs: 1000, threads: [], heap: { head: heap }, warnings: [] };
  const r = analyzeProfile(cap, { id: 'h' });

  it('sums bytes per function, maps them to the source and keeps the total of all sampled bytes', () => {
    assert.equal(r.heapTotalBytes, 7000);
    const heavy = r.heapTop!.find((h) => h.name === 'heavy')!;
    assert.equal(heavy.bytes, 4000);
    assert.equal(heavy.location!.file, TS);
    assert.equal(heavy.location!.line, tsLine('export function heavy'));
  });

  it('lists sites largest first with their share, openable only when on disk', () => {
    const sites = allocationSites(r);
    assert.deepEqual(sites.map((s) => [s.name, s.bytes, s.pct]), [['heavy', 4000, 57.1], ['run', 2500, 35.7], ['(V8 API)', 500, 7.1]]);
    assert.ok(sites[0].location);
    assert.equal(sites[2].location, undefined);
    assert.equal(allocationSites(r, 1).length, 1);
  });

  it('shares of the listed sites when an older result has no total; nothing without a heap profile', () => {
    const sites = allocationSites({ heapTop: [{ name: 'a', bytes: 300 }, { name: 'b', bytes: 100 }] });
    assert.deepEqual(sites.map((s) => s.pct), [75, 25]);
    assert.deepEqual(allocationSites({}), []);
    assert.deepEqual(allocationSites({ heapTop: [{ name: 'z', bytes: 0 }], heapTotalBytes: 0 }).map((s) => s.pct), [0]);
  });

  it('formats bytes', () => {
    assert.equal(fmtBytes(512), '512 B');
    assert.equal(fmtBytes(1536), '1.5 KiB');
    assert.equal(fmtBytes(3 * 1024 * 1024), '3.0 MiB');
    assert.equal(fmtBytes(5 * 1024 ** 3), '5.00 GiB');
  });
});

describe('continuous profiling status text', () => {
  it('hides when nothing runs, names one component, counts several', () => {
    assert.equal(continuousStatusText(new Map()), undefined);
    assert.equal(continuousStatusText(new Map([['protocol-engine', 3]]))!.text, '$(pulse) Profiling protocol-engine · 3 kept');
    const two = continuousStatusText(new Map([['b', 1], ['a', 2]]))!;
    assert.equal(two.text, '$(pulse) Profiling 2 components · 3 kept');
    assert.match(two.tooltip, /a: 2 profile\(s\)[\s\S]*b: 1 profile\(s\)[\s\S]*Click to stop/);
  });
});
