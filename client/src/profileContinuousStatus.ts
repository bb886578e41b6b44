/** The status bar text of continuous profiling (pure, so it is unit-tested without VS Code). */

/** `running`: component → profiles kept so far. Undefined when nothing runs (the item hides). */
export function continuousStatusText(running: ReadonlyMap<string, number>): { text: string; tooltip: string } | undefined {
  if (!running.size) return undefined;
  const names = [...running.keys()].sort();
  const total = [...running.values()].reduce((s, n) => s + n, 0);
  const text = `$(pulse) Profiling ${names.length === 1 ? names[0] : `${names.length} components`} · ${total} kept`;
  const tooltip = [
    'Continuous profiling (10 ms sampling), each profile kept in the store:',
    ...names.map((n) => `${n}: ${running.get(n)} profile(s) so far`),
    'Click to stop.',
  ].join('\n');
  return { text, tooltip };
}
