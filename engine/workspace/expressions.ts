/**
 * The small expression languages of the workspace file: constraints on measured metrics
 * (`p95_latency_ms <= 50`), parameter conditions (`eviction == "lru"`) and alert conditions
 * (`protocol-engine.latency_p95_ms > 50`).
 */
import type { FindingCode } from './findings';
import type { StringSchema } from './schemaTypes';

export type ComparisonOp = '<' | '<=' | '>' | '>=' | '==' | '!=';

/** A parsed `METRIC OP NUMBER` expression (alerts and study constraints). */
export interface Comparison {
  /** Component name, for alert conditions that name one. */
  component?: string;
  metric: string;
  op: ComparisonOp;
  value: number | string;
}

const COMPARISON = /^\s*(?:([a-z0-9][a-z0-9_-]*)\.)?([A-Za-z_][A-Za-z0-9_:.]*)\s*(<=|>=|==|!=|<|>)\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?|"[^"]*"|'[^']*'|[A-Za-z_][\w-]*)\s*$/;

/** Parses `[component.]metric OP value`; undefined when the text is not such a comparison. */
export function parseComparison(text: string, allowComponent: boolean): Comparison | undefined {
  const m = COMPARISON.exec(text);
  if (!m) return undefined;
  let component: string | undefined = m[1];
  let metric = m[2];
  if (component && !allowComponent) {
    // `a.b <= 1` without components: the dot is part of the metric name.
    metric = `${component}.${metric}`;
    component = undefined;
  }
  const raw = m[4];
  const value = /^["']/.test(raw) ? raw.slice(1, -1) : Number.isNaN(Number(raw)) ? raw : Number(raw);
  return { component, metric, op: m[3] as ComparisonOp, value };
}

const NAME = /^[a-z0-9][a-z0-9._-]*$/;

/** Checks a string against its schema format; returns what is wrong, or undefined. */
export function checkStringFormat(value: string, format: NonNullable<StringSchema['format']>): { code: FindingCode; message: string } | undefined {
  switch (format) {
    case 'name':
      return NAME.test(value) ? undefined : { code: 'invalid-value', message: `"${value}" is not a valid name: use lower-case letters, digits, dots, dashes and underscores, starting with a letter or digit.` };
    case 'url': {
      let u: URL;
      try {
        u = new URL(value);
      } catch {
        return { code: 'invalid-value', message: `"${value}" is not a URL. Write it in full, e.g. http://127.0.0.1:9462/metrics.` };
      }
      return u.protocol === 'http:' || u.protocol === 'https:' ? undefined : { code: 'invalid-value', message: `only http and https URLs are supported, not ${u.protocol}` };
    }
    case 'regex':
      try {
        new RegExp(value);
        return undefined;
      } catch (e) {
        return { code: 'invalid-expression', message: `not a valid regular expression (${(e as Error).message}).` };
      }
    case 'constraint':
      return parseComparison(value, false) ? undefined : { code: 'invalid-expression', message: `"${value}" is not a condition: write METRIC OP VALUE, e.g. "p95_latency_ms <= 50" (OP is one of < <= > >= == !=).` };
    case 'alert-expr': {
      const c = parseComparison(value, true);
      if (!c) return { code: 'invalid-expression', message: `"${value}" is not an alert condition: write COMPONENT.METRIC OP NUMBER, e.g. "protocol-engine.latency_p95_ms > 50".` };
      return typeof c.value === 'number' ? undefined : { code: 'invalid-expression', message: `an alert compares with a number, not ${JSON.stringify(c.value)}.` };
    }
    case 'command':
      return value.trim() ? (/[;&|`$<>]/.test(value) ? { code: 'invalid-value', message: `"${value}" looks like shell syntax. Commands run without a shell: put the program in "command" and each argument in "args".` } : undefined) : { code: 'invalid-value', message: 'the command is empty.' };
    case 'path':
      return value.trim() ? undefined : { code: 'invalid-value', message: 'the path is empty.' };
  }
}
