/**
 * What the monitor hands to the anomaly detectors. Scoring is the dearest thing the monitor
 * does per sample, and most of the 100 ms series (load averages, memory and swap totals,
 * per-core CPU, each network interface and disk) say nothing new ten times a second. So:
 *
 * - the key series are scored at their full rate: each component's process CPU and
 *   resident memory, and the system's total CPU and used memory (a CPU hog or a leak is
 *   found within a few samples);
 * - a series sampled faster than every `windowMs / 2` is scored once per window (1 s) on
 *   the mean of the window's samples, stamped with the last one's time (the 1 s rollup the
 *   dashboard shows);
 * - slower series (the scrapes, every second by default) are scored as they come;
 * - a value equal to the last one scored is scored again only after `unchangedMs` (10 s):
 *   a third of the demo's series are constant (totals, capacities, info metrics, rates of
 *   errors that do not happen) and say nothing new each second. A change is scored at once.
 *
 * Everything is still stored and alerted on at the full rate; this is only the scoring.
 */
import { cachedSeriesId, type SeriesKey, type SeriesSample } from '../metrics/series';

/** Series scored at the full collection rate (by name; all label sets of them). */
const FULL_RATE_NAMES = new Set(['process_cpu_ratio', 'process_resident_memory_bytes']);
/** And these label sets of system series. */
const isFullRateSystem = (k: SeriesKey): boolean => (k.name === 'system_cpu_ratio' && k.labels.cpu === 'total') || k.name === 'system_memory_used_bytes';

interface Window {
  /** The key object `windows` holds it under (a series can come back with a new one). */
  key: SeriesKey;
  full: boolean;
  /** Time of the previous sample of the series. */
  prevT: number;
  /** Open window: time of its first sample, sum and count. */
  first: number;
  sum: number;
  n: number;
  /** The last sample handed to the detector. */
  lastV: number;
  lastT: number;
}

export class AnomalyFeed {
  private readonly windows = new Map<SeriesKey, Window>();
  /** The same windows by series id: a series that comes back with a new key object finds its window. */
  private readonly byId = new Map<string, Window>();
  private readonly out: SeriesSample[] = [];

  constructor(
    private readonly windowMs = 1000,
    private readonly unchangedMs = 10_000,
  ) {}

  /** Hands `s` to the detector unless it repeats the last value scored not long ago. */
  private score(w: Window, s: SeriesSample): void {
    if (s.v === w.lastV && s.t - w.lastT < this.unchangedMs) return;
    w.lastV = s.v;
    w.lastT = s.t;
    this.out.push(s);
  }

  /** Series with a window (one per series however often it came back). */
  get size(): number {
    return this.windows.size;
  }

  /**
   * The samples to score, from a batch in time order per series. The array returned is
   * reused by the next call: read it before calling again.
   */
  select(samples: readonly SeriesSample[]): readonly SeriesSample[] {
    const out = this.out;
    out.length = 0;
    const W = this.windowMs;
    for (const s of samples) {
      if (!Number.isFinite(s.v)) continue; // never scored (the tracker skips them too)
      let w = this.windows.get(s.series);
      if (!w) {
        const id = cachedSeriesId(s.series);
        w = this.byId.get(id);
        if (w) {
          // Back with a new key object (a scrape forgets the keys of label sets it did not see):
          // the old key is let go, so this map holds one entry per series, not per comeback.
          this.windows.delete(w.key);
          w.key = s.series;
        } else {
          // A runaway label set must not grow this forever; forgetting means one extra sample scored.
          if (this.byId.size > 100_000) {
            this.windows.clear();
            this.byId.clear();
          }
          w = { key: s.series, full: FULL_RATE_NAMES.has(s.series.name) || isFullRateSystem(s.series), prevT: -Infinity, first: 0, sum: 0, n: 0, lastV: NaN, lastT: -Infinity };
          this.byId.set(id, w);
        }
        this.windows.set(s.series, w);
      }
      const gap = s.t - w.prevT;
      w.prevT = s.t;
      if (w.full || !(gap < W / 2)) {
        // Key series, and series no faster than every half window: as they come.
        if (w.n > 0) w.n = 0; // a series that slowed down leaves its open window
        this.score(w, s);
        continue;
      }
      if (w.n === 0) {
        w.first = s.t;
        w.sum = 0;
      }
      w.sum += s.v;
      w.n++;
      // The window is complete when the next sample, one gap later, would pass its end.
      if (s.t - w.first + gap >= W - 1) {
        const v = w.sum / w.n;
        this.score(w, v === s.v ? s : { series: s.series, t: s.t, v });
        w.n = 0;
      }
    }
    return out;
  }
}
