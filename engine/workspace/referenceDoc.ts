/** Writes the key reference of docs/configuration.md from the schema, so the docs cannot drift. */
import { workspaceSchema } from './schema';
import { typeName, type ObjectSchema, type SchemaNode } from './schemaTypes';

/** The markers in docs/configuration.md between which `npm run schema` writes the key reference. */
export const REFERENCE_BEGIN = '<!-- reference:begin -->';
/** The end marker of the generated key reference in docs/configuration.md. */
export const REFERENCE_END = '<!-- reference:end -->';

function escape(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function objectOf(s: SchemaNode): ObjectSchema | undefined {
  if (s.kind === 'object') return s;
  if (s.kind === 'array' && s.items.kind === 'object') return s.items;
  return undefined;
}

/** The key reference of alluse-perf.yaml as markdown (every key, type, default, unit and description). */
export function referenceMarkdown(): string {
  const out: string[] = [];
  const walk = (obj: ObjectSchema, path: string, level: number) => {
    out.push(`${'#'.repeat(Math.min(level, 6))} \`${path || '(top level)'}\``, '', obj.description, '');
    const rows = Object.entries(obj.properties);
    if (rows.length) {
      out.push('| key | type | required | default | description |', '|---|---|---|---|---|');
      for (const [k, p] of rows) {
        let desc = p.schema.description;
        if (p.schema.kind === 'enum') desc += ' ' + p.schema.values.map((v) => `\`${v.value}\`: ${v.description}`).join(' ');
        out.push(`| \`${k}\` | ${escape(typeName(p.schema))} | ${p.required ? 'yes' : ''} | ${p.default !== undefined ? `\`${p.default}\`` : ''} | ${escape(desc)} |`);
      }
      out.push('');
    }
    if (obj.additional) {
      out.push(`Any other key is a ${obj.additionalKeyName ?? 'key'}; its value: ${escape(typeName(obj.additional))}.`, '');
      const inner = objectOf(obj.additional);
      if (inner) walk(inner, `${path}.<${obj.additionalKeyName ?? 'key'}>`, level + 1);
    }
    for (const [k, p] of rows) {
      const inner = objectOf(p.schema);
      if (inner && (Object.keys(inner.properties).length || inner.additional)) {
        walk(inner, path ? `${path}.${k}${p.schema.kind === 'array' ? '[]' : ''}` : `${k}${p.schema.kind === 'array' ? '[]' : ''}`, level + 1);
      }
    }
  };
  walk(workspaceSchema, '', 3);
  return [REFERENCE_BEGIN, '', ...out, REFERENCE_END].join('\n');
}
