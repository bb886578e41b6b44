/**
 * Hostile and broken workspace files, in the analysis the server runs (whole and chunked
 * parsing), in what reads the typed config afterwards (monitor, profiling, studies), and in
 * the CLI's `validate`, which reads the bytes itself. Each case ends with a clear finding
 * (a stable code and a sentence) within a bounded time, never with an exception.
 * (More: test/unit/badInput.test.ts has binary content, a component-level alias bomb,
 * flow nesting 5,000 deep, 50,000 lines and never-throws properties.)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { validateFile } from '../../cli/validateCommand';
import { analyzeWorkspace, MAX_WORKSPACE_CHARS } from '../../engine/index';
import { ChunkedYamlParser } from '../../engine/workspace/chunkedParser';
import { workspaceConfigFrom } from '../../engine/workspace/config';

const dir = mkdtempSync(join(tmpdir(), 'alluse-hostile-ws-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const HEAD = 'version: 1\ncomponents:\n  - name: a\n    process: { pidFile: a.pid }\n';

/** The classic "billion laughs": nine levels of ten aliases each (10^9 strings expanded). */
function billionLaughs(indent: string): string {
  const levels = [`${indent}lol0: &l0 "lol"`];
  for (let i = 1; i <= 9; i++) levels.push(`${indent}lol${i}: &l${i} [${Array(10).fill(`*l${i - 1}`).join(', ')}]`);
  return levels.join('\n') + '\n';
}

/** Runs `validate` in-process on a file with these bytes: exit code, stdout and stderr lines. */
function validate(name: string, bytes: string | Buffer): { code: number; out: string[]; err: string[] } {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  const out: string[] = [];
  const err: string[] = [];
  const code = validateFile(file, { format: 'text' }, (s) => out.push(s), (s) => err.push(s));
  return { code, out, err };
}

function timed<T>(f: () => T): { value: T; ms: number } {
  const t0 = performance.now();
  const value = f();
  return { value, ms: performance.now() - t0 };
}

describe('hostile workspace files: analysis', () => {
  for (const [where, text] of [
    ['under an unknown top-level key', HEAD + billionLaughs('')],
    ['under an unknown key of monitor', HEAD + 'monitor:\n' + billionLaughs('  ')],
  ] as const) {
    it(`a billion-laughs alias bomb ${where} is an error, found fast, and the config reader is never reached`, () => {
      for (const parser of [undefined, new ChunkedYamlParser()]) {
        const { value: a, ms } = timed(() => analyzeWorkspace(text, {}, parser));
        assert.ok(ms < 2000, `${ms} ms`);
        const bomb = a.findings.find((f) => f.code === 'too-complex');
        assert.ok(bomb && bomb.severity === 'error', JSON.stringify(a.findings.slice(0, 3)));
        assert.match(bomb.message, /alias bomb/);
      }
      // What the monitor would do with it if the error were ignored: the same guard stops it.
      const a = analyzeWorkspace(text);
      assert.throws(() => workspaceConfigFrom(a.doc!), /Excessive alias count/);
    });
  }

  it('a few honest aliases are fine (no finding, and the config reads them)', () => {
    const text = 'version: 1\ncomponents:\n  - name: a\n    process: { pidFile: a.pid }\n    limits: &lim { memory: 256MiB }\n  - name: b\n    process: { pidFile: b.pid }\n    limits: *lim\n';
    const a = analyzeWorkspace(text);
    assert.deepEqual(a.findings, []);
    assert.equal(workspaceConfigFrom(a.doc!).components[1].limits?.memoryBytes, 256 * 1024 * 1024);
  });

  it(`text over ${MAX_WORKSPACE_CHARS / 1048576} MiB is refused at once with a too-large error`, () => {
    const filler = '# ' + 'x'.repeat(78) + '\n';
    const text = HEAD + filler.repeat(Math.ceil(MAX_WORKSPACE_CHARS / filler.length));
    const { value: a, ms } = timed(() => analyzeWorkspace(text));
    assert.deepEqual(a.findings.map((f) => f.code), ['too-large']);
    assert.match(a.findings[0].message, /1\.0 MiB of text; a workspace file over 1\.0 MiB is not analysed/);
    assert.ok(ms < 500, `${ms} ms`);
    // Just under the cap it is analysed normally.
    const under = HEAD + filler.repeat(Math.floor((MAX_WORKSPACE_CHARS - HEAD.length) / filler.length));
    assert.deepEqual(analyzeWorkspace(under).findings, []);
  });

  it('block nesting 1,500 deep and flow nesting 20,000 deep end in a finding, not a stack overflow', () => {
    let block = 'version: 1\nmonitor:\n';
    for (let i = 0; i < 1500; i++) block += `${' '.repeat(i + 2)}k${i}:\n`;
    const flow = 'version: 1\ncomponents: ' + '['.repeat(20_000) + ']'.repeat(20_000) + '\n';
    const mapFlow = 'version: 1\nmonitor: ' + '{a: '.repeat(5000) + '1' + '}'.repeat(5000) + '\n';
    for (const text of [block, flow, mapFlow]) {
      for (const parser of [undefined, new ChunkedYamlParser()]) {
        const { value: a, ms } = timed(() => analyzeWorkspace(text, {}, parser));
        assert.ok(a.findings.some((f) => f.severity === 'error'), JSON.stringify(a.findings.slice(0, 2)));
        assert.ok(ms < 10_000, `${ms} ms`);
      }
    }
  });
});

describe('hostile workspace files: alluse-perf validate', () => {
  it('invalid UTF-8 bytes (a lone continuation byte, a truncated sequence, an overlong form, 0xFF): not-utf8 at the first one, exit 1', () => {
    for (const [i, bad] of [[0x80], [0xe2, 0x82], [0xc0, 0xaf], [0xff]].entries()) {
      const r = validate(`bad-${i}.yaml`, Buffer.concat([Buffer.from('version: 1\ncomponents:\n  - name: caf'), Buffer.from(bad), Buffer.from('\n    process: { pidFile: p }\n')]));
      assert.equal(r.code, 1, r.err.join('\n'));
      assert.equal(r.out.length, 1, r.out.join('\n'));
      assert.match(r.out[0], /:3:14: error not-utf8 The file is not valid UTF-8 text/);
    }
  });

  it('UTF-16 with a byte-order mark is reported, not misread', () => {
    const r = validate('utf16.yaml', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(HEAD, 'utf16le')]));
    assert.equal(r.code, 1);
    assert.match(r.out[0], /error (not-utf8|binary-content)/);
  });

  it('a UTF-8 byte-order mark is accepted', () => {
    const r = validate('bom.yaml', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(HEAD)]));
    assert.equal(r.code, 0, r.out.join('\n'));
  });

  it('an alias bomb: too-complex, exit 1, quickly', () => {
    const { value: r, ms } = timed(() => validate('bomb.yaml', HEAD + billionLaughs('')));
    assert.equal(r.code, 1);
    assert.ok(r.out.some((l) => / error too-complex /.test(l)), r.out.join('\n'));
    assert.ok(ms < 2000, `${ms} ms`);
  });

  it(`a file over ${MAX_WORKSPACE_CHARS / 1048576} MiB: too-large, exit 1; one over 32 MiB is not even read (exit 2)`, () => {
    const r = validate('big.yaml', HEAD + '#'.repeat(MAX_WORKSPACE_CHARS) + '\n');
    assert.equal(r.code, 1);
    assert.match(r.out.join('\n'), / error too-large /);
    const huge = Buffer.alloc(33 * 1024 * 1024, 0x23);
    const r2 = validate('huge.yaml', huge);
    assert.equal(r2.code, 2);
    assert.match(r2.err.join('\n'), /the file is 33 MiB; a workspace file over 32 MiB is not read/);
  });

  it('binary garbage and an empty file: a finding each, no crash', () => {
    const bin = validate('bin.yaml', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00]));
    assert.equal(bin.code, 1);
    assert.match(bin.out[0], /error binary-content/);
    const empty = validate('empty.yaml', '');
    assert.equal(empty.code, 1);
    assert.match(empty.out[0], /error missing-required/);
  });
});
