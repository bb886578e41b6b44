/**
 * systeminformation, loaded on first use only (it is large and most of it is not needed on
 * the 100 ms path). It serves the slow sources (file systems, GPU) and the fallback on
 * systems without /proc.
 */
type SI = typeof import('systeminformation');
let loading: Promise<SI> | undefined;

export function loadSysteminformation(): Promise<SI> {
  loading ??= import('systeminformation').then((m) => ((m as unknown as { default?: SI }).default ?? m) as SI);
  return loading;
}
