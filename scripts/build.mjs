#!/usr/bin/env node
// Bundles the extension with esbuild into dist/: the client, the server (dist/server.js),
// the CLI (dist/cli.js) and each webview. `--schema-only` regenerates the published JSON
// Schema and the key reference in docs/configuration.md from engine/workspace/schema.ts.
import * as esbuild from 'esbuild';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = new Set(process.argv.slice(2));
const watch = args.has('--watch');

async function generateSchemaAndDocs() {
  // The engine is TypeScript: bundle it once into out/ and load that.
  const bundled = join(root, 'out/schema-gen/engine.cjs');
  await esbuild.build({ entryPoints: [join(root, 'engine/index.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: bundled, logLevel: 'warning' });
  const engine = createRequire(import.meta.url)(bundled);
  mkdirSync(join(root, 'schemas'), { recursive: true });
  writeFileSync(join(root, 'schemas/alluse-perf.schema.json'), JSON.stringify(engine.workspaceJsonSchema(), null, 2) + '\n');
  const docPath = join(root, 'docs/configuration.md');
  const doc = readFileSync(docPath, 'utf8');
  const a = doc.indexOf(engine.REFERENCE_BEGIN);
  const b = doc.indexOf(engine.REFERENCE_END);
  if (a < 0 || b < 0) throw new Error(`docs/configuration.md lacks the reference markers ${engine.REFERENCE_BEGIN} … ${engine.REFERENCE_END}`);
  writeFileSync(docPath, doc.slice(0, a) + engine.referenceMarkdown() + doc.slice(b + engine.REFERENCE_END.length));
  console.log('wrote schemas/alluse-perf.schema.json and the reference in docs/configuration.md');
}

if (args.has('--schema-only')) {
  await generateSchemaAndDocs();
  process.exit(0);
}

const common = { bundle: true, sourcemap: true, logLevel: 'warning', absWorkingDir: root };
// Without comments and spaces (names kept: profiles and stack traces read as the sources, and the
// source maps place them): V8 keeps a script's whole source in the heap for lazy compilation, and
// the monitor's worker held 1.14 MiB of it where 0.71 now do (docs/performance.md, "Monitoring").
const node = { ...common, platform: 'node', format: 'cjs', target: 'node20', minifyWhitespace: true, minifySyntax: true };
const builds = [
  { ...node, entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', external: ['vscode'] },
  { ...node, entryPoints: ['server/src/server.ts'], outfile: 'dist/server.js' },
  // Profiling (ts-morph + the TypeScript compiler, ~15 MB): its own bundle, loaded by the server on first use.
  { ...node, entryPoints: ['server/src/profileEngine.ts'], outfile: 'dist/profileEngine.js' },
  // The entry of `alluse-perf`: a plain `monitor` starts its worker from here; everything else
  // loads the whole command line (commander and every command) from dist/commandLine.js.
  { ...node, entryPoints: ['cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  { ...node, entryPoints: ['cli/commandLine.ts'], outfile: 'dist/commandLine.js' },
  // The store's cut encoding worker (engine/store/cutEncoder.ts looks for it next to the bundle that runs the store).
  { ...node, entryPoints: ['engine/store/encodeWorker.ts'], outfile: 'dist/storeEncodeWorker.js' },
  // The CLI's heavy commands, loaded by dist/cli.js only when they run (profile: ts-morph), so `monitor` stays small.
  // `monitor` runs in a worker thread with a small young generation (cli/monitorLauncher.ts).
  ...['profileCommand', 'optimizeCommand', 'forecastCommand', 'reportCommand', 'coordinateCommand', 'monitorWorker'].map((c) => ({ ...node, entryPoints: [`cli/${c}.ts`], outfile: `dist/${c}.js` })),
  { ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: ['webviews/overview/main.ts'], outfile: 'dist/webviews/overview.js' },
  { ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: ['webviews/dashboard/main.ts'], outfile: 'dist/webviews/dashboard.js' },
  { ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: ['webviews/flamegraph/main.ts'], outfile: 'dist/webviews/flamegraph.js' },
  { ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: ['webviews/capacity/main.ts'], outfile: 'dist/webviews/capacity.js' },
  { ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: ['webviews/impact/main.ts'], outfile: 'dist/webviews/impact.js' },
  { ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: ['webviews/study/main.ts'], outfile: 'dist/webviews/study.js' },
  { ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: ['webviews/compare/main.ts'], outfile: 'dist/webviews/compare.js' },
  { ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: ['webviews/history/main.ts'], outfile: 'dist/webviews/history.js' },
];

// The MSTL forecaster's WebAssembly: engine/forecast/mstl.ts reads it from beside the bundle
// (node_modules is not packaged), so it is copied into dist/.
mkdirSync(join(root, 'dist'), { recursive: true });
copyFileSync(join(dirname(createRequire(import.meta.url).resolve('@bsull/augurs/mstl')), 'mstl_bg.wasm'), join(root, 'dist/mstl_bg.wasm'));

// V8 keeps a script's source in the heap for as long as the script lives, two bytes a
// character as soon as one character is beyond Latin-1. esbuild escapes strings but writes
// comments and regular-expression literals as they are, so one "−" in a comment made the
// monitor worker's 1.35 MB source a 2.7 MB string (docs/performance.md, "Monitoring").
// An escape means the same in a comment, a string, a regular expression or an identifier
// (String.raw of a template would differ: none in the bundles); only the columns of the
// source map on those few lines move. Not done in --watch (development builds).
function asciiOnly(file) {
  const js = readFileSync(file, 'utf8');
  const ascii = js.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (ascii !== js) writeFileSync(file, ascii);
}

const t0 = Date.now();
if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
  console.log('watching for changes…');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  for (const b of builds) if (b.platform === 'node') asciiOnly(join(root, b.outfile));
  chmodSync(join(root, 'dist/cli.js'), 0o755);
  // The demo ALL-USE system builds with its own script (examples/all-use/build.mjs).
  const demo = join(root, 'examples/all-use/build.mjs');
  if (existsSync(demo)) {
    const mod = await import(pathToFileURL(demo).href);
    if (typeof mod.buildDemo === 'function') await mod.buildDemo();
  }
  console.log(`built dist/ in ${Date.now() - t0} ms`);
}
