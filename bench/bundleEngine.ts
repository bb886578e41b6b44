/**
 * Loads some exports of an engine folder (this checkout's `engine/` or another build's, for the
 * in-process A/B benchmarks: storeIngestAB, anomalyTrackerAB, promConvertAB, monitorIngestAB):
 * bundles them with esbuild into `outDir/NAME.cjs` and requires it, so two versions of the same
 * modules can run side by side in one process.
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';

/** `exports`: module path under the engine folder (e.g. 'store/store') → the names it exports. */
export async function bundleEngine(engineDir: string, name: string, outDir: string, exports: Record<string, string[]>): Promise<Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const entry = join(outDir, `${name}-entry.ts`);
  writeFileSync(entry, Object.entries(exports).map(([mod, names]) => `export { ${names.join(', ')} } from ${JSON.stringify(join(engineDir, mod))};`).join('\n') + '\n');
  const outfile = join(outDir, `${name}.cjs`);
  await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile, logLevel: 'warning' });
  return createRequire(__filename)(outfile);
}
