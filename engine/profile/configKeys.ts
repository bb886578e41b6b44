/**
 * Linking a component's tuning parameters to its code: for each key of a component config
 * file (e.g. `workers:` in config/protocol-engine.yaml), where the component's TypeScript
 * reads it (`c.workers`, `cfg['workers']`, `{ workers } = cfg`) and where it is declared
 * (`workers: { type: 'int', … }` in a schema object). Found with ts-morph, syntactically:
 * no type checking, so it works on any project layout.
 *
 * The component's sources are those of its built entry's source map (the files that
 * really went into it), else the TypeScript files under its folder.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { isMap, isScalar, parseDocument, type Pair } from 'yaml';
import { Node } from 'ts-morph';
import { SourceMapper } from './sourceMapper';
import { withSourceFile } from './functionIndex';
import { pathToFileURL } from 'node:url';

export interface KeyLocation {
  file: string;
  /** 1-based. */
  line: number;
  column: number;
  endColumn: number;
  kind: 'read' | 'declared';
  /** The line's text, trimmed, for lenses and hovers. */
  text: string;
}

export interface ConfigKeyUsage {
  key: string;
  /** The key's range in the config file (0-based line, UTF-16 columns). */
  line: number;
  column: number;
  endColumn: number;
  usages: KeyLocation[];
}

/** Top-level keys of a YAML config with their positions (nested keys as `a.b`). */
export function configKeys(text: string): { key: string; line: number; column: number; endColumn: number }[] {
  const doc = parseDocument(text, { keepSourceTokens: false });
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const at = (off: number) => {
    let lo = 0, hi = lineStarts.length - 1;
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (lineStarts[mid] <= off) lo = mid; else hi = mid - 1; }
    return { line: lo, column: off - lineStarts[lo] };
  };
  const out: { key: string; line: number; column: number; endColumn: number }[] = [];
  const walk = (node: unknown, prefix: string, depth: number) => {
    if (!isMap(node) || depth > 3) return;
    for (const pair of node.items as Pair[]) {
      if (!isScalar(pair.key) || !pair.key.range) continue;
      const key = String(pair.key.value);
      const s = at(pair.key.range[0]);
      out.push({ key: prefix + key, line: s.line, column: s.column, endColumn: s.column + (pair.key.range[1] - pair.key.range[0]) });
      walk(pair.value, `${prefix}${key}.`, depth + 1);
    }
  };
  walk(doc.contents, '', 0);
  return out;
}

/** The TypeScript sources of a component: from its entry script's source map, else the .ts files under `fallbackDir`. */
export function componentSources(entryScript: string | undefined, fallbackDir: string | undefined, mapper = new SourceMapper()): string[] {
  if (entryScript && existsSync(entryScript)) {
    const map = mapper.mapFor(pathToFileURL(entryScript).href);
    if (map) {
      const files = map.resolvedSources
        .map((s) => (s.startsWith('file://') ? new URL(s).pathname : s))
        .filter((f) => !/[\\/]node_modules[\\/]/.test(f) && /\.(ts|tsx|mts|cts|js)$/.test(f) && existsSync(f));
      if (files.length) return files;
    }
  }
  const out: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 6 || !existsSync(dir)) return;
    for (const e of readdirSync(dir)) {
      if (e === 'node_modules' || e.startsWith('.') || e === 'dist') continue;
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p, depth + 1);
      else if (/\.(ts|tsx|mts|cts)$/.test(e) && !e.endsWith('.d.ts')) out.push(p);
    }
  };
  if (fallbackDir) walk(fallbackDir, 0);
  return out;
}

/** The script a start command runs (`node [flags] dist/x.js …`), resolved against its cwd. */
export function entryScriptOf(start: { command: string; args: string[]; cwd: string } | undefined, folder: string): string | undefined {
  if (!start) return undefined;
  const script = start.args.find((a) => !a.startsWith('-') && ['.js', '.cjs', '.mjs', '.ts'].includes(extname(a)));
  return script ? resolve(folder, start.cwd, script) : undefined;
}

type Index = Map<string, KeyLocation[]>;
const cache = new Map<string, { mtimeMs: number; keys: string; index: Index }>();

/** Every read and declaration of any of `names` in one source file. */
function indexFile(file: string, names: Set<string>): Index {
  const keyStr = [...names].sort().join(',');
  const mtimeMs = statSync(file).mtimeMs;
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === mtimeMs && hit.keys === keyStr) return hit.index;
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const index: Index = new Map();
  const add = (name: string, n: Node, kind: KeyLocation['kind']) => {
    const sf = n.getSourceFile();
    const s = sf.getLineAndColumnAtPos(n.getStart());
    const list = index.get(name) ?? [];
    list.push({ file, line: s.line, column: s.column, endColumn: s.column + n.getWidth(), kind, text: (lines[s.line - 1] ?? '').trim().slice(0, 160) });
    index.set(name, list);
  };
  withSourceFile(file, text, (sf) => {
    sf.forEachDescendant((n) => {
      if (Node.isPropertyAccessExpression(n)) {
        const nm = n.getName();
        if (names.has(nm)) add(nm, n.getNameNode(), 'read');
      } else if (Node.isElementAccessExpression(n)) {
        const arg = n.getArgumentExpression();
        if (arg && Node.isStringLiteral(arg) && names.has(arg.getLiteralValue())) add(arg.getLiteralValue(), arg, 'read');
      } else if (Node.isBindingElement(n)) {
        const prop = n.getPropertyNameNode()?.getText() ?? n.getName();
        if (names.has(prop)) add(prop, n, 'read');
      } else if (Node.isPropertyAssignment(n) || Node.isShorthandPropertyAssignment(n)) {
        const nm = n.getName().replace(/^['"]|['"]$/g, '');
        if (names.has(nm)) add(nm, n.getNameNode(), 'declared');
      }
    });
  });
  cache.set(file, { mtimeMs, keys: keyStr, index });
  return index;
}

/** Where each key of a config file is read (and declared) in the component's sources. */
export function configKeyUsages(configText: string, sources: string[]): ConfigKeyUsage[] {
  const keys = configKeys(configText);
  const leaf = (k: string) => k.split('.').pop()!;
  const names = new Set(keys.map((k) => leaf(k.key)));
  const indexes = sources.flatMap((f) => { try { return [indexFile(f, names)]; } catch { return []; } });
  return keys.map((k) => {
    const usages = indexes.flatMap((ix) => ix.get(leaf(k.key)) ?? []);
    // Reads first (what "Go to definition" should reach), declarations after.
    usages.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'read' ? -1 : 1));
    return { ...k, usages };
  });
}

