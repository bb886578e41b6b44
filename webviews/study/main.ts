/**
 * The study view: progress, best so far, parameter importance, parallel coordinates, the
 * Pareto front, the recommendation and its re-measured effect. It draws what the extension
 * sends; buttons send commands back (checked by parseStudyWebviewMessage).
 */
import type { StudyViewData } from '../../protocol/index';
import { el } from '../shared/dom';
import { post, onMessage } from './bridge';
import { fmt, StudyCharts } from './charts';

const root = document.getElementById('root')!;
const charts = new StudyCharts();
const canvases = new Map<string, HTMLCanvasElement>();

function canvasFor(id: string): HTMLElement {
  let c = canvases.get(id);
  if (!c) {
    c = document.createElement('canvas');
    c.id = `chart-${id}`;
    canvases.set(id, c);
  }
  return el('div', { class: 'canvas-box' }, c);
}

const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
const show = (v: unknown) => (v === undefined ? '(missing)' : typeof v === 'number' ? fmt(v) : String(v));

function button(label: string, command: 'run' | 'cancel' | 'remeasure' | 'applyAll' | 'revert', enabled: boolean): HTMLButtonElement {
  const b = el('button', { class: `cmd cmd-${command}` }, label);
  b.disabled = !enabled;
  b.addEventListener('click', () => post({ type: 'studyCommand', command }));
  return b;
}

function render(d: StudyViewData): void {
  const busy = d.phase !== 'idle';
  const complete = d.trials.filter((t) => t.state === 'complete').length;
  const feasible = d.trials.filter((t) => t.feasible).length;
  const head = el(
    'div',
    { class: 'header' },
    el('div', { class: 'progress' }, `${d.phase === 'running' ? 'Running' : d.phase === 'remeasuring' ? 'Re-measuring' : 'Idle'} · ${d.trials.length}/${d.budget} trials (${complete} complete, ${feasible} feasible, ${d.trials.length - complete} failed)`),
    el('div', { class: 'buttons' }, button('Run / resume', 'run', !busy), button('Cancel', 'cancel', busy), button('Re-measure', 'remeasure', !busy && !!d.recommendation), button('Apply all', 'applyAll', !busy && !!d.recommendation?.changes.length), button('Revert', 'revert', !busy)),
  );
  const meta = el('p', { class: 'meta' }, `${d.component ? `Component ${d.component}, ` : ''}${d.configFile ?? ''} · ${d.objectives.map((o) => `${o.direction} ${o.name}`).join(', ')}${d.constraints.length ? ` · subject to ${d.constraints.join(', ')}` : ''}`);
  const parts: (HTMLElement | string)[] = [head, meta];
  if (d.message) parts.push(el('p', { class: 'message' }, d.message));
  const progress = el('progress');
  progress.max = d.budget;
  progress.value = Math.min(d.trials.length, d.budget);
  parts.push(progress);

  // Recommendation and its measured effect.
  const rec = el('section', { class: 'recommendation' }, el('h2', {}, 'Recommendation'));
  if (!d.recommendation) rec.append(el('p', {}, d.trials.length ? 'No feasible trial yet.' : 'No trials yet: run the study.'));
  else {
    rec.append(el('p', {}, `Trial #${d.recommendation.trial}${d.objectives.length > 1 ? ' (the Pareto point best in ' + d.objectives[0].name + ')' : ''}.`));
    const table = el('table', { class: 'changes' }, el('tr', {}, el('th', {}, 'key'), el('th', {}, 'now'), el('th', {}, 'recommended')));
    for (const c of d.recommendation.changes) table.append(el('tr', {}, el('td', {}, c.key), el('td', {}, show(c.oldValue)), el('td', {}, `${show(c.newValue)}${c.missing ? ' (not in the file)' : ''}`)));
    if (!d.recommendation.changes.length) rec.append(el('p', {}, 'The configuration file already has the recommended values.'));
    else rec.append(table);
    if (d.remeasure) {
      const r = d.remeasure;
      rec.append(el('h3', {}, `Re-measured against the current file (${r.pairs} interleaved A/B pairs, ${new Date(r.at).toLocaleString()})`));
      const t = el('table', { class: 'effects' }, el('tr', {}, el('th', {}, 'metric'), el('th', {}, 'current (median)'), el('th', {}, 'recommended (median)'), el('th', {}, 'improvement'), el('th', {}, '95% CI'), el('th', {}, 'verdict')));
      for (const e of r.effects) t.append(el('tr', { class: `verdict-${e.verdict.replace(/ /g, '-')}` }, el('td', {}, e.metric), el('td', {}, fmt(e.medianCurrent)), el('td', {}, fmt(e.medianRecommended)), el('td', {}, Number.isFinite(e.improvement) ? pct(e.improvement) : 'n/a'), el('td', {}, Number.isFinite(e.ci95[0]) ? `${pct(e.ci95[0])} … ${pct(e.ci95[1])}` : 'too few runs'), el('td', {}, e.verdict)));
      rec.append(t);
      if (!r.feasible) rec.append(el('p', { class: 'error' }, 'At its median the recommended configuration did not meet every constraint in the re-measurement.'));
      if (r.problem) rec.append(el('p', { class: 'error' }, r.problem));
    } else rec.append(el('p', { class: 'meta' }, 'Not re-measured yet: "Re-measure" runs the current and the recommended configuration alternately and reports the improvement with a 95% confidence interval.'));
  }
  parts.push(rec);

  const grid = el('div', { class: 'grid' });
  if (d.trials.some((t) => t.values)) {
    grid.append(el('div', { class: 'chart' }, el('h4', {}, `Best ${d.objectives[0].name} so far`), canvasFor('best')));
    grid.append(el('div', { class: 'chart' }, el('h4', {}, `Parameter importance (random forest, ${d.importanceTrials} complete trials)`), canvasFor('importance')));
    grid.append(el('div', { class: 'chart wide' }, el('h4', {}, 'Parallel coordinates (red: ' + (d.objectives.length > 1 ? 'Pareto front' : 'best') + ')'), canvasFor('parallel')));
    if (d.objectives.length > 1) grid.append(el('div', { class: 'chart' }, el('h4', {}, 'Pareto front'), canvasFor('pareto')));
  }
  parts.push(grid);
  const failures = d.trials.filter((t) => t.state === 'failed').slice(-5);
  if (failures.length) {
    const ul = el('ul', { class: 'failures' });
    for (const f of failures) ul.append(el('li', {}, `#${f.trial}: ${f.reason ?? 'failed'}`));
    parts.push(el('details', {}, el('summary', {}, `Last failed trials (${d.trials.filter((t) => t.state === 'failed').length} in all)`), ul));
  }
  root.replaceChildren(...parts);
  if (d.trials.some((t) => t.values)) {
    charts.bestSoFar(canvases.get('best')!, d);
    charts.importance(canvases.get('importance')!, d);
    charts.parallel(canvases.get('parallel')!, d);
    if (d.objectives.length > 1) charts.pareto(canvases.get('pareto')!, d);
  }
  root.dataset.trials = String(d.trials.length);
  root.dataset.phase = d.phase;
}

onMessage((m) => {
  if (m.type === 'study') render(m.data);
  else root.replaceChildren(el('p', { class: 'error' }, m.message));
});
post({ type: 'ready' });
