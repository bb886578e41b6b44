/**
 * The monitoring dashboard: system overview and per-component charts (CPU, memory,
 * throughput, latency percentiles, errors, queue depth), the active alerts, and the
 * monitor's own cost. The extension pushes fresh data every second while the panel is
 * visible; the webview only draws.
 */
import { DASHBOARD_RANGES, type ChartPanel, type DashboardData, type ExtensionToWebview, type RangeName } from '../../protocol/index';
import { el } from '../shared/dom';
import { onMessage, post } from '../shared/vscodeApi';
import { PanelChart } from './charts';
import { formatValue } from './format';

const root = document.getElementById('root')!;
const charts = new Map<string, PanelChart>();
let range: RangeName = '5m';

function rangeBar(): HTMLElement {
  const bar = el('div', { class: 'ranges' });
  for (const r of Object.keys(DASHBOARD_RANGES) as RangeName[]) {
    const b = el('button', { title: DASHBOARD_RANGES[r].label }, r);
    if (r === range) b.classList.add('active');
    b.addEventListener('click', () => {
      range = r;
      document.querySelectorAll('.ranges button').forEach((x) => x.classList.toggle('active', x.textContent === r));
      post({ type: 'setRange', range: r });
    });
    bar.append(b);
  }
  return bar;
}

const header = el('div', { class: 'header' }, rangeBar(), el('span', { class: 'cost' }));
const alertsBox = el('div', { class: 'alerts' });
const systemBox = el('section', { class: 'system' });
const componentsBox = el('section', { class: 'components' });
root.replaceChildren(header, alertsBox, el('h2', {}, 'System'), systemBox, el('h2', {}, 'Components'), componentsBox);

/** Finds or creates the chart of a panel inside a container, keyed by component and panel id. */
function chartFor(container: HTMLElement, key: string, panel: ChartPanel, range: { from: number; to: number }, drawn: Set<string>): void {
  drawn.add(key);
  const existing = charts.get(key);
  if (existing) {
    existing.update(panel, range);
    markPoints(key, existing.points);
    return;
  }
  const canvas = el('canvas');
  const box = el('div', { class: 'chart' }, el('h4', {}, panel.title), el('div', { class: 'canvas-box' }, canvas));
  box.dataset.key = key;
  container.append(box);
  charts.set(key, new PanelChart(canvas, panel));
  charts.get(key)!.update(panel, range);
  markPoints(key, charts.get(key)!.points);
}

/** Each chart box carries its number of points, for tests that wait on data. */
function markPoints(key: string, points: number): void {
  const box = document.querySelector<HTMLElement>(`.chart[data-key="${CSS.escape(key)}"]`);
  if (box) box.dataset.points = String(points);
}

/** Removes the charts of panels and components that are no longer in the data. */
function removeStale(drawn: Set<string>): void {
  for (const [key, chart] of charts) {
    if (drawn.has(key)) continue;
    chart.destroy();
    charts.delete(key);
    document.querySelector(`.chart[data-key="${CSS.escape(key)}"]`)?.remove();
  }
  for (const box of componentsBox.querySelectorAll<HTMLElement>('.component')) if (!box.querySelector('.chart')) box.remove();
}

function draw(d: DashboardData): void {
  const range = { from: d.from, to: d.to };
  const drawn = new Set<string>();
  (header.querySelector('.cost') as HTMLElement).textContent = `monitor cost: ${formatValue(d.cost.cpuRatio, 'ratio')} of a core, ${formatValue(d.cost.rssBytes, 'bytes')}`;

  alertsBox.replaceChildren(
    ...d.alerts.map((a) => el('div', { class: `alert ${a.severity}` }, `${a.severity.toUpperCase()} ${a.name}${a.component ? ` (${a.component})` : ''}: ${a.series} = ${a.value.toPrecision(4)} ${a.op} ${a.threshold}${a.description ? ` — ${a.description}` : ''}`)),
  );

  for (const p of d.system) chartFor(systemBox, `system/${p.id}`, p, range, drawn);
  for (const c of d.components) {
    let box = componentsBox.querySelector<HTMLElement>(`.component[data-name="${CSS.escape(c.name)}"]`);
    if (!box) {
      box = el('div', { class: 'component' }, el('h3', {}, c.name, el('span', { class: 'state' })), el('div', { class: 'grid' }));
      box.dataset.name = c.name;
      componentsBox.append(box);
    }
    const state = box.querySelector('.state') as HTMLElement;
    state.textContent = c.up ? ' ● up' : ' ○ down';
    state.className = `state ${c.up ? 'up' : 'down'}`;
    for (const p of c.panels) chartFor(box.querySelector('.grid') as HTMLElement, `${c.name}/${p.id}`, p, range, drawn);
  }
  removeStale(drawn);
  let points = 0;
  charts.forEach((c) => (points += c.points));
  // Tests and screenshots wait on these marks rather than on time.
  document.body.dataset.rendered = 'true';
  document.body.dataset.points = String(points);
  document.body.dataset.range = d.range;
}

onMessage((m: ExtensionToWebview) => {
  if (m.type === 'dashboard') draw(m.data);
  else if (m.type === 'error') alertsBox.replaceChildren(el('div', { class: 'alert critical' }, m.message));
});
post({ type: 'ready' });
