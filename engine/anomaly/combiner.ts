/**
 * Combines the detectors of one series into one score in [0, 1] with an explanation.
 *
 * Each detector scores the shared sample context. Without `likelihood`, weighted scores are
 * combined by a noisy-OR (1 − Π(1 − wᵢ·sᵢ)), and the explanation is the one of the largest
 * weighted score. With `likelihood` and `likelihoodPerDetector` (the default detector), each
 * detector's raw score goes through its own anomaly likelihood (likelihood.ts) and the tails
 * are combined by Fisher's method (or their scores by a maximum); the explanation is the one
 * of the detector with the smallest tail. Then a causal post-processing keeps the output
 * sparse: the record excess (`recordHalfLife`), the point-mass cap, the new-range rule
 * (`spatialTolerance`), the refractory period (`refractory`), and the older alarm-level
 * suppression (`alarmLevel`, `suppress`), so one incident gives one alarm, at its onset.
 */
import type { AnomalyResult, StreamingDetector } from './types';
import { ContextBuilder, type ContextDetector, type ContextState } from './context';
import type { BaselineOptions } from './baseline';
import { clamp01, explain, fmt, NO_SCORE, plainExplanation } from './util';

const TWO_LN2 = 2 * Math.LN2;
import { AnomalyLikelihood, chiSquareTailEven, rankedLogScore, type LikelihoodOptions, type LikelihoodState } from './likelihood';

export interface WeightedDetector {
  detector: ContextDetector;
  weight: number;
  /**
   * A gate multiplies the combined score of the other detectors by its own score (held at its
   * maximum over the last `gateHold` samples) instead of joining the noisy-OR.
   */
  gate?: boolean;
  /** Its weighted score counts toward the onsets of the rarity calibration (see `onsetLevel`). */
  onsets?: boolean;
}

export interface CombinerOptions {
  detectors: WeightedDetector[];
  baseline?: BaselineOptions;
  /** Combined score at which an alarm starts (default 0.5). */
  alarmLevel?: number;
  /** Samples after an alarm during which repeats are capped (default 100). */
  suppress?: number;
  /** Cap of the output while suppressed, as a fraction of the alarm level (default 0.5). */
  suppressedCap?: number;
  /**
   * Half-life in samples of the recent maximum of the combined score (default 0: off). When
   * set, the output is the part of the score above that decaying maximum, relative to the
   * room left under 1: a burst scores at its onset, and only a clearly larger one after.
   */
  recordHalfLife?: number;
  /**
   * A rise of the score whose rising samples are at most this many milliseconds apart is one
   * onset (default 0: off): its excess is measured from the record before the rise began, not
   * from the previous sample of the rise. Without it a rise that takes a few samples of a fast
   * series (a CPU hog that gets a little more of a busy machine's CPU each 100 ms) scores only
   * its largest step. In time, not samples: a series sampled every 5 minutes (NAB's) keeps
   * scoring each step of a rise, which is what its tuning found best.
   */
  recordRiseMs?: number;
  /** Samples a gate's score is held (default 1: this sample only). */
  gateHold?: number;
  /** Floor of a gate's factor (default 0: a closed gate silences the others). */
  gateFloor?: number;
  /**
   * Cap of the output while the series' history is a point mass (every sample so far had one
   * value, e.g. all zeros): such a series has no scale of its own yet, so "thousands of
   * deviations" means nothing; its first departure scores at most this (default 1: no cap).
   */
  flatCap?: number;
  /**
   * Rarity calibration (default off): the ungated noisy-OR of the detectors marked `onsets`
   * crossing `onsetLevel` from below is an onset; a decaying count of onsets (half-life `onsetHalfLife` samples, counted
   * in the learning phase too) scales the output by 1 / (1 + onsetWeight · count). A series
   * that often has such excursions scores low for its next one; a rare event keeps its score,
   * and so does an excursion larger than any before it (a decaying maximum, same half-life).
   */
  onsetLevel?: number;
  onsetHalfLife?: number;
  onsetWeight?: number;
  /**
   * The rarity calibration applies to the first this many samples only (default: all), the
   * young model's time; later, repeats are left to `recordHalfLife`.
   */
  onsetUntil?: number;
  /**
   * Anomaly likelihood post-processing (default off, see likelihood.ts): the combined score
   * is replaced by the log score of its recent average against that average's own history.
   */
  likelihood?: LikelihoodOptions;
  /** One likelihood per detector on its own unweighted score; the combined score is their maximum (default false). */
  likelihoodPerDetector?: boolean;
  /** Combine the per-detector tails by Fisher's method instead of the maximum score (default false). */
  likelihoodFisher?: boolean;
  /**
   * A value beyond every value seen before by more than this fraction of their range scores
   * 1 (as Numenta's detector on NAB does), from sample `spatialAfter` on (default off).
   */
  spatialTolerance?: number;
  spatialAfter?: number;
  /** ... and only when it is also more than this many robust deviations from the baseline's expectation (default 0). */
  spatialMinZ?: number;
  /**
   * Refractory period in samples (default 0: off): after an output, the next `refractory`
   * samples output 0 unless they score above it (then they become the new reference). A
   * detection is wanted once per incident, at its start; this needs no threshold.
   */
  refractory?: number;
  /**
   * The sampling interval (ms) the likelihood's levels are meant for (default: off). A series
   * sampled faster has more samples per such interval, so more chances for an unusual average
   * by chance: its tail is multiplied by interval / its own interval (Bonferroni), and a score
   * means the same evidence per unit of time whatever the sampling rate.
   */
  evidenceIntervalMs?: number;
  /** The record excess as a share of the room left under 1, (raw − max) / (1 − max), instead of raw − max (default false). */
  recordRelative?: boolean;
  /** The spatial rule needs this much covered time as well as `spatialAfter` samples (default 0). */
  spatialAfterMs?: number;
}

export interface CombinedState {
  v: 1;
  context: ContextState;
  detectors: unknown[];
  lastAlarm: number;
  n: number;
  recent: number;
  gate?: number;
  gateAge?: number;
  onsets?: number;
  above?: boolean;
  onsetMax?: number;
  likelihood?: LikelihoodState;
  perLikelihood?: LikelihoodState[];
  peak?: number;
  peakAge?: number;
  firstT?: number | null;
  flatLeft?: number;
  riseBase?: number;
  riseT?: number | null;
}

export class CombinedDetector implements StreamingDetector {
  readonly context: ContextBuilder;
  private readonly detectors: WeightedDetector[];
  private readonly alarmLevel: number;
  private readonly suppress: number;
  private readonly cap: number;
  private lastAlarm = -Infinity;
  private n = 0;
  private recent = 0;
  private readonly decay: number;
  private readonly recordRiseMs: number;
  /** The record when the current rise began, and when the rise last went up. */
  private riseBase = 0;
  private riseT = -Infinity;
  private readonly gateHold: number;
  private readonly gateFloor: number;
  private gate = 0;
  private gateAge = 0;
  private readonly flatCap: number;
  private readonly flatHold: number;
  /** Samples left under the point-mass cap after the series left its point mass. */
  private flatLeft = 0;
  private readonly onsetLevel: number;
  private readonly onsetDecay: number;
  private readonly onsetWeight: number;
  private readonly onsetUntil: number;
  /** Decaying count of onsets, and whether the ungated score is above the onset level. */
  private onsets = 0;
  private above = false;
  /** Decaying maximum of the onset detectors' score. */
  private onsetMax = 0;
  private readonly likelihood?: AnomalyLikelihood;
  private readonly perLikelihood?: AnomalyLikelihood[];
  private readonly fisher: boolean;
  private readonly spatialTolerance: number;
  private readonly spatialAfter: number;
  private readonly spatialMinZ: number;
  private readonly refractory: number;
  private readonly evidenceMs: number;
  private readonly recordRelative: boolean;
  private readonly spatialAfterMs: number;
  /** Time of the first finite sample (NaN before). */
  private firstT = NaN;
  /** The last output passed and its age in samples. */
  private peak = 0;
  private peakAge = Infinity;

  constructor(opts: CombinerOptions) {
    this.context = new ContextBuilder(opts.baseline);
    this.detectors = opts.detectors;
    this.alarmLevel = opts.alarmLevel ?? 0.5;
    this.suppress = opts.suppress ?? 100;
    this.cap = (opts.suppressedCap ?? 0.5) * this.alarmLevel;
    this.gateHold = Math.max(1, opts.gateHold ?? 1);
    this.gateFloor = opts.gateFloor ?? 0;
    this.decay = opts.recordHalfLife ? Math.pow(0.5, 1 / opts.recordHalfLife) : 0;
    this.recordRiseMs = opts.recordRiseMs ?? 0;
    this.flatCap = opts.flatCap ?? 1;
    this.flatHold = opts.likelihood ? (opts.likelihood.window ?? 10) : 0;
    this.onsetWeight = opts.onsetLevel !== undefined && opts.onsetHalfLife ? (opts.onsetWeight ?? 1) : 0;
    this.onsetLevel = opts.onsetLevel ?? Infinity;
    this.onsetUntil = opts.onsetUntil ?? Infinity;
    this.onsetDecay = opts.onsetHalfLife ? Math.pow(0.5, 1 / opts.onsetHalfLife) : 0;
    if (opts.likelihood) this.likelihood = new AnomalyLikelihood(opts.likelihood);
    this.fisher = opts.likelihoodFisher ?? false;
    // Each detector's likelihood skips the detector's own learning phase and then its young
    // scores, as Numenta's skips the first raw scores of a young HTM model: a novelty score
    // after a learning phase of zeros is not unusual for that reason alone. A detector that
    // needed a learning phase of N samples also gets at least N samples to estimate its usual
    // output (its first scores are few and strongly correlated).
    const lk = opts.likelihood;
    if (lk && opts.likelihoodPerDetector) {
      this.perLikelihood = this.detectors.map(({ detector }) => {
        const warmup = detector.warmup ?? 0;
        return new AnomalyLikelihood({ ...lk, skip: (lk.skip ?? 375) + warmup, estimate: Math.max(lk.estimate ?? 375, warmup) });
      });
    }
    this.spatialTolerance = opts.spatialTolerance ?? Infinity;
    this.spatialAfter = opts.spatialAfter ?? 0;
    this.spatialMinZ = opts.spatialMinZ ?? 0;
    this.refractory = opts.refractory ?? 0;
    this.evidenceMs = opts.evidenceIntervalMs ?? 0;
    this.recordRelative = opts.recordRelative ?? false;
    this.spatialAfterMs = opts.spatialAfterMs ?? 0;
  }

  /** The decaying count of onsets (see `onsetLevel`). */
  get onsetCount(): number {
    return this.onsets;
  }

  /** Names of the detectors, in order. */
  get detectorNames(): string[] {
    return this.detectors.map((d) => d.detector.name);
  }

  update(t: number, v: number): AnomalyResult {
    const i = this.n++;
    const ctx = this.context.next(t, v);
    if (this.firstT !== this.firstT && ctx.finite) this.firstT = t;
    // Samples per evidence interval (≥ 1), from the baseline's median sampling interval.
    const dt = this.context.baseline.intervalMs;
    const tests = this.evidenceMs > 0 && dt > 0 && dt < this.evidenceMs ? this.evidenceMs / dt : 1;
    let keep = 1;
    let best: AnomalyResult | undefined;
    let bestScore = 0;
    let gated = false;
    let gate = 0;
    let keepOnset = 1;
    let perMax = 0;
    let fisher = 0;
    let scoring = 0;
    let minTail = 0.5;
    let tailBest: AnomalyResult | undefined;
    let tailName = '';
    /** The explanation is the recent average of detector `tailName` (see below). */
    let recent = false;
    for (let k = 0; k < this.detectors.length; k++) {
      const { detector, weight, gate: isGate, onsets } = this.detectors[k];
      const r = detector.score(ctx);
      let s = clamp01(r.score * weight);
      if (onsets) keepOnset *= 1 - s;
      if (this.perLikelihood) {
        const lk = this.perLikelihood[k];
        if (this.fisher) {
          lk.observe(r.score, tests);
          s = 0;
          if (lk.scoring) {
            const p = lk.lastTail;
            fisher += p === 0.5 ? TWO_LN2 : p >= 1 ? 0 : -2 * Math.log(p > 1e-300 ? p : 1e-300);
            scoring++;
            // The explanation is the one of the detector whose output is the most unusual.
            if (p < minTail) {
              minTail = p;
              tailBest = r;
              tailName = detector.name;
            }
          }
        } else {
          s = lk.update(r.score, tests);
          if (s > perMax) perMax = s;
        }
      }
      if (isGate) {
        gated = true;
        gate = Math.max(gate, s);
        continue;
      }
      keep *= 1 - s;
      if (s > bestScore) {
        bestScore = s;
        best = r;
      }
    }
    let score = clamp01(1 - keep);
    if (this.perLikelihood) {
      // Every detector at or below its usual (tails of 0.5) combines to a tail above 0.5: no
      // evidence, score 0, without the chi-square tail and the logarithm.
      score = this.fisher ? (scoring > 0 && fisher > scoring * TWO_LN2 + 1e-9 ? rankedLogScore(Math.min(1, tests * chiSquareTailEven(fisher, scoring))) : 0) : perMax;
      if (this.fisher) {
        best = tailBest;
        // The sample itself may be ordinary while its detector's recent average is not: its
        // explanation is made at the end, only when there is a score to explain.
        if (tailBest && !tailBest.explanation) {
          best = undefined;
          recent = true;
        }
      }
    }
    let rarity = 1;
    if (this.onsetWeight > 0) {
      // The rarity of an excursion like this one in this series, from its onsets before it.
      // An excursion larger than every one seen (decaying max) is rare however many there were.
      const s0 = 1 - keepOnset;
      if (i < this.onsetUntil && s0 <= this.onsetMax) rarity = 1 / (1 + this.onsetWeight * this.onsets);
      this.onsets *= this.onsetDecay;
      this.onsetMax = Math.max(s0, this.onsetMax * this.onsetDecay);
      const above = s0 >= this.onsetLevel;
      if (above && !this.above) this.onsets += 1;
      this.above = above;
    }
    if (gated) {
      if (gate >= this.gate || ++this.gateAge >= this.gateHold) {
        this.gate = gate;
        this.gateAge = 0;
      }
      score *= this.gateFloor + (1 - this.gateFloor) * this.gate;
    }
    if (this.likelihood && !this.perLikelihood) score = this.likelihood.update(score, tests);
    if (this.decay > 0) {
      const raw = score;
      const m = this.recent;
      if (raw > m) {
        // Still the same rise: measured from where it began.
        if (!(ctx.t - this.riseT <= this.recordRiseMs)) this.riseBase = m;
        const base = Math.min(this.riseBase, m);
        score = this.recordRelative ? (raw - base) / (1 - base) : raw - base;
        this.riseT = ctx.t;
      } else score = 0;
      this.recent = Math.max(raw, m * this.decay);
    }
    // The cap holds for the first departure from a point mass and the samples whose moving
    // average (the likelihood's window) still includes it.
    if (ctx.flat) this.flatLeft = this.flatHold;
    else if (this.flatLeft > 0) this.flatLeft--;
    if ((ctx.flat || this.flatLeft > 0) && score > this.flatCap) score = this.flatCap;
    score *= rarity;
    if (i >= this.spatialAfter && ctx.t - this.firstT >= this.spatialAfterMs && ctx.finite && !ctx.flat && Math.abs(ctx.z) > this.spatialMinZ && (ctx.norm > 1 + this.spatialTolerance || ctx.norm < -this.spatialTolerance)) {
      score = 1;
      recent = false;
      const above = ctx.norm > 1;
      const by = Math.round(100 * (above ? ctx.norm - 1 : -ctx.norm));
      best = {
        score: 1,
        explanation: explain('new-range', ctx, `${fmt(ctx.raw)} is ${above ? 'above the highest' : 'below the lowest'} value seen so far in this series, by ${by}% of its range, and ${Math.abs(ctx.z).toFixed(1)} robust deviations from the expected ${fmt(ctx.expected)}.`),
      };
    }
    if (this.refractory > 0 && score > 0) {
      if (score > this.peak || this.peakAge >= this.refractory) {
        this.peak = score;
        this.peakAge = 0;
      } else score = 0;
    }
    this.peakAge++;
    if (score >= this.alarmLevel) {
      if (i - this.lastAlarm > this.suppress) this.lastAlarm = i;
      else if (score > this.cap) score = this.cap;
    }
    if (!(score > 0)) return NO_SCORE;
    if (recent) return { score, explanation: plainExplanation(explain(tailName, ctx, recentMessage(tailName, ctx.raw, minTail))) };
    return best?.explanation ? { score, explanation: plainExplanation(best.explanation) } : { score };
  }

  snapshot(): CombinedState {
    return {
      v: 1,
      context: this.context.snapshot(),
      detectors: this.detectors.map((d) => d.detector.snapshot()),
      lastAlarm: Number.isFinite(this.lastAlarm) ? this.lastAlarm : -1e15,
      n: this.n,
      recent: this.recent,
      gate: this.gate,
      gateAge: this.gateAge,
      onsets: this.onsets,
      above: this.above,
      onsetMax: this.onsetMax,
      likelihood: this.likelihood?.snapshot(),
      perLikelihood: this.perLikelihood?.map((l) => l.snapshot()),
      peak: this.peak,
      peakAge: Number.isFinite(this.peakAge) ? this.peakAge : -1,
      firstT: Number.isFinite(this.firstT) ? this.firstT : null,
      flatLeft: this.flatLeft,
      riseBase: this.riseBase,
      riseT: Number.isFinite(this.riseT) ? this.riseT : null,
    };
  }

  restore(s: CombinedState): void {
    if (!s || s.v !== 1 || s.detectors.length !== this.detectors.length) return;
    this.context.restore(s.context);
    s.detectors.forEach((d, i) => this.detectors[i].detector.restore(d));
    this.lastAlarm = s.lastAlarm;
    this.n = s.n;
    this.recent = s.recent ?? 0;
    this.gate = s.gate ?? 0;
    this.gateAge = s.gateAge ?? 0;
    this.onsets = s.onsets ?? 0;
    this.above = s.above ?? false;
    this.onsetMax = s.onsetMax ?? 0;
    if (this.likelihood && s.likelihood) this.likelihood.restore(s.likelihood);
    if (this.perLikelihood && s.perLikelihood?.length === this.perLikelihood.length) s.perLikelihood.forEach((l, k) => this.perLikelihood![k].restore(l));
    this.peak = s.peak ?? 0;
    this.firstT = s.firstT ?? NaN;
    this.riseBase = s.riseBase ?? 0;
    this.riseT = s.riseT ?? -Infinity;
    this.flatLeft = s.flatLeft ?? 0;
    this.peakAge = s.peakAge === undefined || s.peakAge < 0 ? Infinity : s.peakAge;
  }
}

function recentMessage(detector: string, raw: number, tail: number): string {
  return `The recent scores of ${detector} are unusual for this series (chance about ${tail.toExponential(0)} per sample); now ${fmt(raw)}.`;
}
