/** Monitor options for unit tests of its scheduling and status, where only the loops matter. */
import type { MonitorOptions, ScheduledCollector } from '../../engine/monitor/monitor';

/** A store that takes samples and keeps nothing. */
export function nullStore() {
  return { append: () => undefined, flush: async () => undefined, readOnly: false, memoryOnly: false, problems: [], diskUsage: () => ({ rawBytes: 0, rollupBytes: 0, walBytes: 0, bytesPerSample: 0 }) };
}

/** The given loops; no rules or components; status and predictions once a minute (out of the way). */
export function testMonitorOptions(collectors: ScheduledCollector[], extra: Partial<MonitorOptions> = {}): MonitorOptions {
  return { collectors, store: nullStore() as never, storePath: '', rules: [], components: [], statusIntervalMs: 60_000, predictIntervalMs: 60_000, onStatus: () => undefined, ...extra };
}
