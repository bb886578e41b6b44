/**
 * What a change to a component's configuration file did, key by key, and the edits that
 * undo it. Pure. YAML and JSON files alike (JSON is YAML).
 *
 * The undo edits replace only the characters of each value (the same in-place edits as the
 * tuning recommendations), so comments, alignment and the rest of the file stay as they are.
 */
import { isScalar, parse, parseDocument } from 'yaml';
import { LineIndex, type TextEdit } from '../text/positions';
import { applyEdits } from '../tune/recommendation';
import { yamlScalarText } from '../tune/trialConfigFile';
import type { AuditEdit, AuditValue } from './audit';

type Flat = Map<string, AuditValue>;

function flatten(v: unknown, prefix: string, out: Flat): void {
  if (v !== null && typeof v === 'object') {
    const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v as Record<string, unknown>);
    for (const [k, x] of entries) flatten(x, prefix ? `${prefix}.${k}` : k, out);
    return;
  }
  if (!prefix) return;
  if (v === null || v === undefined) out.set(prefix, null);
  else if (typeof v === 'number') out.set(prefix, Number.isFinite(v) ? v : String(v));
  else if (typeof v === 'string' || typeof v === 'boolean') out.set(prefix, v);
  else out.set(prefix, String(v));
}

/** The scalar values of a YAML or JSON text by dotted key; throws when it does not parse. */
export function configValues(text: string): Flat {
  const out: Flat = new Map();
  flatten(parse(text), '', out);
  return out;
}

/**
 * The keys whose values differ between two versions of a configuration file (absent is
 * null), in the order of the new file. Undefined when either text does not parse.
 */
export function configEdits(beforeText: string, afterText: string): AuditEdit[] | undefined {
  let a: Flat, b: Flat;
  try {
    a = configValues(beforeText);
    b = configValues(afterText);
  } catch {
    return undefined;
  }
  const edits: AuditEdit[] = [];
  for (const [k, v] of b) if (a.get(k) !== v) edits.push({ keyPath: k, before: a.has(k) ? a.get(k)! : null, after: v });
  for (const [k, v] of a) if (!b.has(k)) edits.push({ keyPath: k, before: v, after: null });
  return edits;
}

export interface UndoPlan {
  /** In-place edits of the current text. */
  edits: TextEdit[];
  /** The current text with them applied. */
  text: string;
  /** What the undo sets: each key from its current value back to the value before the change. */
  restored: AuditEdit[];
  /** Keys that cannot be undone in place, and why (changed since, added or removed by the change). */
  skipped: string[];
}

/**
 * The edits that set every key of `edits` back to its `before` value in `currentText`. A key
 * whose value is no longer the change's `after` was changed again since: it is left alone
 * (and listed in `skipped`), so an undo never overwrites a later change.
 */
export function undoEdits(currentText: string, edits: readonly AuditEdit[]): UndoPlan {
  const doc = parseDocument(currentText, { keepSourceTokens: false });
  const index = new LineIndex(currentText);
  const out: TextEdit[] = [];
  const restored: AuditEdit[] = [];
  const skipped: string[] = [];
  for (const e of edits) {
    const node = doc.getIn(e.keyPath.split('.'), true);
    const now = isScalar(node) ? (node.value as AuditValue) : node === undefined ? null : undefined;
    if (now === undefined || !isScalar(node) || !node.range) {
      skipped.push(`${e.keyPath}: ${node === undefined ? 'no longer in the file' : 'not a single value'}; restore ${JSON.stringify(e.before)} by hand`);
      continue;
    }
    if (now !== e.after) {
      skipped.push(`${e.keyPath}: changed again since (now ${JSON.stringify(now)}); left as it is`);
      continue;
    }
    if (e.before === null) {
      skipped.push(`${e.keyPath}: added by the change; remove it by hand`);
      continue;
    }
    out.push({ range: index.range(node.range[0], node.range[1]), newText: yamlScalarText(e.before) });
    restored.push({ keyPath: e.keyPath, before: now, after: e.before });
  }
  return { edits: out, text: applyEdits(currentText, out), restored, skipped };
}
