import type { ObjectSchema, PropertySchema, SchemaNode } from './schemaTypes';

/** A path into the file: keys, and `[]` for "an item of this list". */
export type SchemaPath = string[];

export interface ResolvedKey {
  /** The key's own entry, when the key is a declared property. */
  property?: PropertySchema;
  schema: SchemaNode;
  /** Set when the key is a free-form map key (e.g. a parameter name). */
  mapKeyName?: string;
}

/** Follows a path from the root schema; undefined when it leaves the schema. */
export function schemaAt(root: SchemaNode, path: SchemaPath): ResolvedKey | undefined {
  let cur: ResolvedKey = { schema: root };
  for (const seg of path) {
    const s = cur.schema;
    if (seg === '[]') {
      if (s.kind !== 'array') return undefined;
      cur = { schema: s.items };
    } else if (s.kind === 'object') {
      const p = s.properties[seg];
      if (p) cur = { property: p, schema: p.schema };
      else if (s.additional) cur = { schema: s.additional, mapKeyName: s.additionalKeyName ?? 'key' };
      else return undefined;
    } else return undefined;
  }
  return cur;
}

/** The object schema whose keys are written at `path` (looking through lists). */
export function objectAt(root: SchemaNode, path: SchemaPath): ObjectSchema | undefined {
  const r = schemaAt(root, path);
  if (!r) return undefined;
  if (r.schema.kind === 'object') return r.schema;
  if (r.schema.kind === 'array' && r.schema.items.kind === 'object') return r.schema.items;
  return undefined;
}
