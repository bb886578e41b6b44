/** The overview webview: draws the workspace summary the extension sends. */
import type { ExtensionToWebview, Range, WorkspaceSummary } from '../../protocol/index';
import { definitionList, el } from '../shared/dom';
import { onMessage, post } from '../shared/vscodeApi';

const root = document.getElementById('root')!;

function revealLink(label: string, uri: string, range: Range): HTMLAnchorElement {
  const a = el('a', { title: 'Show in alluse-perf.yaml' }, label);
  a.addEventListener('click', () => post({ type: 'reveal', uri, range }));
  return a;
}

function render(uri: string, s: WorkspaceSummary): void {
  const parts: HTMLElement[] = [];
  parts.push(el('p', {}, `Sampling every ${s.monitor.interval}, kept for ${s.monitor.retention}, ${s.monitor.alerts} alert rule${s.monitor.alerts === 1 ? '' : 's'}.`));
  parts.push(el('h2', {}, `Components (${s.components.length})`));
  for (const c of s.components) {
    const rows: [string, string][] = [['found by', c.locators.join('; ') || '(nothing: add process.pidFile, commandMatch or start)']];
    if (c.metricsUrl) rows.push(['metrics', c.metricsUrl]);
    if (c.configFiles.length) rows.push(['config files', c.configFiles.join(', ')]);
    for (const [k, v] of Object.entries(c.limits)) rows.push([`limit ${k}`, v]);
    for (const [k, v] of Object.entries(c.slos)) rows.push([`SLO ${k}`, v]);
    parts.push(el('div', { class: 'component' }, el('h3', {}, revealLink(c.name, uri, c.range), el('span', { class: 'kind' }, c.kind)), definitionList(rows)));
  }
  if (s.studies.length) {
    parts.push(el('h2', {}, `Tuning studies (${s.studies.length})`));
    for (const st of s.studies) {
      const rows: [string, string][] = [
        ['component', st.component ?? '?'],
        ['config file', st.configFile ?? '?'],
        ['parameters', st.parameters.join(', ')],
        ['objectives', st.objectives.join(', ')],
        ['algorithm', st.algorithm],
      ];
      parts.push(el('div', { class: 'study' }, el('h3', {}, revealLink(st.name, uri, st.range)), definitionList(rows)));
    }
  }
  root.replaceChildren(...parts);
}

onMessage((m: ExtensionToWebview) => {
  if (m.type === 'summary') render(m.uri, m.summary);
  else if (m.type === 'error') root.replaceChildren(el('p', { class: 'error' }, m.message));
  else return;
  // Tests and screenshots wait on this mark rather than on time.
  document.body.dataset.rendered = 'true';
});
post({ type: 'ready' });
