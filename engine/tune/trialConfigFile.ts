/**
 * A trial's copy of the component's configuration file, with the trial's parameter values
 * written in. YAML files are edited through the `yaml` package's Document API, changing
 * only the value of each scalar node: comments, key order, quoting and the rest of the
 * formatting stay as the user wrote them, so a recommended configuration diffs cleanly
 * against the original. JSON files are rewritten as JSON (2-space indent).
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { Document, isCollection, isMap, isScalar, parseDocument } from 'yaml';
import type { ParamValue, Params } from './types';

export class TrialConfigError extends Error {}

/** Set `dotted` (e.g. `pool.workers`) in a YAML document, keeping the node (and its comments) when there is one. */
export function setYamlKey(doc: Document, dotted: string, value: ParamValue): void {
  const path = dotted.split('.');
  const node = doc.getIn(path, true);
  if (isScalar(node)) {
    node.value = value;
    // A value written as `"8"` stays quoted only when it is still a string.
    if (typeof value !== 'string' && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE')) node.type = 'PLAIN';
    return;
  }
  if (isCollection(node)) throw new TrialConfigError(`the key "${dotted}" holds a ${node.constructor.name === 'YAMLSeq' ? 'list' : 'map'}, not a single value; point the parameter's \`key\` at a scalar inside it.`);
  // A missing key (or a path through a missing map) is created; setIn makes the maps.
  try {
    doc.setIn(path, value);
  } catch (e) {
    throw new TrialConfigError(`cannot set "${dotted}": ${(e as Error).message}`);
  }
}

/** A value as YAML scalar text that reads back as the same value in block and flow context alike. */
export function yamlScalarText(value: ParamValue): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const plain = /^[A-Za-z_][\w.-]*$/.test(value) && !/^(true|false|null|yes|no|on|off|y|n|~|\.nan|\.inf)$/i.test(value);
  return plain ? value : JSON.stringify(value);
}

/**
 * The YAML text with every parameter written in (parameter name -> dotted key via `keys`).
 * Keys that exist are changed in place: the Document API finds each value's source range
 * and only those characters are replaced, so alignment, comments and flow style stay byte
 * for byte. Keys that do not exist yet are added through the Document (which re-prints the
 * file in the library's layout; comments stay).
 */
export function editYamlText(textIn: string, params: Params, keys: Readonly<Record<string, string>>): string {
  const doc = parseDocument(textIn);
  if (doc.errors.length) throw new TrialConfigError(`the configuration file is not valid YAML: ${doc.errors[0].message}`);
  const edits: { start: number; end: number; text: string }[] = [];
  const missing: [string, ParamValue][] = [];
  for (const [name, value] of Object.entries(params)) {
    const dotted = keys[name] ?? name;
    const node = doc.getIn(dotted.split('.'), true);
    // A value that is already there is left as written (its quoting too): editing again with the same values changes nothing.
    if (isScalar(node) && node.value === value) continue;
    if (isScalar(node) && node.range && !node.anchor && !(typeof node.tag === 'string' && node.tag)) edits.push({ start: node.range[0], end: node.range[1], text: yamlScalarText(value) });
    else if (isCollection(node)) throw new TrialConfigError(`the key "${dotted}" holds a list or map, not a single value; point the parameter's \`key\` at a scalar inside it.`);
    else missing.push([dotted, value]);
  }
  edits.sort((a, b) => b.start - a.start);
  let out = textIn;
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  // Read it back: every value must now be what the trial asked for, or fall back to the Document.
  const check = parseDocument(out);
  const same = !check.errors.length && Object.entries(params).every(([name, v]) => missing.some(([k]) => k === (keys[name] ?? name)) || check.getIn((keys[name] ?? name).split('.')) === v);
  if (!same) {
    for (const [name, value] of Object.entries(params)) setYamlKey(doc, keys[name] ?? name, value);
    return doc.toString({ lineWidth: 0 });
  }
  if (!missing.length) return out;
  // Keys under a top-level key the file does not have yet are appended as a new block at
  // the end; a key inside an existing map goes through the Document.
  const root = check.contents;
  const appendable = isMap(root) && missing.every(([dotted]) => !root.has(dotted.split('.')[0]));
  if (appendable) {
    const block = new Document({});
    for (const [dotted, value] of missing) block.setIn(dotted.split('.'), value);
    return out + (out.endsWith('\n') || !out.length ? '' : '\n') + block.toString({ lineWidth: 0 });
  }
  for (const [dotted, value] of missing) setYamlKey(check, dotted, value);
  return check.toString({ lineWidth: 0 });
}

/** The JSON text with every parameter written in. */
export function editJsonText(textIn: string, params: Params, keys: Readonly<Record<string, string>>): string {
  let root: unknown;
  try {
    root = JSON.parse(textIn);
  } catch (e) {
    throw new TrialConfigError(`the configuration file is not valid JSON: ${(e as Error).message}`);
  }
  if (!root || typeof root !== 'object' || Array.isArray(root)) throw new TrialConfigError('the configuration file must hold a JSON object.');
  for (const [name, value] of Object.entries(params)) {
    const path = (keys[name] ?? name).split('.');
    let o = root as Record<string, unknown>;
    for (const part of path.slice(0, -1)) {
      const next = o[part];
      if (next === undefined) o = o[part] = {};
      else if (next && typeof next === 'object' && !Array.isArray(next)) o = next as Record<string, unknown>;
      else throw new TrialConfigError(`cannot set "${path.join('.')}": "${part}" is not an object.`);
    }
    o[path[path.length - 1]] = value;
  }
  return JSON.stringify(root, null, 2) + '\n';
}

/**
 * Copies `source` into `dir` under the same file name and writes the parameters into the
 * copy. Returns the copy's path.
 */
export function writeTrialConfig(source: string, dir: string, params: Params, keys: Readonly<Record<string, string>>): string {
  const dest = join(dir, basename(source));
  copyFileSync(source, dest); // keeps the mode, so an executable config stays one
  const textIn = readFileSync(source, 'utf8');
  const isJson = extname(source).toLowerCase() === '.json';
  writeFileSync(dest, isJson ? editJsonText(textIn, params, keys) : editYamlText(textIn, params, keys));
  return dest;
}
