/**
 * The contract of streaming anomaly detection: every detector scores each new sample of one
 * series from that sample and the ones before it only (causal), at the collection rate.
 */

export interface AnomalyExplanation {
  /** Which detector gave the largest part of the score, e.g. `seasonal-residual`, `change-point`. */
  detector: string;
  /** The value the baseline expected, and the band around it, when the detector has one. */
  expected?: number;
  lower?: number;
  upper?: number;
  observed: number;
  /** One sentence for the user. */
  message: string;
}

export interface AnomalyResult {
  /** In [0, 1]: 0 normal, 1 certainly anomalous. */
  score: number;
  explanation?: AnomalyExplanation;
}

/** A detector of one series. `update` must be cheap: it runs for every sample at 10 Hz. */
export interface StreamingDetector {
  update(t: number, v: number): AnomalyResult;
  /** The learned state as plain JSON, so a baseline survives a restart (optional). */
  snapshot?(): unknown;
  /** Resumes from a `snapshot()`; throws on a state it cannot use. */
  restore?(state: never): void;
}

/** Makes a fresh detector for a series (one per series; state is never shared between series). */
export type DetectorFactory = () => StreamingDetector;
