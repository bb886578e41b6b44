/** Publishes the workspace schema as JSON Schema (draft-07), for other tools. */
import { workspaceSchema } from './schema';
import type { SchemaNode } from './schemaTypes';

type Json = Record<string, unknown>;

function convert(s: SchemaNode): Json {
  const base: Json = { description: s.description };
  switch (s.kind) {
    case 'object': {
      const props: Record<string, Json> = {};
      for (const [k, p] of Object.entries(s.properties)) {
        props[k] = convert(p.schema);
        if (p.default !== undefined) props[k].default = p.schema.kind === 'number' || p.schema.kind === 'integer' ? Number(p.default) : p.schema.kind === 'boolean' ? p.default === 'true' : p.default;
      }
      const required = Object.entries(s.properties).filter(([, p]) => p.required).map(([k]) => k);
      return { ...base, type: 'object', properties: props, ...(required.length ? { required } : {}), additionalProperties: s.additional ? convert(s.additional) : false };
    }
    case 'array':
      return { ...base, type: 'array', items: convert(s.items), ...(s.minItems ? { minItems: s.minItems } : {}) };
    case 'string':
      return { ...base, type: 'string', ...(s.format === 'url' ? { format: 'uri' } : {}) };
    case 'number':
    case 'integer':
      return {
        ...base,
        type: s.kind,
        ...(s.minimum !== undefined ? (s.exclusiveMinimum ? { exclusiveMinimum: s.minimum } : { minimum: s.minimum }) : {}),
        ...(s.maximum !== undefined ? { maximum: s.maximum } : {}),
      };
    case 'boolean':
      return { ...base, type: 'boolean' };
    case 'enum':
      return { ...base, enum: s.values.map((v) => v.value) };
    case 'duration':
      return { ...base, type: 'string', pattern: '^(\\d+(\\.\\d+)?(ms|s|m|h|d))+$' };
    case 'size':
      return { ...base, type: 'string', pattern: '^\\d+(\\.\\d+)?\\s*(B|KiB|MiB|GiB|TiB|KB|MB|GB|TB)$' };
    case 'scalar':
      return { ...base, type: ['number', 'string', 'boolean'] };
  }
}

/** `workspaceSchema` as a JSON Schema (draft-07), published as schemas/alluse-perf.schema.json. */
export function workspaceJsonSchema(): Json {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'alluse-perf.schema.json',
    title: 'ALL-USE Performance workspace file (alluse-perf.yaml)',
    ...convert(workspaceSchema),
  };
}
