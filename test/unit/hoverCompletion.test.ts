import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeWorkspace, completeAt, hoverAt, LineIndex, workspaceSchema, type Position } from '../../engine/index';
import type { SchemaNode } from '../../engine/workspace/schemaTypes';
import { VALID_WORKSPACE } from '../helpers/text';

function posOf(text: string, needle: string, nth = 0): Position {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = text.indexOf(needle, at + 1);
  assert.ok(at >= 0, `"${needle}" not in text`);
  return new LineIndex(text).positionAt(at + 1);
}

function hover(text: string, needle: string, nth = 0) {
  const a = analyzeWorkspace(text);
  return hoverAt(a.doc!, a.index, posOf(text, needle, nth));
}

function complete(text: string): string[] {
  const at = text.indexOf('|');
  const clean = text.slice(0, at) + text.slice(at + 1);
  const idx = new LineIndex(clean);
  return completeAt(idx, idx.positionAt(at)).map((e) => e.label);
}

describe('hover', () => {
  it('documents keys at every level, with type and default', () => {
    assert.match(hover(VALID_WORKSPACE, 'retention')!.markdown, /\*\*monitor\.retention\*\*: duration[\s\S]*Default: `30d`/);
    assert.match(hover(VALID_WORKSPACE, 'kind: node')!.markdown, /\*\*components\.kind\*\*/);
    assert.match(hover(VALID_WORKSPACE, 'p95: 50ms')!.markdown, /95th-percentile/);
    assert.match(hover(VALID_WORKSPACE, 'workers:')!.markdown, /\(parameter name\)/);
    assert.match(hover(VALID_WORKSPACE, 'direction: maximize')!.markdown, /Whether the metric should go up or down/);
  });

  it('documents enum values', () => {
    const text = VALID_WORKSPACE;
    const a = analyzeWorkspace(text);
    const p = posOf(text, 'node\n');
    const h = hoverAt(a.doc!, a.index, { line: p.line, character: p.character })!;
    assert.match(h.markdown, /^\*\*node\*\* \(components\.kind\)/);
  });

  it('has a description for every key of the schema', () => {
    const walk = (s: SchemaNode, path: string) => {
      assert.ok(s.description && s.description.length > 10, `no description at ${path}`);
      if (s.kind === 'object') {
        for (const [k, p] of Object.entries(s.properties)) walk(p.schema, `${path}.${k}`);
        if (s.additional) walk(s.additional, `${path}.*`);
      }
      if (s.kind === 'array') walk(s.items, `${path}[]`);
    };
    walk(workspaceSchema, '');
  });

  it('gives nothing outside known keys', () => {
    assert.equal(hover('version: 1\nbogus: 2\n', 'bogus'), undefined);
  });
});

describe('completion', () => {
  it('offers the top-level keys that are missing', () => {
    assert.deepEqual(complete('version: 1\n|\n'), ['components', 'monitor', 'tuning', 'governor', 'coordination']);
  });

  it('offers the keys of a list item, nested or written at the same indentation', () => {
    const keys = complete('version: 1\ncomponents:\n  - name: a\n    |\n');
    assert.ok(keys.includes('process') && keys.includes('limits') && !keys.includes('name'), keys.join());
    const same = complete('components:\n- name: a\n  |\n');
    assert.ok(same.includes('process') && !same.includes('name'), same.join());
    const first = complete('components:\n  - |\n');
    assert.ok(first.includes('name'), first.join());
  });

  it('offers the keys of nested mappings', () => {
    assert.deepEqual(complete('components:\n  - name: a\n    slos:\n      latency:\n        p95: 5ms\n        |\n'), ['p50', 'p90', 'p99']);
    assert.ok(complete('tuning:\n  studies:\n    - name: s\n      parameters:\n        workers:\n          |\n').includes('type'));
  });

  it('offers enum values and defaults after a key', () => {
    assert.deepEqual(complete('components:\n  - name: a\n    kind: |\n'), ['node', 'process']);
    assert.ok(complete('tuning:\n  studies:\n    - algorithm: |\n').includes('cmaes'));
    assert.deepEqual(complete('monitor:\n  interval: |\n'), ['100ms']);
  });

  it('makes snippets that put nested blocks on their own indented line', () => {
    const idx = new LineIndex('monitor:\n  \n');
    const alerts = completeAt(idx, { line: 1, character: 2 }).find((e) => e.label === 'alerts')!;
    assert.equal(alerts.insertText, 'alerts:\n    - $0');
  });
});
