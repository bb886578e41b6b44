/**
 * Keeps the latest analysis of each open workspace file, with debouncing: edits in quick
 * succession are analysed once, after the typing pauses.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeWorkspace, ChunkedYamlParser, type WorkspaceAnalysis } from '../../engine/index';

export interface CachedAnalysis {
  version: number;
  analysis: WorkspaceAnalysis;
  ms: number;
}

export interface TextSource {
  uri: string;
  version: number;
  getText(): string;
}

export class WorkspaceAnalyses {
  private readonly cache = new Map<string, CachedAnalysis>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** One parser per file: it reuses the unchanged parts of the previous version. */
  private readonly parsers = new Map<string, ChunkedYamlParser>();

  constructor(
    private debounceMs: number,
    private readonly onAnalysed: (uri: string, result: CachedAnalysis) => void,
  ) {}

  setDebounce(ms: number): void {
    this.debounceMs = Math.max(0, ms);
  }

  /** Analyse after the debounce delay; a newer edit restarts the delay. */
  schedule(doc: TextSource): void {
    clearTimeout(this.timers.get(doc.uri));
    this.timers.set(
      doc.uri,
      setTimeout(() => {
        this.timers.delete(doc.uri);
        this.analyseNow(doc);
      }, this.debounceMs),
    );
  }

  /** The analysis of exactly this version: from the cache, or computed now (it takes milliseconds). */
  current(doc: TextSource): CachedAnalysis {
    const c = this.cache.get(doc.uri);
    if (c && c.version === doc.version) return c;
    return this.analyseNow(doc);
  }

  analyseNow(doc: TextSource): CachedAnalysis {
    clearTimeout(this.timers.get(doc.uri));
    this.timers.delete(doc.uri);
    const text = doc.getText();
    const t0 = performance.now();
    let parser = this.parsers.get(doc.uri);
    if (!parser) this.parsers.set(doc.uri, (parser = new ChunkedYamlParser()));
    const analysis = analyzeWorkspace(text, { fileExists: fileExistsBeside(doc.uri) }, parser);
    const result: CachedAnalysis = { version: doc.version, analysis, ms: performance.now() - t0 };
    this.cache.set(doc.uri, result);
    this.onAnalysed(doc.uri, result);
    return result;
  }

  forget(uri: string): void {
    clearTimeout(this.timers.get(uri));
    this.timers.delete(uri);
    this.cache.delete(uri);
    this.parsers.delete(uri);
  }

  latest(uri: string): CachedAnalysis | undefined {
    return this.cache.get(uri);
  }

  /**
   * The analysis of `uri`: of the open document's current version, else the latest one, else
   * of the file on disk, read and analysed now and not kept. A request can come before the
   * editor has sent the file: a command run while the extension starts found "no components"
   * and monitoring's auto-start found nothing to start. A file that is not open is read again
   * each time, so what it answers is never stale.
   */
  ofUri(uri: string, open: TextSource | undefined): CachedAnalysis | undefined {
    if (open) return this.current(open);
    const cached = this.cache.get(uri);
    if (cached) return cached;
    const text = readFileText(uri);
    if (text === undefined) return undefined;
    const t0 = performance.now();
    return { version: 0, analysis: analyzeWorkspace(text, { fileExists: fileExistsBeside(uri) }), ms: performance.now() - t0 };
  }
}

/** The text of a `file:` URI, or undefined (another scheme, missing, unreadable). */
function readFileText(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return readFileSync(fileURLToPath(uri), 'utf8');
  } catch {
    return undefined;
  }
}

/** Checks relative paths against the folder of the workspace file; only for files on disk. */
function fileExistsBeside(uri: string): ((p: string) => boolean) | undefined {
  if (!uri.startsWith('file:')) return undefined;
  let folder: string;
  try {
    folder = dirname(fileURLToPath(uri));
  } catch {
    return undefined;
  }
  return (p: string) => existsSync(isAbsolute(p) ? p : resolve(folder, p));
}
