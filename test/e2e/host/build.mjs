#!/usr/bin/env node
// Bundles the in-host mocha tests (test/e2e/host/*.ts) for the VS Code extension host:
// out/test/e2e/host/index.js, CommonJS, with 'vscode' (provided by the host) and 'mocha'
// external. mocha stays external on purpose: out/ is inside the repo, so the host's plain
// Node `require('mocha')` resolves to <repo>/node_modules/mocha (mocha@10; mocha 12 is
// ESM-only and would not load this way). Bundling mocha in drags in its optional
// ESM loader and file-watching code, which esbuild can't resolve cleanly.
// Usage: node test/e2e/host/build.mjs   or   import { buildHostTests } from './build.mjs'
import { build } from 'esbuild';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));
export const HOST_TESTS_OUT_DIR = join(root, 'out/test/e2e/host');
/** What `extensionTestsPath` must point at: the bundle without its `.js`. */
export const HOST_TESTS_ENTRY = join(HOST_TESTS_OUT_DIR, 'index');

export async function buildHostTests() {
  await build({
    entryPoints: [join(root, 'test/e2e/host/index.ts')],
    outfile: join(HOST_TESTS_OUT_DIR, 'index.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  return HOST_TESTS_ENTRY;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(await buildHostTests());
}
