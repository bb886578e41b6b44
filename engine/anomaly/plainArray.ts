/**
 * A typed array's numbers as a plain array, for a detector's snapshot (its JSON). Not
 * `Array.from(typed)`: that walks the iterator, an `{ value, done }` object and a boxed
 * number per element, and the monitor's baselines save (every 5 minutes, every detector of
 * every series) allocated some 33 MB that way at the demo's 480 series (an allocation profile
 * of `alluse-perf monitor`, docs/performance.md, "Monitoring", 28 Nov). The same numbers.
 */
export function plainArray(t: ArrayLike<number>): number[] {
  const out = new Array<number>(t.length);
  for (let i = 0; i < t.length; i++) out[i] = t[i];
  return out;
}
