/**
 * Line charts as inline SVG, for a report that opens anywhere with no script and no network
 * and prints as it shows: series as paths (broken at gaps), the detectors' expected band, a
 * limit line, anomaly marks, a forecast fan (80% and 95%), a predicted crossing of the limit,
 * and vertical marks for applied changes. Colours are CSS classes, so the page's light and
 * dark styles apply; hover titles (`<title>`) need no script either.
 */
import type { ChartUnit } from '../monitor/types';
import { esc } from './escape';
import { formatValue } from './format';
import type { ReportChart } from './types';

const W = 720;
const H = 220;
const M = { left: 70, right: 14, top: 14, bottom: 30 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;

let clipSeq = 0;

export interface ChartOptions {
  /** The x range to draw (a report's range, so charts line up); the data's own when absent. */
  xMin?: number;
  xMax?: number;
}

/** A chart as an HTML `<figure>`: its title, the SVG, and a legend. */
export function renderChart(chart: ReportChart, opts: ChartOptions = {}): string {
  const isTime = chart.x !== 'trial';
  const xs: number[] = [];
  const ys: number[] = [];
  for (const s of chart.series) for (const [t, v] of s.points) if (Number.isFinite(v)) (xs.push(t), ys.push(v));
  const f = chart.forecast;
  if (f) {
    xs.push(...f.times);
    ys.push(...f.lo95.filter(Number.isFinite), ...f.hi95.filter(Number.isFinite));
  }
  if (chart.band) ys.push(...chart.band.lower.map((p) => p[1]), ...chart.band.upper.map((p) => p[1]));
  if (chart.threshold) ys.push(chart.threshold.value);
  if (!xs.length) return `<figure class="chart empty"><figcaption>${esc(chart.title)}</figcaption><p class="muted">No data in the range.</p></figure>`;

  let x0 = opts.xMin ?? Math.min(...xs);
  // The report's range, stretched to the forecast's end when there is one.
  let x1 = opts.xMax !== undefined ? Math.max(opts.xMax, ...(f?.times ?? [])) : Math.max(...xs);
  // A predicted crossing is shown up to a quarter of the range ahead (clipped beyond).
  if (chart.crossing && chart.crossing.to[0] > x1) x1 = Math.min(chart.crossing.to[0], x1 + (x1 - x0) / 4);
  if (!isTime) (x0 -= 0.5), (x1 += 0.5); // trial dots at the edges stay whole
  if (!(x1 > x0)) (x0 -= 1), (x1 += 1);
  let y0 = Math.min(...ys.filter(Number.isFinite));
  let y1 = Math.max(...ys.filter(Number.isFinite));
  if (y0 >= 0 && y0 < (y1 - y0) * 0.5) y0 = 0; // non-negative data: from 0, unless far from it
  if (!(y1 > y0)) (y1 = y0 + (Math.abs(y0) || 1)), y0 === 0 || (y0 -= Math.abs(y0) * 0.1);
  const yt = chart.unit === 'bytes' ? byteTicks(y0, y1, 5) : niceTicks(y0, y1, 5);
  y0 = Math.min(y0, yt[0]);
  y1 = Math.max(y1, yt[yt.length - 1]);
  const sx = (t: number) => M.left + ((t - x0) / (x1 - x0)) * PW;
  const sy = (v: number) => M.top + PH - ((v - y0) / (y1 - y0)) * PH;
  const n = (x: number) => (Math.round(x * 10) / 10).toString();
  const clip = `clip${++clipSeq}`;
  const parts: string[] = [];
  parts.push(`<defs><clipPath id="${clip}"><rect x="${M.left}" y="${M.top}" width="${PW}" height="${PH}"/></clipPath></defs>`);

  // Axes and grid.
  for (const v of yt) parts.push(`<line class="grid" x1="${M.left}" x2="${M.left + PW}" y1="${n(sy(v))}" y2="${n(sy(v))}"/><text class="tick" x="${M.left - 6}" y="${n(sy(v) + 4)}" text-anchor="end">${esc(formatValue(v, chart.unit))}</text>`);
  for (const t of isTime ? timeTicks(x0, x1) : niceTicks(x0, x1, 6).filter((x) => Number.isInteger(x))) {
    parts.push(`<line class="grid" x1="${n(sx(t))}" x2="${n(sx(t))}" y1="${M.top}" y2="${M.top + PH}"/><text class="tick" x="${n(sx(t))}" y="${H - 10}" text-anchor="middle">${esc(isTime ? timeLabel(t, x1 - x0) : String(t))}</text>`);
  }
  parts.push(`<rect class="frame" x="${M.left}" y="${M.top}" width="${PW}" height="${PH}"/>`);

  const plot: string[] = [];
  // Beyond the report's end (a forecast, a predicted crossing): shaded, with "now" at its edge.
  if (opts.xMax !== undefined && x1 > opts.xMax) {
    const xn = sx(opts.xMax);
    plot.push(`<rect class="future" x="${n(xn)}" y="${M.top}" width="${n(M.left + PW - xn)}" height="${PH}"><title>after the report's end: predicted</title></rect><text class="now" x="${n(xn + 3)}" y="${M.top + 10}">now</text>`);
  }
  if (chart.band && chart.band.lower.length > 1) {
    // One polygon per stretch the detector gave a band for (it gives none while it learns).
    const gap = gapOf(chart.band.lower);
    let start = 0;
    for (let i = 1; i <= chart.band.lower.length; i++) {
      if (i < chart.band.lower.length && chart.band.lower[i][0] - chart.band.lower[i - 1][0] <= gap) continue;
      if (i - start >= 2) {
        const up = chart.band.upper.slice(start, i).map(([t, v]) => `${n(sx(t))},${n(sy(v))}`);
        const lo = chart.band.lower.slice(start, i).map(([t, v]) => `${n(sx(t))},${n(sy(v))}`).reverse();
        plot.push(`<polygon class="band" points="${[...up, ...lo].join(' ')}"><title>expected band: rolling median ± 3 robust standard deviations</title></polygon>`);
      }
      start = i;
    }
  }
  if (f) {
    const fan = (lo: number[], hi: number[], cls: string, name: string) => {
      const up = f.times.map((t, i) => `${n(sx(t))},${n(sy(hi[i]))}`);
      const dn = f.times.map((t, i) => `${n(sx(t))},${n(sy(lo[i]))}`).reverse();
      return `<polygon class="${cls}" points="${[...up, ...dn].join(' ')}"><title>${esc(name)}</title></polygon>`;
    };
    plot.push(fan(f.lo95, f.hi95, 'fan95', '95% interval'), fan(f.lo80, f.hi80, 'fan80', '80% interval'));
    const last = chart.series[0]?.points[chart.series[0].points.length - 1];
    const mean = (last ? [[last[0], last[1]] as [number, number]] : []).concat(f.times.map((t, i): [number, number] => [t, f.mean[i]]));
    plot.push(`<path class="fc-mean" d="${mean.map(([t, v], i) => `${i ? 'L' : 'M'}${n(sx(t))} ${n(sy(v))}`).join('')}"><title>${esc(`forecast (${f.model})`)}</title></path>`);
  }
  chart.series.forEach((s, i) => {
    const cls = `s${i % 6}`;
    if (s.style === 'dots') {
      for (const [t, v] of s.points) if (Number.isFinite(v)) plot.push(`<circle class="dot ${cls}" cx="${n(sx(t))}" cy="${n(sy(v))}" r="2.5"/>`);
      return;
    }
    const gap = gapOf(s.points);
    let d = '';
    let prev: number | undefined;
    for (const [t, v] of s.points) {
      if (!Number.isFinite(v)) {
        prev = undefined;
        continue;
      }
      d += `${prev === undefined || t - prev > gap ? 'M' : 'L'}${n(sx(t))} ${n(sy(v))}`;
      prev = t;
    }
    if (d) plot.push(`<path class="line ${cls}" d="${d}"><title>${esc(s.label)}</title></path>`);
  });
  if (chart.threshold) {
    const y = n(sy(chart.threshold.value));
    plot.push(`<line class="threshold" x1="${M.left}" x2="${M.left + PW}" y1="${y}" y2="${y}"><title>${esc(`${chart.threshold.label}: ${formatValue(chart.threshold.value, chart.unit)}`)}</title></line>`);
  }
  if (chart.crossing) {
    const c = chart.crossing;
    plot.push(`<line class="crossing" x1="${n(sx(c.from[0]))}" y1="${n(sy(c.from[1]))}" x2="${n(sx(c.to[0]))}" y2="${n(sy(c.to[1]))}"><title>${esc(c.label)}</title></line>`);
  }
  for (const e of chart.events ?? []) {
    if (e.t < x0 || e.t > x1) continue;
    plot.push(`<line class="event" x1="${n(sx(e.t))}" x2="${n(sx(e.t))}" y1="${M.top}" y2="${M.top + PH}"><title>${esc(e.label)}</title></line>`);
  }
  for (const m of chart.marks ?? []) {
    if (!Number.isFinite(m.v) || m.t < x0 || m.t > x1) continue;
    plot.push(`<circle class="mark sev-${esc(m.severity)}" cx="${n(sx(m.t))}" cy="${n(sy(m.v))}" r="4.5"><title>${esc(m.label)}</title></circle>`);
  }
  parts.push(`<g clip-path="url(#${clip})">${plot.join('')}</g>`);
  if (chart.threshold) parts.push(`<text class="th-label" x="${M.left + PW - 4}" y="${n(Math.max(M.top + 10, sy(chart.threshold.value) - 4))}" text-anchor="end">${esc(chart.threshold.label)}</text>`);

  const legend = chart.series.map((s, i) => `<span class="key"><i class="sw s${i % 6}${s.style === 'dots' ? ' dotsw' : ''}"></i>${esc(s.label)}</span>`);
  if (chart.band) legend.push('<span class="key"><i class="sw bandsw"></i>expected band (median ± 3σ)</span>');
  if (f) legend.push(`<span class="key"><i class="sw fansw"></i>forecast, 80% / 95% (${esc(f.model)})</span>`);
  if (chart.threshold) legend.push(`<span class="key"><i class="sw thsw"></i>${esc(chart.threshold.label)} ${esc(formatValue(chart.threshold.value, chart.unit))}</span>`);
  if (chart.marks?.length) legend.push(`<span class="key"><i class="sw marksw"></i>${chart.marks.length} anomal${chart.marks.length === 1 ? 'y' : 'ies'}</span>`);
  if (chart.crossing) legend.push(`<span class="key"><i class="sw crossw"></i>predicted crossing</span>`);
  if (chart.events?.length) legend.push(`<span class="key"><i class="sw eventsw"></i>applied change</span>`);
  return `<figure class="chart" data-chart="${esc(chart.id)}"><figcaption>${esc(chart.title)}</figcaption><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(chart.title)}">${parts.join('')}</svg><div class="legend">${legend.join('')}</div></figure>`;
}

/** A break in a line: more than three times the typical spacing of its points. */
function gapOf(points: readonly [number, number][]): number {
  if (points.length < 3) return Infinity;
  const d = points.slice(1).map((p, i) => p[0] - points[i][0]).sort((a, b) => a - b);
  return 3 * d[Math.floor(d.length / 2)];
}

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count: number): number[] {
  const span = hi - lo;
  if (!(span > 0) || !Number.isFinite(span)) return [lo];
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((k) => k * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.floor(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.round(v / step) * step);
  if (out[out.length - 1] < hi) out.push(out[out.length - 1] + step);
  return out;
}

/** Ticks for bytes at round binary multiples: 0, 128 MiB, 256 MiB… rather than 191 MiB, 381 MiB. */
export function byteTicks(lo: number, hi: number, count: number): number[] {
  const scale = 1024 ** Math.max(0, Math.min(4, Math.floor(Math.log(Math.max(Math.abs(hi), Math.abs(lo), 1)) / Math.log(1024))));
  return niceTicks(lo / scale, hi / scale, count).map((v) => v * scale);
}

const TIME_STEPS = [60_000, 300_000, 900_000, 1_800_000, 3_600_000, 3 * 3_600_000, 6 * 3_600_000, 12 * 3_600_000, 86_400_000, 7 * 86_400_000, 30 * 86_400_000];

/** Round UTC times between t0 and t1, at most 8. */
export function timeTicks(t0: number, t1: number): number[] {
  const step = TIME_STEPS.find((s) => (t1 - t0) / s <= 8) ?? TIME_STEPS[TIME_STEPS.length - 1];
  const out: number[] = [];
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) out.push(t);
  return out;
}

function timeLabel(t: number, span: number): string {
  const iso = new Date(t).toISOString();
  return span > 2 * 86_400_000 ? iso.slice(5, 10) : span > 86_400_000 && iso.slice(11, 16) === '00:00' ? iso.slice(5, 10) : iso.slice(11, 16);
}

export type { ChartUnit };
