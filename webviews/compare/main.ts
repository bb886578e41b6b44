/**
 * The comparison view: A against B by a component's trial command, while it runs (progress
 * and Cancel) and after (a table of every metric's medians, change with its 95% interval,
 * p-value and verdict, and a box-and-strip plot per metric).
 */
import type { Chart } from 'chart.js';
import type { CompareViewData, ExtensionToCompareWebview } from '../../protocol/index';
import { el } from '../shared/dom';
import { boxStripChart, fmt } from './boxStrip';
import { onMessage, post } from './bridge';

const root = document.getElementById('root')!;
let charts: Chart<'scatter'>[] = [];

const pct = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%` : 'n/a');
const pText = (p: number) => (!Number.isFinite(p) ? 'n/a' : p < 0.0001 ? '<0.0001' : p < 0.01 ? p.toFixed(4) : p.toFixed(3));

function button(text: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', {}, text);
  b.addEventListener('click', onClick);
  return b;
}

function showProgress(m: Extract<ExtensionToCompareWebview, { type: 'progress' }>): void {
  root.dataset.state = 'running';
  const bar = el('progress');
  bar.max = Math.max(1, m.total);
  bar.value = m.done;
  root.replaceChildren(
    el('p', { class: 'meta' }, `A = ${m.labels.a}, B = ${m.labels.b} (${m.configFile})`),
    bar,
    el('p', {}, `${m.done} of ${m.total} runs. ${m.message}`),
    el('div', { class: 'buttons' }, button('Cancel', () => post({ type: 'cancel' }))),
  );
}

function verdictClass(v: string): string {
  return v === 'no detectable difference' ? 'none' : v;
}

function showResult(d: CompareViewData): void {
  for (const c of charts) c.destroy();
  charts = [];
  root.dataset.state = 'done';
  root.dataset.metrics = String(d.metrics.length);
  const differing = d.metrics.filter((m) => m.verdict !== 'no detectable difference');
  const headline = el('p', { class: 'headline' }, differing.length ? differing.map((m) => `${m.metric}: ${m.verdict} (${pct(m.relative)})`).join('; ') : 'No detectable difference in any metric.');
  const table = el('table');
  table.append(el('tr', {}, ...['metric', 'better', 'median A', 'median B', 'change', '95% CI', 'p', 'verdict'].map((h) => el('th', {}, h))));
  for (const m of d.metrics) {
    const row = el('tr', { class: `verdict-${verdictClass(m.verdict)}` }, el('td', {}, m.metric), el('td', {}, m.direction === 'minimize' ? 'lower' : 'higher'), el('td', { class: 'num' }, fmt(m.median.a)), el('td', { class: 'num' }, fmt(m.median.b)), el('td', { class: 'num' }, pct(m.relative)), el('td', { class: 'num' }, `${pct(m.relativeCi.lo)} to ${pct(m.relativeCi.hi)}`), el('td', { class: 'num' }, pText(m.p)), el('td', { class: 'verdict' }, m.verdict));
    row.dataset.metric = m.metric;
    row.dataset.verdict = m.verdict;
    table.append(row);
  }
  const plots = el('div', { class: 'grid' });
  const pending: [HTMLCanvasElement, (typeof d.metrics)[number]][] = [];
  for (const m of d.metrics) {
    const canvas = el('canvas');
    canvas.id = `chart-${m.metric.replace(/[^\w-]/g, '_')}`;
    plots.append(el('div', { class: 'chart' }, el('h4', {}, `${m.metric}: ${fmt(m.median.a)} → ${fmt(m.median.b)} (${pct(m.relative)}), ${m.verdict}`), el('div', { class: 'canvas-box' }, canvas)));
    pending.push([canvas, m]);
  }
  root.replaceChildren(
    el('p', { class: 'meta' }, `A = ${d.labels.a}, B = ${d.labels.b}. ${d.configFile}, measured by the trial command of study "${d.study}"${d.component ? ` (${d.component})` : ''}: ${d.repeats} runs each after ${d.warmup} warm-up round(s), A B A B …, ${new Date(d.at).toLocaleString()}.`),
    headline,
    ...(d.problem ? [el('p', { class: 'error' }, d.problem)] : []),
    table,
    el('p', { class: 'meta' }, '"better"/"worse" needs the Mann–Whitney test to reject at 5% and the 95% bootstrap interval of the median change to exclude 0; otherwise there is no detectable difference. Dots are runs; boxes the quartiles, the thick line the median.'),
    plots,
    el('div', { class: 'buttons' }, button('Measure again', () => post({ type: 'rerun' }))),
  );
  for (const [canvas, m] of pending) charts.push(boxStripChart(canvas, m, d.samples.a[m.metric] ?? [], d.samples.b[m.metric] ?? [], d.labels));
}

onMessage((m) => {
  if (m.type === 'progress') showProgress(m);
  else if (m.type === 'compare') showResult(m.data);
  else {
    root.dataset.state = 'error';
    root.replaceChildren(el('p', { class: 'error' }, m.message), el('div', { class: 'buttons' }, button('Try again', () => post({ type: 'rerun' }))));
  }
});
post({ type: 'ready' });
