/**
 * The small schema language that describes `alluse-perf.yaml`.
 *
 * One description drives validation, hover, completion, the published JSON Schema and
 * docs/configuration.md, so the file's documentation cannot drift from what is checked.
 */

export interface EnumValue {
  value: string;
  description: string;
}

interface Described {
  /** One or two sentences for hover and the docs. */
  description: string;
  /** A value shown in completion snippets and docs. */
  example?: string;
}

export type SchemaNode =
  | ObjectSchema
  | ArraySchema
  | StringSchema
  | NumberSchema
  | BooleanSchema
  | EnumSchema
  | DurationSchema
  | SizeSchema
  | ScalarSchema;

export interface ObjectSchema extends Described {
  kind: 'object';
  properties: Record<string, PropertySchema>;
  /** When set, keys other than `properties` are allowed and their values follow this schema (a map). */
  additional?: SchemaNode;
  /** Shown in docs and hover for `additional` keys, e.g. "parameter name". */
  additionalKeyName?: string;
}

export interface PropertySchema {
  schema: SchemaNode;
  required?: boolean;
  /** The value used when the key is left out, as written in the file. */
  default?: string;
}

export interface ArraySchema extends Described {
  kind: 'array';
  items: SchemaNode;
  minItems?: number;
}

export interface StringSchema extends Described {
  kind: 'string';
  /** What the string means; `url` and `regex` are checked, `path` is checked against the disk by hosts that can. */
  format?: 'path' | 'url' | 'regex' | 'name' | 'constraint' | 'alert-expr' | 'command';
}

export interface NumberSchema extends Described {
  kind: 'number' | 'integer';
  minimum?: number;
  maximum?: number;
  /** When true, `minimum` itself is not allowed. */
  exclusiveMinimum?: boolean;
}

export interface BooleanSchema extends Described {
  kind: 'boolean';
}

export interface EnumSchema extends Described {
  kind: 'enum';
  values: EnumValue[];
}

/** A duration written with a unit: `100ms`, `10s`, `5m`, `24h`, `7d`. */
export interface DurationSchema extends Described {
  kind: 'duration';
  /** The unit offered by the quick fix when a bare number is written. */
  defaultUnit: DurationUnit;
  /** Smallest allowed value in milliseconds. */
  minimumMs?: number;
}

/** A size written with a unit: `512MiB`, `2GiB`, `100MB`. */
export interface SizeSchema extends Described {
  kind: 'size';
  defaultUnit: SizeUnit;
}

/** Any scalar: number, string or boolean (categorical choices, min/max of a parameter). */
export interface ScalarSchema extends Described {
  kind: 'scalar';
}

export type DurationUnit = 'ms' | 's' | 'm' | 'h' | 'd';
export type SizeUnit = 'B' | 'KiB' | 'MiB' | 'GiB' | 'TiB' | 'KB' | 'MB' | 'GB' | 'TB';

export const DURATION_UNITS_MS: Record<DurationUnit, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
export const SIZE_UNITS_BYTES: Record<SizeUnit, number> = {
  B: 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
};

/** Short human name of a schema node's type, for messages and hover. */
export function typeName(s: SchemaNode): string {
  switch (s.kind) {
    case 'object':
      return s.additional && Object.keys(s.properties).length === 0 ? 'map' : 'mapping';
    case 'array':
      return `list of ${typeName(s.items)}`;
    case 'enum':
      return s.values.map((v) => `"${v.value}"`).join(' | ');
    case 'duration':
      return 'duration (e.g. 100ms, 10s, 5m, 24h)';
    case 'size':
      return 'size (e.g. 512MiB, 2GiB)';
    case 'scalar':
      return 'number, string or boolean';
    default:
      return s.kind;
  }
}
