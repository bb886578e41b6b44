import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { analyzeWorkspace, ChunkedYamlParser } from '../../engine/index';
import { generateWorkspace } from '../../bench/generateWorkspace';
import { VALID_WORKSPACE } from '../helpers/text';

/** What an analysis reports, without the parsed document. */
const outcome = (text: string, parser?: ChunkedYamlParser) => {
  const a = analyzeWorkspace(text, {}, parser);
  return { findings: a.findings, summary: a.summary };
};

describe('chunked parsing', () => {
  const base = generateWorkspace(300).replace('version: 1', 'version: 1\n# a comment\n') + VALID_WORKSPACE.slice(VALID_WORKSPACE.indexOf('tuning:')).replace('tuning:', 'extra:');

  it('reuses unchanged chunks and parses only the edited one', () => {
    const p = new ChunkedYamlParser();
    analyzeWorkspace(base, {}, p);
    assert.equal(p.lastStats.whole, false);
    assert.equal(p.lastStats.reused, 0);
    const edited = base.replace('name: component-7\n', 'name: component-seven\n');
    analyzeWorkspace(edited, {}, p);
    assert.equal(p.lastStats.parsed, 1);
    assert.ok(p.lastStats.reused > 10);
  });

  it('falls back to a whole parse for anchors, aliases and syntax errors', () => {
    const p = new ChunkedYamlParser();
    analyzeWorkspace(VALID_WORKSPACE.replace('limits: {', 'limits: &l {'), {}, p);
    assert.equal(p.lastStats.whole, true);
    analyzeWorkspace(base.replace('kind: node', 'kind: [node'), {}, p);
    assert.equal(p.lastStats.whole, true);
  });

  it('gives exactly the findings and summary of a whole parse, over a sequence of edits (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 30 }), fc.constantFrom('', 'x', ' ', '\n', '- ', '  - name: a\n', 'kind: nod', ': ', '#', '100', 'components:\n', '\n  ')), { minLength: 1, maxLength: 8 }),
        (edits) => {
          const p = new ChunkedYamlParser();
          let text = base;
          analyzeWorkspace(text, {}, p);
          for (const [at, del, ins] of edits) {
            const i = at % text.length;
            text = text.slice(0, i) + ins + text.slice(i + del);
            assert.deepEqual(outcome(text, p), outcome(text));
          }
        },
      ),
      { seed: 1234, numRuns: 40 },
    );
  });

  it('is equivalent on identical repeated items (duplicates share no nodes)', () => {
    const item = '  - name: same\n    process: { pidFile: p }\n';
    const text = `version: 1\ncomponents:\n${item}${item}${item}`;
    const p = new ChunkedYamlParser();
    analyzeWorkspace(text, {}, p);
    const again = text + item;
    assert.deepEqual(outcome(again, p), outcome(again));
  });
});
