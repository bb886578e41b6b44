/** Shared shapes of the forecasting engine. */

/** A forecast of `h` steps: the mean and the 80% and 95% prediction intervals. */
export interface Forecast {
  mean: number[];
  lo80: number[];
  hi80: number[];
  lo95: number[];
  hi95: number[];
}

export interface FitOptions {
  /** Seasonal periods in steps, shortest first (e.g. [24, 168] for hourly data). */
  seasons: number[];
}

/** A model fitted to one series. */
export interface FittedModel {
  /** Short name of the model, e.g. `ETS(A,Ad,M)` or `SNaive(168)`. */
  model: string;
  forecast(h: number): Forecast;
}

/** Fits one kind of model to one series. */
export interface Forecaster {
  name: string;
  fit(values: number[], opts: FitOptions): FittedModel;
}

/** A point forecast only (the intervals are added by `intervals.ts`). */
export type PointForecast = (h: number) => number[];
