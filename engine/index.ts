/**
 * The analysis engine: pure TypeScript, no `vscode` or LSP imports. The language server,
 * the CLI and the tests all use it through this module.
 *
 * @module engine
 */
export * from './text/positions';
export { ChunkedYamlParser } from './workspace/chunkedParser';
export { analyzeWorkspace, parseWorkspaceYaml, MAX_FINDINGS, MAX_WORKSPACE_CHARS, type WorkspaceAnalysis, type AnalysisHost } from './workspace/analyze';
export type { Finding, FindingCode, Fix, Severity } from './workspace/findings';
export { hoverAt, type HoverResult } from './workspace/hover';
export { completeAt, pathAt, type CompletionEntry } from './workspace/completion';
export { workspaceSchema } from './workspace/schema';
export { workspaceJsonSchema } from './workspace/jsonSchema';
export { referenceMarkdown, REFERENCE_BEGIN, REFERENCE_END } from './workspace/referenceDoc';
export type { WorkspaceSummary, ComponentSummary, StudySummary } from './workspace/summary';
export { parseDuration, parseSize } from './workspace/units';
export { parseComparison, type Comparison } from './workspace/expressions';
