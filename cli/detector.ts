/**
 * The detectors that `alluse-perf detect` and `npm run bench:nab` run: the one place to switch.
 *
 * `default` is the engine's default detector, the one the extension's monitor runs
 * (`createDefaultDetector` from engine/anomaly). `windowed-gaussian` is NAB's windowed
 * Gaussian baseline, kept as a reference: the benchmark scores it too, as a check of the
 * scorer against its published NAB scores, and users can compare their data against it.
 */
import { createDefaultDetector } from '../engine/anomaly/index';
import { erfcApprox } from '../engine/anomaly/erfc';
import type { AnomalyResult, DetectorFactory, StreamingDetector } from '../engine/anomaly/types';

export const DETECTOR_NAMES = ['default', 'windowed-gaussian'] as const;
export type DetectorName = (typeof DETECTOR_NAMES)[number];

export function detectorFactory(name: DetectorName = 'default'): DetectorFactory {
  return name === 'windowed-gaussian' ? () => new WindowedGaussianDetector() : createDefaultDetector;
}

/**
 * NAB's "windowed Gaussian" baseline: the tail probability of each value under a normal
 * distribution fitted to the last `windowSize` values (refitted every `stepSize` values once
 * the window is full). Score = 1 - Q(|v - mean| / std).
 */
export class WindowedGaussianDetector implements StreamingDetector {
  private readonly window: Float64Array;
  private count = 0; // values in the window
  private head = 0; // ring-buffer start
  private pending: number[] = [];
  private mean = 0;
  private std = 1;
  private fillMean = 0;
  private fillM2 = 0;

  constructor(
    private readonly windowSize = 6400,
    private readonly stepSize = 100,
  ) {
    this.window = new Float64Array(windowSize);
  }

  update(_t: number, v: number): AnomalyResult {
    const score = this.count > 0 ? 1 - tailProbability(Math.abs(v - this.mean) / this.std) : 0;
    if (this.count < this.windowSize) {
      // Filling: Welford's running mean and variance, the same numbers as a full pass.
      this.window[this.count++] = v;
      const d = v - this.fillMean;
      this.fillMean += d / this.count;
      this.fillM2 += d * (v - this.fillMean);
      this.mean = this.fillMean;
      this.std = Math.sqrt(Math.max(0, this.fillM2) / this.count) || 0.000001;
    } else {
      this.pending.push(v);
      if (this.pending.length === this.stepSize) {
        for (const x of this.pending) {
          this.window[this.head] = x;
          this.head = (this.head + 1) % this.windowSize;
        }
        this.pending = [];
        this.refit();
      }
    }
    return { score: Math.min(1, Math.max(0, score)) };
  }

  /** A full pass over the window: every `stepSize` values, so O(windowSize / stepSize) a value. */
  private refit(): void {
    let sum = 0;
    const n = this.count;
    for (let i = 0; i < n; i++) sum += this.window[(this.head + i) % this.windowSize];
    const mean = sum / n;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const d = this.window[(this.head + i) % this.windowSize] - mean;
      ss += d * d;
    }
    this.mean = mean;
    this.std = Math.sqrt(ss / n) || 0.000001;
  }
}

/** Q(z) = P(X > z) for a standard normal X, z >= 0: erfc(z / √2) / 2. */
export function tailProbability(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/** Complementary error function (Numerical Recipes' erfcc, relative error < 1.2e-7). */
export const erfc = erfcApprox;
