import { DURATION_UNITS_MS, SIZE_UNITS_BYTES, type DurationUnit, type SizeUnit } from './schemaTypes';

const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;

/** Milliseconds of a duration such as `100ms`, `1.5s`, `1h30m`; undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (!t) return undefined;
  DURATION_PART.lastIndex = 0;
  let total = 0;
  let pos = 0;
  while (pos < t.length) {
    DURATION_PART.lastIndex = pos;
    const m = DURATION_PART.exec(t);
    if (!m) return undefined;
    total += Number(m[1]) * DURATION_UNITS_MS[m[2] as DurationUnit];
    pos = DURATION_PART.lastIndex;
  }
  return total;
}

const SIZE = /^(\d+(?:\.\d+)?)\s*(B|KiB|MiB|GiB|TiB|KB|MB|GB|TB)$/;

/** Bytes of a size such as `512MiB` or `2GB`; undefined when it is not one. */
export function parseSize(text: string): number | undefined {
  const m = SIZE.exec(text.trim());
  return m ? Number(m[1]) * SIZE_UNITS_BYTES[m[2] as SizeUnit] : undefined;
}
