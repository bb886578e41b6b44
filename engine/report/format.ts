/** Numbers, times and durations in the report's words. */
import type { ChartUnit } from '../monitor/types';

/** A value in its unit: `1.5 GiB`, `120 ms`, `0.42`, `35.2/s`. */
export function formatValue(v: number, unit: ChartUnit): string {
  if (!Number.isFinite(v)) return '–';
  if (unit === 'bytes') {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    let x = v;
    while (Math.abs(x) >= 1024 && i < units.length - 1) {
      x /= 1024;
      i++;
    }
    return `${trim(x)} ${units[i]}`;
  }
  if (unit === 'seconds') return Math.abs(v) < 1 ? `${trim(v * 1000)} ms` : `${trim(v)} s`;
  if (unit === 'per_second') return `${trim(v)}/s`;
  return trim(v);
}

function trim(x: number): string {
  const a = Math.abs(x);
  const s = a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : a >= 0.01 || a === 0 ? x.toFixed(2) : x.toPrecision(2);
  return s.includes('.') && !s.includes('e') ? s.replace(/\.?0+$/, '') : s;
}

/** A time as `2026-11-27 08:40 UTC` (reports are read elsewhere and later: always UTC). */
export function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** A share: `85%`. */
export function formatPercent(x: number): string {
  return `${Math.round(x * 100)}%`;
}

/** `1 study`, `2 studies`, `0 anomalies`: a count with its noun. */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
