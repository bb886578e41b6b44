// Typed loading of a component's YAML config. Every parameter is declared once with its
// type, range and default, so a bad value fails at start with a clear message instead of
// producing a strange benchmark result later.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export type ParamSpec =
  | { type: 'int' | 'float'; min: number; max: number; default: number }
  | { type: 'enum'; values: readonly string[]; default: string }
  | { type: 'bool'; default: boolean }
  | { type: 'string'; default: string }
  | { type: 'any'; default: unknown };

export type Schema = Record<string, ParamSpec>;

type ValueOf<P extends ParamSpec> = P extends { type: 'int' | 'float' } ? number
  : P extends { type: 'enum' } ? string
  : P extends { type: 'bool' } ? boolean
  : P extends { type: 'string' } ? string
  : unknown;
export type ConfigOf<S extends Schema> = { [K in keyof S]: ValueOf<S[K]> };

export class ConfigError extends Error {}

export function loadConfig<S extends Schema>(schema: S, file: string | undefined, warn: (m: string) => void): ConfigOf<S> {
  let raw: Record<string, unknown> = {};
  if (file) {
    let text: string;
    try { text = readFileSync(file, 'utf8'); } catch (e) { throw new ConfigError(`cannot read config ${file}: ${(e as Error).message}`); }
    const doc: unknown = parse(text);
    if (doc != null && (typeof doc !== 'object' || Array.isArray(doc))) throw new ConfigError(`${file}: expected a mapping at the top level`);
    raw = (doc ?? {}) as Record<string, unknown>;
  }
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(schema)) {
    const v = raw[key];
    if (v === undefined || v === null) { out[key] = spec.default; continue; }
    out[key] = check(key, spec, v, file ?? '<defaults>');
  }
  for (const key of Object.keys(raw)) if (!(key in schema)) warn(`${file}: unknown parameter "${key}" ignored`);
  return out as ConfigOf<S>;
}

function check(key: string, spec: ParamSpec, v: unknown, file: string): unknown {
  const bad = (why: string): never => { throw new ConfigError(`${file}: ${key}: ${why} (got ${JSON.stringify(v)})`); };
  switch (spec.type) {
    case 'int':
    case 'float': {
      if (typeof v !== 'number' || !Number.isFinite(v)) return bad(`expected a number`);
      if (spec.type === 'int' && !Number.isInteger(v)) return bad('expected an integer');
      if (v < spec.min || v > spec.max) return bad(`must be within [${spec.min}, ${spec.max}]`);
      return v;
    }
    case 'enum':
      if (typeof v !== 'string' || !spec.values.includes(v)) return bad(`must be one of ${spec.values.join(', ')}`);
      return v;
    case 'bool':
      if (typeof v !== 'boolean') return bad('expected true or false');
      return v;
    case 'string':
      if (typeof v !== 'string') return bad('expected a string');
      return v;
    default:
      return v;
  }
}
