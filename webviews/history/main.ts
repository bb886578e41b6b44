/**
 * The "Change History" webview: every applied configuration change of the workspace, newest
 * first: when, who or what applied it, the file and component, each key before → after, the
 * measured effect with its 95% interval, the governor's verdict, and its status (applied,
 * rolled back, reverted, with links between a change and its undo). "Revert" asks the
 * extension to undo an entry; "Open" shows the file. No chart: a table says it all.
 */
import type { AuditEntry, AuditProblem, AuditSeriesEffect } from '../../protocol/index';
import { el } from '../shared/dom';
import { onMessage, post } from './bridge';

const root = document.getElementById('root')!;

const ACTORS: Record<string, string> = { user: 'you', 'apply-all': 'Apply All', 'quick-fix': 'quick fix', governor: 'governor (automatic)', allocation: 'resource allocation', revert: 'revert' };
const STATUS: Record<string, string> = { applied: 'applied', 'rolled-back': 'rolled back', reverted: 'reverted' };
const WATCH: Record<string, string> = { watching: 'watching…', ok: 'no regression', regressed: 'regressed', 'not-watched': 'not watched' };

const show = (v: unknown) => (v === null ? '(absent)' : typeof v === 'string' ? JSON.stringify(v) : String(v));

function effectCell(effects: AuditSeriesEffect[] | undefined): HTMLElement {
  const cell = el('td', { class: 'effects' });
  if (!effects?.length) {
    cell.append(el('span', { class: 'note' }, 'not measured'));
    return cell;
  }
  for (const f of effects) cell.append(el('div', { class: `effect ${f.verdict}`, title: f.message }, `${f.label ?? f.series}: ${f.verdict === 'neutral' ? 'no detectable effect' : `${f.verdict}${f.relative !== null ? ` (${f.relative >= 0 ? '+' : '−'}${Math.abs(f.relative * 100).toFixed(1)}%)` : ''}`}`));
  return cell;
}

function row(e: AuditEntry, byId: Map<string, AuditEntry>): HTMLTableRowElement {
  const when = new Date(e.time);
  const edits = el('td', { class: 'edits' });
  for (const d of e.edits) edits.append(el('div', {}, el('code', {}, d.keyPath), `: ${show(d.before)} → ${show(d.after)}`));
  const status = el('td', { class: `status ${e.status}` }, STATUS[e.status] ?? e.status);
  if (e.rolledBackBy) status.append(el('div', { class: 'note' }, `by ${byId.get(e.rolledBackBy)?.actor === 'governor' ? 'the governor' : 'you'} at ${byId.has(e.rolledBackBy) ? new Date(byId.get(e.rolledBackBy)!.time).toLocaleTimeString() : e.rolledBackBy}`));
  if (e.rollbackOf) status.append(el('div', { class: 'note' }, `undoes the change of ${byId.has(e.rollbackOf) ? new Date(byId.get(e.rollbackOf)!.time).toLocaleTimeString() : e.rollbackOf}`));
  const watch = el('td', { class: `watch ${e.watch?.state ?? ''}`, title: e.watch?.reason ?? '' }, WATCH[e.watch?.state ?? 'not-watched'] ?? '');
  if (e.watch?.reason) watch.append(el('div', { class: 'note' }, e.watch.reason));
  const actions = el('td', { class: 'actions' });
  const open = el('a', { title: `Open ${e.file}` }, 'Open');
  open.addEventListener('click', () => post({ type: 'openFile', id: e.id }));
  actions.append(open);
  if (e.status === 'applied') {
    const revert = el('button', { class: 'revert', title: 'Set these keys back to their values before this change (recorded as a new entry)' }, 'Revert');
    revert.dataset.id = e.id;
    revert.addEventListener('click', () => {
      revert.disabled = true;
      post({ type: 'revert', id: e.id });
    });
    actions.append(' ', revert);
  }
  const tr = el(
    'tr',
    { class: `entry ${e.status}` },
    el('td', { title: e.time }, `${when.toLocaleDateString()} ${when.toLocaleTimeString()}`),
    el('td', {}, ACTORS[e.actor] ?? e.actor, e.source ? el('div', { class: 'note' }, e.source) : undefined),
    el('td', {}, e.component ?? '', el('div', { class: 'note' }, e.file)),
    edits,
    effectCell(e.effects),
    watch,
    status,
    actions,
  );
  tr.dataset.id = e.id;
  return tr;
}

function render(entries: AuditEntry[], problems: AuditProblem[], path: string): void {
  root.replaceChildren();
  const byId = new Map(entries.map((e) => [e.id, e]));
  root.append(el('p', { class: 'note' }, `${entries.length} change${entries.length === 1 ? '' : 's'} recorded in ${path}.`));
  if (problems.length) {
    const list = el('ul', { class: 'problems' });
    for (const p of problems) list.append(el('li', {}, `line ${p.line}: ${p.message}`));
    root.append(el('div', { class: 'error' }, `${problems.length} line${problems.length === 1 ? '' : 's'} of the history could not be read:`, list));
  }
  if (!entries.length) {
    root.append(el('p', {}, 'No change has been applied yet. Changes applied with "Apply All Recommendations", a quick fix, or saved in a component’s configuration file appear here.'));
    return;
  }
  const head = el('tr', {}, ...['When', 'By', 'Component / file', 'Before → after', 'Measured effect', 'Governor', 'Status', ''].map((h) => el('th', {}, h)));
  const table = el('table', { class: 'history' }, el('thead', {}, head), el('tbody', {}, ...entries.map((e) => row(e, byId))));
  root.append(table);
}

onMessage((m) => {
  if (m.type === 'error') root.replaceChildren(el('p', { class: 'error' }, m.message));
  else render(m.entries, m.problems, m.path);
});

const refresh = el('button', { class: 'refresh' }, 'Refresh');
refresh.addEventListener('click', () => post({ type: 'refresh' }));
root.before(refresh);
post({ type: 'ready' });
