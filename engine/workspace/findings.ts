import type { Range, TextEdit } from '../text/positions';

/** The severity of a finding, as LSP diagnostics have it. */
export type Severity = 'error' | 'warning' | 'information' | 'hint';

/** Every problem the workspace analysis reports; stable codes, documented in docs/configuration.md. */
export type FindingCode =
  | 'yaml-syntax'
  | 'yaml-warning'
  | 'duplicate-key'
  | 'not-utf8'
  | 'binary-content'
  | 'too-complex'
  | 'too-large'
  | 'unknown-key'
  | 'wrong-type'
  | 'missing-required'
  | 'invalid-value'
  | 'out-of-range'
  | 'missing-unit'
  | 'too-few-items'
  | 'duplicate-component'
  | 'duplicate-name'
  | 'unknown-component'
  | 'invalid-parameter'
  | 'invalid-expression'
  | 'missing-file'
  | 'no-process-locator'
  | 'too-many-problems'
  /** Not a problem of the file: a monitoring alert shown on the component it concerns. */
  | 'alert-firing'
  /** Not a problem of the file: an anomaly the detectors found on the component. */
  | 'anomaly'
  /** Not a problem of the file: when a limit or SLO is predicted to be crossed, on its key. */
  | 'limit-forecast';

/** A mechanical repair of one finding: the edits keep the rest of the file (comments, formatting) as it is. */
export interface Fix {
  title: string;
  edits: TextEdit[];
  /** The fix VS Code applies with "Fix all" / auto-fix. */
  preferred?: boolean;
}

/** A problem in alluse-perf.yaml: a stable `code`, a message in words, its exact range, and quick fixes when there are any. */
export interface Finding {
  code: FindingCode;
  severity: Severity;
  message: string;
  range: Range;
  fixes?: Fix[];
}
