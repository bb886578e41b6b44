/**
 * The impact of a change: the effect with its 95% interval ("no detectable effect" when it
 * covers 0), over a chart of the series before the change, after it, and the counterfactual
 * forecast with its 95% band.
 */
import { Chart, Filler, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip, type ChartDataset } from 'chart.js';
import type { ChartUnit, StoreImpact } from '../../protocol/index';
import { formatTime, formatValue } from '../dashboard/format';
import { el } from '../shared/dom';
import { onMessage, post } from '../shared/vscodeApi';

Chart.register(LineController, LineElement, PointElement, LinearScale, Filler, Legend, Tooltip);

const root = document.getElementById('root')!;
let chart: Chart | undefined;

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

function draw(component: string, label: string, unit: ChartUnit, r: StoreImpact): void {
  chart?.destroy();
  const headline = el('p', { class: r.significant ? 'headline' : 'headline none' }, `${component} ${label}: ${r.message.replace(/^[^:]+: /, '')}`);
  headline.dataset.significant = String(r.significant);
  const detail = el('p', { class: 'detail' }, `Change at ${new Date(r.at).toLocaleString()}. Observed mean ${formatValue(r.observedMean, unit)} against ${formatValue(r.expectedMean, unit)} expected without the change (model ${r.model}, ${r.before.length} steps of ${r.stepMs / 1000} s before, ${r.points.length} after).`);
  const canvas = el('canvas');
  root.replaceChildren(headline, detail, el('div', { class: 'canvas-box' }, canvas));
  const fg = cssVar('--vscode-foreground', '#ccc');
  const grid = cssVar('--vscode-editorWidget-border', 'rgba(128,128,128,0.3)');
  const blue = cssVar('--vscode-charts-blue', '#3794ff');
  const orange = cssVar('--vscode-charts-orange', '#d18616');
  const after = r.points.map((p, i) => ({ t: r.afterTimes[i], ...p }));
  const all = [...r.before.map(([, v]) => v), ...after.flatMap((p) => [p.observed, p.lo95, p.hi95])];
  const spanMs = (after.at(-1)?.t ?? r.at) - (r.before[0]?.[0] ?? r.at);
  const datasets: ChartDataset<'line', { x: number; y: number }[]>[] = [
    { label: 'observed', data: [...r.before.map(([x, y]) => ({ x, y })), ...after.map((p) => ({ x: p.t, y: p.observed }))], borderColor: blue, pointRadius: 0, borderWidth: 1.5 },
    { label: 'expected without the change', data: after.map((p) => ({ x: p.t, y: p.expected })), borderColor: orange, borderDash: [5, 3], pointRadius: 0, borderWidth: 1.5 },
    { label: '95% low', data: after.map((p) => ({ x: p.t, y: p.lo95 })), borderColor: 'transparent', pointRadius: 0 },
    { label: '95% band', data: after.map((p) => ({ x: p.t, y: p.hi95 })), borderColor: 'transparent', backgroundColor: `${orange}33`, fill: '-1', pointRadius: 0 },
    { label: 'change', data: [{ x: r.at, y: Math.min(...all) }, { x: r.at, y: Math.max(...all) }], borderColor: fg, borderDash: [2, 3], pointRadius: 0, borderWidth: 1 },
  ];
  chart = new Chart(canvas, {
    type: 'line',
    data: { datasets },
    options: {
      animation: false,
      parsing: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: {
        legend: { labels: { color: fg, boxWidth: 12, filter: (i) => i.text !== '95% low' } },
        tooltip: { callbacks: { title: (items) => (items[0] ? new Date(items[0].parsed.x as number).toLocaleTimeString() : ''), label: (i) => `${i.dataset.label}: ${formatValue(i.parsed.y as number, unit)}` } },
      },
      scales: {
        x: { type: 'linear', ticks: { color: fg, maxTicksLimit: 6, callback: (v) => formatTime(Number(v), spanMs) }, grid: { color: grid } },
        y: { ticks: { color: fg, callback: (v) => formatValue(Number(v), unit) }, grid: { color: grid } },
      },
    },
  });
}

onMessage((m) => {
  if (m.type === 'impact') draw(m.component, m.label, m.unit, m.impact);
  else if (m.type === 'error') root.replaceChildren(el('p', { class: 'error' }, m.message));
});
post({ type: 'ready' });
