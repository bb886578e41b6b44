/**
 * The one fixed configuration used everywhere (extension, CLI, NAB benchmark): seasonal
 * robust residual, CUSUM change points and the novelty of short quantized contexts, each
 * judged by an anomaly likelihood against that series' own history of it, combined by
 * Fisher's method; then the record excess, a refractory period and the new-range rule (see
 * docs/performance.md, "Anomaly detection", for the ablation and what was tuned).
 */
import type { StreamingDetector } from './types';
import { CombinedDetector, type CombinerOptions, type WeightedDetector } from './combiner';
import { SeasonalResidualDetector } from './residualDetector';
import { CusumDetector } from './cusum';
import { OcsvmDetector } from './ocsvmDetector';
import { BocpdDetector } from './bocpd';
import { ContextNoveltyDetector } from './contextNovelty';
import { DAY_MS } from './baseline';

/**
 * The detectors' settings and the baseline's, plus every option of the combiner (passed on
 * as they are), with the combiner's alarm, suppression and record settings required.
 */
export interface DefaultDetectorConfig
  extends Omit<CombinerOptions, 'detectors' | 'baseline' | 'alarmLevel' | 'suppress' | 'recordHalfLife'>,
    Required<Pick<CombinerOptions, 'alarmLevel' | 'suppress' | 'recordHalfLife'>> {
  residual: { weight: number; z0: number; halfAt: number };
  cusum: { weight: number; k: number; h: number; hVar: number };
  bocpd: { weight: number; expectedRun: number; maxRun: number };
  ocsvm: { weight: number; window: number; features: number; gamma: number; nu: number; threshold: number; minRate: number };
  novelty: { weight: number; gate?: boolean; levels: number; length: number; learn: number; rangeHalfLife: number; rare: number };
  alpha: number;
  dailyBins?: number;
  resolutionFloor?: number;
}

export const DEFAULT_DETECTOR_CONFIG: DefaultDetectorConfig = {
  residual: { weight: 1, z0: 2, halfAt: 10 },
  cusum: { weight: 0.3, k: 0.5, h: 20, hVar: 20 },
  bocpd: { weight: 0, expectedRun: 250, maxRun: 32 },
  ocsvm: { weight: 0, window: 6, features: 32, gamma: 10, nu: 0.1, threshold: 0.5, minRate: 0.01 },
  novelty: { weight: 1, gate: false, levels: 8, length: 6, learn: 300, rangeHalfLife: 2000, rare: 1 },
  alpha: 0.01,
  resolutionFloor: 0.5,
  likelihood: { window: 10, skip: 150, estimate: 40, halfLife: 8640, oneSided: true, empirical: true, winsorize: 3 },
  likelihoodPerDetector: true,
  likelihoodFisher: true,
  spatialTolerance: 0.05,
  spatialAfter: 300,
  spatialMinZ: 5,
  refractory: 150,
  evidenceIntervalMs: 300_000,
  spatialAfterMs: DAY_MS,
  alarmLevel: 1.1,
  suppress: 100,
  recordHalfLife: 1000,
  recordRiseMs: 1000,
  flatCap: 0.35,
};

/**
 * The rarity calibration of the young model (see `CombinerOptions.onsetLevel`): NAB-neutral
 * and fewer false findings on the healthy demo, but off by default: it kept a CPU hog started
 * 20 s into monitoring (test/integration/anomaly.test.ts) below the finding threshold.
 */
export const RARITY_CALIBRATION: Partial<DefaultDetectorConfig> = { onsetLevel: 0.2, onsetHalfLife: 3000, onsetUntil: 750 };

/** Builds a combined detector from a configuration (weights of 0 leave a detector out). */
export function createDetector(cfg: DefaultDetectorConfig): CombinedDetector {
  const { residual, cusum, bocpd, ocsvm, novelty, alpha, dailyBins, resolutionFloor, ...combiner } = cfg;
  const detectors: WeightedDetector[] = [];
  if (residual.weight > 0) detectors.push({ detector: new SeasonalResidualDetector(residual), weight: residual.weight, onsets: true });
  if (cusum.weight > 0) detectors.push({ detector: new CusumDetector(cusum), weight: cusum.weight });
  if (bocpd.weight > 0) detectors.push({ detector: new BocpdDetector(bocpd), weight: bocpd.weight });
  if (novelty.weight > 0) detectors.push({ detector: new ContextNoveltyDetector(novelty), weight: novelty.weight, gate: novelty.gate });
  if (ocsvm.weight > 0) detectors.push({ detector: new OcsvmDetector(ocsvm), weight: ocsvm.weight });
  return new CombinedDetector({ ...combiner, detectors, baseline: { alpha, dailyBins, resolutionFloor } });
}

export function createDefaultDetector(): StreamingDetector & CombinedDetector {
  return createDetector(DEFAULT_DETECTOR_CONFIG);
}
