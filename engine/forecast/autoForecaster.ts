/**
 * The `Forecaster` of the engine for one series: the CV-selected model or combination of
 * `forecastMany`, refitted for the horizon asked.
 */
import { forecastManySync } from './forecastMany';
import type { FitOptions, FittedModel, Forecaster } from './types';

export const autoForecaster: Forecaster = {
  name: 'auto',
  fit(values: number[], opts: FitOptions): FittedModel {
    let last: { h: number; model: string; fc: ReturnType<typeof forecastManySync>[number] } | undefined;
    const run = (h: number) => {
      if (!last || last.h !== h) {
        const [fc] = forecastManySync([{ id: 0, values }], { horizon: h, seasons: opts.seasons });
        last = { h, model: fc.model, fc };
      }
      return last.fc;
    };
    const fitted: FittedModel = {
      get model() {
        return run(opts.seasons[opts.seasons.length - 1] ?? 1).model;
      },
      forecast(h: number) {
        const { mean, lo80, hi80, lo95, hi95 } = run(h);
        return { mean, lo80, hi80, lo95, hi95 };
      },
    };
    return fitted;
  },
};
