/**
 * Evaluates alert rules on every sample, with a `for` delay before firing and hysteresis
 * (a margin and a clear delay) before resolving, so a value hovering at the threshold does
 * not make the alert flap.
 */
import { cachedSeriesId, type SeriesKey, type SeriesSample } from '../metrics/series';
import { conditionHolds, type AlertRule } from './rules';

export interface ActiveAlert {
  rule: AlertRule;
  series: string;
  /** When the condition started to hold (the alert fired `forMs` later). */
  since: number;
  firedAt: number;
  value: number;
}

export type AlertEvent = { type: 'firing'; alert: ActiveAlert } | { type: 'resolved'; alert: ActiveAlert; at: number; value: number };

interface SeriesState {
  /** Condition holding since (pending or firing); undefined when clear. */
  holdingSince?: number;
  /** While firing: the condition has been clear (past the margin) since. */
  clearSince?: number;
  firing?: ActiveAlert;
}

export class AlertEvaluator {
  private readonly byMetric = new Map<string, AlertRule[]>();
  private readonly states = new Map<string, SeriesState>();
  /**
   * The same states per series key object, by the rule's index in its metric's list:
   * collectors hand out one key object per series, so the 100 ms path builds no
   * `rule + series id` string per sample (other key objects of the series find the same
   * states through `states`).
   */
  private readonly byKey = new WeakMap<SeriesKey, (SeriesState | undefined)[]>();

  constructor(rules: AlertRule[]) {
    for (const r of rules) {
      const list = this.byMetric.get(r.metric) ?? [];
      list.push(r);
      this.byMetric.set(r.metric, list);
    }
  }

  /** Feeds samples (in time order per series); returns the alerts that fired or resolved. */
  observe(samples: readonly SeriesSample[]): AlertEvent[] {
    const events: AlertEvent[] = [];
    for (const s of samples) {
      const rules = this.byMetric.get(s.series.name);
      if (!rules || !Number.isFinite(s.v)) continue;
      let perRule = this.byKey.get(s.series);
      if (!perRule) this.byKey.set(s.series, (perRule = []));
      for (let i = 0; i < rules.length; i++) {
        const rule = rules[i];
        if (rule.component !== undefined && s.series.labels.component !== rule.component) continue;
        const id = cachedSeriesId(s.series);
        let st = perRule[i];
        if (!st) {
          const key = `${rule.name}\u0000${id}`;
          st = this.states.get(key);
          if (!st) this.states.set(key, (st = {}));
          perRule[i] = st;
        }
        this.step(rule, id, st, s.t, s.v, events);
      }
    }
    return events;
  }

  private step(rule: AlertRule, series: string, st: SeriesState, t: number, v: number, events: AlertEvent[]): void {
    if (st.firing) {
      st.firing.value = v;
      // Firing: it resolves only once the value is past the margin for clearForMs.
      if (conditionHolds(rule, v, rule.hysteresis)) {
        st.clearSince = undefined;
        return;
      }
      st.clearSince ??= t;
      if (t - st.clearSince >= rule.clearForMs) {
        events.push({ type: 'resolved', alert: st.firing, at: t, value: v });
        st.firing = undefined;
        st.holdingSince = undefined;
        st.clearSince = undefined;
      }
      return;
    }
    if (!conditionHolds(rule, v)) {
      st.holdingSince = undefined;
      return;
    }
    st.holdingSince ??= t;
    if (t - st.holdingSince >= rule.forMs) {
      st.firing = { rule, series, since: st.holdingSince, firedAt: t, value: v };
      events.push({ type: 'firing', alert: st.firing });
    }
  }

  active(): ActiveAlert[] {
    const out: ActiveAlert[] = [];
    for (const st of this.states.values()) if (st.firing) out.push(st.firing);
    const rank = { critical: 0, warning: 1, info: 2 } as const;
    return out.sort((a, b) => rank[a.rule.severity] - rank[b.rule.severity] || b.firedAt - a.firedAt);
  }
}
