// The generated reference pages stay true to the code: docs/protocol.md is what
// scripts/protocol-doc.mjs makes of protocol/index.ts today (every method there, none
// that is gone), and docs/api has a page for every name the engine's API modules export
// (regenerate both with `npm run docs:api`).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';

const ROOT = join(__dirname, '..', '..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

describe('docs/protocol.md', () => {
  it('is the generated page of protocol/index.ts (npm run docs:api)', async () => {
    const { protocolMarkdown } = (await import(pathToFileURL(join(ROOT, 'scripts/protocol-doc.mjs')).href)) as { protocolMarkdown(src: string): string };
    assert.equal(read('docs/protocol.md'), protocolMarkdown(read('protocol/index.ts')), 'docs/protocol.md is stale: run npm run docs:api');
  });

  it('names every custom method of the protocol, and no other', () => {
    const methods = [...read('protocol/index.ts').matchAll(/method = '(alluse\/[\w/]+)'/g)].map((m) => m[1]).sort();
    const documented = [...new Set([...read('docs/protocol.md').matchAll(/^### `(alluse\/[\w/]+)`$/gm)].map((m) => m[1]))].sort();
    assert.ok(methods.length >= 20, `${methods.length} methods`);
    assert.deepEqual(documented, methods);
  });
});

describe('docs/api', () => {
  /** The value and type names a module re-exports (`export { a, type B } from`, `export type { C } from`). */
  function exportedNames(path: string): string[] {
    const src = read(path);
    const names: string[] = [];
    for (const m of src.matchAll(/export (?:type )?\{([^}]*)\} from/g)) for (const part of m[1].split(',')) names.push(part.trim().replace(/^type\s+/, '').split(/\s+as\s+/).pop()!);
    return names.filter(Boolean);
  }

  const pages = (dir: string) => {
    const out: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) e.isDirectory() ? walk(join(d, e.name)) : out.push(e.name.replace(/\.md$/, ''));
    };
    walk(join(ROOT, dir));
    return new Set(out);
  };

  it('has a page for every name engine/index.ts and engine/report/index.ts export (npm run docs:api)', () => {
    assert.ok(existsSync(join(ROOT, 'docs/api/README.md')), 'docs/api is missing: run npm run docs:api');
    for (const [module, dir] of [
      ['engine/index.ts', 'docs/api/engine'],
      ['engine/report/index.ts', 'docs/api/engine/report'],
    ] as const) {
      const have = pages(dir);
      const names = exportedNames(module);
      assert.ok(names.length >= 8, module);
      for (const n of names) assert.ok(have.has(n), `${module} exports ${n}, which has no page in ${dir}: run npm run docs:api`);
    }
  });
});
