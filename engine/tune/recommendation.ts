/**
 * A study's recommendation as changes to the component's configuration file: which keys
 * change, old value -> new value, where the value is in the file (its exact source range,
 * so an edit replaces only those characters and keeps comments and formatting), and the
 * measured effect to show next to it. Pure: the caller reads the file and applies the edits.
 */
import { isScalar, parseDocument } from 'yaml';
import { LineIndex, type Range, type TextEdit } from '../text/positions';
import { describeEffect, type Effect } from './remeasure';
import { yamlScalarText } from './trialConfigFile';
import type { StudyTrial } from './study';
import type { StudyDefinition } from './studyConfig';
import { bestTrial, paretoFront } from './studyResult';
import type { ParamValue, Params } from './types';

/**
 * The trial to recommend: the best feasible one; with several objectives, the point of the
 * Pareto front that is best in the first objective (the constraints already bound the others).
 */
export function recommendedTrial(trials: readonly StudyTrial[], def: Pick<StudyDefinition, 'objectives'>): StudyTrial | undefined {
  if (def.objectives.length === 1) return bestTrial(trials, def.objectives);
  return bestTrial(paretoFront(trials, def.objectives), def.objectives.slice(0, 1));
}

export interface KeyChange {
  param: string;
  /** Dotted key path in the configuration file. */
  key: string;
  /** The value in the file now; undefined when the key is missing. */
  oldValue?: ParamValue;
  newValue: ParamValue;
  /** The value's range in the file (the key's line start when the key is missing). */
  range: Range;
  /** The edit that writes the new value (empty when the key is missing: see `missing`). */
  edit?: TextEdit;
  /** The key is not in the file: no in-place edit is possible; the user adds it. */
  missing?: boolean;
}

export interface Recommendation {
  changes: KeyChange[];
  /** Parameters whose recommended value is what the file has already. */
  unchanged: string[];
}

/** Floats from a sampler are long; a recommended value is written with 4 significant digits (ints as they are). */
export function roundForFile(v: ParamValue): ParamValue {
  if (typeof v !== 'number' || Number.isInteger(v)) return v;
  return Number(v.toPrecision(4));
}

const same = (a: unknown, b: ParamValue) => (typeof a === 'number' && typeof b === 'number' ? Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a)) : a === b);

/**
 * The changes that turn the YAML `text` into the recommended configuration. `keys` maps a
 * parameter name to its dotted key (absent: the name itself).
 */
export function recommendationFor(text: string, params: Params, keys: Readonly<Record<string, string>> = {}): Recommendation {
  const doc = parseDocument(text, { keepSourceTokens: false });
  const index = new LineIndex(text);
  const changes: KeyChange[] = [];
  const unchanged: string[] = [];
  for (const [param, raw] of Object.entries(params)) {
    const key = keys[param] ?? param;
    const newValue = roundForFile(raw);
    const node = doc.getIn(key.split('.'), true);
    if (isScalar(node) && node.range) {
      const oldValue = node.value as ParamValue;
      if (same(oldValue, newValue)) {
        unchanged.push(param);
        continue;
      }
      const range = index.range(node.range[0], node.range[1]);
      changes.push({ param, key, oldValue, newValue, range, edit: { range, newText: yamlScalarText(newValue) } });
    } else {
      const pos = index.positionAt(0);
      changes.push({ param, key, newValue, range: { start: pos, end: pos }, missing: true });
    }
  }
  return { changes, unchanged };
}

/** Applies non-overlapping edits to a text (from the end, so earlier offsets stay valid). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const index = new LineIndex(text);
  const byOffset = edits.map((e) => ({ start: index.offsetAt(e.range.start), end: index.offsetAt(e.range.end), text: e.newText })).sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of byOffset) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

const show = (v: ParamValue | undefined) => (v === undefined ? '(missing)' : typeof v === 'string' ? JSON.stringify(v) : String(v));

/**
 * The diagnostic text of one changed key: the change, and the measured effect when there is
 * one (re-measured against the current file), otherwise what the study saw.
 */
export function changeMessage(c: KeyChange, study: string, effects: readonly Effect[] | undefined, studyValues?: string): string {
  const head = `Tuning study "${study}" recommends ${c.key}: ${show(c.oldValue)} -> ${show(c.newValue)}.`;
  if (effects?.length) return `${head} Re-measured against the current file (interleaved A/B runs): ${effects.map(describeEffect).join('; ')}.`;
  return `${head}${studyValues ? ` In the study: ${studyValues}.` : ''} Not re-measured yet: run "Re-measure" in the study view for a measured effect.`;
}
