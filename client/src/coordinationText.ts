/** The words the Queue view and the conflict quick pick show (pure, so unit tests read them without VS Code). */
import type { CoordinationConflictsRequest, QueueState, Resolution, ScheduledJob } from '../../protocol/index';

/** The line beside a job's name: progress when running, the state otherwise. */
export function jobDescription(j: ScheduledJob): string {
  if (j.state === 'running') return j.progress ? `running ${j.progress.done}/${j.progress.total}` : 'running';
  return j.state;
}

/** The header line: the budget in use. */
export function budgetText(q: QueueState): string {
  return `${q.used.trials}/${q.budget.maxConcurrentTrials} trials, ${q.used.cpuCores}/${q.budget.trialCpuCores} cores in use`;
}

const METHOD_TEXT: Record<Resolution['method'], string> = { priority: 'by priority', measured: 'by measurement', unresolved: 'unresolved' };

export interface ConflictLine {
  icon: 'warning' | 'check' | 'shield';
  label: string;
  description: string;
  detail: string;
  resolution?: Resolution;
}

/** One line per resolution, then one per recommendation the SLO guardrail withheld. */
export function conflictLines(r: CoordinationConflictsRequest.Result): ConflictLine[] {
  const lines: ConflictLine[] = r.resolutions.map((res) => ({
    icon: res.method === 'unresolved' ? 'warning' : 'check',
    label: res.conflict.kind === 'same-key' ? `${res.conflict.component} ${res.conflict.key}` : `${res.conflict.resource} over its total`,
    description: `${METHOD_TEXT[res.method]}; keeps ${res.kept.length ? res.kept.map((k) => `${k.component}.${k.key}=${String(k.to)}`).join(', ') : 'none'}`,
    detail: res.explanation,
    resolution: res,
  }));
  for (const w of r.withheld) lines.push({ icon: 'shield', label: `${w.recommendation.component} ${w.recommendation.key} -> ${String(w.recommendation.to)}`, description: 'withheld by the SLO guardrail', detail: w.reason });
  return lines;
}
