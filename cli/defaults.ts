/** Defaults the command line's help shows, kept apart from the commands' engines so `main.ts` can name them without loading those. */

/** Where `alluse-perf report` writes its HTML without --out. */
export const DEFAULT_REPORT_FILE = 'alluse-perf-report.html';
