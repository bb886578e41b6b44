/**
 * Alert rules: the threshold rules of `monitor.alerts` and the rules implied by each
 * component's SLOs, in one evaluated form.
 */
import type { ComparisonOp } from '../workspace/expressions';

export type AlertSeverity = 'info' | 'warning' | 'critical';

export interface AlertRule {
  /** Unique: the alert's name, or `slo:<component>:<what>` for SLO rules. */
  name: string;
  /** Only series with this `component` label; undefined for system metrics. */
  component?: string;
  /** The series name the rule watches. */
  metric: string;
  op: ComparisonOp;
  threshold: number;
  /** The condition must hold this long before the alert fires. */
  forMs: number;
  /** The condition must be clear this long (and past the hysteresis margin) before the alert resolves. */
  clearForMs: number;
  /**
   * Margin, as a share of |threshold|, that the value must cross back before the condition
   * counts as clear: with `> 50` and 0.05, the alert clears below 47.5. Stops flapping.
   */
  hysteresis: number;
  severity: AlertSeverity;
  description?: string;
  origin: 'rule' | 'slo';
}

/** Whether `value` meets the rule's condition; `margin` tightens it (for clearing). */
export function conditionHolds(rule: Pick<AlertRule, 'op' | 'threshold'>, value: number, margin = 0): boolean {
  const t = rule.threshold;
  const m = Math.abs(t) * margin;
  switch (rule.op) {
    case '>':
      return value > t - m;
    case '>=':
      return value >= t - m;
    case '<':
      return value < t + m;
    case '<=':
      return value <= t + m;
    case '==':
      return margin ? Math.abs(value - t) <= m : value === t;
    case '!=':
      return value !== t;
  }
}
