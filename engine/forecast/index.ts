/**
 * The forecasting engine: models (baselines, ETS, seasonal ARIMA, a Prophet-style model, MSTL
 * from augurs, a pooled linear model, a pooled perceptron and a pooled LSTM), per-series
 * weighting by rolling-origin cross-validation, and empirical prediction intervals.
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
export { autoArima, fitArima, kpss, ndiffs, seasonalStrength, type ArimaFit, type ArimaOrder, type AutoArimaOptions } from './arima';
export { fitProphet, type ProphetFit, type ProphetOptions } from './prophet';
export { mstlAvailable, mstlForecast, mstlLoadError } from './mstl';
export { createLstm, lstmForward, lstmBackward, adamStep, type Lstm } from './lstm';
export { trainPooledLstm, predictPooledLstm, type PooledLstmModel, type PooledLstmOptions } from './pooledLstm';
export { assessImpact, type ImpactOptions, type ImpactResult, type ImpactPoint } from './impact';
