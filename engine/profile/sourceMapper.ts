/**
 * Maps positions in a running script (what V8's call frames report) back to the source it
 * was built from, through the script's source map (`//# sourceMappingURL=` or `<file>.map`).
 * Maps are read once per script and cached; a script without a map is reported unmapped.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND, originalPositionFor, sourceContentFor, TraceMap } from '@jridgewell/trace-mapping';

export interface MappedPosition {
  /** Absolute path of the original source file. */
  file: string;
  /** 1-based line and column in the original source. */
  line: number;
  column: number;
  name?: string;
}

/** The path of a script URL as V8 reports it (file URL or plain path); undefined for node: and others. */
export function scriptPath(url: string): string | undefined {
  if (url.startsWith('file://')) {
    try { return fileURLToPath(url); } catch { return undefined; }
  }
  if (url.startsWith('/')) return url;
  return undefined;
}

export class SourceMapper {
  private readonly maps = new Map<string, TraceMap | null>();
  private readonly contents = new Map<string, string | undefined>();
  private readonly sourceByFile = new Map<string, { map: TraceMap; source: string }>();

  /** The TraceMap of a script URL, or null when it has none. */
  mapFor(url: string): TraceMap | null {
    if (this.maps.has(url)) return this.maps.get(url)!;
    let map: TraceMap | null = null;
    const path = scriptPath(url);
    if (path && existsSync(path)) {
      try {
        map = this.load(path);
      } catch {
        map = null; // a broken map is as good as none: the frame stays unmapped
      }
    }
    this.maps.set(url, map);
    return map;
  }

  private load(scriptFile: string): TraceMap | null {
    const text = readFileSync(scriptFile, 'utf8');
    const m = /\/\/[#@] sourceMappingURL=([^\s'"]+)\s*$/.exec(text.slice(-4096));
    let mapText: string | undefined;
    let mapPath = `${scriptFile}.map`;
    if (m) {
      const ref = m[1];
      if (ref.startsWith('data:')) {
        const comma = ref.indexOf(',');
        const meta = ref.slice(0, comma);
        const data = ref.slice(comma + 1);
        mapText = meta.endsWith(';base64') ? Buffer.from(data, 'base64').toString('utf8') : decodeURIComponent(data);
        mapPath = scriptFile;
      } else {
        mapPath = resolve(dirname(scriptFile), ref.startsWith('file://') ? fileURLToPath(ref) : ref);
      }
    }
    if (mapText === undefined) {
      if (!existsSync(mapPath)) return null;
      mapText = readFileSync(mapPath, 'utf8');
    }
    const map = new TraceMap(mapText, pathToFileURL(mapPath).href);
    map.resolvedSources.forEach((s, i) => {
      const file = scriptPath(s);
      if (file && !this.sourceByFile.has(file)) this.sourceByFile.set(file, { map, source: map.sources[i] ?? s });
    });
    return map;
  }

  /**
   * The original position of a 0-based script position. `lineOnly` positions (line ticks
   * carry no column) take the first mapping on or after the start of the line.
   */
  map(url: string, line0: number, column0: number, lineOnly = false): MappedPosition | undefined {
    const map = this.mapFor(url);
    if (!map) return undefined;
    const needle = { line: line0 + 1, column: Math.max(0, column0) };
    let o = originalPositionFor(map, { ...needle, bias: lineOnly ? LEAST_UPPER_BOUND : GREATEST_LOWER_BOUND });
    if (o.source === null) o = originalPositionFor(map, { ...needle, bias: lineOnly ? GREATEST_LOWER_BOUND : LEAST_UPPER_BOUND });
    if (o.source === null || o.line === null) return undefined;
    const file = scriptPath(o.source);
    if (!file) return undefined;
    return { file, line: o.line, column: (o.column ?? 0) + 1, name: o.name ?? undefined };
  }

  /** The source text embedded in the map (the code as it was built), if any. */
  sourceContent(file: string): string | undefined {
    if (this.contents.has(file)) return this.contents.get(file);
    const s = this.sourceByFile.get(file);
    let text: string | undefined;
    if (s) text = sourceContentFor(s.map, s.source) ?? undefined;
    this.contents.set(file, text);
    return text;
  }
}
