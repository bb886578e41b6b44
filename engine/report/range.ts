/** The report's time range: a duration back from now, and a step that gives charts of at most ~600 points. */
import { parseDuration } from '../workspace/units';
import { formatDurationMs } from '../monitor/bottlenecks';

/** Steps the store answers well: raw seconds, then multiples of its 1 s, 1 min and 1 h rollups. */
const STEPS = [1000, 5000, 10_000, 30_000, 60_000, 300_000, 600_000, 1_800_000, 3_600_000, 6 * 3_600_000, 86_400_000];
const MAX_POINTS = 600;

/** A report's span back from now, its chart step, and both in words. */
export interface ReportRange {
  spanMs: number;
  stepMs: number;
  label: string;
}

/** `24h`, `30m`, `7d`… to a span and step; undefined when it is not a duration or shorter than a minute. */
export function reportRange(text: string): ReportRange | undefined {
  const spanMs = parseDuration(text);
  if (spanMs === undefined || !(spanMs >= 60_000)) return undefined;
  const stepMs = STEPS.find((s) => spanMs / s <= MAX_POINTS) ?? STEPS[STEPS.length - 1];
  return { spanMs, stepMs, label: `the last ${formatDurationMs(spanMs)} (${formatDurationMs(stepMs)} steps)` };
}
