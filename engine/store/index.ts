/** The embedded time-series store (see docs/architecture.md, "The embedded store"). */
export { TimeSeriesStore } from './store';
export type { Aggregation, DiskUsage, QueryResult, Resolution, StoreOptions, StoreProblem, StoreProblemKind, StoreQuery } from './types';
export type { StoreIo } from './io';
export { nodeIo } from './io';
export { QuantileSketch, exactQuantile, DEFAULT_RELATIVE_ACCURACY } from './sketch';
export { TIERS, type Bucket, type Tier, type TierName } from './rollup';
export { encodeTimes, decodeTimes, encodeValues, decodeValues } from './codec';
