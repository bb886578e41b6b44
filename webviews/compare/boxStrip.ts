/**
 * One metric's box-and-strip plot (Chart.js): every run of A and B as a dot on its row
 * (values along x, a fixed jitter across the row), and a box of the quartiles with the median
 * drawn by a small plugin under the dots. Chart.js has no box plot of its own.
 */
import { Chart, LinearScale, PointElement, ScatterController, Tooltip, type Plugin } from 'chart.js';
import type { MetricComparison } from '../../protocol/index';

Chart.register(ScatterController, PointElement, LinearScale, Tooltip);

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

export const fmt = (v: number): string => (!Number.isFinite(v) ? String(v) : Number.isInteger(v) ? String(v) : Math.abs(v) >= 100 ? v.toFixed(1) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3));

/** Type-7 quantile of sorted values (as the engine). */
function q(sorted: number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

const ROWS = { a: 1, b: 0 } as const;

export function boxStripChart(canvas: HTMLCanvasElement, m: MetricComparison, a: number[], b: number[], labels: { a: string; b: string }): Chart<'scatter'> {
  const fg = cssVar('--vscode-foreground', '#ccc');
  const grid = cssVar('--vscode-editorWidget-border', 'rgba(128,128,128,0.3)');
  const blue = cssVar('--vscode-charts-blue', '#3794ff');
  const colorB = m.verdict === 'worse' ? cssVar('--vscode-charts-red', '#f14c4c') : m.verdict === 'better' ? cssVar('--vscode-charts-green', '#89d185') : cssVar('--vscode-charts-orange', '#d18616');
  // A margin around the runs, so the outermost dots and boxes are not cut at the edges.
  const all = [...a, ...b];
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const pad = (hi - lo) * 0.06 || Math.abs(hi) * 0.05 || 1;
  const jitter = (i: number) => (((i * 7919) % 17) - 8) / 60;
  const boxes: Plugin<'scatter'> = {
    id: 'boxes',
    beforeDatasetsDraw(chart) {
      const { ctx, scales } = chart;
      for (const [arm, xs, color] of [['a', a, blue], ['b', b, colorB]] as const) {
        if (!xs.length) continue;
        const s = [...xs].sort((x, y) => x - y);
        const y = scales.y.getPixelForValue(ROWS[arm]);
        const h = Math.abs(scales.y.getPixelForValue(0.3) - scales.y.getPixelForValue(0));
        const px = (v: number) => scales.x.getPixelForValue(v);
        ctx.save();
        ctx.strokeStyle = color;
        ctx.fillStyle = `${color}33`;
        ctx.lineWidth = 1.5;
        ctx.beginPath();
        ctx.moveTo(px(s[0]), y);
        ctx.lineTo(px(s[s.length - 1]), y);
        ctx.stroke();
        ctx.fillRect(px(q(s, 0.25)), y - h, Math.max(1, px(q(s, 0.75)) - px(q(s, 0.25))), 2 * h);
        ctx.strokeRect(px(q(s, 0.25)), y - h, Math.max(1, px(q(s, 0.75)) - px(q(s, 0.25))), 2 * h);
        ctx.lineWidth = 3;
        ctx.beginPath();
        ctx.moveTo(px(q(s, 0.5)), y - h - 3);
        ctx.lineTo(px(q(s, 0.5)), y + h + 3);
        ctx.stroke();
        ctx.restore();
      }
    },
  };
  return new Chart(canvas, {
    type: 'scatter',
    data: {
      datasets: [
        { label: labels.a, data: a.map((v, i) => ({ x: v, y: ROWS.a + jitter(i) })), backgroundColor: blue, pointRadius: 3.5 },
        { label: labels.b, data: b.map((v, i) => ({ x: v, y: ROWS.b + jitter(i) })), backgroundColor: colorB, pointRadius: 3.5 },
      ],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: (i) => `${i.dataset.label} run ${i.dataIndex + 1}: ${fmt(i.parsed.x as number)}` } } },
      scales: {
        x: { type: 'linear', suggestedMin: lo - pad, suggestedMax: hi + pad, title: { display: true, text: m.metric, color: fg }, ticks: { color: fg, maxTicksLimit: 7, callback: (v) => fmt(Number(v)) }, grid: { color: grid } },
        y: { type: 'linear', min: -0.6, max: 1.6, afterBuildTicks: (axis) => void (axis.ticks = [{ value: 0 }, { value: 1 }]), ticks: { color: fg, callback: (v) => (v === 1 ? 'A' : v === 0 ? 'B' : '') }, grid: { color: grid } },
      },
    },
    plugins: [boxes],
  });
}
