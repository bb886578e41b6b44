/**
 * Forecasts of the key series in a report: each series at the report's step (averaged down to
 * at most 240 points, so a forecast takes well under a second), forecast a quarter of its
 * history ahead by the engine's cross-validated forecaster (seasonal ARIMA, and the daily
 * season when the history holds two days of it), with 80% and 95% intervals.
 */
import { forecastManySync } from '../forecast/forecastMany';
import { formatDurationMs } from '../monitor/bottlenecks';
import type { ChartUnit } from '../monitor/types';
import { formatValue } from './format';
import type { ForecastFan, ReportChart, ReportForecast } from './types';

const MAX_POINTS = 240;
const DAY = 86_400_000;

export interface ForecastInput {
  component?: string;
  label: string;
  series: string;
  unit: ChartUnit;
  points: readonly [number, number][];
  threshold?: ReportChart['threshold'];
}

/** Consecutive points averaged in groups so at most `max` remain, with the group's last time. */
export function downsample(points: readonly [number, number][], max: number): [number, number][] {
  if (points.length <= max) return points.map((p) => [p[0], p[1]]);
  const k = Math.ceil(points.length / max);
  const out: [number, number][] = [];
  for (let i = 0; i < points.length; i += k) {
    const g = points.slice(i, i + k);
    out.push([g[g.length - 1][0], g.reduce((a, p) => a + p[1], 0) / g.length]);
  }
  return out;
}

/** The forecast of one series, or a reason there is none. */
export function forecastSeries(input: ForecastInput): ReportForecast | string {
  const pts = downsample(input.points.filter((p) => Number.isFinite(p[1])), MAX_POINTS);
  if (pts.length < 24) return `${input.component ? `${input.component} ` : ''}${input.label}: only ${pts.length} points in the range, too few to forecast (24 needed)`;
  const steps = pts.slice(1).map((p, i) => p[0] - pts[i][0]).sort((a, b) => a - b);
  const stepMs = steps[Math.floor(steps.length / 2)];
  const horizon = Math.max(4, Math.min(60, Math.round(pts.length / 4)));
  const daily = Math.round(DAY / stepMs);
  const seasons = stepMs < DAY && pts.length >= 2 * daily && daily >= 4 ? [daily] : [];
  const [f] = forecastManySync([{ id: input.series, values: pts.map((p) => p[1]) }], { horizon, seasons, pooled: false, mlp: false });
  const last = pts[pts.length - 1][0];
  // Ratios, bytes and rates are never negative: neither is their forecast.
  const floor = input.unit === 'seconds' || input.unit === 'bytes' || input.unit === 'ratio' || input.unit === 'per_second' || pts.every((p) => p[1] >= 0) ? 0 : -Infinity;
  const clamp = (xs: number[]) => xs.map((x) => Math.max(floor, x));
  const fan: ForecastFan = { times: f.mean.map((_, i) => last + (i + 1) * stepMs), mean: clamp(f.mean), lo80: clamp(f.lo80), hi80: clamp(f.hi80), lo95: clamp(f.lo95), hi95: clamp(f.hi95), model: f.model };
  const h = fan.mean.length - 1;
  const fmt = (v: number) => formatValue(v, input.unit);
  const summary = `${fmt(fan.mean[h])} (80%: ${fmt(fan.lo80[h])} to ${fmt(fan.hi80[h])}) in ${formatDurationMs(fan.times[h] - last)}`;
  const chart: ReportChart = {
    id: `forecast-${input.series}`,
    title: `${input.component ? `${input.component}: ` : ''}${input.label}`,
    unit: input.unit,
    series: [{ label: input.label, points: pts }],
    threshold: input.threshold,
    forecast: fan,
  };
  return { component: input.component, label: input.label, series: input.series, unit: input.unit, chart, summary };
}
