/**
 * Chart.js line charts for the dashboard panels: one chart per panel, updated in place
 * (no re-creation) so a refresh every second stays cheap. Large series are decimated
 * (LTTB) to the chart's width, so 100,000 points per chart draw without freezing.
 */
import { CategoryScale, Chart, Decimation, Filler, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip, type ChartDataset } from 'chart.js';
import type { ChartPanel } from '../../protocol/index';
import { formatTime, formatValue } from './format';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Decimation, Filler, Legend, Tooltip);

/** Theme colours come from VS Code's CSS variables, so charts follow the theme. */
function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

function palette(): string[] {
  return ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-purple', '--vscode-charts-red', '--vscode-charts-yellow'].map((v, i) =>
    cssVar(v, ['#3794ff', '#d18616', '#89d185', '#b180d7', '#f14c4c', '#cca700'][i]),
  );
}

export class PanelChart {
  private readonly chart: Chart<'line', { x: number; y: number }[]>;
  private spanMs = 300_000;

  constructor(
    canvas: HTMLCanvasElement,
    private panel: ChartPanel,
  ) {
    const fg = cssVar('--vscode-foreground', '#ccc');
    const grid = cssVar('--vscode-editorWidget-border', 'rgba(128,128,128,0.3)');
    this.chart = new Chart(canvas, {
      type: 'line',
      data: { datasets: [] },
      options: {
        animation: false,
        parsing: false,
        normalized: true,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        elements: { point: { radius: 0 }, line: { borderWidth: 1.5, tension: 0 } },
        plugins: {
          decimation: { enabled: true, algorithm: 'lttb', samples: 500, threshold: 1000 },
          // The band's lower edge needs no legend entry of its own: "expected" names the band.
          legend: { labels: { color: fg, boxWidth: 12, filter: (item) => item.text !== 'expected (low)' } },
          tooltip: {
            callbacks: {
              title: (items) => (items[0] ? new Date(items[0].parsed.x as number).toLocaleTimeString() : ''),
              label: (item) => `${item.dataset.label}: ${formatValue(item.parsed.y as number, this.panel.unit)}`,
            },
          },
        },
        scales: {
          x: { type: 'linear', ticks: { color: fg, maxTicksLimit: 6, callback: (v) => formatTime(Number(v), this.spanMs) }, grid: { color: grid } },
          y: { beginAtZero: true, ticks: { color: fg, maxTicksLimit: 5, callback: (v) => formatValue(Number(v), this.panel.unit) }, grid: { color: grid } },
        },
      },
    });
    this.update(panel, { from: Date.now() - 300_000, to: Date.now() });
  }

  /** Number of points across the panel's series (for tests and the "no data" state). */
  get points(): number {
    return this.panel.series.reduce((n, s) => n + s.points.length, 0);
  }

  /**
   * Axis, grid and legend colours, read again at every update: VS Code restyles a live
   * webview when the theme changes (new CSS variables, no reload), and the next refresh
   * (every second while visible) then redraws in the new theme.
   */
  private applyTheme(): void {
    const fg = cssVar('--vscode-foreground', '#ccc');
    const grid = cssVar('--vscode-editorWidget-border', 'rgba(128,128,128,0.3)');
    const o = this.chart.options;
    if (o.plugins?.legend?.labels) o.plugins.legend.labels.color = fg;
    for (const s of [o.scales?.x, o.scales?.y]) {
      if (s?.ticks) s.ticks.color = fg;
      if (s?.grid) s.grid.color = grid;
    }
  }

  /** Draws `panel` over the requested time range [from, to], whatever part of it has data. */
  update(panel: ChartPanel, range: { from: number; to: number }): void {
    this.panel = panel;
    this.spanMs = range.to - range.from;
    // A predicted limit crossing widens the axis to show it, by at most another half range.
    const crossing = panel.forecast ? Math.min(panel.forecast.to[0], range.to + this.spanMs / 2) : range.to;
    const x = this.chart.options.scales?.x;
    if (x) {
      x.min = range.from;
      x.max = Math.max(range.to, crossing);
    }
    this.applyTheme();
    const colors = palette();
    const datasets: ChartDataset<'line', { x: number; y: number }[]>[] = panel.series.map((s, i) => ({
      label: s.label,
      data: s.points.map(([x, y]) => ({ x, y })),
      borderColor: colors[i % colors.length],
      backgroundColor: colors[i % colors.length],
      // Decimation needs an index per point; indexAxis x with parsing off gives that.
      indexAxis: 'x',
    }));
    if (panel.threshold && panel.series.some((s) => s.points.length)) {
      const xs = panel.series.flatMap((s) => (s.points.length ? [s.points[0][0], s.points[s.points.length - 1][0]] : []));
      const [from, to] = [Math.min(...xs), Math.max(...xs, crossing)];
      datasets.push({
        label: panel.threshold.label,
        data: [{ x: from, y: panel.threshold.value }, { x: to, y: panel.threshold.value }],
        borderColor: cssVar('--vscode-charts-red', '#f14c4c'),
        borderDash: [6, 4],
        borderWidth: 1,
      });
    }
    if (panel.band && panel.band.lower.length > 1) {
      // The detectors' expected band: two edges, the space between them shaded.
      const band = cssVar('--vscode-charts-green', '#89d185');
      datasets.push(
        { label: 'expected (low)', data: panel.band.lower.map(([x, y]) => ({ x, y })), borderColor: band, borderWidth: 0.5, pointRadius: 0 },
        { label: 'expected', data: panel.band.upper.map(([x, y]) => ({ x, y })), borderColor: band, borderWidth: 0.5, pointRadius: 0, backgroundColor: withAlpha(band, 0.15), fill: '-1' },
      );
    }
    if (panel.forecast) {
      // The trend from now to the predicted crossing, dashed, with the crossing as a point.
      const orange = cssVar('--vscode-charts-orange', '#d18616');
      const f = panel.forecast;
      datasets.push({
        label: 'predicted crossing',
        data: [{ x: f.from[0], y: f.from[1] }, { x: f.to[0], y: f.to[1] }],
        borderColor: orange,
        backgroundColor: orange,
        borderDash: [3, 3],
        borderWidth: 1.5,
        pointRadius: [0, 4],
      });
    }
    const marks = (panel.markers ?? []).filter((m) => Number.isFinite(m.v));
    if (marks.length) {
      const red = cssVar('--vscode-charts-red', '#f14c4c');
      datasets.push({
        label: 'anomalies',
        data: marks.map((m) => ({ x: m.t, y: m.v })),
        borderColor: red,
        backgroundColor: red,
        showLine: false,
        pointRadius: 4,
        pointStyle: 'triangle',
      });
    }
    this.chart.data.datasets = datasets;
    this.chart.update('none');
  }

  destroy(): void {
    this.chart.destroy();
  }
}

/** A CSS colour (#rgb, #rrggbb or rgb()) with an alpha, for shading. */
function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color.trim());
  if (hex) {
    const h = hex[1].length === 3 ? hex[1].replace(/./g, (c) => c + c) : hex[1];
    return `rgba(${parseInt(h.slice(0, 2), 16)}, ${parseInt(h.slice(2, 4), 16)}, ${parseInt(h.slice(4, 6), 16)}, ${alpha})`;
  }
  const rgb = /^rgba?\(([^)]+)\)$/.exec(color.trim());
  return rgb ? `rgba(${rgb[1].split(',').slice(0, 3).join(',')}, ${alpha})` : color;
}
