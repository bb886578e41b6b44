/**
 * The workspace-file analysis: text in, findings and a summary out. Pure and synchronous,
 * so the language server, the CLI and the tests all run exactly the same checks.
 */
import { visit, type Document } from 'yaml';
import { MAX_ALIAS_COUNT } from './config';
import { ChunkedYamlParser, parseWorkspaceYaml } from './chunkedParser';
import { LineIndex } from '../text/positions';
import { checkSemantics, type AnalysisHost } from './checkSemantics';
import type { Finding } from './findings';
import { workspaceSchema } from './schema';
import { summarize, type WorkspaceSummary } from './summary';
import { SchemaValidator } from './validateSchema';

export type { AnalysisHost } from './checkSemantics';

/** More findings than this help nobody; the rest are summed up in one. */
export const MAX_FINDINGS = 500;

/**
 * Text beyond this is not analysed: a workspace file needs a few KB, and the analysis runs
 * on the server's one thread (1.6 MiB of components took 5.4 s on a busy 2-core machine;
 * more would freeze diagnostics, hover and completion for as long).
 */
export const MAX_WORKSPACE_CHARS = 1024 * 1024;

/** What `analyzeWorkspace` found: the findings (diagnostics with fixes), the summary, the parsed document and its line index. */
export interface WorkspaceAnalysis {
  findings: Finding[];
  summary: WorkspaceSummary;
  /** The parsed document, for hover and edits; undefined when the text could not be parsed at all. */
  doc?: Document.Parsed;
  index: LineIndex;
}

export { parseWorkspaceYaml };

/**
 * Analyses the text of a workspace file. Pass the same `parser` for successive versions of
 * one file (as the language server does) to reuse the parts that did not change.
 */
export function analyzeWorkspace(text: string, host: AnalysisHost = {}, parser?: ChunkedYamlParser): WorkspaceAnalysis {
  const index = new LineIndex(text);
  const findings: Finding[] = [];

  if (text.length > MAX_WORKSPACE_CHARS) {
    const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
    findings.push({ code: 'too-large', severity: 'error', message: `The file holds ${mib(text.length)} of text; a workspace file over ${mib(MAX_WORKSPACE_CHARS)} is not analysed (one needs a few KB). Is this the right file? Move data that is not configuration elsewhere.`, range: index.range(0, 1) });
    return { findings, summary: summarize(undefined, index), index };
  }

  const badChar = firstEncodingProblem(text);
  if (badChar) {
    findings.push({ ...badChar, range: index.range(badChar.offset, badChar.offset + 1) });
    // Garbage makes the rest of the checks noise: stop at the encoding problem.
    return { findings, summary: summarize(undefined, index), index };
  }

  let doc: Document.Parsed;
  try {
    doc = parser ? parser.parse(text) : parseWorkspaceYaml(text);
  } catch (e) {
    // The parser can throw on pathological input (stack depth); never take the server down.
    findings.push({ code: 'too-complex', severity: 'error', message: `The file could not be parsed (${(e as Error).message}). Simplify its nesting.`, range: index.range(0, 1) });
    return { findings, summary: summarize(undefined, index), index };
  }

  for (const e of doc.errors) {
    const [s, en] = e.pos;
    findings.push({
      code: e.code === 'DUPLICATE_KEY' ? 'duplicate-key' : 'yaml-syntax',
      severity: 'error',
      message: e.code === 'DUPLICATE_KEY' ? 'This key appears twice in the same mapping; YAML keeps only one. Remove or rename one of them.' : `YAML syntax: ${firstLine(e.message)}`,
      range: index.range(s, Math.max(en, s + 1)),
    });
  }
  for (const w of doc.warnings) {
    findings.push({ code: 'yaml-warning', severity: 'warning', message: `YAML: ${firstLine(w.message)}`, range: index.range(w.pos[0], Math.max(w.pos[1], w.pos[0] + 1)) });
  }

  // Schema checks on a document with syntax errors would mostly repeat them.
  const hasSyntaxErrors = doc.errors.some((e) => e.code !== 'DUPLICATE_KEY');
  let tooComplex = false;
  if (!hasSyntaxErrors) {
    try {
      const validator = new SchemaValidator(doc, index, findings);
      validator.validateRoot(workspaceSchema);
      // After an alias bomb, any further walk over the document would expand it again.
      tooComplex = validator.gaveUp;
      // Aliases under keys the schema does not walk (unknown ones) are expanded by the
      // monitor's config reader: expand them once here with its limit, so a bomb is an error
      // in the file and not a crash later. Files without aliases (nearly all) skip this.
      if (!tooComplex && hasAlias(doc)) {
        try {
          doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
        } catch (e) {
          if (!(e instanceof ReferenceError) && !(e instanceof RangeError)) throw e;
          findings.push({ code: 'too-complex', severity: 'error', message: 'The aliases (*name) in this file expand to far more than any workspace file needs (an alias bomb?). Write the values out, or use fewer aliases.', range: index.range(0, 1) });
          tooComplex = true;
        }
      }
      if (!tooComplex) checkSemantics(doc, index, findings, host);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      findings.push({ code: 'too-complex', severity: 'error', message: 'The file is nested too deeply to check. Simplify it.', range: index.range(0, 1) });
      tooComplex = true;
    }
  }

  findings.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  if (findings.length > MAX_FINDINGS) {
    const rest = findings.length - MAX_FINDINGS;
    findings.length = MAX_FINDINGS;
    findings.push({ code: 'too-many-problems', severity: 'warning', message: `${rest} more problems are not shown. Fix the ones above first.`, range: index.range(0, 1) });
  }
  return { findings, summary: summarize(tooComplex ? undefined : doc, index), doc, index };
}

function hasAlias(doc: Document.Parsed): boolean {
  let found = false;
  visit(doc, {
    Alias: () => {
      found = true;
      return visit.BREAK;
    },
  });
  return found;
}

function firstLine(s: string): string {
  return s.split('\n')[0].trim();
}

/**
 * Binary content and text that was not UTF-8: editors decode such bytes to U+FFFD, and
 * NUL or other control characters never belong in YAML.
 */
function firstEncodingProblem(text: string): { code: 'not-utf8' | 'binary-content'; severity: 'error'; message: string; offset: number } | undefined {
  const bad = text.indexOf('\uFFFD');
  // eslint-disable-next-line no-control-regex
  const ctl = text.search(/[\u0000-\u0008\u000E-\u001F\u007F]/);
  if (ctl >= 0 && (bad < 0 || ctl < bad)) {
    return { code: 'binary-content', severity: 'error', message: 'The file contains binary data (control characters). alluse-perf.yaml must be a UTF-8 text file.', offset: ctl };
  }
  if (bad >= 0) {
    return { code: 'not-utf8', severity: 'error', message: 'The file is not valid UTF-8 text (bytes that do not decode). Save it as UTF-8.', offset: bad };
  }
  return undefined;
}
