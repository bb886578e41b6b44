import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { analyzeWorkspace, MAX_FINDINGS } from '../../engine/index';
import { VALID_WORKSPACE } from '../helpers/text';

describe('hostile and broken workspace files', () => {
  it('reports binary garbage instead of parsing it', () => {
    const a = analyzeWorkspace('version: 1\n\u0000\u0001\u0002garbage\u00ff');
    assert.deepEqual(a.findings.map((f) => f.code), ['binary-content']);
    assert.equal(a.findings[0].range.start.line, 1);
  });

  it('reports text that was not UTF-8 (decoded to U+FFFD) at the first bad byte', () => {
    const text = new TextDecoder('utf-8').decode(Buffer.concat([Buffer.from('version: 1\ncomponents:\n  - name: caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
    const a = analyzeWorkspace(text);
    assert.deepEqual(a.findings.map((f) => f.code), ['not-utf8']);
    assert.deepEqual(a.findings[0].range.start, { line: 2, character: 13 });
  });

  it('stops an alias bomb ("billion laughs") quickly with a finding', () => {
    // Every level the schema allows multiplies: 1,000 aliased components × 1,000 aliased files.
    const files = `[${Array(1000).fill('f.yaml').join(', ')}]`;
    let text = `version: 1\ncomponents:\n  - &c { name: a, process: { pidFile: p }, configFiles: &f ${files} }\n`;
    text += `  - { name: b, process: { pidFile: p }, configFiles: *f }\n`;
    text += Array(1000).fill('  - *c\n').join('');
    const t0 = performance.now();
    const a = analyzeWorkspace(text);
    assert.ok(performance.now() - t0 < 10_000);
    assert.ok(a.findings.some((f) => f.code === 'too-complex'), JSON.stringify(a.findings.slice(0, 3)));
  });

  it('survives deep nesting', () => {
    const deep = 'version: 1\ncomponents: ' + '['.repeat(5000) + ']'.repeat(5000) + '\n';
    const a = analyzeWorkspace(deep);
    assert.ok(a.findings.length > 0);
  });

  it('checks a 50,000-line file and caps the number of findings', () => {
    const lines = ['version: 1', 'components:'];
    for (let i = 0; i < 10_000; i++) lines.push(`  - name: c${i}`, '    process:', `      pidFile: p${i}`, `    limits: { memory: ${i} }`, '    bogus: 1');
    const a = analyzeWorkspace(lines.join('\n'));
    assert.equal(a.findings.length, MAX_FINDINGS + 1);
    assert.equal(a.findings.at(-1)!.code, 'too-many-problems');
  });

  it('reports wrong top-level shapes', () => {
    assert.deepEqual(analyzeWorkspace('').findings.map((f) => f.code), ['missing-required']);
    assert.deepEqual(analyzeWorkspace('- a\n- b\n').findings.map((f) => f.code), ['wrong-type']);
    assert.deepEqual(analyzeWorkspace('just text').findings.map((f) => f.code), ['wrong-type']);
  });

  it('never throws, whatever the text (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        const a = analyzeWorkspace(s);
        for (const f of a.findings) assert.ok(f.range.start.line >= 0 && f.range.end.line < a.index.lineCount + 1);
      }),
      { seed: 42, numRuns: 500 },
    );
  });

  it('never throws on mutations of a valid file, and ranges stay inside the text (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: VALID_WORKSPACE.length - 1 }), fc.integer({ min: 0, max: 40 }), fc.string({ maxLength: 12 }), (at, del, ins) => {
        const text = VALID_WORKSPACE.slice(0, at) + ins + VALID_WORKSPACE.slice(at + del);
        const a = analyzeWorkspace(text);
        for (const f of a.findings) {
          assert.ok(a.index.offsetAt(f.range.start) <= text.length);
          assert.ok(a.index.offsetAt(f.range.end) >= a.index.offsetAt(f.range.start));
        }
      }),
      { seed: 7, numRuns: 400 },
    );
  });
});
