/**
 * Bringing a kept profile's functions into today's sources: each mapped function was
 * recorded by file and qualified name (`<file>#WorkerPool.run`) with its range then; it is
 * found again by that name in today's text (the nearest one if several) and its location,
 * range and line heat move with it. This needs neither the old build nor its source maps,
 * so it survives rebuilds; a function that is gone keeps its numbers but loses its range.
 */
import { indexFunctions, relocate } from './functionIndex';
import type { ProfileResult } from './types';

export function relocateResult(result: ProfileResult, readCurrent: (file: string) => string | undefined): ProfileResult {
  const texts = new Map<string, ReturnType<typeof indexFunctions> | undefined>();
  const indexOf = (file: string) => {
    if (!texts.has(file)) {
      const t = readCurrent(file);
      let idx: ReturnType<typeof indexFunctions> | undefined;
      try { idx = t === undefined ? undefined : indexFunctions(file, t); } catch { idx = undefined; }
      texts.set(file, idx);
    }
    return texts.get(file);
  };
  const functions = result.functions.map((f) => {
    const hash = f.key.lastIndexOf('#');
    if (!f.mapped || !f.location || !f.range || hash < 0 || f.key.slice(0, hash) !== f.location.file) return f;
    const idx = indexOf(f.location.file);
    if (!idx) return f;
    const now = relocate(idx, f.key.slice(hash + 1), f.range.startLine);
    if (!now) return { ...f, range: undefined };
    const shift = now.startLine - f.range.startLine;
    if (shift === 0 && now.endLine === f.range.endLine) return f;
    return {
      ...f,
      location: { ...f.location, line: f.location.line + shift },
      range: { startLine: now.startLine, endLine: now.endLine },
      lines: f.lines.map((l) => ({ ...l, line: l.line + shift })),
    };
  });
  return { ...result, functions };
}
