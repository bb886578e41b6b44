/**
 * The study view's charts (Chart.js): best so far against trial number, parameter
 * importance, parallel coordinates of the trials, and the Pareto front of two objectives.
 */
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, ScatterController, Tooltip, type ChartConfiguration } from 'chart.js';
import type { StudyViewData } from '../../protocol/index';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, ScatterController, Tooltip, Legend);

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}
const colors = () => ({
  fg: cssVar('--vscode-foreground', '#ccc'),
  grid: cssVar('--vscode-editorWidget-border', 'rgba(128,128,128,0.3)'),
  blue: cssVar('--vscode-charts-blue', '#3794ff'),
  orange: cssVar('--vscode-charts-orange', '#d18616'),
  green: cssVar('--vscode-charts-green', '#89d185'),
  red: cssVar('--vscode-charts-red', '#f14c4c'),
  gray: 'rgba(128,128,128,0.45)',
});

export const fmt = (v: number): string => (Number.isInteger(v) ? String(v) : Math.abs(v) >= 100 ? v.toFixed(1) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3));

type AnyChart = Chart<'line' | 'bar' | 'scatter', unknown[], unknown>;

function axes(title: { x: string; y: string }) {
  const c = colors();
  return {
    x: { type: 'linear' as const, title: { display: true, text: title.x, color: c.fg }, ticks: { color: c.fg, maxTicksLimit: 8 }, grid: { color: c.grid } },
    y: { type: 'linear' as const, title: { display: true, text: title.y, color: c.fg }, ticks: { color: c.fg, maxTicksLimit: 6 }, grid: { color: c.grid } },
  };
}

export class StudyCharts {
  private readonly charts = new Map<string, AnyChart>();

  /** The view is rebuilt on each update (a few times a minute at most), so each chart is made afresh on its new canvas box. */
  private upsert(id: string, canvas: HTMLCanvasElement, config: ChartConfiguration<'line' | 'bar' | 'scatter'>): void {
    this.charts.get(id)?.destroy();
    this.charts.set(id, new Chart(canvas, config) as AnyChart);
  }

  /** Best feasible value of the first objective so far, over every trial's value. */
  bestSoFar(canvas: HTMLCanvasElement, d: StudyViewData): void {
    const c = colors();
    const o = d.objectives[0];
    const points = d.trials.filter((t) => t.values).map((t) => ({ x: t.trial, y: t.values![0] }));
    const infeasible = d.trials.filter((t) => t.values && !t.feasible).map((t) => ({ x: t.trial, y: t.values![0] }));
    this.upsert('best', canvas, {
      type: 'line',
      data: {
        datasets: [
          { type: 'line', label: `best ${o.name} so far (feasible)`, data: d.bestSoFar.map((b) => ({ x: b.trial, y: b.value })), borderColor: c.blue, backgroundColor: c.blue, stepped: 'before', pointRadius: 0, borderWidth: 2 },
          { type: 'scatter', label: 'trial', data: points.filter((p) => !infeasible.some((q) => q.x === p.x)), backgroundColor: c.green, pointRadius: 3 },
          { type: 'scatter', label: 'trial (infeasible)', data: infeasible, backgroundColor: c.gray, pointRadius: 3 },
        ],
      },
      options: { animation: false, responsive: true, maintainAspectRatio: false, scales: axes({ x: 'trial', y: o.name }), plugins: { legend: { labels: { color: c.fg, boxWidth: 12 } } } },
    });
  }

  importance(canvas: HTMLCanvasElement, d: StudyViewData): void {
    const c = colors();
    this.upsert('importance', canvas, {
      type: 'bar',
      data: { labels: d.importance.map((i) => i.name), datasets: [{ label: `importance for ${d.objectives[0].name}`, data: d.importance.map((i) => Math.round(i.importance * 1000) / 10), backgroundColor: c.orange }] },
      options: {
        indexAxis: 'y',
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: { x: { min: 0, max: 100, title: { display: true, text: '% of the explained variation', color: c.fg }, ticks: { color: c.fg }, grid: { color: c.grid } }, y: { ticks: { color: c.fg }, grid: { color: c.grid } } },
        plugins: { legend: { display: false } },
      },
    });
  }

  /** Parallel coordinates: one line per complete trial over the parameters (scaled 0..1) and the first objective. */
  parallel(canvas: HTMLCanvasElement, d: StudyViewData): void {
    const c = colors();
    const axesNames = [...d.parameters, d.objectives[0].name];
    const complete = d.trials.filter((t) => t.values);
    const value = (t: (typeof complete)[number], a: string) => (a === d.objectives[0].name ? t.values![0] : t.params[a]);
    const ranges = axesNames.map((a) => {
      const xs = complete.map((t) => value(t, a)).filter((v): v is number => typeof v === 'number');
      return { min: Math.min(...xs), max: Math.max(...xs) };
    });
    const scale = (v: unknown, i: number) => {
      if (typeof v !== 'number') return 0.5;
      const r = ranges[i];
      return r.max > r.min ? (v - r.min) / (r.max - r.min) : 0.5;
    };
    const ys = complete.map((t) => t.values![0]);
    const lo = Math.min(...ys);
    const hi = Math.max(...ys);
    const better = d.objectives[0].direction === 'maximize';
    const shade = (v: number) => {
      const q = hi > lo ? (v - lo) / (hi - lo) : 1;
      const good = better ? q : 1 - q;
      return `rgba(${Math.round(240 - 180 * good)}, ${Math.round(80 + 120 * good)}, ${Math.round(80 + 160 * good)}, ${0.25 + 0.6 * good})`;
    };
    this.upsert('parallel', canvas, {
      type: 'line',
      data: {
        labels: axesNames.map((a, i) => `${a} (${fmt(ranges[i].min)}–${fmt(ranges[i].max)})`),
        datasets: complete.map((t) => ({ label: `#${t.trial}`, data: axesNames.map((a, i) => scale(value(t, a), i)), borderColor: d.pareto.includes(t.trial) ? c.red : shade(t.values![0]), borderWidth: d.pareto.includes(t.trial) ? 2.5 : 1, pointRadius: 2, tension: 0 })),
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: { x: { type: 'category', ticks: { color: c.fg }, grid: { color: c.grid } }, y: { min: 0, max: 1, ticks: { color: c.fg, callback: (v) => (v === 0 ? 'min' : v === 1 ? 'max' : '') }, grid: { color: c.grid } } },
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: (it) => `${it.dataset.label}: ${axesNames[it.dataIndex]} = ${fmt(Number(value(complete[it.datasetIndex], axesNames[it.dataIndex])))}` } } },
      },
    });
  }

  /** The first two objectives: every complete trial, the feasible ones, and the Pareto front. */
  pareto(canvas: HTMLCanvasElement, d: StudyViewData): void {
    const c = colors();
    const [o1, o2] = d.objectives;
    const pt = (t: StudyViewData['trials'][number]) => ({ x: t.values![0], y: t.values![1] });
    const complete = d.trials.filter((t) => t.values && t.values.length > 1);
    const front = complete.filter((t) => d.pareto.includes(t.trial)).sort((a, b) => a.values![0] - b.values![0]);
    this.upsert('pareto', canvas, {
      type: 'scatter',
      data: {
        datasets: [
          { type: 'line', label: 'Pareto front', data: front.map(pt), borderColor: c.red, backgroundColor: c.red, pointRadius: 5, borderWidth: 1.5 },
          { type: 'scatter', label: 'feasible', data: complete.filter((t) => t.feasible && !d.pareto.includes(t.trial)).map(pt), backgroundColor: c.blue, pointRadius: 3 },
          { type: 'scatter', label: 'infeasible', data: complete.filter((t) => !t.feasible).map(pt), backgroundColor: c.gray, pointRadius: 3 },
        ],
      },
      options: { animation: false, responsive: true, maintainAspectRatio: false, scales: axes({ x: `${o1.name} (${o1.direction})`, y: `${o2.name} (${o2.direction})` }), plugins: { legend: { labels: { color: c.fg, boxWidth: 12 } } } },
    });
  }
}
