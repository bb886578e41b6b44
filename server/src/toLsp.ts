/** Converts engine results into LSP shapes. */
import { CodeAction, CodeActionKind, CompletionItemKind, DiagnosticSeverity, InsertTextFormat, MarkupKind, type CompletionItem, type Diagnostic } from 'vscode-languageserver';
import type { CompletionEntry, Finding, Severity } from '../../engine/index';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export const DIAGNOSTIC_SOURCE = 'alluse-perf';

export function toDiagnostic(f: Finding): Diagnostic {
  return { range: f.range, severity: SEVERITY[f.severity], code: f.code, source: DIAGNOSTIC_SOURCE, message: f.message };
}

function sameRange(a: Diagnostic['range'], b: Diagnostic['range']): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

/** Quick fixes for the diagnostics VS Code asks about, matched to findings by code and range. */
export function toCodeActions(uri: string, findings: Finding[], asked: Diagnostic[]): CodeAction[] {
  const actions: CodeAction[] = [];
  for (const d of asked) {
    if (d.source !== DIAGNOSTIC_SOURCE) continue;
    const f = findings.find((x) => x.code === d.code && sameRange(x.range, d.range));
    for (const fix of f?.fixes ?? []) {
      const action = CodeAction.create(fix.title, { changes: { [uri]: fix.edits } }, CodeActionKind.QuickFix);
      action.diagnostics = [d];
      action.isPreferred = fix.preferred;
      actions.push(action);
    }
  }
  return actions;
}

export function toCompletionItem(e: CompletionEntry): CompletionItem {
  return {
    label: e.label,
    kind: e.kind === 'key' ? CompletionItemKind.Property : CompletionItemKind.Value,
    insertText: e.insertText,
    insertTextFormat: e.snippet ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
    detail: e.detail,
    documentation: { kind: MarkupKind.Markdown, value: e.documentation },
    sortText: e.sortText,
  };
}
