/**
 * Checks that need more than one key at a time: unique names, references between
 * sections, parameter ranges, and files that must exist.
 */
import type { Document, YAMLMap } from 'yaml';
import type { LineIndex } from '../text/positions';
import { closest } from '../text/similar';
import type { Finding } from './findings';
import { mapAt, mapsOf, pairOf, resolve, rootMap, scalarAt, seqAt } from './yamlAccess';
import { isMap, isScalar, isSeq } from 'yaml';

/** What the host can tell about the disk; hosts without a disk (tests, web) leave it out. */
export interface AnalysisHost {
  /** Whether a path relative to the workspace file's folder exists. */
  fileExists?(relativePath: string): boolean;
}

export function checkSemantics(doc: Document.Parsed, idx: LineIndex, findings: Finding[], host: AnalysisHost): void {
  const root = rootMap(doc);
  if (!root) return;
  const range = (r: [number, number]) => idx.range(r[0], r[1]);

  const components = mapsOf(doc, seqAt(doc, root, 'components'));
  const names = new Set<string>();
  for (const c of components) {
    const name = scalarAt(doc, c, 'name');
    if (name) {
      if (names.has(name.text)) {
        const fresh = freshName(name.text, names, components.map((m) => scalarAt(doc, m, 'name')?.text ?? ''));
        findings.push({
          code: 'duplicate-component',
          severity: 'error',
          message: `Another component is already named "${name.text}". Component names must be unique.`,
          range: range(name.range),
          fixes: [{ title: `Rename to "${fresh}"`, edits: [{ range: range(name.range), newText: fresh }], preferred: true }],
        });
      }
      names.add(name.text);
    }
    checkProcess(doc, c, idx, findings);
    checkFiles(doc, c, 'configFiles', idx, findings, host);
  }

  uniqueNames(doc, mapsOf(doc, seqAt(doc, mapAt(doc, root, 'monitor'), 'alerts')), 'alert', idx, findings);
  for (const alert of mapsOf(doc, seqAt(doc, mapAt(doc, root, 'monitor'), 'alerts'))) {
    const expr = scalarAt(doc, alert, 'expr');
    const m = expr && /^\s*([a-z0-9][a-z0-9_-]*)\./.exec(expr.text);
    if (expr && m && !names.has(m[1])) {
      unknownComponent(m[1], names, [expr.range[0] + expr.text.indexOf(m[1]), expr.range[0] + expr.text.indexOf(m[1]) + m[1].length], idx, findings, 'The alert condition names');
    }
  }

  const studies = mapsOf(doc, seqAt(doc, mapAt(doc, root, 'tuning'), 'studies'));
  uniqueNames(doc, studies, 'study', idx, findings);
  for (const s of studies) {
    const comp = scalarAt(doc, s, 'component');
    if (comp && !names.has(comp.text)) unknownComponent(comp.text, names, comp.range, idx, findings, 'The study names');
    const cf = scalarAt(doc, s, 'configFile');
    if (cf && host.fileExists && !host.fileExists(cf.text)) {
      findings.push({ code: 'missing-file', severity: 'warning', message: `The configuration file "${cf.text}" does not exist (paths are relative to the folder of alluse-perf.yaml).`, range: range(cf.range) });
    }
    const params = mapAt(doc, s, 'parameters');
    for (const pair of params?.items ?? []) {
      const p = resolve(doc, pair.value);
      if (p && isMap(p) && isScalar(pair.key) && pair.key.range) checkParameter(doc, String(pair.key.value), [pair.key.range[0], pair.key.range[1]], p, idx, findings);
    }
  }
}

function freshName(base: string, taken: Set<string>, all: string[]): string {
  const used = new Set([...taken, ...all]);
  for (let i = 2; ; i++) if (!used.has(`${base}-${i}`)) return `${base}-${i}`;
}

function uniqueNames(doc: Document.Parsed, items: YAMLMap[], what: string, idx: LineIndex, findings: Finding[]): void {
  const seen = new Set<string>();
  for (const it of items) {
    const n = scalarAt(doc, it, 'name');
    if (!n) continue;
    if (seen.has(n.text)) {
      const fresh = freshName(n.text, seen, items.map((m) => scalarAt(doc, m, 'name')?.text ?? ''));
      findings.push({
        code: 'duplicate-name',
        severity: 'error',
        message: `Another ${what} is already named "${n.text}". Names must be unique.`,
        range: idx.range(n.range[0], n.range[1]),
        fixes: [{ title: `Rename to "${fresh}"`, edits: [{ range: idx.range(n.range[0], n.range[1]), newText: fresh }], preferred: true }],
      });
    }
    seen.add(n.text);
  }
}

function unknownComponent(name: string, names: Set<string>, r: [number, number], idx: LineIndex, findings: Finding[], lead: string): void {
  const near = closest(name, names);
  const range = idx.range(r[0], r[1]);
  findings.push({
    code: 'unknown-component',
    severity: 'error',
    message: `${lead} the component "${name}", which is not declared in components${near ? `. Did you mean "${near}"?` : names.size ? ` (declared: ${[...names].join(', ')}).` : '.'}`,
    range,
    fixes: near ? [{ title: `Change to "${near}"`, edits: [{ range, newText: near }], preferred: true }] : undefined,
  });
}

function checkProcess(doc: Document.Parsed, component: YAMLMap, idx: LineIndex, findings: Finding[]): void {
  const pair = pairOf(component, 'process');
  const proc = mapAt(doc, component, 'process');
  if (!pair || !proc || !pair.key.range) return;
  const hasLocator = ['pidFile', 'commandMatch', 'start'].some((k) => pairOf(proc, k) !== undefined);
  if (!hasLocator) {
    findings.push({
      code: 'no-process-locator',
      severity: 'error',
      message: 'The extension cannot find this component: give "pidFile", "commandMatch" or "start" under process.',
      range: idx.range(pair.key.range[0], pair.key.range[1]),
    });
  }
}

function checkFiles(doc: Document.Parsed, map: YAMLMap, key: string, idx: LineIndex, findings: Finding[], host: AnalysisHost): void {
  if (!host.fileExists) return;
  const seq = seqAt(doc, map, key);
  for (const item of seq?.items ?? []) {
    const n = resolve(doc, item);
    if (!n || !isScalar(n) || typeof n.value !== 'string' || !n.range) continue;
    if (!host.fileExists(n.value)) {
      findings.push({
        code: 'missing-file',
        severity: 'warning',
        message: `The file "${n.value}" does not exist (paths are relative to the folder of alluse-perf.yaml).`,
        range: idx.range(n.range[0], n.range[1]),
      });
    }
  }
}

function checkParameter(doc: Document.Parsed, name: string, keyRange: [number, number], p: YAMLMap, idx: LineIndex, findings: Finding[]): void {
  const type = scalarAt(doc, p, 'type')?.text;
  const min = scalarAt(doc, p, 'min');
  const max = scalarAt(doc, p, 'max');
  const log = scalarAt(doc, p, 'log')?.value === true;
  const at = (r: [number, number]) => idx.range(r[0], r[1]);
  const problem = (message: string, r: [number, number]) => findings.push({ code: 'invalid-parameter', severity: 'error', message: `Parameter "${name}": ${message}`, range: at(r) });
  if (type === 'int' || type === 'float') {
    if (!min || !max) {
      problem(`a ${type} parameter needs both "min" and "max".`, keyRange);
      return;
    }
    if (typeof min.value === 'number' && typeof max.value === 'number') {
      if (min.value >= max.value) problem(`"min" (${min.value}) must be smaller than "max" (${max.value}).`, min.range);
      if (log && min.value <= 0) problem('a log-scale parameter needs "min" greater than 0.', min.range);
      if (type === 'int' && (!Number.isInteger(min.value) || !Number.isInteger(max.value))) problem('an int parameter needs whole-number bounds.', min.range);
    }
    const choices = pairOf(p, 'choices');
    if (choices?.key.range) findings.push({ code: 'invalid-parameter', severity: 'warning', message: `Parameter "${name}": "choices" is ignored for a ${type} parameter.`, range: at([choices.key.range[0], choices.key.range[1]]) });
  } else if (type === 'categorical') {
    const choices = seqAt(doc, p, 'choices');
    if (!choices || !isSeq(choices) || choices.items.length === 0) problem('a categorical parameter needs a non-empty "choices" list.', keyRange);
    for (const k of ['min', 'max', 'log', 'step']) {
      const pr = pairOf(p, k);
      if (pr?.key.range) findings.push({ code: 'invalid-parameter', severity: 'warning', message: `Parameter "${name}": "${k}" is ignored for a categorical parameter.`, range: at([pr.key.range[0], pr.key.range[1]]) });
    }
  }
}
