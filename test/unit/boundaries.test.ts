import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { referenceMarkdown, REFERENCE_BEGIN, REFERENCE_END, workspaceJsonSchema } from '../../engine/index';
import { parseWebviewMessage } from '../../protocol/index';

const root = join(__dirname, '..', '..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('layer boundaries', () => {
  it('the engine imports neither vscode nor the LSP libraries', () => {
    for (const f of tsFiles(join(root, 'engine'))) {
      const src = readFileSync(f, 'utf8');
      assert.doesNotMatch(src, /from ['"](vscode|vscode-language\w*(\/.*)?|vscode-jsonrpc)['"]/, f);
      assert.doesNotMatch(src, /from ['"]\.\.\/\.\.\/(client|server|cli|webviews)\//, f);
    }
  });

  it('the protocol module imports only types and browser-safe data, so webviews can use it', () => {
    const src = readFileSync(join(root, 'protocol/index.ts'), 'utf8');
    for (const m of src.matchAll(/^import (.*) from '(.*)'/gm)) assert.ok(m[1].startsWith('type ') || m[2] === '../engine/monitor/types', m[0]);
    const data = readFileSync(join(root, 'engine/monitor/types.ts'), 'utf8');
    assert.doesNotMatch(data, /^import (?!type )/m);
  });
});

describe('generated artefacts are current', () => {
  it('schemas/alluse-perf.schema.json matches the schema (run `npm run schema`)', () => {
    const published = JSON.parse(readFileSync(join(root, 'schemas/alluse-perf.schema.json'), 'utf8'));
    assert.deepEqual(published, workspaceJsonSchema());
  });

  it('docs/configuration.md has the current key reference (run `npm run schema`)', () => {
    const doc = readFileSync(join(root, 'docs/configuration.md'), 'utf8');
    const a = doc.indexOf(REFERENCE_BEGIN);
    const b = doc.indexOf(REFERENCE_END) + REFERENCE_END.length;
    assert.equal(doc.slice(a, b), referenceMarkdown());
  });
});

describe('protocol docs', () => {
  it('docs/architecture.md names every custom method of the protocol', () => {
    const src = readFileSync(join(root, 'protocol/index.ts'), 'utf8');
    const doc = readFileSync(join(root, 'docs/architecture.md'), 'utf8');
    const methods = [...src.matchAll(/method = '(alluse\/[\w/]+)'/g)].map((m) => m[1]);
    assert.ok(methods.length >= 6);
    for (const m of methods) assert.ok(doc.includes(`\`${m}\``), `${m} is not documented in docs/architecture.md`);
  });
});

describe('webview message validation', () => {
  it('accepts the protocol and drops everything else', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
    const range = { start: { line: 1, character: 0 }, end: { line: 1, character: 4 } };
    assert.deepEqual(parseWebviewMessage({ type: 'reveal', uri: 'file:///a', range, extra: 1 }), { type: 'reveal', uri: 'file:///a', range });
    for (const bad of [null, 1, 'ready', {}, { type: 'eval', code: 'x' }, { type: 'reveal', uri: 1, range }, { type: 'reveal', uri: 'x', range: { start: { line: -1, character: 0 }, end: range.end } }, { type: 'reveal', uri: 'x'.repeat(5000), range }]) {
      assert.equal(parseWebviewMessage(bad), undefined, JSON.stringify(bad)?.slice(0, 80));
    }
  });
});
