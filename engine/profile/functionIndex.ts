/**
 * The functions and methods of a TypeScript (or JavaScript) source, found with ts-morph:
 * their qualified names (`WorkerPool.run`, `calibrate`, `priceBatch/(anonymous)#1`) and
 * line ranges. A profile remembers its functions by qualified name and range at profile
 * time; `relocate()` finds the same function in today's text, so an edit that moves it
 * (lines inserted above) does not move its heat onto the wrong code.
 */
import { Node, Project, type SourceFile } from 'ts-morph';

export interface FunctionInfo {
  /** The function's own name, or "(anonymous)". */
  name: string;
  /** Container names joined with "." (classes, object literals) or "/" (enclosing functions). */
  qualifiedName: string;
  kind: 'function' | 'method' | 'constructor' | 'accessor' | 'arrow' | 'expression';
  /** 1-based lines and columns of the whole declaration. */
  startLine: number;
  startColumn: number;
  endLine: number;
  /** Character offsets, for nesting. */
  pos: number;
  end: number;
  /** Depth in the function nesting (0 = top level). */
  depth: number;
}

let project: Project | undefined;
function sharedProject(): Project {
  // No type checking, no lib files: parsing only, which is what a function index needs.
  project ??= new Project({ useInMemoryFileSystem: true, skipLoadingLibFiles: true, compilerOptions: { allowJs: true, noLib: true } });
  return project;
}

/** Parses text with a throwaway source file and hands it to `work`. */
export function withSourceFile<T>(fileName: string, text: string, work: (sf: SourceFile) => T): T {
  const p = sharedProject();
  const name = `/in-memory/${fileName.replace(/^[a-zA-Z]:/, '').replace(/^\/+/, '').replace(/\.(mts|cts|mjs|cjs)$/, '.ts')}`;
  const sf = p.createSourceFile(/\.(ts|tsx|js|jsx)$/.test(name) ? name : `${name}.ts`, text, { overwrite: true });
  try {
    return work(sf);
  } finally {
    p.removeSourceFile(sf);
  }
}

function ownName(node: Node): string | undefined {
  if (Node.isConstructorDeclaration(node)) return 'constructor';
  if (Node.isFunctionDeclaration(node) || Node.isMethodDeclaration(node) || Node.isGetAccessorDeclaration(node) || Node.isSetAccessorDeclaration(node)) {
    return node.getName();
  }
  if (Node.isFunctionExpression(node) && node.getName()) return node.getName();
  if (Node.isArrowFunction(node) || Node.isFunctionExpression(node)) {
    // `const f = () => …`, `{ f: () => … }`, `this.f = () => …`, `f = () => …` (class property)
    const parent = node.getParent();
    if (parent && (Node.isVariableDeclaration(parent) || Node.isPropertyAssignment(parent) || Node.isPropertyDeclaration(parent))) return parent.getName();
    if (parent && Node.isBinaryExpression(parent) && parent.getRight() === node) {
      const left = parent.getLeft();
      return Node.isPropertyAccessExpression(left) ? left.getName() : left.getText();
    }
  }
  return undefined;
}

function kindOf(node: Node): FunctionInfo['kind'] | undefined {
  if (Node.isFunctionDeclaration(node)) return 'function';
  if (Node.isMethodDeclaration(node)) return 'method';
  if (Node.isConstructorDeclaration(node)) return 'constructor';
  if (Node.isGetAccessorDeclaration(node) || Node.isSetAccessorDeclaration(node)) return 'accessor';
  if (Node.isArrowFunction(node)) return 'arrow';
  if (Node.isFunctionExpression(node)) return 'expression';
  return undefined;
}

/** Every function-like declaration of a source file, outermost first. */
export function indexSourceFile(sf: SourceFile): FunctionInfo[] {
  const out: FunctionInfo[] = [];
  // Per container: how many anonymous functions were seen, to number them stably.
  const anonCount = new Map<string, number>();
  const visit = (node: Node, prefix: string, depth: number) => {
    node.forEachChild((child) => {
      const kind = kindOf(child);
      if (kind) {
        if (Node.isFunctionDeclaration(child) && !child.getBody()) return; // an overload signature
        let name = ownName(child);
        let qualified: string;
        // Prefixes are '' or end with '.' (class, object) or '/' (enclosing function).
        if (name) qualified = `${prefix}${name}`;
        else {
          const n = (anonCount.get(prefix) ?? 0) + 1;
          anonCount.set(prefix, n);
          name = '(anonymous)';
          qualified = `${prefix}(anonymous)#${n}`;
        }
        const start = child.getStart();
        const sfile = child.getSourceFile();
        const s = sfile.getLineAndColumnAtPos(start);
        const e = sfile.getLineAndColumnAtPos(child.getEnd());
        out.push({ name, qualifiedName: qualified, kind, startLine: s.line, startColumn: s.column, endLine: e.line, pos: start, end: child.getEnd(), depth });
        visit(child, `${qualified}/`, depth + 1);
      } else if (Node.isClassDeclaration(child) || Node.isClassExpression(child)) {
        const cname = child.getName() ?? '(class)';
        visit(child, `${prefix}${cname}.`, depth);
      } else if (Node.isObjectLiteralExpression(child)) {
        const parent = child.getParent();
        const oname = parent && Node.isVariableDeclaration(parent) ? parent.getName() : undefined;
        visit(child, oname ? `${prefix}${oname}.` : prefix, depth);
      } else {
        visit(child, prefix, depth);
      }
    });
  };
  visit(sf, '', 0);
  return out;
}

/** Indexes by file, reused while the text is the same (a profile's files are indexed while it samples). */
const memo = new Map<string, { text: string; index: FunctionInfo[] }[]>();

export function indexFunctions(fileName: string, text: string): FunctionInfo[] {
  const list = memo.get(fileName) ?? [];
  const hit = list.find((e) => e.text === text);
  if (hit) return hit.index;
  const index = withSourceFile(fileName, text, indexSourceFile);
  // Two versions per file: as built (in the source map) and as it is now.
  memo.set(fileName, [{ text, index }, ...list].slice(0, 2));
  if (memo.size > 500) memo.delete(memo.keys().next().value!);
  return index;
}

/** The innermost function containing a 1-based line (and column, if given). */
export function functionAt(index: FunctionInfo[], line: number, column?: number): FunctionInfo | undefined {
  let best: FunctionInfo | undefined;
  for (const f of index) {
    const inside = (line > f.startLine || (line === f.startLine && (column === undefined || column >= f.startColumn))) && line <= f.endLine;
    if (inside && (!best || f.end - f.pos <= best.end - best.pos)) best = f;
  }
  return best;
}

/**
 * The function in `index` (today's text) that is the one recorded as `qualifiedName` at
 * `oldStartLine`: same qualified name, the nearest one if several; failing that, a
 * function of the same own name; undefined when it is gone.
 */
export function relocate(index: FunctionInfo[], qualifiedName: string, oldStartLine: number): FunctionInfo | undefined {
  const nearest = (list: FunctionInfo[]) => list.sort((a, b) => Math.abs(a.startLine - oldStartLine) - Math.abs(b.startLine - oldStartLine))[0];
  const same = index.filter((f) => f.qualifiedName === qualifiedName);
  if (same.length) return nearest(same);
  const own = qualifiedName.split(/[./]/).pop()!;
  if (own.startsWith('(anonymous)')) return undefined;
  const byName = index.filter((f) => f.name === own);
  return byName.length ? nearest(byName) : undefined;
}
