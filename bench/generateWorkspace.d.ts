/** Generates a realistic workspace file of about `lines` lines, for benchmarks. */
export declare function generateWorkspace(lines: number): string;
