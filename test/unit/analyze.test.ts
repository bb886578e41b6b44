import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeWorkspace, type FindingCode } from '../../engine/index';
import { applyEdits, textAt, VALID_WORKSPACE } from '../helpers/text';

const codes = (text: string) => analyzeWorkspace(text).findings.map((f) => f.code);
const only = (text: string, code: FindingCode) => {
  const fs = analyzeWorkspace(text).findings.filter((f) => f.code === code);
  assert.equal(fs.length, 1, `expected one ${code}, got ${JSON.stringify(analyzeWorkspace(text).findings.map((f) => [f.code, f.message]))}`);
  return fs[0];
};

describe('workspace analysis', () => {
  it('finds nothing wrong in a valid file that uses every section', () => {
    assert.deepEqual(analyzeWorkspace(VALID_WORKSPACE).findings, []);
  });

  it('reports a misspelt key with its exact range and a fix that keeps comments', () => {
    const text = VALID_WORKSPACE.replace('  retention: 24h', '  retension: 24h # keep a day');
    const f = only(text, 'unknown-key');
    assert.equal(f.severity, 'warning');
    assert.equal(textAt(text, f.range), 'retension');
    assert.match(f.message, /Unknown key "retension" in monitor\. Did you mean "retention"\?/);
    assert.equal(f.fixes?.[0].title, 'Change to "retention"');
    const fixed = applyEdits(text, f.fixes![0].edits);
    assert.ok(fixed.includes('  retention: 24h # keep a day'));
    assert.deepEqual(analyzeWorkspace(fixed).findings, []);
  });

  it('does not suggest a key that is already present', () => {
    const text = VALID_WORKSPACE.replace('  retention: 24h', '  retention: 24h\n  retentio: 1h');
    const f = only(text, 'unknown-key');
    assert.deepEqual(f.fixes, []);
    assert.match(f.message, /Known keys:/);
  });

  it('asks for a unit on a bare duration and fixes it with the key’s usual unit', () => {
    const text = VALID_WORKSPACE.replace('  interval: 100ms\n  retention', '  interval: 100\n  retention');
    const f = only(text, 'missing-unit');
    assert.equal(f.severity, 'error');
    assert.equal(textAt(text, f.range), '100');
    assert.equal(f.fixes?.[0].title, 'Use "100ms"');
    assert.deepEqual(codes(applyEdits(text, f.fixes![0].edits)), []);
    const r = only(VALID_WORKSPACE.replace('retention: 24h', 'retention: 48'), 'missing-unit');
    assert.equal(r.fixes?.[0].title, 'Use "48h"');
  });

  it('asks for a unit on a bare size', () => {
    const f = only(VALID_WORKSPACE.replace('memory: 512MiB', 'memory: 512'), 'missing-unit');
    assert.equal(f.fixes?.[0].title, 'Use "512MiB"');
  });

  it('renames a duplicate component, marking the second one', () => {
    const text = VALID_WORKSPACE.replace('- name: account-service', '- name: protocol-engine');
    const f = only(text, 'duplicate-component');
    assert.equal(f.range.start.line, text.split('\n').findLastIndex((l) => l.includes('- name: protocol-engine')));
    assert.equal(f.fixes?.[0].title, 'Rename to "protocol-engine-2"');
    assert.deepEqual(codes(applyEdits(text, f.fixes![0].edits)), []);
  });

  it('reports YAML syntax errors and duplicate keys without crashing', () => {
    assert.ok(codes('version: 1\ncomponents: [\n').includes('yaml-syntax'));
    const d = only('version: 1\nversion: 1\ncomponents:\n  - name: a\n    process: { pidFile: a }\n', 'duplicate-key');
    assert.equal(d.range.start.line, 1);
  });

  it('reports wrong types, missing required keys, enum values and ranges', () => {
    assert.deepEqual(codes('version: 1\ncomponents: {}\n'), ['wrong-type']);
    assert.deepEqual(codes('components:\n  - name: a\n    process: { pidFile: a }\n'), ['missing-required']);
    const e = only(VALID_WORKSPACE.replace('kind: node', 'kind: nod'), 'invalid-value');
    assert.equal(e.fixes?.[0].title, 'Change to "node"');
    assert.ok(codes(VALID_WORKSPACE.replace('errorRate: 0.01', 'errorRate: 2')).includes('out-of-range'));
    assert.ok(codes(VALID_WORKSPACE.replace('repeats: 2', 'repeats: 2.5')).includes('wrong-type'));
    assert.ok(codes(VALID_WORKSPACE.replace('interval: 100ms\n  retention', 'interval: 1ms\n  retention')).includes('out-of-range'));
  });

  it('checks references, parameters, expressions and process locators', () => {
    const u = only(VALID_WORKSPACE.replace('component: protocol-engine', 'component: protocol-engin'), 'unknown-component');
    assert.equal(u.fixes?.[0].title, 'Change to "protocol-engine"');
    assert.ok(codes(VALID_WORKSPACE.replace('expr: protocol-engine.', 'expr: market-feed.')).includes('unknown-component'));
    assert.ok(codes(VALID_WORKSPACE.replace('{ type: int, min: 1, max: 8 }', '{ type: int, min: 9, max: 8 }')).includes('invalid-parameter'));
    assert.ok(codes(VALID_WORKSPACE.replace('{ type: int, min: 1, max: 256, log: true }', '{ type: int, min: 0, max: 256, log: true }')).includes('invalid-parameter'));
    assert.ok(codes(VALID_WORKSPACE.replace('choices: [lru, lfu]', 'choices: []')).includes('invalid-parameter'));
    assert.ok(codes(VALID_WORKSPACE.replace('"p95_latency_ms <= 50"', '"p95 latency below 50"')).includes('invalid-expression'));
    assert.ok(codes(VALID_WORKSPACE.replace('      commandMatch: account-service', '      inspectPort: 9230')).includes('no-process-locator'));
    assert.ok(codes(VALID_WORKSPACE.replace('commandMatch: "protocol-engine\\\\.js"', 'commandMatch: "protocol-engine(["')).includes('invalid-expression'));
    assert.ok(codes(VALID_WORKSPACE.replace('start: { command: node,', 'start: { command: "node; rm -rf ~",')).includes('invalid-value'));
  });

  it('warns about config files that do not exist when the host can look', () => {
    const a = analyzeWorkspace(VALID_WORKSPACE, { fileExists: (p) => p !== 'config/protocol-engine.yaml' });
    assert.equal(a.findings.filter((f) => f.code === 'missing-file').length, 2);
  });

  it('summarizes components and studies with their ranges', () => {
    const s = analyzeWorkspace(VALID_WORKSPACE).summary;
    assert.deepEqual(s.components.map((c) => c.name), ['protocol-engine', 'account-service']);
    assert.equal(s.components[0].metricsUrl, 'http://127.0.0.1:9462/metrics');
    assert.equal(s.components[0].limits.memory, '512MiB');
    assert.equal(s.components[0].slos['latency.p95'], '50ms');
    assert.equal(s.studies[0].name, 'engine-throughput');
    assert.deepEqual(s.studies[0].parameters, ['workers', 'batch_size', 'eviction']);
    assert.equal(s.components[1].range.start.line, VALID_WORKSPACE.split('\n').findIndex((l) => l.includes('name: account-service')));
  });
});
