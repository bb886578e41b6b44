#!/usr/bin/env node
// Bundles the ALL-USE demo components (TypeScript in src/) into dist/*.js with source
// maps, so that CPU profiles of the running components map back to the TS source.
// `node examples/all-use/build.mjs` builds; the root build imports buildDemo().
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** Entry points: the four components, their worker-thread scripts, the launcher and the bench. */
export const ENTRIES = [
  'market-feed', 'protocol-engine', 'account-service', 'learning-worker',
  'engine/pricing-worker', 'learning/train-worker', 'system', 'bench',
];

export async function buildDemo({ minify = false, quiet = false } = {}) {
  const outdir = join(here, 'dist');
  mkdirSync(outdir, { recursive: true });
  // The bundles are CommonJS (prom-client is CJS); say so, whatever the root package.json's "type" becomes.
  writeFileSync(join(outdir, 'package.json'), '{ "type": "commonjs" }\n');
  const result = await build({
    absWorkingDir: here,
    entryPoints: Object.fromEntries(ENTRIES.map((e) => [e.split('/').pop(), join(here, 'src', `${e}.ts`)])),
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    sourcesContent: true,
    minify,
    keepNames: true,
    logLevel: quiet ? 'silent' : 'warning',
    metafile: true,
  });
  return { outdir, outputs: Object.keys(result.metafile.outputs) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const t0 = Date.now();
  buildDemo().then(
    (r) => console.error(`all-use demo built into ${r.outdir} in ${Date.now() - t0} ms`),
    (e) => { console.error(`all-use demo build failed: ${e.message}`); process.exit(1); },
  );
}
