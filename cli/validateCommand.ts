/** `alluse-perf validate [FILE]`: the editor's diagnostics, in the terminal and in CI. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { analyzeWorkspace, type Finding } from '../engine/index';

export interface ValidateOptions {
  format: 'text' | 'json';
}

/** Files larger than this are refused before they are read: no workspace file is that big. */
const MAX_BYTES = 32 * 1024 * 1024;

export function validateFile(file: string, opts: ValidateOptions, out: (s: string) => void, err: (s: string) => void): number {
  const path = resolve(file);
  if (!existsSync(path)) {
    err(`alluse-perf: ${file}: no such file. Give the path of an alluse-perf.yaml, or run the command in its folder.`);
    return 2;
  }
  const size = statSync(path).size;
  if (size > MAX_BYTES) {
    err(`alluse-perf: ${file}: the file is ${(size / 1048576).toFixed(0)} MiB; a workspace file over ${MAX_BYTES / 1048576} MiB is not read.`);
    return 2;
  }
  const text = decode(readFileSync(path));
  const folder = dirname(path);
  const analysis = analyzeWorkspace(text, { fileExists: (p) => existsSync(isAbsolute(p) ? p : resolve(folder, p)) });
  const shown = relative(process.cwd(), path) || path;
  if (opts.format === 'json') {
    out(JSON.stringify({ file: shown, findings: analysis.findings.map((f) => ({ ...f, fixes: f.fixes?.map((x) => x.title) })) }));
  } else {
    for (const f of analysis.findings) out(formatFinding(shown, f));
    const errors = analysis.findings.filter((f) => f.severity === 'error').length;
    const warnings = analysis.findings.length - errors;
    err(analysis.findings.length ? `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}` : `${shown}: no problems`);
  }
  return analysis.findings.some((f) => f.severity === 'error') ? 1 : 0;
}

/** `file:line:col: severity code message`, one-based like compilers print it. */
export function formatFinding(file: string, f: Finding): string {
  return `${file}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.severity} ${f.code} ${f.message}`;
}

/**
 * Decodes as UTF-8 the way an editor does: invalid bytes become U+FFFD, which the analysis
 * reports as "not UTF-8" at the first one. A byte-order mark is dropped.
 */
function decode(bytes: Buffer): string {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
