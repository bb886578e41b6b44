/**
 * Metric collection: system, process and Prometheus-endpoint collectors for the monitor, and
 * a reader of a Prometheus-compatible server for when collection happens elsewhere.
 */
export * from './types';
export { systemClock, ClockJumpDetector, type MonotonicClock } from './clock';
export { RateTracker, counterIncrease } from './rates';
export { ProblemThrottle } from './problems';
export { histogramQuantile, bucketDeltas, HISTOGRAM_QUANTILES, type Bucket } from './histogram';
export {
  parsePrometheusText,
  formatPrometheusText,
  parsePromValue,
  formatPromValue,
  isMetricName,
  isLabelName,
  type MetricFamily,
  type MetricType,
  type PromSample,
  type ParseResult,
  type ParseError,
  type ParseOptions,
} from './promParse';
export { PrometheusConverter } from './promConvert';
export * from './procParse';
export { ProcSystemCollector, type ProcSystemOptions } from './procSystem';
export { ProcessLocator, CLOCK_TICKS_PER_SECOND, type ProcessSpec, type StartSpec, type ProcessIdentity, type LocateResult, type LocatorOptions } from './discovery';
export { startComponent, type StartOptions } from './start';
export { ProcessCollector, pageSize, type ProcessCollectorOptions } from './procProcess';
export { httpGet, type HttpGetOptions, type HttpGetOutcome } from './httpGet';
export { ScrapeCollector, DEFAULT_SCRAPE_TIMEOUT_MS, DEFAULT_SCRAPE_MAX_BYTES, type ScrapeOptions } from './scrapeCollector';
export { SlowSystemCollector, SiSystemCollector } from './siSystem';
export { createCollectors, type ComponentCollectSpec, type CreateCollectorsOptions } from './factory';
export { PrometheusApiSource, type PrometheusApiOptions, type TimeRange } from './promApi';
