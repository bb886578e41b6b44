/**
 * Checks a parsed `alluse-perf.yaml` against the schema, node by node, so every finding
 * carries the exact range of the key or value it is about.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import type { LineIndex } from '../text/positions';
import { closest } from '../text/similar';
import type { Finding, FindingCode, Fix, Severity } from './findings';
import { checkStringFormat } from './expressions';
import { parseDuration, parseSize } from './units';
import { typeName, type ArraySchema, type ObjectSchema, type SchemaNode } from './schemaTypes';

/** Nodes visited before the walk gives up: alias bombs ("billion laughs") expand exponentially. */
const NODE_BUDGET = 250_000;
/** Deeper nesting than this is never a valid workspace file. */
const MAX_DEPTH = 64;

export class SchemaValidator {
  private visited = 0;
  /** Set when the walk stopped at the node budget or depth limit. */
  gaveUp = false;

  constructor(
    private readonly doc: Document.Parsed,
    private readonly idx: LineIndex,
    private readonly findings: Finding[],
  ) {}

  validateRoot(root: ObjectSchema): void {
    const contents = this.doc.contents as Node | null;
    if (contents === null || (isScalar(contents) && contents.value === null)) {
      this.report('missing-required', 'error', 'The workspace file is empty. It needs at least `version: 1` and `components:`.', 0, Math.min(this.idx.text.length, 1));
      return;
    }
    this.check(contents, root, 'the workspace file', undefined, 0);
  }

  private report(code: FindingCode, severity: Severity, message: string, start: number, end: number, fixes?: Fix[]): void {
    this.findings.push({ code, severity, message, range: this.idx.range(start, end), fixes });
  }

  private edit(start: number, end: number, newText: string) {
    return { range: this.idx.range(start, end), newText };
  }

  private check(node: Node | null, schema: SchemaNode, where: string, keyNode: Scalar | undefined, depth: number): void {
    if (this.gaveUp) return;
    if (++this.visited > NODE_BUDGET || depth > MAX_DEPTH) {
      this.gaveUp = true;
      const at = keyNode?.range ?? node?.range ?? [0, 1];
      this.report('too-complex', 'error', `The file is too deeply nested or expands too many aliases to check (over ${depth > MAX_DEPTH ? `${MAX_DEPTH} levels` : `${NODE_BUDGET} nodes`}). Simplify it; a workspace file needs neither.`, at[0], at[1]);
      return;
    }
    if (node && isAlias(node)) {
      const target = node.resolve(this.doc) as Node | undefined;
      if (target) this.check(target, schema, where, keyNode, depth + 1);
      return;
    }
    const [start, end] = valueRange(node, keyNode);
    switch (schema.kind) {
      case 'object':
        return this.checkObject(node, schema, where, keyNode, depth);
      case 'array':
        return this.checkArray(node, schema, where, keyNode, depth);
      default:
        break;
    }
    if (node === null || !isScalar(node)) {
      if (node === null && keyNode) {
        this.report('wrong-type', 'error', `${where} has no value; expected ${typeName(schema)}.`, keyNode.range![0], keyNode.range![1]);
      } else {
        this.report('wrong-type', 'error', `${where} must be ${article(typeName(schema))}, not a ${describe(node)}.`, start, end);
      }
      return;
    }
    const v = node.value;
    if (v === null) {
      this.report('wrong-type', 'error', `${where} has no value; expected ${typeName(schema)}.`, keyNode?.range?.[0] ?? start, keyNode?.range?.[1] ?? end);
      return;
    }
    switch (schema.kind) {
      case 'string':
        if (typeof v === 'object') {
          this.report('wrong-type', 'error', `${where} must be a string.`, start, end);
          return;
        }
        if (schema.format) {
          const problem = checkStringFormat(String(v), schema.format);
          if (problem) this.report(problem.code, 'error', `${where}: ${problem.message}`, start, end);
        }
        return;
      case 'number':
      case 'integer': {
        if (typeof v !== 'number' || Number.isNaN(v)) {
          this.report('wrong-type', 'error', `${where} must be ${schema.kind === 'integer' ? 'a whole number' : 'a number'}, not ${JSON.stringify(String(v))}.`, start, end);
          return;
        }
        if (schema.kind === 'integer' && !Number.isInteger(v)) {
          const r = Math.round(v);
          this.report('wrong-type', 'error', `${where} must be a whole number.`, start, end, [{ title: `Use ${r}`, edits: [this.edit(start, end, String(r))], preferred: true }]);
          return;
        }
        this.checkBounds(v, schema.minimum, schema.maximum, schema.exclusiveMinimum, where, start, end);
        return;
      }
      case 'boolean':
        if (typeof v !== 'boolean') this.report('wrong-type', 'error', `${where} must be true or false.`, start, end);
        return;
      case 'scalar':
        return;
      case 'enum': {
        const values = schema.values.map((e) => e.value);
        if (values.includes(String(v)) && typeof v !== 'object') return;
        const near = closest(String(v), values);
        const fixes: Fix[] = near ? [{ title: `Change to "${near}"`, edits: [this.edit(start, end, near)], preferred: true }] : [];
        this.report('invalid-value', 'error', `${where} must be one of ${values.map((x) => `"${x}"`).join(', ')}${near ? `. Did you mean "${near}"?` : '.'}`, start, end, fixes);
        return;
      }
      case 'duration': {
        if (typeof v === 'number') {
          const fixed = `${v}${schema.defaultUnit}`;
          this.report('missing-unit', 'error', `${where} is a duration and needs a unit (ms, s, m, h, d), e.g. "${fixed}".`, start, end, [
            { title: `Use "${fixed}"`, edits: [this.edit(start, end, fixed)], preferred: true },
          ]);
          return;
        }
        const ms = parseDuration(String(v));
        if (ms === undefined) {
          this.report('invalid-value', 'error', `${where} is not a duration: write a number and a unit, e.g. "100ms", "10s", "5m", "24h".`, start, end);
          return;
        }
        if (schema.minimumMs !== undefined && ms < schema.minimumMs) {
          this.report('out-of-range', 'error', `${where} must be at least ${schema.minimumMs}ms.`, start, end);
        }
        return;
      }
      case 'size': {
        if (typeof v === 'number') {
          const fixed = `${v}${schema.defaultUnit}`;
          this.report('missing-unit', 'error', `${where} is a size and needs a unit (B, KiB, MiB, GiB, KB, MB, GB), e.g. "${fixed}".`, start, end, [
            { title: `Use "${fixed}"`, edits: [this.edit(start, end, fixed)], preferred: true },
          ]);
          return;
        }
        if (parseSize(String(v)) === undefined) {
          this.report('invalid-value', 'error', `${where} is not a size: write a number and a unit, e.g. "512MiB" or "2GiB".`, start, end);
        }
        return;
      }
    }
  }

  private checkBounds(v: number, min: number | undefined, max: number | undefined, exclusiveMin: boolean | undefined, where: string, start: number, end: number): void {
    if (min !== undefined && (exclusiveMin ? v <= min : v < min)) {
      this.report('out-of-range', 'error', `${where} must be ${exclusiveMin ? 'greater than' : 'at least'} ${min}.`, start, end);
    } else if (max !== undefined && v > max) {
      this.report('out-of-range', 'error', `${where} must be at most ${max}.`, start, end);
    }
  }

  private checkObject(node: Node | null, schema: ObjectSchema, where: string, keyNode: Scalar | undefined, depth: number): void {
    if (node === null || (isScalar(node) && node.value === null)) {
      const missing = requiredKeys(schema);
      if (missing.length && keyNode?.range) {
        this.report('missing-required', 'error', `${where} needs ${list(missing)}.`, keyNode.range[0], keyNode.range[1]);
      }
      return;
    }
    if (!isMap(node)) {
      const [s, e] = valueRange(node, keyNode);
      this.report('wrong-type', 'error', `${where} must be a mapping of keys to values, not ${article(describe(node))}.`, s, e);
      return;
    }
    const present = new Set<string>();
    for (const pair of node.items as Pair<Node, Node | null>[]) {
      const k = pair.key;
      if (!k || !isScalar(k) || !k.range) continue;
      const key = String(k.value);
      present.add(key);
      if (key === '<<') continue; // YAML merge key; its content is checked where the anchor is defined
      const p = schema.properties[key];
      if (p) {
        this.check(pair.value ?? null, p.schema, `"${key}"`, k, depth + 1);
      } else if (schema.additional) {
        this.check(pair.value ?? null, schema.additional, `"${key}"`, k, depth + 1);
      } else {
        const known = Object.keys(schema.properties);
        const candidates = known.filter((c) => !node.items.some((it) => isScalar(it.key) && it.key.value === c));
        const near = closest(key, candidates);
        const [s, e] = k.range;
        const fixes: Fix[] = near ? [{ title: `Change to "${near}"`, edits: [this.edit(s, e, near)], preferred: true }] : [];
        const inWhere = where === 'the workspace file' ? 'at the top level' : `in ${where.replace(/"/g, '')}`;
        this.report(
          'unknown-key',
          'warning',
          near ? `Unknown key "${key}" ${inWhere}. Did you mean "${near}"?` : `Unknown key "${key}" ${inWhere}. Known keys: ${known.join(', ')}.`,
          s,
          e,
          fixes,
        );
      }
    }
    const missing = requiredKeys(schema).filter((k) => !present.has(k));
    if (missing.length && !present.has('<<')) {
      const at = keyNode?.range ?? firstLine(node, this.idx);
      this.report('missing-required', 'error', `${where} needs ${list(missing)}.`, at[0], at[1]);
    }
  }

  private checkArray(node: Node | null, schema: ArraySchema, where: string, keyNode: Scalar | undefined, depth: number): void {
    if (node === null || (isScalar(node) && node.value === null)) {
      if (schema.minItems && keyNode?.range) {
        this.report('too-few-items', 'error', `${where} needs at least ${schema.minItems} item${schema.minItems > 1 ? 's' : ''}.`, keyNode.range[0], keyNode.range[1]);
      }
      return;
    }
    if (!isSeq(node)) {
      const [s, e] = valueRange(node, keyNode);
      this.report('wrong-type', 'error', `${where} must be a list (items start with "- "), not ${article(describe(node))}.`, s, e);
      return;
    }
    if (schema.minItems && node.items.length < schema.minItems && keyNode?.range) {
      this.report('too-few-items', 'error', `${where} needs at least ${schema.minItems} item${schema.minItems > 1 ? 's' : ''}.`, keyNode.range[0], keyNode.range[1]);
    }
    node.items.forEach((item, i) => this.check((item as Node) ?? null, schema.items, `${where}[${i + 1}]`, undefined, depth + 1));
  }
}

function requiredKeys(s: ObjectSchema): string[] {
  return Object.entries(s.properties)
    .filter(([, p]) => p.required)
    .map(([k]) => k);
}

function list(keys: string[]): string {
  const q = keys.map((k) => `"${k}"`);
  return q.length === 1 ? `the key ${q[0]}` : `the keys ${q.slice(0, -1).join(', ')} and ${q[q.length - 1]}`;
}

function article(s: string): string {
  return /^[aeiou]/i.test(s) ? `an ${s}` : `a ${s}`;
}

function describe(node: Node | null): string {
  if (node === null) return 'nothing';
  if (isMap(node)) return 'mapping';
  if (isSeq(node)) return 'list';
  if (isScalar(node)) return typeof node.value === 'string' ? 'string' : typeof node.value === 'number' ? 'number' : typeof node.value === 'boolean' ? 'boolean' : 'value';
  return 'value';
}

function valueRange(node: Node | null, keyNode: Scalar | undefined): [number, number] {
  if (node?.range) return [node.range[0], Math.max(node.range[0] + 1, node.range[1])];
  if (keyNode?.range) return [keyNode.range[0], keyNode.range[1]];
  return [0, 1];
}

/** The range of a mapping's first line, for findings about the mapping as a whole (a list item). */
function firstLine(node: YAMLMap, idx: LineIndex): [number, number] {
  const start = node.range?.[0] ?? 0;
  const nl = idx.text.indexOf('\n', start);
  return [start, nl < 0 ? idx.text.length : nl];
}
