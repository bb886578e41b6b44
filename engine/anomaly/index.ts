/** Streaming anomaly detection (see docs/architecture.md and docs/performance.md). */
export type { AnomalyExplanation, AnomalyResult, StreamingDetector, DetectorFactory } from './types';
export { RobustStats, median, mad, MAD_TO_SIGMA, type RobustStatsState } from './robustStats';
export { SeasonalProfile, type SeasonalProfileState } from './seasonalProfile';
export { RobustBaseline, DAY_MS, WEEK_MS, type BaselineEstimate, type BaselineOptions, type BaselineState, type SeasonModel } from './baseline';
export { ContextBuilder, StandaloneDetector, type ContextDetector, type SampleContext, type ContextState } from './context';
export { SeasonalResidualDetector, type ResidualOptions } from './residualDetector';
export { CusumDetector, type CusumOptions, type CusumState } from './cusum';
export { BocpdDetector, type BocpdOptions, type BocpdState } from './bocpd';
export { OnlineOneClassSvm, type OcsvmOptions, type OcsvmState } from './oneClassSvm';
export { OcsvmDetector, type OcsvmDetectorOptions, type OcsvmDetectorState } from './ocsvmDetector';
export { ContextNoveltyDetector, packWords, unpackWords, type ContextNoveltyOptions, type ContextNoveltyState } from './contextNovelty';
export { CombinedDetector, type CombinerOptions, type CombinedState, type WeightedDetector } from './combiner';
export { createDefaultDetector, createDetector, DEFAULT_DETECTOR_CONFIG, RARITY_CALIBRATION, type DefaultDetectorConfig } from './defaultDetector';
export { IsolationForest, averagePathLength, type IsolationForestOptions } from './isolationForest';
export { ComponentIsolationForest, type ComponentForestOptions } from './componentForest';
