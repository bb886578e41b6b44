// Static help on hot code (only where the profile shows heat) and the config-key usage
// finder (where a component's code reads each key of its config file).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { hotPathFindings } from '../../engine/profile/hotChecks';
import { configKeys, configKeyUsages, componentSources, entryScriptOf } from '../../engine/profile/configKeys';
import { inspectFlagPort } from '../../engine/profile/profileComponent';
import { indexFunctions, functionAt, relocate } from '../../engine/profile/functionIndex';
import type { HotFunction, ProfileResult } from '../../engine/profile/types';

const HOT_SRC = `import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

export function hot(items: string[]) {
  const out: unknown[] = [];
  for (const s of items) {
    out.push(JSON.parse(s));
  }
  const cfg = readFileSync('/x', 'utf8');
  return gzipSync(JSON.stringify([out, cfg]));
}

export async function fetchAll(urls: string[]) {
  const r: unknown[] = [];
  for (const u of urls) r.push(await fetch(u));
  for await (const x of stream()) r.push(x);
  return r;
}

export function cold() { return readFileSync('/y'); }

export function mapped(xs: string[]) { return xs.map((x) => JSON.parse(x)); }
declare function stream(): AsyncIterable<unknown>;
`;
const FILE = '/virtual/hot.ts';
const lineOf = (needle: string) => HOT_SRC.slice(0, HOT_SRC.indexOf(needle)).split('\n').length;

function fn(name: string, totalPct: number): HotFunction {
  const idx = indexFunctions(FILE, HOT_SRC).find((f) => f.name === name)!;
  return { key: `${FILE}#${name}`, name, location: { file: FILE, line: idx.startLine, column: 1 }, range: { startLine: idx.startLine, endLine: idx.endLine }, url: '', mapped: true, selfMs: 1, totalMs: 1, selfPct: totalPct / 2, totalPct, threads: ['main'], lines: [], category: 'user' };
}
const result = (functions: HotFunction[]): ProfileResult => ({ id: 'p', component: 'c', startedAt: 0, durationMs: 1000, samplingIntervalUs: 1000, totalMs: 100, busyMs: 100, threads: [], functions, flame: { name: 'c', fn: -1, selfMs: 0, totalMs: 0, children: [] }, warnings: [], analysisMs: 0 });

describe('hot-path static help', () => {
  const findings = hotPathFindings(result([fn('hot', 40), fn('fetchAll', 12), fn('cold', 0.5), fn('mapped', 8)]), { readCurrent: (f) => (f === FILE ? HOT_SRC : undefined) });
  const at = (code: string) => findings.filter((f) => f.code === code).map((f) => f.line).sort((a, b) => a - b);

  it('flags JSON.parse in a loop and in an array callback of hot code, not JSON.stringify outside a loop', () => {
    assert.deepEqual(at('hot-json-in-loop'), [lineOf('out.push(JSON.parse(s))'), lineOf('xs.map((x) => JSON.parse(x))')]);
  });

  it('flags synchronous file and compression calls in hot code only (cold code has too small a share)', () => {
    assert.deepEqual(at('hot-sync-call'), [lineOf("readFileSync('/x'"), lineOf('return gzipSync(')]);
    const gz = findings.find((f) => f.line === lineOf('return gzipSync('))!;
    assert.match(gz.message, /compression call gzipSync\(\)/);
    assert.match(gz.message, /hot: 20\.0% self, 40\.0% total of the busy time/);
  });

  it('flags await inside a loop, but not for await', () => {
    assert.deepEqual(at('hot-await-in-loop'), [lineOf('r.push(await fetch(u))')]);
  });

  it('says nothing when no function is hot enough', () => {
    assert.deepEqual(hotPathFindings(result([fn('hot', 1)]), { readCurrent: () => HOT_SRC }), []);
  });
});

describe('function index (ts-morph)', () => {
  const SRC = `class Pool {\n  run() {\n    return [1].map((x) => x + 1);\n  }\n  get size() { return 1; }\n}\nconst handler = () => 1;\nexport function outer() {\n  function inner() { return 2; }\n  return inner() + [1].reduce((a, b) => a + b, 0);\n}\n`;
  const idx = indexFunctions('/v/a.ts', SRC);
  it('names methods, accessors, arrow functions and nested functions by their containers', () => {
    assert.deepEqual(idx.map((f) => f.qualifiedName), ['Pool.run', 'Pool.run/(anonymous)#1', 'Pool.size', 'handler', 'outer', 'outer/inner', 'outer/(anonymous)#1']);
  });
  it('finds the innermost function at a position, and the same function after an edit', () => {
    assert.equal(functionAt(idx, 3, 25)?.qualifiedName, 'Pool.run/(anonymous)#1');
    assert.equal(functionAt(idx, 9)?.qualifiedName, 'outer/inner');
    const moved = indexFunctions('/v/a.ts', `// one\n// two\n${SRC.replace('class Pool', 'class Pool /* x */')}`);
    assert.equal(relocate(moved, 'outer/inner', 9)?.startLine, 11);
    assert.equal(relocate(moved, 'Pool.run', 2)?.startLine, 4);
    assert.equal(relocate(moved, 'gone', 2), undefined);
  });
});

describe('config keys linked to code', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alluse-keys-'));
  const src = join(dir, 'engine.ts');
  writeFileSync(src, `const schema = {\n  workers: { type: 'int' },\n  batch_size: { type: 'int' },\n  unused_key: { type: 'int' },\n};\nexport function start(c: any) {\n  const pool = new Pool(c.workers);\n  const { batch_size } = c;\n  const t = c['timeout_ms'];\n  return [pool, batch_size, t];\n}\n`);
  const CONFIG = `# engine\nworkers: 4\nbatch_size: 8\ntimeout_ms: 20\nunused_key: 1\nnot_in_code: 2\nnested:\n  workers: 2\n`;

  it('lists the keys of a config file with their positions', () => {
    assert.deepEqual(configKeys(CONFIG).map((k) => [k.key, k.line, k.column, k.endColumn]), [['workers', 1, 0, 7], ['batch_size', 2, 0, 10], ['timeout_ms', 3, 0, 10], ['unused_key', 4, 0, 10], ['not_in_code', 5, 0, 11], ['nested', 6, 0, 6], ['nested.workers', 7, 2, 9]]);
  });

  it('finds property reads, destructuring and element access, and schema declarations after them', () => {
    const u = Object.fromEntries(configKeyUsages(CONFIG, [src]).map((k) => [k.key, k.usages.map((x) => `${x.kind}:${x.line}:${x.column}`)]));
    assert.deepEqual(u.workers, ['read:7:27', 'declared:2:3']);
    assert.deepEqual(u.batch_size, ['read:8:11', 'declared:3:3']);
    assert.deepEqual(u.timeout_ms, ['read:9:15']);
    assert.deepEqual(u.unused_key, ['declared:4:3']);
    assert.deepEqual(u.not_in_code, []);
  });

  it('takes a component’s sources from its entry script’s source map, else from its folder', () => {
    assert.equal(entryScriptOf({ command: 'node', args: ['--inspect=127.0.0.1:9465', 'dist/x.js', '--config', 'c.yaml'], cwd: '.' }, '/w'), '/w/dist/x.js');
    const fixture = join(__dirname, '../fixtures/profile');
    assert.deepEqual(componentSources(join(fixture, 'dist/calc.js'), undefined), [join(fixture, 'src/calc.ts')]);
    assert.deepEqual(componentSources(undefined, dir), [src]);
  });

  it('reads a loopback inspector port from a start command, and no other host', () => {
    assert.equal(inspectFlagPort(['--inspect=127.0.0.1:9465', 'a.js']), 9465);
    assert.equal(inspectFlagPort(['--inspect=9229']), 9229);
    assert.equal(inspectFlagPort(['--inspect=0.0.0.0:9229']), undefined);
  });
});
