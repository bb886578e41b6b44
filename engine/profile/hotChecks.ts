/**
 * Static help where the profile shows heat, and only there: in a function that takes a
 * measurable share of the busy time, ts-morph looks for code that is known to cost on a hot
 * path: synchronous file, crypto or compression calls; JSON.parse/stringify inside a loop;
 * `await` inside a loop over independent work. Each finding carries the function's measured
 * share, so it reads as "this hot code does X", never as a style rule.
 */
import { Node, SyntaxKind, type SourceFile } from 'ts-morph';
import { indexSourceFile, relocate, withSourceFile, type FunctionInfo } from './functionIndex';
import type { HotFunction, ProfileResult } from './types';

export type HotPathCode = 'hot-sync-call' | 'hot-json-in-loop' | 'hot-await-in-loop';

export interface HotPathFinding {
  code: HotPathCode;
  file: string;
  /** 1-based, end exclusive of the call expression. */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  message: string;
  function: string;
  selfPct: number;
  totalPct: number;
}

export interface HotCheckOptions {
  /** A function is hot at this total share of busy time (percent); default 3. */
  minTotalPct?: number;
  readCurrent(file: string): string | undefined;
}

const SYNC_FS = /^(readFileSync|writeFileSync|appendFileSync|existsSync|statSync|lstatSync|readdirSync|mkdirSync|rmSync|unlinkSync|renameSync|copyFileSync|openSync|readSync|writeSync|fsyncSync|fdatasyncSync|accessSync|realpathSync|readlinkSync|opendirSync|truncateSync|execSync|execFileSync|spawnSync)$/;
const SYNC_CRYPTO = /^(pbkdf2Sync|scryptSync|generateKeyPairSync|randomFillSync|generatePrimeSync|hkdfSync)$/;
const SYNC_ZLIB = /^(gzipSync|gunzipSync|deflateSync|inflateSync|deflateRawSync|inflateRawSync|unzipSync|brotliCompressSync|brotliDecompressSync)$/;

const LOOPS = new Set([SyntaxKind.ForStatement, SyntaxKind.ForOfStatement, SyntaxKind.ForInStatement, SyntaxKind.WhileStatement, SyntaxKind.DoStatement]);
const ARRAY_LOOPS = /^(forEach|map|flatMap|filter|reduce|some|every|find|findIndex)$/;

function isFunctionLike(n: Node): boolean {
  return Node.isFunctionDeclaration(n) || Node.isFunctionExpression(n) || Node.isArrowFunction(n) || Node.isMethodDeclaration(n) || Node.isConstructorDeclaration(n) || Node.isGetAccessorDeclaration(n) || Node.isSetAccessorDeclaration(n);
}

/** The loop `node` sits in within `fn` (a statement loop, or an array-iteration callback), if any. */
function enclosingLoop(node: Node, fn: Node): Node | undefined {
  for (let p = node.getParent(); p && p !== fn; p = p.getParent()) {
    if (LOOPS.has(p.getKind())) return p;
    if (isFunctionLike(p)) {
      const call = p.getParent();
      if (call && Node.isCallExpression(call)) {
        const callee = call.getExpression();
        if (Node.isPropertyAccessExpression(callee) && ARRAY_LOOPS.test(callee.getName())) return call;
      }
      return undefined; // another function: its own heat decides
    }
  }
  return undefined;
}

function calleeName(call: Node): string | undefined {
  if (!Node.isCallExpression(call)) return undefined;
  const e = call.getExpression();
  if (Node.isIdentifier(e)) return e.getText();
  if (Node.isPropertyAccessExpression(e)) return e.getName();
  return undefined;
}

const share = (f: HotFunction) => `${f.name}: ${f.selfPct.toFixed(1)}% self, ${f.totalPct.toFixed(1)}% total of the busy time`;

function checkFunction(sf: SourceFile, info: FunctionInfo, f: HotFunction, file: string): HotPathFinding[] {
  let fn: Node | undefined;
  for (let n: Node | undefined = sf.getDescendantAtPos(info.pos); n; n = n.getParent()) {
    if (isFunctionLike(n) && n.getStart() === info.pos) { fn = n; break; }
  }
  if (!fn) return [];
  const root = fn;
  const out: HotPathFinding[] = [];
  const add = (n: Node, code: HotPathCode, message: string) => {
    const s = sf.getLineAndColumnAtPos(n.getStart());
    const e = sf.getLineAndColumnAtPos(n.getEnd());
    out.push({ code, file, line: s.line, column: s.column, endLine: e.line, endColumn: e.column, message: `${message} (${share(f)})`, function: f.name, selfPct: f.selfPct, totalPct: f.totalPct });
  };
  // Nested functions are their own hot functions, except callbacks (array iteration, handlers) run from here.
  root.forEachDescendant((d, walk) => {
    if (isFunctionLike(d) && !Node.isCallExpression(d.getParent() ?? d)) { walk.skip(); return; }
    if (Node.isCallExpression(d)) {
      const name = calleeName(d);
      if (name && (SYNC_FS.test(name) || SYNC_CRYPTO.test(name) || SYNC_ZLIB.test(name))) {
        const what = SYNC_ZLIB.test(name) ? 'compression' : SYNC_CRYPTO.test(name) ? 'crypto' : name.startsWith('exec') || name.startsWith('spawn') ? 'process' : 'file';
        add(d, 'hot-sync-call', `Synchronous ${what} call ${name}() on a hot path blocks the thread; use the asynchronous form or move it off the hot path`);
      }
      const e = d.getExpression();
      if (Node.isPropertyAccessExpression(e) && e.getExpression().getText() === 'JSON' && /^(parse|stringify)$/.test(e.getName()) && enclosingLoop(d, root)) {
        add(d, 'hot-json-in-loop', `JSON.${e.getName()} inside a loop of hot code: serialise once outside the loop, or keep the data as objects`);
      }
    }
    if (Node.isAwaitExpression(d)) {
      const loop = enclosingLoop(d, root);
      if (loop && !(Node.isForOfStatement(loop) && loop.isAwaited()) && LOOPS.has(loop.getKind())) {
        add(d, 'hot-await-in-loop', 'await inside a loop runs the iterations one after another; if they do not depend on each other, start them together (Promise.all)');
      }
    }
  });
  return out;
}

/** Findings in the hot functions of a profile, in today's text of their files. */
export function hotPathFindings(result: ProfileResult, opts: HotCheckOptions): HotPathFinding[] {
  const min = opts.minTotalPct ?? 3;
  const byFile = new Map<string, HotFunction[]>();
  for (const f of result.functions) {
    if (f.category !== 'user' || !f.range || !f.location || f.totalPct < min) continue;
    const list = byFile.get(f.location.file) ?? [];
    list.push(f);
    byFile.set(f.location.file, list);
  }
  const out: HotPathFinding[] = [];
  for (const [file, fns] of byFile) {
    const text = opts.readCurrent(file);
    if (text === undefined) continue;
    try {
      withSourceFile(file, text, (sf) => {
        const index = indexSourceFile(sf);
        for (const f of fns) {
          const info = index.find((i) => i.startLine === f.range!.startLine) ?? relocate(index, f.name, f.range!.startLine);
          if (info) out.push(...checkFunction(sf, info, f, file));
        }
      });
    } catch { /* an unparsable file gets no help */ }
  }
  // One finding per position (a call in nested hot functions is reported once, for the hotter one).
  const seen = new Set<string>();
  return out.sort((a, b) => b.totalPct - a.totalPct).filter((x) => {
    const k = `${x.file}:${x.line}:${x.column}:${x.code}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
