// Shared imports of the collector unit tests (not a test file itself).
import { seriesId, type SeriesSample } from '../../engine/metrics/series';
export * from '../../engine/collect/index';
export const seriesIdOf = (s: SeriesSample): string => seriesId(s.series);
