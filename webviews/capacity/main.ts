/**
 * Capacity planning: the user asks for a load (per second) or months of the measured growth;
 * the extension answers with each component's plan (engine/monitor/capacity.ts) and the
 * webview draws it: needs with their 80% intervals, the limits, what runs out first, and a
 * chart per resource of use against load with the fitted line and its band.
 */
import { Chart, Filler, Legend, LinearScale, LineController, LineElement, PointElement, ScatterController, Tooltip, type ChartDataset } from 'chart.js';
import type { CapacityCurve, CapacityPlan, CapacityQuery, ResourceNeed } from '../../protocol/index';
import { el } from '../shared/dom';
import { onMessage, post } from '../shared/vscodeApi';

Chart.register(LineController, ScatterController, LineElement, PointElement, LinearScale, Filler, Legend, Tooltip);

const root = document.getElementById('root')!;
const charts: Chart[] = [];

const cores = (n: number) => `${n.toFixed(2)} cores`;
const mib = (n: number) => `${(n / 1048576).toFixed(0)} MiB`;
const perS = (n: number) => `${n >= 100 ? n.toFixed(0) : n.toFixed(1)}/s`;

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

// ---- The question --------------------------------------------------------------------------

function radio(value: string, label: string, checked = false): HTMLLabelElement {
  const r = el('input');
  r.type = 'radio';
  r.name = 'mode';
  r.value = value;
  r.checked = checked;
  return el('label', {}, r, ` ${label}`);
}

function numberInput(id: string, placeholder: string, step: string): HTMLInputElement {
  const i = el('input');
  i.type = 'number';
  i.id = id;
  i.min = '0';
  i.step = step;
  i.placeholder = placeholder;
  return i;
}

const loadInput = numberInput('load', 'e.g. 2000', 'any');
const monthsInput = numberInput('months', 'e.g. 6', 'any');
const status = el('span', { class: 'note' });
const form = el('form', {}, radio('now', 'today’s load', true), radio('load', 'a load of'), loadInput, el('span', {}, 'per second'), radio('months', 'after'), monthsInput, el('span', {}, 'months of the current growth'), el('button', {}, 'Plan'), status);
const results = el('div', { class: 'results' });
root.replaceChildren(form, results);

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const mode = (form.querySelector('input[name=mode]:checked') as HTMLInputElement | null)?.value ?? 'now';
  const query: CapacityQuery = {};
  if (mode === 'load') {
    const v = Number(loadInput.value);
    if (!(v > 0)) return void (status.textContent = 'Type a load above 0 (requests or ticks per second).');
    query.load = v;
  } else if (mode === 'months') {
    const v = Number(monthsInput.value);
    if (!(v > 0 && v <= 120)) return void (status.textContent = 'Type a number of months between 0 and 120.');
    query.months = v;
  }
  status.textContent = 'Planning…';
  post({ type: 'planCapacity', query });
});
// Typing into a field picks its mode.
loadInput.addEventListener('focus', () => ((form.querySelector('input[value=load]') as HTMLInputElement).checked = true));
monthsInput.addEventListener('focus', () => ((form.querySelector('input[value=months]') as HTMLInputElement).checked = true));

// ---- The answer ----------------------------------------------------------------------------

function needRow(label: string, r: ResourceNeed | undefined, fmt: (n: number) => string): HTMLTableRowElement {
  if (!r) return el('tr', {}, el('td', {}, label), el('td', {}, 'not enough variation in load to fit'));
  const over = r.limit !== undefined && r.hi80 > r.limit;
  const limit = r.limit === undefined ? 'no limit' : `${fmt(r.limit)}${r.limitLoad !== undefined ? `, reached at ${perS(r.limitLoad)}` : ''}`;
  const row = el('tr', {}, el('td', {}, label), el('td', {}, fmt(r.mean)), el('td', {}, `${fmt(r.lo80)} to ${fmt(r.hi80)}`), el('td', over ? { class: 'over' } : {}, limit), el('td', r.r2 < 0.3 ? { class: 'over', title: 'The load explains little of the variation: the answer is rough. It gets better as the load varies (or with more history).' } : {}, `r² ${r.r2.toFixed(2)}${r.r2 < 0.3 ? ' (weak)' : ''}`));
  return row;
}

function planBox(p: CapacityPlan): HTMLElement {
  const box = el('section', { class: 'component' }, el('h3', {}, p.component));
  box.dataset.component = p.component;
  if (p.growth && !p.growth.ok) {
    box.dataset.answer = 'none';
    box.append(el('p', { class: 'note' }, `No plan for ${p.months} months: ${p.growth.reason}`));
    return box;
  }
  const growth = p.growth?.ok ? ` after ${p.months} months at ${((p.growth.perMonth - 1) * 100).toFixed(1)}% a month (80%: ${((p.growth.perMonthLo80 - 1) * 100).toFixed(1)}% to ${((p.growth.perMonthHi80 - 1) * 100).toFixed(1)}%; load ${perS(p.loadLo80!)} to ${perS(p.loadHi80!)})` : '';
  box.append(el('p', {}, `At ${perS(p.load)}${growth}; today ${perS(p.loadNow)} (${p.points} points in the last hour).`));
  if (p.extrapolated) box.append(el('p', { class: 'over' }, 'Beyond 1.5 × the highest load seen: the line is extrapolated, trust it less.'));
  box.append(
    el('table', {}, el('tr', {}, el('th', {}, ''), el('th', {}, 'needed'), el('th', {}, '80% interval'), el('th', {}, 'limit'), el('th', {}, 'fit')), needRow('CPU', p.cpuCores, cores), needRow('memory', p.memoryBytes, mib)),
  );
  const f = p.runsOutFirst;
  if (f) {
    box.dataset.first = f.resource;
    const when = f.load <= p.loadNow ? ' — already at today’s load' : f.months !== undefined ? `, in about ${f.months.toFixed(1)} months at the current growth` : '';
    box.append(el('p', { class: 'first' }, `Runs out first: ${f.resource === 'cpu' ? 'CPU' : 'memory'}, at ${perS(f.load)}${when}.`));
  }
  const charts = el('div', { class: 'charts' });
  if (p.chart?.cpu) charts.append(curveChart('CPU against load', p.chart.cpu, p.load, cores));
  if (p.chart?.memory) charts.append(curveChart('Memory against load', p.chart.memory, p.load, mib));
  box.append(charts);
  return box;
}

function curveChart(title: string, c: CapacityCurve, target: number, fmt: (n: number) => string): HTMLElement {
  const canvas = el('canvas');
  const box = el('div', { class: 'chart' }, el('h4', {}, title), el('div', { class: 'canvas-box' }, canvas));
  box.dataset.points = String(c.observed.length);
  const fg = cssVar('--vscode-foreground', '#ccc');
  const grid = cssVar('--vscode-editorWidget-border', 'rgba(128,128,128,0.3)');
  const blue = cssVar('--vscode-charts-blue', '#3794ff');
  const orange = cssVar('--vscode-charts-orange', '#d18616');
  const red = cssVar('--vscode-charts-red', '#f14c4c');
  const maxLoad = c.fit.at(-1)?.load ?? target;
  const top = Math.max(...c.fit.map((f) => f.hi80), ...c.observed.map((o) => o[1]), c.limit ?? 0);
  const datasets: ChartDataset<'line' | 'scatter', { x: number; y: number }[]>[] = [
    { type: 'scatter', label: 'observed', data: c.observed.map(([x, y]) => ({ x, y })), pointRadius: 2, backgroundColor: blue, borderColor: blue },
    { type: 'line', label: 'fit', data: c.fit.map((f) => ({ x: f.load, y: f.mean })), borderColor: orange, pointRadius: 0, borderWidth: 1.5 },
    { type: 'line', label: '80% low', data: c.fit.map((f) => ({ x: f.load, y: f.lo80 })), borderColor: 'transparent', pointRadius: 0 },
    { type: 'line', label: '80% interval', data: c.fit.map((f) => ({ x: f.load, y: f.hi80 })), borderColor: 'transparent', backgroundColor: `${orange}33`, fill: '-1', pointRadius: 0 },
    { type: 'line', label: 'planned load', data: [{ x: target, y: 0 }, { x: target, y: top }], borderColor: fg, borderDash: [2, 3], pointRadius: 0, borderWidth: 1 },
  ];
  if (c.limit !== undefined) datasets.push({ type: 'line', label: 'limit', data: [{ x: 0, y: c.limit }, { x: maxLoad, y: c.limit }], borderColor: red, borderDash: [6, 4], pointRadius: 0, borderWidth: 1 });
  charts.push(
    new Chart(canvas, {
      type: 'scatter',
      data: { datasets: datasets as ChartDataset<'scatter', { x: number; y: number }[]>[] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: {
          legend: { labels: { color: fg, boxWidth: 12, filter: (i) => i.text !== '80% low' } },
          tooltip: { callbacks: { label: (i) => `${i.dataset.label}: ${fmt(i.parsed.y as number)} at ${perS(i.parsed.x as number)}` } },
        },
        scales: {
          x: { type: 'linear', min: 0, title: { display: true, text: 'load (per second)', color: fg }, ticks: { color: fg }, grid: { color: grid } },
          y: { beginAtZero: true, ticks: { color: fg, callback: (v) => fmt(Number(v)) }, grid: { color: grid } },
        },
      },
    }),
  );
  return box;
}

function draw(plans: CapacityPlan[], message?: string): void {
  for (const c of charts.splice(0)) c.destroy();
  status.textContent = '';
  results.replaceChildren(...(message ? [el('p', { class: 'note' }, message)] : []), ...plans.map(planBox));
  results.dataset.plans = String(plans.length);
}

/** The question the answer is for (the webview reloads when shown again; the extension keeps the question). */
function showQuery(q: CapacityQuery): void {
  const mode = q.load !== undefined ? 'load' : q.months !== undefined ? 'months' : 'now';
  (form.querySelector(`input[value=${mode}]`) as HTMLInputElement).checked = true;
  if (q.load !== undefined) loadInput.value = String(q.load);
  if (q.months !== undefined) monthsInput.value = String(q.months);
}

onMessage((m) => {
  if (m.type === 'capacity') {
    showQuery(m.query);
    draw(m.plans, m.message);
  }
  else if (m.type === 'error') {
    status.textContent = '';
    results.replaceChildren(el('p', { class: 'error' }, m.message));
  }
});
post({ type: 'ready' });
