/** Hover documentation for every key and enum value of the workspace file. */
import { isAlias, isMap, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { Position, Range } from '../text/positions';
import type { LineIndex } from '../text/positions';
import { workspaceSchema } from './schema';
import { schemaAt, type SchemaPath } from './schemaPath';
import { typeName, type SchemaNode } from './schemaTypes';
import { resolve } from './yamlAccess';

/** The hover of a key or value: markdown from the schema description, and the range it covers. */
export interface HoverResult {
  markdown: string;
  range: Range;
}

interface Hit {
  path: SchemaPath;
  onKey: boolean;
  start: number;
  end: number;
  value?: unknown;
}

/** Finds the key or scalar value under `offset`, and the schema path that leads to it. */
function locate(doc: Document.Parsed, node: Node | null, offset: number, path: SchemaPath, depth = 0): Hit | undefined {
  if (!node || depth > 64) return undefined;
  if (isMap(node)) {
    for (const pair of node.items) {
      const k = pair.key as Node | null;
      if (k && isScalar(k) && k.range && offset >= k.range[0] && offset <= k.range[1]) {
        return { path: [...path, String(k.value)], onKey: true, start: k.range[0], end: k.range[1] };
      }
      const v = resolveInline(doc, pair.value as Node | null);
      if (v?.range && offset >= v.range[0] && offset <= v.range[2] && k && isScalar(k)) {
        const inner = locate(doc, v, offset, [...path, String(k.value)], depth + 1);
        if (inner) return inner;
      }
    }
  } else if (isSeq(node)) {
    for (const item of node.items) {
      const v = resolveInline(doc, item as Node | null);
      if (v?.range && offset >= v.range[0] && offset <= v.range[2]) return locate(doc, v, offset, [...path, '[]'], depth + 1);
    }
  } else if (isScalar(node) && node.range && offset >= node.range[0] && offset <= node.range[1]) {
    return { path, onKey: false, start: node.range[0], end: node.range[1], value: node.value };
  }
  return undefined;
}

/** Aliases are documented where they point, but located where they are written. */
function resolveInline(doc: Document.Parsed, n: Node | null): Node | null {
  return n && isAlias(n) ? resolve(doc, n) : n;
}

/** The hover at a position of a parsed workspace file: the key's documentation, units, allowed values. */
export function hoverAt(doc: Document.Parsed, idx: LineIndex, pos: Position): HoverResult | undefined {
  const offset = idx.offsetAt(pos);
  const hit = locate(doc, doc.contents as Node | null, offset, []);
  if (!hit) return undefined;
  const resolved = schemaAt(workspaceSchema, hit.path);
  if (!resolved) return undefined;
  const range = idx.range(hit.start, hit.end);
  const key = hit.path.filter((p) => p !== '[]').join('.');
  if (!hit.onKey) {
    if (resolved.schema.kind === 'enum') {
      const v = resolved.schema.values.find((e) => e.value === String(hit.value));
      if (v) return { markdown: `**${v.value}** (${key})\n\n${v.description}`, range };
    }
    return { markdown: describeKey(key, resolved.schema, resolved.property?.default, resolved.property?.required, resolved.mapKeyName), range };
  }
  return { markdown: describeKey(key, resolved.schema, resolved.property?.default, resolved.property?.required, resolved.mapKeyName), range };
}

export function describeKey(key: string, schema: SchemaNode, def: string | undefined, required: boolean | undefined, mapKeyName?: string): string {
  const lines = [`**${key}**${mapKeyName ? ` (${mapKeyName})` : ''}: ${typeName(schema)}${required ? ', required' : ''}`, '', schema.description];
  if (schema.kind === 'enum') lines.push('', ...schema.values.map((v) => `- \`${v.value}\`: ${v.description}`));
  if ((schema.kind === 'number' || schema.kind === 'integer') && (schema.minimum !== undefined || schema.maximum !== undefined)) {
    lines.push('', `Range: ${schema.minimum ?? '−∞'}${schema.exclusiveMinimum ? ' (exclusive)' : ''} to ${schema.maximum ?? '∞'}.`);
  }
  if (def !== undefined) lines.push('', `Default: \`${def}\``);
  if (schema.example !== undefined) lines.push('', `Example: \`${schema.example}\``);
  lines.push('', 'All keys: docs/configuration.md');
  return lines.join('\n');
}
