/**
 * The forecasting engine: models (baselines, ETS, a pooled linear model and a pooled
 * perceptron), per-series weighting by rolling-origin cross-validation, and empirical
 * prediction intervals.
 */
export type { Forecast, FitOptions, FittedModel, Forecaster } from './types';
export { naive, seasonalNaive, naive2 } from './baselines';
export { acf, seasonalityTest, seasonalIndices } from './classicalDecomposition';
export { trainPooled, predictPooled } from './pooled';
export { trainMlp, predictMlp, type MlpModel, type MlpOptions } from './mlp';
export { ResidualPool } from './intervals';
export { forecastMany, type SeriesInput, type SeriesForecast, type ForecastManyOptions } from './forecastMany';
export { forecastManySync } from './forecastMany';
export { autoForecaster } from './autoForecaster';
export { autoEts, fitEts, aicc, type EtsFit, type EtsSpec } from './ets';
export { assessImpact, type ImpactOptions, type ImpactResult, type ImpactPoint } from './impact';
