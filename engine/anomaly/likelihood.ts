/**
 * Anomaly likelihood (after Numenta's `AnomalyLikelihood`, the post-processing of HTM's raw
 * scores on NAB): how unusual the recent average of a series' raw anomaly scores is against
 * the long-run distribution of that average in the same series.
 *
 * - The raw scores are averaged over the last `window` samples (Numenta: 10).
 * - For the first `skip` samples nothing is learned (the raw scores of a young model are
 *   meaningless); the next `estimate` samples estimate the distribution, and nothing is
 *   scored before `skip + estimate` samples.
 * - The distribution is a normal one, mean and variance of the averages. Numenta re-estimates
 *   it every 100 samples over the last 8,640; here it is an exponentially weighted mean and
 *   variance (a cumulative average until the weight reaches 1 / `halfLife`·ln 2), so the state
 *   is a few numbers and there is no window to keep. Lower bounds as Numenta's: mean ≥ 0.03,
 *   variance ≥ 0.0003 (a series whose raw score was always 0 still has a scale).
 * - The tail probability is two-sided around the mean (Numenta's `normalProbability`), and
 *   the output is Numenta's log score: log(tail + 1e-10) / log(1e-10), in [0, 1]; 0.5 is a
 *   tail of 1e-5 (their "red" level), 1 a tail of 1e-10 or less.
 */
import { erfcApprox } from './erfc';
import { plainArray } from './plainArray';

export interface LikelihoodOptions {
  /** Moving-average length of the raw scores (default 10). */
  window?: number;
  /** Samples ignored at the start (default 375: half of NAB's longest probation). */
  skip?: number;
  /** Samples that estimate the distribution before scoring (default 375). */
  estimate?: number;
  /** Half-life of the distribution's memory in samples (default 3000, about Numenta's 8,640-sample window). */
  halfLife?: number;
  /** Numenta's log score, saturating at a tail of 1e-10 (`numenta`), or `ranked` (default, see `rankedLogScore`). */
  output?: 'numenta' | 'ranked';
  /** Only averages above the mean are unusual (default false: two-sided, as Numenta's). */
  oneSided?: boolean;
  /**
   * For a series sampled faster than the evidence interval (`tests` > 1 in `update`), the tail
   * is at least the observed frequency of averages this high or higher (default false). The
   * normal fit badly underestimates the tail of a mostly-zero score with recurring spikes (a
   * CUSUM that trips now and then on noise); at 10 Hz the Bonferroni correction asks for
   * tails of 1/3,000 and rarer, which a history of 36,000 averages an hour can measure, while
   * at NAB's 5-minute rate (one test) a few thousand averages cannot, and the normal fit
   * extrapolates. The frequencies are kept in a histogram of `EMPIRICAL_BINS` bins on a
   * square-root scale, with the same memory as the mean and variance; an average higher than
   * any seen keeps the normal tail.
   */
  empirical?: boolean;
  /**
   * Averages more than this many standard deviations above the mean are learned as that
   * limit (default 0: off), once `WINSORIZE_AFTER` averages have been learned.
   */
  winsorize?: number;
}

export interface LikelihoodState {
  v: 1;
  ring: number[];
  head: number;
  sum: number;
  n: number;
  k: number;
  mean: number;
  m2: number;
  hist?: number[];
  inc?: number;
  total?: number;
}

const MIN_MEAN = 0.03;
const MIN_VAR = 0.0003;
const LOG_1E10 = Math.log(1e-10);
/** Averages learned before the winsorizing limit applies (the mean and deviation need a few). */
export const WINSORIZE_AFTER = 30;

/** Numenta's log score of a likelihood tail: log(tail + 1e-10) / log(1e-10), clipped to [0, 1]. */
export function logLikelihoodScore(tail: number): number {
  const s = Math.log(tail + 1e-10) / LOG_1E10;
  return s > 0 ? (s < 1 ? s : 1) : 0;
}

/**
 * The log score without Numenta's saturation at a tail of 1e-10. With L = −log10(2·tail) (the
 * tail doubled: a one-sided tail of 0.5, "at or below the usual", is no evidence and scores 0):
 * L / 10 up to L = 5 (0.5 at a tail of 5e-6, about Numenta's "red" level of 1e-5), then
 * 1 − 0.5·e^(−(L − 5)/5), which has the same slope at 5 and keeps rising toward 1, so much
 * rarer averages still rank above rarer ones (0.82 at 5e-11, 0.98 at 5e-21).
 */
export function rankedLogScore(tail: number): number {
  return evidenceScore(evidenceOf(tail));
}

/** The evidence of a one-sided tail in decimal digits: L = −log10(2·tail), ≥ 0 (330 for a tail of 0). */
export function evidenceOf(tail: number): number {
  const L = tail > 0 ? -Math.log10(2 * tail) : 330;
  return L > 0 ? L : 0;
}

/** The score of L digits of evidence (see `rankedLogScore`). */
export function evidenceScore(L: number): number {
  if (!(L > 0)) return 0;
  return L <= 5 ? L / 10 : 1 - 0.5 * Math.exp(-(L - 5) / 5);
}

/** Two-sided normal tail of x around `mean`: P(|X − mean| ≥ |x − mean|) / 2, as Numenta's `normalProbability`. */
export function normalTail(x: number, mean: number, std: number): number {
  const z = Math.abs(x - mean) / std;
  return 0.5 * erfcApprox(z / Math.SQRT2);
}

export class AnomalyLikelihood {
  private readonly ring: Float64Array;
  private head = 0;
  private sum = 0;
  private n = 0;
  /** Averages learned so far. */
  private k = 0;
  private mean = 0;
  private m2 = 0;
  private readonly skip: number;
  private readonly estimate: number;
  private readonly rate: number;
  private readonly ranked: boolean;
  private readonly oneSided: boolean;
  private readonly winsorize: number;
  /** Decayed counts of the learned averages by bin (empirical tail), or null. */
  private readonly hist: Float64Array | null;
  /** Weight of the next count (grows instead of decaying every bin) and the total weight. */
  private inc = 1;
  private total = 0;
  /** 1 / (1 − rate): the growth of `inc` per sample. */
  private readonly growth: number;

  constructor(opts: LikelihoodOptions = {}) {
    // The ring and the histogram share one buffer: the monitor has three or four of these per
    // series, and each typed array with its own buffer is some 200 bytes of objects and malloc
    // beside 80–256 bytes of numbers (docs/performance.md, "Monitoring", session 12).
    const w = Math.max(1, Math.round(opts.window ?? 10));
    const data = new Float64Array(w + (opts.empirical ? EMPIRICAL_BINS : 0));
    this.ring = data.subarray(0, w);
    this.skip = opts.skip ?? 375;
    this.estimate = Math.max(1, opts.estimate ?? 375);
    this.rate = 1 - Math.pow(0.5, 1 / (opts.halfLife ?? 3000));
    this.growth = 1 / (1 - this.rate);
    this.ranked = opts.output !== 'numenta';
    this.oneSided = opts.oneSided ?? false;
    this.winsorize = opts.winsorize ?? 0;
    this.hist = opts.empirical ? data.subarray(w) : null;
  }

  /** Observed frequency of learned averages in the bin of `avg` or above. */
  private frequencyAtLeast(avg: number): number {
    const h = this.hist!;
    let c = 0;
    for (let b = binOf(avg); b < h.length; b++) c += h[b];
    return this.total > 0 ? c / this.total : 0;
  }

  private learnBin(avg: number): void {
    const h = this.hist!;
    this.inc *= this.growth;
    h[binOf(avg)] += this.inc;
    this.total += this.inc;
    if (this.inc > 1e100) {
      // Rescale so the weights stay finite; only ratios matter.
      for (let b = 0; b < h.length; b++) h[b] /= this.inc;
      this.total /= this.inc;
      this.inc = 1;
    }
  }

  /** The tail probability of the current average (1 before the model scores). */
  private tail = 1;

  /**
   * Learns the raw score of this sample and returns the log score of the recent average.
   * `tests` > 1 scores the tail multiplied by it (Bonferroni: the chance of an average this
   * unusual among that many samples); `lastTail` stays the tail of this sample.
   */
  update(raw: number, tests = 1): number {
    this.observe(raw, tests);
    if (this.k < this.estimate || (this.oneSided && this.tail === 0.5)) return this.k < this.estimate ? 0 : this.ranked ? 0 : logLikelihoodScore(0.5);
    const p = tests > 1 ? Math.min(1, this.tail * tests) : this.tail;
    return this.ranked ? rankedLogScore(p) : logLikelihoodScore(p);
  }

  /** `update` without the score: learns the raw score and sets `lastTail` (for Fisher's method). */
  observe(raw: number, tests = 1): void {
    const r = raw > 0 ? (raw < 1 ? raw : 1) : 0;
    const ring = this.ring;
    const w = ring.length;
    let head = this.head;
    this.sum += r - ring[head];
    ring[head] = r;
    head = head + 1 === w ? 0 : head + 1;
    this.head = head;
    const i = this.n++;
    // Recomputed now and then so the running sum does not drift.
    if (head === 0) {
      let s = 0;
      for (let j = 0; j < w; j++) s += ring[j];
      this.sum = s;
    }
    const avg = this.sum / (this.n < w ? this.n : w);
    if (this.k >= this.estimate) {
      const mean = this.mean > MIN_MEAN ? this.mean : MIN_MEAN;
      if (this.oneSided && avg <= mean) this.tail = 0.5;
      else {
        const variance = this.m2 > MIN_VAR ? this.m2 : MIN_VAR;
        this.tail = normalTail(avg, mean, Math.sqrt(variance));
        // Only worth the histogram walk when the normal tail is small.
        if (this.hist && tests > 1 && this.tail < 0.01) {
          const f = this.frequencyAtLeast(avg);
          if (f > this.tail) this.tail = f;
        }
      }
    }
    if (i >= this.skip) {
      // Cumulative mean/variance at first, exponentially weighted once 1/k < rate.
      const k = ++this.k;
      const a = 1 / k > this.rate ? 1 / k : this.rate;
      let x = avg;
      if (this.winsorize > 0 && k > WINSORIZE_AFTER) {
        // Robust estimation: an average far above the usual ones (an anomaly while the
        // distribution is being learned, e.g. a fault in the first minute) is learned as the
        // limit, so it does not make the next ones look usual.
        const m = this.mean > MIN_MEAN ? this.mean : MIN_MEAN;
        const e = x - m;
        if (e > 0 && e * e > this.winsorize * this.winsorize * (this.m2 > MIN_VAR ? this.m2 : MIN_VAR)) x = m + this.winsorize * Math.sqrt(this.m2 > MIN_VAR ? this.m2 : MIN_VAR);
      }
      const d = x - this.mean;
      this.mean += a * d;
      this.m2 = (1 - a) * (this.m2 + a * d * d);
      if (this.hist) this.learnBin(avg);
    }
  }

  /** Whether the distribution is estimated (scores are produced). */
  get scoring(): boolean {
    return this.k >= this.estimate;
  }

  /** The tail probability of the last sample's average (1 before scoring starts). */
  get lastTail(): number {
    return this.tail;
  }

  snapshot(): LikelihoodState {
    const s: LikelihoodState = { v: 1, ring: plainArray(this.ring), head: this.head, sum: this.sum, n: this.n, k: this.k, mean: this.mean, m2: this.m2 };
    if (this.hist) {
      s.hist = plainArray(this.hist);
      s.inc = this.inc;
      s.total = this.total;
    }
    return s;
  }

  restore(s: LikelihoodState): void {
    if (!s || s.v !== 1 || s.ring.length !== this.ring.length) return;
    this.ring.set(s.ring);
    this.head = s.head;
    this.sum = s.sum;
    this.n = s.n;
    this.k = s.k;
    this.mean = s.mean;
    this.m2 = s.m2;
    if (this.hist && s.hist?.length === this.hist.length) {
      this.hist.set(s.hist);
      this.inc = s.inc ?? 1;
      this.total = s.total ?? 0;
    }
  }
}

/** Bins of the empirical tail's histogram: square-root scale on [0, 1], finer near 0. */
export const EMPIRICAL_BINS = 32;

function binOf(avg: number): number {
  const b = Math.floor(Math.sqrt(avg > 0 ? avg : 0) * EMPIRICAL_BINS);
  return b < EMPIRICAL_BINS ? b : EMPIRICAL_BINS - 1;
}

/**
 * P(χ² > x) with 2k degrees of freedom: e^(−x/2) Σ_{j<k} (x/2)^j / j!. Fisher's method: for k
 * independent tail probabilities pᵢ, −2 Σ ln pᵢ follows χ² with 2k degrees of freedom.
 */
export function chiSquareTailEven(x: number, k: number): number {
  const h = x / 2;
  let term = 1;
  let sum = 1;
  for (let j = 1; j < k; j++) {
    term *= h / j;
    sum += term;
  }
  const p = Math.exp(-h) * sum;
  return p < 1 ? p : 1;
}
