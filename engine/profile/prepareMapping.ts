/**
 * Mapping a profile is fast once warm; the first time in a process it pays for the
 * TypeScript parser's warm-up, decoding the source maps and indexing every source. All of
 * that can be done while the profile is still sampling: `prepareMapping` loads the maps of
 * the component's scripts and indexes their sources (as built and as they are now), a file
 * at a time so the event loop stays free, and the analysis after "stop" finds it all cached.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { originalPositionFor } from '@jridgewell/trace-mapping';
import { indexFunctions } from './functionIndex';
import { scriptPath, type SourceMapper } from './sourceMapper';

/** The entry script and its sibling scripts with source maps (worker-thread bundles live beside it). */
export function scriptsNear(entryScript: string | undefined, max = 20): string[] {
  if (!entryScript || !existsSync(entryScript)) return [];
  const dir = dirname(entryScript);
  const siblings = readdirSync(dir).filter((f) => /\.(c|m)?js$/.test(f) && existsSync(join(dir, `${f}.map`))).map((f) => join(dir, f));
  return [entryScript, ...siblings.filter((f) => f !== entryScript)].slice(0, max);
}

export async function prepareMapping(scripts: string[], mapper: SourceMapper, signal?: AbortSignal): Promise<void> {
  const yieldNow = () => new Promise<void>((r) => setImmediate(r));
  const seen = new Set<string>();
  for (const script of scripts) {
    if (signal?.aborted) return;
    const map = mapper.mapFor(pathToFileURL(script).href);
    if (!map) continue;
    originalPositionFor(map, { line: 1, column: 0 }); // decodes the mappings once
    await yieldNow();
    for (const s of map.resolvedSources) {
      const file = scriptPath(s);
      if (!file || seen.has(file) || /[\\/]node_modules[\\/]/.test(file)) continue;
      seen.add(file);
      try {
        const built = mapper.sourceContent(file);
        const now = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
        if (built !== undefined) indexFunctions(file, built);
        if (now !== undefined && now !== built) indexFunctions(file, now);
      } catch { /* the analysis reports what it cannot parse */ }
      await yieldNow();
      if (signal?.aborted) return;
    }
  }
}
