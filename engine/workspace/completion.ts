/**
 * Completion of keys and enum values. Works on the text around the cursor rather than the
 * parsed document, because while someone types the document is usually incomplete.
 */
import type { Position } from '../text/positions';
import type { LineIndex } from '../text/positions';
import { workspaceSchema } from './schema';
import { objectAt, schemaAt, type SchemaPath } from './schemaPath';
import { typeName, type SchemaNode } from './schemaTypes';
import { describeKey } from './hover';

/** One completion: a key (with a snippet for its value) or an allowed value, with its documentation. */
export interface CompletionEntry {
  label: string;
  kind: 'key' | 'value';
  /** Text inserted; may contain snippet placeholders `${1:...}` when `snippet` is true. */
  insertText: string;
  snippet: boolean;
  detail: string;
  documentation: string;
  /** Sort keys: required keys first. */
  sortText: string;
}

interface LineInfo {
  indent: number;
  /** The column where keys of the line's mapping start (after any `- `). */
  keyColumn: number;
  key?: string;
  /** True when the line starts a list item (`- `). */
  item: boolean;
  /** True when the line is `key:` with nothing after it (a nested block follows). */
  opensBlock: boolean;
}

function lineInfo(text: string): LineInfo | undefined {
  const m = /^( *)(- +)*(.*)$/.exec(text);
  if (!m) return undefined;
  const body = m[3];
  if (!body.trim() && !m[2]) return undefined;
  if (body.trimStart().startsWith('#')) return undefined;
  const indent = m[1].length;
  const keyColumn = indent + (m[2]?.length ?? 0);
  const km = /^([^\s:#][^:#]*?)\s*:(\s|$)/.exec(body);
  const rest = km ? body.slice(km[0].length).replace(/#.*$/, '').trim() : '';
  return { indent, keyColumn, key: km?.[1], item: !!m[2], opensBlock: !!km && rest === '' };
}

/**
 * The schema path of the mapping in which a key written at `column` on `line` belongs:
 * walk up to each line that opens an enclosing block (`key:` or `- key:`) or list item.
 */
export function pathAt(idx: LineIndex, line: number, column: number): SchemaPath {
  const path: SchemaPath = [];
  let col = column;
  // After a list item, its owner key may sit at the item's own indentation ("key:\n- item").
  let afterItem = false;
  const enterItem = (indent: number) => {
    path.unshift('[]');
    col = indent;
    afterItem = true;
  };
  const cur = lineInfo(idx.lineText(line));
  if (cur?.item && column >= cur.keyColumn) enterItem(cur.indent);
  for (let l = line - 1; l >= 0 && (col > 0 || afterItem); l--) {
    const info = lineInfo(idx.lineText(l));
    if (!info) continue;
    if (info.item && info.keyColumn === col && !afterItem) {
      enterItem(info.indent); // a key of the mapping of an item that starts above
      continue;
    }
    const owns = afterItem ? info.keyColumn <= col && !(info.item && info.indent === col) : info.keyColumn < col;
    if (!owns) continue;
    if (!info.key || !info.opensBlock) continue; // a scalar line at a lower level cannot hold the cursor's block
    path.unshift(info.key);
    col = info.keyColumn;
    afterItem = false;
    if (info.item) enterItem(info.indent);
  }
  return path;
}

/** The keys and values the schema allows at a position (works on text that does not parse yet). */
export function completeAt(idx: LineIndex, pos: Position): CompletionEntry[] {
  const text = idx.lineText(pos.line);
  const before = text.slice(0, pos.character);
  const valueMatch = /^( *)(?:- +)*([^\s:#][^:#]*?)\s*:\s+(\S*)$/.exec(before);
  if (valueMatch) {
    const keyColumn = before.indexOf(valueMatch[2]);
    const path = [...pathAt(idx, pos.line, keyColumn), valueMatch[2]];
    return valueCompletions(path);
  }
  if (!/^ *(- +)*[\w-]*$/.test(before)) return [];
  const keyColumn = before.length - (/[\w-]*$/.exec(before)?.[0].length ?? 0);
  const path = pathAt(idx, pos.line, keyColumn);
  const obj = objectAt(workspaceSchema, path);
  if (!obj) return [];
  const present = siblingKeys(idx, pos.line, keyColumn);
  const entries: CompletionEntry[] = [];
  for (const [key, p] of Object.entries(obj.properties)) {
    if (present.has(key)) continue;
    entries.push({
      label: key,
      kind: 'key',
      insertText: keySnippet(key, p.schema, keyColumn),
      snippet: true,
      detail: `${typeName(p.schema)}${p.required ? ' (required)' : ''}`,
      documentation: describeKey(key, p.schema, p.default, p.required),
      sortText: `${p.required ? '0' : '1'}${key}`,
    });
  }
  return entries;
}

function keySnippet(key: string, s: SchemaNode, column: number): string {
  const inner = ' '.repeat(column + 2);
  switch (s.kind) {
    case 'object':
      return `${key}:\n${inner}$0`;
    case 'array':
      return s.items.kind === 'object' ? `${key}:\n${inner}- $0` : `${key}: [$0]`;
    case 'enum':
      return `${key}: \${1|${s.values.map((v) => v.value).join(',')}|}`;
    case 'boolean':
      return `${key}: \${1|true,false|}`;
    default:
      return `${key}: \${1:${(s.example ?? '').replace(/[$}\\]/g, '\\$&')}}`;
  }
}

function valueCompletions(path: SchemaPath): CompletionEntry[] {
  const r = schemaAt(workspaceSchema, path);
  if (!r) return [];
  const s = r.schema;
  const mk = (value: string, doc: string, i: number): CompletionEntry => ({ label: value, kind: 'value', insertText: value, snippet: false, detail: typeName(s), documentation: doc, sortText: String(i).padStart(3, '0') });
  if (s.kind === 'enum') return s.values.map((v, i) => mk(v.value, v.description, i));
  if (s.kind === 'boolean') return ['true', 'false'].map((v, i) => mk(v, s.description, i));
  if (r.property?.default !== undefined) return [mk(r.property.default, `Default. ${s.description}`, 0)];
  if (s.example !== undefined) return [mk(s.example, `Example. ${s.description}`, 0)];
  return [];
}

/** Keys already written in the mapping that holds `line` at `column`. */
function siblingKeys(idx: LineIndex, line: number, column: number): Set<string> {
  const keys = new Set<string>();
  for (let l = line - 1; l >= 0; l--) {
    const info = lineInfo(idx.lineText(l));
    if (!info || info.keyColumn > column) continue;
    if (info.keyColumn < column) break;
    if (info.key) keys.add(info.key);
    if (info.item) break; // the first line of our list item
  }
  for (let l = line + 1; l < idx.lineCount; l++) {
    const info = lineInfo(idx.lineText(l));
    if (!info || info.keyColumn > column) continue;
    if (info.keyColumn < column || info.item) break; // the mapping ends, or the next list item starts
    if (info.key) keys.add(info.key);
  }
  return keys;
}
