/**
 * The rollup points of the time-to-limit windows (engine/monitor/bottlenecks.ts), kept between
 * rounds so that a round reads only what changed: the windows slide by 5 s, but reading a whole
 * window again decoded the 1 s tier's sealed blocks of the last hour every round (the cost grew
 * with the store's history).
 *
 * Exactness. A query's point for a step is the mean of the buckets starting in that step and in
 * [from, to], added in time order, so a window's points are the concatenation of the points of
 * disjoint step-aligned sub-ranges. A step before the step of a series' last point is final:
 * the store drops samples not newer than their series' last one, so later samples land in that
 * last step or after it. Each round therefore queries:
 * - the head: the first step, cut by `from` (none when no bucket can start in the part of it
 *   inside the window: rollup buckets start at whole seconds, engine/store/rollup.ts), from
 *   the sums and counts of its tier's buckets, read 120 buckets ahead (`headPoint`);
 * - the tail: from the first step not known final (the step of the last point) to `to`;
 * and takes the final steps in between from the cache. Only single-series windows are cached
 * (a limit's series is one per component or mount); when a query shows another series, a store
 * that lost data (`dataGeneration`: retention, the memory limit, a reload), a clock that went
 * back, or a store without that counter (a read-only or test store), the whole window is read.
 */
import { seriesId, type Labels, type Sample, type SeriesKey } from '../metrics/series';
import { TIERS } from '../store/rollup';
import type { MetricStore } from './storeApi';

/** Buckets of the head's tier read at once (sums and counts), for the next rounds' heads. */
const HEAD_CHUNK = 120;

/** The rollup tier a mean query with this step reads (engine/store/aggregate.ts `chooseResolution`): its bucket width. */
function tierMsOf(stepMs: number): number {
  let ms = 0;
  for (const t of TIERS) if (t.ms <= stepMs) ms = t.ms;
  return ms;
}

interface Entry {
  generation: number;
  id: string;
  series: SeriesKey;
  /** Final points (whole steps, oldest first); the ones before the window's first whole step are dropped on use. */
  points: Sample[];
  /** The first whole step of the window when the entry was last updated, and its end (`to`). */
  start: number;
  to: number;
  /** The step where final points end: the step of the last point seen (re-read each round). */
  end: number;
  /** The last round that used it. */
  round: number;
  /** Final buckets of the tier from `headFrom` to `headTo` (inclusive): starts, sums and counts, for the heads. */
  head?: { from: number; to: number; t: Float64Array; sum: Float64Array; count: Float64Array; n: number };
}

export class WindowQueryCache {
  private readonly entries = new Map<string, Entry>();
  private round = 0;
  /** Reads so far: windows read in part (head and tail) and whole. */
  readonly reads = { partial: 0, whole: 0 };

  constructor(private readonly store: MetricStore) {}

  /** Whether the store lets its reads be cached (a writer with the data-generation counter). */
  static usable(store: MetricStore): boolean {
    return typeof store.dataGeneration === 'number' && !store.readOnly;
  }

  /** Starts a round of queries; entries unused in the previous round are dropped (targets or windows changed). */
  beginRound(): void {
    for (const [k, e] of this.entries) if (e.round < this.round) this.entries.delete(k);
    this.round++;
  }

  /**
   * `store.query({ name, labels, from, to, stepMs, agg: 'mean' })` (stepMs at least 1 s): the
   * same points, reading only what changed (a series without points in the window may be left out).
   */
  meanQuery(name: string, labels: Labels, from: number, to: number, stepMs: number): { series: SeriesKey; points: Sample[] }[] {
    const key = `${stepMs}|${to - from}|${seriesId({ name, labels })}`;
    const generation = this.store.dataGeneration!;
    const firstWhole = Math.ceil(from / stepMs) * stepMs;
    const e = this.entries.get(key);
    // Another series under the name and labels (even one whose samples all fall between the
    // head and the tail) means a whole read: the cache holds one series per window.
    if (e && e.generation === generation && firstWhole >= e.start && to >= e.to && this.onlySeries(name, labels, e.id)) {
      const points: Sample[] = [];
      // The head: the step cut by `from`, when a bucket (whole seconds) can start in [from, firstWhole).
      if (from < firstWhole && Math.ceil(from / 1000) * 1000 < firstWhole) {
        const p = this.headPoint(e, name, labels, from, firstWhole, stepMs);
        if (p === null) {
          const head = this.store.query({ name, labels, from, to: firstWhole - 1, stepMs, agg: 'mean' });
          if (!this.only(head, e.id)) return this.full(key, name, labels, from, to, stepMs, generation);
          if (head.length) for (const q of head[0].points) points.push(q);
        } else if (p) points.push(p);
      }
      const tailFrom = Math.max(e.end, firstWhole);
      for (const p of e.points) if (p.t >= firstWhole && p.t < tailFrom) points.push(p);
      const tail = this.store.query({ name, labels, from: tailFrom, to, stepMs, agg: 'mean' });
      if (!this.only(tail, e.id)) return this.full(key, name, labels, from, to, stepMs, generation);
      const fresh = tail.length ? tail[0].points : [];
      for (const p of fresh) points.push(p);
      // Keep the final steps of this window (from its first whole step to the last point's step).
      const last = points.length ? points[points.length - 1].t : e.end;
      const kept: Sample[] = [];
      for (const p of points) if (p.t >= firstWhole && p.t < last) kept.push(p);
      e.points = kept;
      e.end = Math.max(last, firstWhole);
      e.start = firstWhole;
      e.to = to;
      e.round = this.round;
      this.reads.partial++;
      return points.length ? [{ series: e.series, points }] : [];
    }
    return this.full(key, name, labels, from, to, stepMs, generation);
  }

  /**
   * The head's point (the step cut by `from`) from the cached buckets of its tier, as the
   * store's mean adds them (the first bucket's sum and count, then each next one's, in time
   * order); undefined when no bucket is there, null when the buckets are not at hand (the
   * caller queries). Buckets are read HEAD_CHUNK at a time, only from final steps, by two
   * queries at the tier's own step ('sum' and 'count': one bucket per point).
   */
  private headPoint(e: Entry, name: string, labels: Labels, from: number, firstWhole: number, stepMs: number): Sample | undefined | null {
    const tierMs = tierMsOf(stepMs);
    if (tierMs < 1000 || stepMs % tierMs) return null;
    const to = firstWhole - 1;
    if (!e.head || from < e.head.from || to > e.head.to) {
      e.head = undefined;
      const chunkTo = Math.min(from + HEAD_CHUNK * tierMs, e.end) - 1;
      if (chunkTo < to) return null;
      const sums = this.store.query({ name, labels, from, to: chunkTo, stepMs: tierMs, agg: 'sum' });
      const counts = this.store.query({ name, labels, from, to: chunkTo, stepMs: tierMs, agg: 'count' });
      if (!this.only(sums, e.id) || !this.only(counts, e.id)) return null;
      const sp = sums.length ? sums[0].points : [];
      const cp = counts.length ? counts[0].points : [];
      if (sp.length !== cp.length) return null;
      const head = { from, to: chunkTo, t: new Float64Array(sp.length), sum: new Float64Array(sp.length), count: new Float64Array(sp.length), n: sp.length };
      for (let i = 0; i < sp.length; i++) {
        if (sp[i].t !== cp[i].t) return null;
        head.t[i] = sp[i].t;
        head.sum[i] = sp[i].v;
        head.count[i] = cp[i].v;
      }
      e.head = head;
    }
    const h = e.head;
    let i = 0;
    while (i < h.n && h.t[i] < from) i++;
    if (i >= h.n || h.t[i] > to) return undefined;
    let count = h.count[i];
    let sum = h.sum[i];
    for (i++; i < h.n && h.t[i] <= to; i++) {
      count += h.count[i];
      sum += h.sum[i];
    }
    return { t: Math.floor(from / stepMs) * stepMs, v: sum / count };
  }

  private onlySeries(name: string, labels: Labels, id: string): boolean {
    const keys = this.store.listSeries({ name, labels });
    return keys.length === 1 && seriesId(keys[0]) === id;
  }

  /** Whether `results` hold no series but `id` (an empty answer is fine). */
  private only(results: { series: SeriesKey }[], id: string): boolean {
    return results.length === 0 || (results.length === 1 && seriesId(results[0].series) === id);
  }

  private full(key: string, name: string, labels: Labels, from: number, to: number, stepMs: number, generation: number): { series: SeriesKey; points: Sample[] }[] {
    const results = this.store.query({ name, labels, from, to, stepMs, agg: 'mean' });
    this.reads.whole++;
    if (results.length !== 1 || !results[0].points.length) {
      this.entries.delete(key);
      return results;
    }
    const { series, points } = results[0];
    const firstWhole = Math.ceil(from / stepMs) * stepMs;
    const last = points[points.length - 1].t;
    const kept: Sample[] = [];
    for (const p of points) if (p.t >= firstWhole && p.t < last) kept.push(p);
    this.entries.set(key, { generation, id: seriesId(series), series, points: kept, start: firstWhole, to, end: Math.max(last, firstWhole), round: this.round });
    return results;
  }
}
