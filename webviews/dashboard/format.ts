/** Number formatting for chart axes and tooltips, by unit. */
import type { ChartUnit } from '../../protocol/index';

const BYTES = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatValue(v: number, unit: ChartUnit): string {
  if (!Number.isFinite(v)) return String(v);
  switch (unit) {
    case 'ratio':
      return `${(v * 100).toFixed(Math.abs(v) < 0.1 ? 1 : 0)}%`;
    case 'bytes': {
      let i = 0;
      let x = Math.abs(v);
      while (x >= 1024 && i < BYTES.length - 1) {
        x /= 1024;
        i++;
      }
      return `${(Math.sign(v) * x).toFixed(x < 10 && i > 0 ? 1 : 0)} ${BYTES[i]}`;
    }
    case 'seconds':
      return v < 1 ? `${(v * 1000).toFixed(v < 0.01 ? 2 : 1)} ms` : `${v.toFixed(2)} s`;
    case 'per_second':
      return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)}/s`;
    case 'count':
      return v >= 100 ? v.toFixed(0) : String(Math.round(v * 10) / 10);
  }
}

export function formatTime(t: number, spanMs: number): string {
  const d = new Date(t);
  const p = (n: number) => String(n).padStart(2, '0');
  if (spanMs > 2 * 86_400_000) return `${d.getMonth() + 1}/${d.getDate()} ${p(d.getHours())}h`;
  if (spanMs > 3_600_000) return `${p(d.getHours())}:${p(d.getMinutes())}`;
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
