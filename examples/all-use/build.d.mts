// Types for build.mjs (imported by the root build and the demo tests).
export declare const ENTRIES: string[];
export declare function buildDemo(options?: { minify?: boolean; quiet?: boolean }): Promise<{ outdir: string; outputs: string[] }>;
