/**
 * Runs a streaming anomaly detector on every series the monitor collects and turns high
 * scores into findings: one per series per episode (a series that stays anomalous is not
 * reported again until it has been normal for a while), newest first, with the detector's
 * explanation.
 */
import type { DetectorFactory, StreamingDetector } from '../anomaly/types';
import type { AnomalyFinding } from './types';
import { cachedSeriesId, type SeriesKey, type SeriesSample } from '../metrics/series';

export type { AnomalyFinding };
type FindingSeverity = AnomalyFinding['severity'];

export interface AnomalyOptions {
  /** Scores at or above this open an episode. */
  threshold: number;
  /** An episode ends once the series has scored below the threshold this long. */
  quietMs: number;
  /** Findings kept (newest first). */
  maxFindings: number;
  /** Series whose names start with these are not scored (the monitor's own bookkeeping). */
  skipPrefixes: string[];
}

const DEFAULTS: AnomalyOptions = { threshold: 0.2, quietMs: 60_000, maxFindings: 500, skipPrefixes: ['scrape_', 'up', 'slo_'] };

/** The expected band is kept once a second for the last 5 minutes, for the dashboard. */
const BAND_STEP_MS = 1000;
const BAND_POINTS = 300;
/**
 * A ring starts with room for this many points and doubles as they come: a series gets its ring
 * at its first band point, and most have only a few (a point comes with a nonzero score only).
 */
const BAND_FIRST_POINTS = 16;

export interface BandPoint {
  t: number;
  lower: number;
  upper: number;
}

/** The largest magnitude a band point's lower or upper may have: a float32's. */
const BAND_MAX = 3.4028234663852886e38;
/** The largest time a band point may be after the ring's base (its times are 32-bit offsets). */
const BAND_MAX_OFFSET = 0xffffffff;

/**
 * The last BAND_POINTS band points of a series (time, lower, upper) in one buffer: the times as
 * 32-bit millisecond offsets from the ring's base, the bounds as float32s: at most 3.6 kB per
 * series with a band, 192 bytes for its first 16 points. As float64s they took 7.2 kB (up to
 * 3.4 MB of the monitor's memory at the demo's 470 series; 87 series had a band 10 minutes in:
 * docs/performance.md, "Monitoring"), and as 300 objects with 3 boxed numbers each about 22 kB. The band is drawn on the dashboard's
 * charts, where a float32's 7 digits are finer than a pixel; the detectors keep their own
 * state at full precision.
 */
class BandRing {
  private t!: Uint32Array;
  private bounds!: Float32Array;
  /** Points it has room for: from BAND_FIRST_POINTS, doubled as they come, up to BAND_POINTS. */
  private cap = 0;
  /** The time the offsets are from: the first point's since the ring was last empty. */
  private base = 0;
  private start = 0;
  size = 0;

  constructor() {
    this.allocate(BAND_FIRST_POINTS);
  }

  /** A buffer for `cap` points, the ring's points copied into it oldest first. */
  private allocate(cap: number): void {
    const buf = new ArrayBuffer(cap * 12);
    const t = new Uint32Array(buf, 0, cap);
    const bounds = new Float32Array(buf, cap * 4, cap * 2);
    for (let k = 0; k < this.size; k++) {
      const i = (this.start + k) % this.cap;
      t[k] = this.t[i];
      bounds[k * 2] = this.bounds[i * 2];
      bounds[k * 2 + 1] = this.bounds[i * 2 + 1];
    }
    this.t = t;
    this.bounds = bounds;
    this.cap = cap;
    this.start = 0;
  }

  get lastT(): number {
    return this.size ? this.base + this.t[(this.start + this.size - 1) % this.cap] : -Infinity;
  }

  /** Adds a point (times after the last one's); a bound a float32 cannot hold leaves the point out. */
  push(t: number, lower: number, upper: number): void {
    if (!(Math.abs(lower) <= BAND_MAX && Math.abs(upper) <= BAND_MAX)) return;
    let off = Math.round(t - this.base);
    if (this.size === 0 || off > BAND_MAX_OFFSET) {
      // Empty, or every point is 49 days old or more (long gone from the dashboard's 5 minutes): start over.
      this.start = this.size = 0;
      this.base = Math.round(t);
      off = 0;
    }
    if (this.size === this.cap && this.cap < BAND_POINTS) this.allocate(Math.min(BAND_POINTS, 2 * this.cap));
    let i: number;
    if (this.size < this.cap) i = (this.start + this.size++) % this.cap;
    else {
      i = this.start;
      this.start = (this.start + 1) % this.cap;
    }
    this.t[i] = off;
    this.bounds[i * 2] = lower;
    this.bounds[i * 2 + 1] = upper;
  }

  points(): BandPoint[] {
    const out: BandPoint[] = [];
    for (let k = 0; k < this.size; k++) {
      const i = (this.start + k) % this.cap;
      out.push({ t: this.base + this.t[i], lower: this.bounds[i * 2], upper: this.bounds[i * 2 + 1] });
    }
    return out;
  }
}

/**
 * A scored series. A class with every field set in its constructor: as an object literal that
 * gained `band` and `open` later, its objects had four shapes, and each new one met in
 * `observe` (a series' first band point, its first finding, late in a run) threw the optimized
 * `observe` away: it ran unoptimized for most of a 90 s profile (docs/performance.md, "Monitoring").
 */
class SeriesState {
  /** Made at the first band point (many detectors give none). */
  band: BandRing | undefined = undefined;
  /** The open episode's finding, while the series is anomalous. */
  open: AnomalyFinding | undefined = undefined;
  lastAnomalous = -Infinity;
  /**
   * The series' component label, read once: the labels objects have many shapes, and reading it
   * in `observe` when a finding opened deoptimized `observe` at each shape new to it there.
   */
  readonly component: string | undefined;

  constructor(
    /** The key object `states` holds it under (a series can come back with a new one). */
    public key: SeriesKey,
    readonly detector: StreamingDetector,
  ) {
    this.component = key.labels.component;
  }
}

/**
 * Severity relative to the threshold: the default detector's scores are sparse and mostly
 * far below 1, so fixed cut-offs near 1 would never be reached.
 */
export function severityOf(score: number, threshold: number): FindingSeverity {
  return score >= 2.5 * threshold ? 'critical' : score >= 1.5 * threshold ? 'warning' : 'info';
}

export class AnomalyTracker {
  private readonly states = new Map<SeriesKey, SeriesState>();
  /** The same states by series id, for lookups from queries (whose keys are other objects). */
  private readonly byId = new Map<string, SeriesState>();
  private readonly list: AnomalyFinding[] = [];
  private readonly opts: AnomalyOptions;
  private seq = 0;

  constructor(
    private readonly factory: DetectorFactory,
    opts: Partial<AnomalyOptions> = {},
  ) {
    this.opts = { ...DEFAULTS, ...opts };
  }

  /** Scores the samples (in time order per series); returns the findings opened by them. */
  observe(samples: readonly SeriesSample[]): AnomalyFinding[] {
    const opened: AnomalyFinding[] = [];
    for (const s of samples) {
      if (!Number.isFinite(s.v)) continue;
      let st = this.states.get(s.series);
      if (!st) {
        if (this.opts.skipPrefixes.some((p) => s.series.name.startsWith(p))) continue;
        const id = cachedSeriesId(s.series);
        st = this.byId.get(id);
        if (st) {
          // The series is back with a new key object (a scrape forgets the keys of label sets
          // it did not see, e.g. a `type` of nodejs_active_handles that comes and goes): it
          // keeps its learned state, and the old key is let go instead of piling up.
          this.states.delete(st.key);
          st.key = s.series;
          this.states.set(s.series, st);
        } else {
          this.states.set(s.series, (st = new SeriesState(s.series, this.fresh(id))));
          this.byId.set(id, st);
        }
      }
      const r = st.detector.update(s.t, s.v);
      const e = r.explanation;
      if (e?.lower !== undefined && e.upper !== undefined && Number.isFinite(e.lower) && Number.isFinite(e.upper) && s.t - (st.band?.lastT ?? -Infinity) >= BAND_STEP_MS) {
        (st.band ??= new BandRing()).push(s.t, e.lower, e.upper);
      }
      if (r.score >= this.opts.threshold) {
        st.lastAnomalous = s.t;
        if (st.open) {
          // The same episode: keep its strongest moment.
          if (r.score > st.open.score) {
            const open = st.open;
            open.score = r.score;
            open.severity = severityOf(r.score, this.opts.threshold);
            if (r.explanation) open.explanation = r.explanation;
          }
          continue;
        }
        const f: AnomalyFinding = {
          id: `a${++this.seq}`,
          at: s.t,
          component: st.component,
          series: cachedSeriesId(s.series),
          metric: s.series.name,
          score: r.score,
          severity: severityOf(r.score, this.opts.threshold),
          explanation: r.explanation,
        };
        st.open = f;
        this.list.unshift(f);
        if (this.list.length > this.opts.maxFindings) this.list.length = this.opts.maxFindings;
        opened.push(f);
      } else if (st.open && s.t - st.lastAnomalous >= this.opts.quietMs) {
        st.open = undefined;
      }
    }
    return opened;
  }

  /** Every series' learned detector state, by series id, for persisting baselines. */
  /** The learned state of each series, one at a time (a snapshot taken in slices: baselineFile.ts). */
  *snapshotEntries(): Generator<[string, unknown]> {
    for (const [id, st] of this.byId) if (st.detector.snapshot) yield [id, st.detector.snapshot()];
  }

  snapshot(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [id, st] of this.byId) if (st.detector.snapshot) out[id] = st.detector.snapshot();
    return out;
  }

  /**
   * Resumes learned states saved by `snapshot()` (after a restart): a series seen again
   * starts from its saved baseline instead of learning from scratch. States that do not fit
   * the current detector are dropped.
   */
  restore(states: Record<string, unknown>): number {
    this.saved = new Map(Object.entries(states));
    return this.saved.size;
  }

  private saved = new Map<string, unknown>();

  private fresh(id: string): StreamingDetector {
    const d = this.factory();
    const s = this.saved.get(id);
    if (s !== undefined && d.restore) {
      this.saved.delete(id);
      try {
        (d.restore as (x: unknown) => void)(s);
      } catch {
        return this.factory(); // an old or damaged state: learn again
      }
    }
    return d;
  }

  /** Findings, newest first. */
  findings(): AnomalyFinding[] {
    return this.list;
  }

  /** Findings whose episode is still open, by component. */
  openByComponent(): Map<string, AnomalyFinding[]> {
    const out = new Map<string, AnomalyFinding[]>();
    for (const st of this.states.values()) {
      if (!st.open?.component) continue;
      out.set(st.open.component, [...(out.get(st.open.component) ?? []), st.open]);
    }
    return out;
  }

  /** The expected band of a series over the last minutes (empty when its detector gives none). */
  band(seriesId: string): readonly BandPoint[] {
    return this.byId.get(seriesId)?.band?.points() ?? [];
  }

  /** Findings of series with this name and labels (all of `labels` must match), newest first. */
  findingsOf(metric: string, component: string | undefined): AnomalyFinding[] {
    return this.list.filter((f) => f.metric === metric && f.component === component);
  }

  get seriesCount(): number {
    return this.states.size;
  }
}
