/**
 * Renders a report model as ONE self-contained HTML file: inline CSS (light and dark through
 * `prefers-color-scheme`, print styles), charts as inline SVG (`svgChart.ts`), no script, no
 * external resource, so it opens offline, in a mail attachment or a CI artifact, and prints
 * as it shows. Every text from the model is escaped (`esc`): metric labels, file names and
 * study logs are data, never markup.
 */
import { formatDurationMs } from '../monitor/bottlenecks';
import { esc } from './escape';
import { formatPercent, formatTime, formatValue } from './format';
import { renderChart } from './svgChart';
import type { ComponentHealth, HealthFigure, HealthState, ReportChange, ReportModel, ReportStudy } from './types';

/** The sections every report has, in order: id and heading (the tests check each is present). */
export const REPORT_SECTIONS = [
  ['summary', 'Summary'],
  ['system', 'System health'],
  ['components', 'Components'],
  ['anomalies', 'Anomalies and alerts'],
  ['bottlenecks', 'Bottlenecks'],
  ['forecasts', 'Forecasts'],
  ['studies', 'Tuning studies'],
  ['changes', 'Applied changes'],
  ['notes', 'Notes and method'],
] as const;

const MAX_FINDING_ROWS = 100;

/** The report as one self-contained HTML document (a string to write to a `.html` file). */
export function renderReportHtml(m: ReportModel): string {
  const x = { xMin: m.from, xMax: m.to };
  const body = [
    header(m),
    section('summary', summary(m)),
    section('system', figuresTable(m.system.figures) + grid(m.system.charts.map((c) => renderChart(c, x))) || empty('No system metrics in the range.')),
    section('components', components(m, x)),
    section('anomalies', anomalies(m)),
    section('bottlenecks', bottlenecks(m)),
    section('forecasts', m.forecasts.length ? `<p class="muted">Each key series forecast a quarter of its shown history ahead by the engine's cross-validated forecaster; the shaded fan is the 80% and 95% interval.</p>` + grid(m.forecasts.map((f) => `<div>${renderChart(f.chart, x)}<p class="fc-sum">At the end: ${esc(f.summary)}</p></div>`)) : empty('Nothing to forecast: no key series has enough points in the range.')),
    section('studies', m.studies.length ? m.studies.map(study).join('') : empty('No tuning study in this workspace (.alluse-perf/studies is empty). See docs/tuning-guide.md to write one.')),
    section('changes', changes(m.changes)),
    section('notes', notes(m)),
  ].join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(m.title)}</title>
<style>${CSS}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

function header(m: ReportModel): string {
  const nav = REPORT_SECTIONS.map(([id, title]) => `<a href="#${id}">${esc(title)}</a>`).join('');
  return `<header><h1>${esc(m.title)}</h1><p class="meta">Workspace <code>${esc(m.workspace)}</code> · ${esc(m.rangeLabel)}: ${esc(formatTime(m.from))} to ${esc(formatTime(m.to))} · generated ${esc(formatTime(m.generatedAt))}</p><nav>${nav}</nav></header>`;
}

function section(id: (typeof REPORT_SECTIONS)[number][0], content: string): string {
  const title = REPORT_SECTIONS.find((s) => s[0] === id)![1];
  return `<section id="${id}"><h2>${esc(title)}</h2>${content}</section>`;
}

const empty = (text: string) => `<p class="muted">${esc(text)}</p>`;
const grid = (items: string[]) => (items.length ? `<div class="grid">${items.join('')}</div>` : '');
const badge = (state: HealthState | string) => `<span class="badge st-${esc(state.replace(/\s+/g, '-'))}">${esc(state)}</span>`;

function summary(m: ReportModel): string {
  const count = (s: HealthState) => m.components.filter((c) => c.state === s).length;
  const sev = (s: string) => m.findings.filter((f) => f.severity === s).length;
  const first = m.predictions[0];
  const best = m.studies.filter((s) => s.remeasure).length;
  const cards = [
    card('Components', `${m.components.length}`, (['critical', 'warning', 'ok', 'no data'] as HealthState[]).filter((s) => count(s)).map((s) => `${count(s)} ${s}`).join(', ') || 'none configured'),
    card('Anomalies', `${m.findings.length}`, m.findings.length ? `${sev('critical')} critical, ${sev('warning')} warning, ${sev('info')} info` : m.findingsSource === 'off' ? 'detection off' : 'none found'),
    card('Alerts firing', `${m.alerts.length}`, m.alerts.length ? m.alerts.map((a) => a.name).slice(0, 3).join(', ') : m.findingsSource === 'monitor' ? 'none' : 'known to a running monitor only'),
    card('Nearest limit', first ? (first.etaMs === 0 ? 'reached' : formatDurationMs(first.etaMs)) : 'none', first ? `${first.component || 'store disk'} ${first.resource}` : 'no limit is predicted to be crossed'),
    card('Studies', `${m.studies.length}`, m.studies.length ? `${m.studies.reduce((a, s) => a + s.trials, 0)} trials, ${best} re-measured` : 'none'),
    card('Applied changes', `${m.changes.length}`, m.changes.length ? `latest ${formatTime(m.changes[0].at)}` : 'none in the range'),
  ];
  const worst = m.components.filter((c) => c.state === 'critical' || c.state === 'warning');
  const list = worst.length ? `<ul class="attention">${worst.map((c) => `<li>${badge(c.state)} <b>${esc(c.name)}</b>: ${esc(c.reasons.slice(0, 2).join('; '))}</li>`).join('')}</ul>` : '';
  return `<div class="cards">${cards.join('')}</div>${list}`;
}

const card = (label: string, value: string, detail: string) => `<div class="card"><div class="label">${esc(label)}</div><div class="value">${esc(value)}</div><div class="detail">${esc(detail)}</div></div>`;

function figuresTable(figs: HealthFigure[]): string {
  if (!figs.length) return '';
  const row = (f: HealthFigure) =>
    `<tr><td>${esc(f.label)}</td><td class="num">${esc(formatValue(f.mean ?? NaN, f.unit))}</td><td class="num">${esc(formatValue(f.peak ?? NaN, f.unit))}</td><td class="num">${esc(formatValue(f.last ?? NaN, f.unit))}</td><td class="num">${f.limit !== undefined ? esc(formatValue(f.limit, f.unit)) : '–'}</td><td class="num">${f.usage !== undefined ? `<span class="${f.usage >= 1 ? 'bad' : f.usage >= 0.8 ? 'warn' : ''}">${esc(formatPercent(f.usage))}</span>` : '–'}</td></tr>`;
  return `<table><thead><tr><th>metric</th><th>mean</th><th>peak</th><th>last</th><th>limit / SLO</th><th>peak / limit</th></tr></thead><tbody>${figs.map(row).join('')}</tbody></table>`;
}

function components(m: ReportModel, x: { xMin: number; xMax: number }): string {
  if (!m.components.length) return empty('alluse-perf.yaml lists no components.');
  const table = `<table><thead><tr><th>component</th><th>state</th><th>last seen</th><th>why</th></tr></thead><tbody>${m.components
    .map((c) => `<tr><td><a href="#c-${anchor(c.name)}">${esc(c.name)}</a></td><td>${badge(c.state)}</td><td>${c.lastSeen ? esc(formatTime(c.lastSeen)) : '–'}</td><td>${esc(c.reasons.join('; ') || 'within its limits, no anomaly')}</td></tr>`)
    .join('')}</tbody></table>`;
  return table + m.components.map((c) => component(c, x)).join('');
}

const anchor = (name: string) => name.replace(/[^A-Za-z0-9_-]/g, '_');

function component(c: ComponentHealth, x: { xMin: number; xMax: number }): string {
  return `<article id="c-${anchor(c.name)}"><h3>${esc(c.name)} ${badge(c.state)}</h3>${figuresTable(c.figures)}${grid(c.charts.filter((ch) => ch.series.length).map((ch) => renderChart(ch, x))) || empty('No samples of this component in the range.')}</article>`;
}

function anomalies(m: ReportModel): string {
  const source =
    m.findingsSource === 'monitor'
      ? "Found by the running monitor's streaming detectors on every sample."
      : m.findingsSource === 'replay'
        ? "Found by scoring the stored key series again at the report's step with the default detector (no monitor was running for this report): it learns from the start of the range, and a step mean smooths spikes shorter than the step."
        : 'Anomaly detection is off in alluse-perf.yaml (monitor.anomaly.enabled).';
  const alerts = m.alerts.length
    ? `<h3>Alerts firing</h3><table><thead><tr><th>alert</th><th>severity</th><th>component</th><th>condition</th><th>since</th></tr></thead><tbody>${m.alerts
        .map((a) => `<tr><td>${esc(a.name)}</td><td>${badge(a.severity)}</td><td>${esc(a.component ?? '')}</td><td><code>${esc(`${a.series} ${a.op} ${a.threshold}`)}</code> (now ${esc(a.value)})</td><td>${esc(formatTime(a.since))}</td></tr>`)
        .join('')}</tbody></table>`
    : '';
  const rows = m.findings.slice(0, MAX_FINDING_ROWS);
  const table = rows.length
    ? `<table><thead><tr><th>when</th><th>component</th><th>series</th><th>severity</th><th>score</th><th>what</th></tr></thead><tbody>${rows
        .map((f) => `<tr><td>${esc(formatTime(f.at))}</td><td>${esc(f.component ?? 'system')}</td><td><code>${esc(f.series)}</code></td><td>${badge(f.severity)}</td><td class="num">${esc(f.score.toFixed(2))}</td><td>${esc(f.message)}</td></tr>`)
        .join('')}</tbody></table>${m.findings.length > rows.length ? empty(`${m.findings.length - rows.length} older findings are not listed.`) : ''}`
    : empty('No anomaly in the range.');
  return `<p class="muted">${esc(source)}</p>${alerts}${table}`;
}

function bottlenecks(m: ReportModel): string {
  if (!m.predictions.length) return empty('No limited resource (memory, CPU cores, queue capacity, p95 latency SLO, disk) is heading for its limit within 7 days at its recent trend.');
  return `<p class="muted">Time until each limited resource crosses its limit at its recent trend (a Theil–Sen line on recent rollups), first to saturate first, with the 80% interval; it assumes the trend holds.</p><table><thead><tr><th>component</th><th>resource</th><th>now</th><th>limit</th><th>crosses in</th><th>80% interval</th><th>set in</th></tr></thead><tbody>${m.predictions
    .map(
      (p) =>
        `<tr><td>${esc(p.component || '(store)')}</td><td>${esc(p.resource)}${p.mount ? ` <code>${esc(p.mount)}</code>` : ''}</td><td class="num">${esc(formatValue(p.current, p.unit))}</td><td class="num">${esc(formatValue(p.limit, p.unit))}</td><td class="num"><b>${esc(p.etaMs === 0 ? 'reached' : formatDurationMs(p.etaMs))}</b></td><td class="num">${esc(`${formatDurationMs(p.etaLowMs)} – ${Number.isFinite(p.etaHighMs) ? formatDurationMs(p.etaHighMs) : '∞'}`)}</td><td><code>${esc(p.limitKey)}</code></td></tr>`,
    )
    .join('')}</tbody></table>`;
}

function study(s: ReportStudy): string {
  const objectives = s.objectives.map((o) => `${o.name} (${o.direction})`).join(', ') || 'unknown objectives';
  const best = s.best
    ? `<p>Best feasible trial <b>#${esc(s.best.trial)}</b>: ${s.best.values.map((v, i) => `${esc(s.objectives[i]?.name ?? `objective ${i + 1}`)} = <b>${esc(formatValue(v, 'count'))}</b>`).join(', ')} with <code>${esc(JSON.stringify(s.best.params))}</code></p>`
    : empty('No feasible trial yet.');
  const r = s.remeasure;
  const effects = r
    ? `<h4>Re-measured (${esc(r.pairs)} interleaved A/B pairs, ${esc(r.at.slice(0, 16).replace('T', ' '))} UTC)</h4><table><thead><tr><th>metric</th><th>current (A)</th><th>recommended (B)</th><th>improvement</th><th>95% interval</th><th>verdict</th></tr></thead><tbody>${r.effects
        .map(
          (e) =>
            `<tr><td>${esc(e.metric)} (${esc(e.direction)})</td><td class="num">${esc(formatValue(e.medianCurrent, 'count'))}</td><td class="num">${esc(formatValue(e.medianRecommended, 'count'))}</td><td class="num">${esc(Number.isFinite(e.improvement) ? formatPercent(e.improvement) : '–')}</td><td class="num">${esc(Number.isFinite(e.ci95[0]) ? `${formatPercent(e.ci95[0])} to ${formatPercent(e.ci95[1])}` : '–')}</td><td>${badge(e.verdict === 'better' ? 'better' : e.verdict === 'worse' ? 'worse' : 'no difference')}</td></tr>`,
        )
        .join('')}</tbody></table>${r.problem ? empty(r.problem) : ''}`
    : empty('The recommendation was not re-measured ("Re-measure Recommendation" compares it with the current configuration, A B A B).');
  return `<article id="s-${anchor(s.name)}"><h3>${esc(s.name)}</h3><p>${esc(objectives)} · ${esc(s.trials)} trials: ${esc(s.complete)} complete, ${esc(s.feasible)} feasible, ${esc(s.failed)} failed${s.lastActivity ? ` · last ${esc(s.lastActivity.slice(0, 16).replace('T', ' '))} UTC` : ''}</p>${best}${s.chart ? grid([renderChart(s.chart)]) : ''}${effects}</article>`;
}

function changes(list: ReportChange[]): string {
  if (!list.length) return empty('No configuration change was applied in the range (the audit log .alluse-perf/audit.jsonl and .alluse-perf/history list none).');
  const keys = (c: ReportChange) =>
    c.keys && Object.keys(c.keys).length
      ? Object.entries(c.keys)
          .map(([k, [a, b]]) => `<code>${esc(k)}</code>: ${esc(JSON.stringify(a))} → <b>${esc(JSON.stringify(b))}</b>`)
          .join('<br>')
      : '–';
  const effects = (c: ReportChange) =>
    c.effects.length ? `<ul class="effects">${c.effects.map((e) => `<li class="${e.significant ? 'sig' : ''}">${esc(e.metric)}: ${esc(e.message)}</li>`).join('')}</ul>` : esc(c.note ?? 'not measured');
  return `<p class="muted">Each change's effect is what the store holds after it against a forecast made only from the data before it, with a 95% interval ("no detectable effect" when the interval covers 0); when the governor watched the change, its own measurement is shown.</p><table><thead><tr><th>when</th><th>file</th><th>component</th><th>what changed</th><th>by</th><th>measured effect</th></tr></thead><tbody>${list
    .map(
      (c) =>
        `<tr><td>${esc(formatTime(c.at))}</td><td><code>${esc(c.file)}</code></td><td>${esc(c.component ?? '–')}</td><td>${keys(c)}</td><td>${esc([c.study, c.actor].filter(Boolean).join(', ') || c.source)}${c.status && c.status !== 'applied' ? ` ${badge(c.status)}` : ''}${c.watch ? `<br><span class="muted">${esc(`watch: ${c.watch.state}${c.watch.reason ? ` (${c.watch.reason})` : ''}`)}</span>` : ''}</td><td>${effects(c)}</td></tr>`,
    )
    .join('')}</tbody></table>`;
}

function notes(m: ReportModel): string {
  const method = [
    `Charts show the mean of each ${formatDurationMs(m.stepMs)} step from the embedded store; dashed horizontal lines are limits and SLOs from alluse-perf.yaml; a dashed sloped line is a predicted crossing; vertical lines are applied changes; circles are anomalies (hover for the detector's explanation).`,
    'Times are UTC.',
  ];
  return `<ul>${[...m.notes, ...method].map((n) => `<li>${esc(n)}</li>`).join('')}</ul><p class="muted">Made by <code>alluse-perf report</code> or "ALL-USE Performance: Export Report…". This file has no scripts and loads nothing from the network.</p>`;
}

const CSS = `
:root{--bg:#fff;--fg:#1d1f23;--muted:#5f6670;--line:#d8dce2;--card:#f5f6f8;--s0:#2f6fdb;--s1:#d9822b;--s2:#2e9e5b;--s3:#b3479a;--s4:#7a5cc4;--s5:#1b9aaa;--band:rgba(47,111,219,.14);--fan80:rgba(217,130,43,.32);--fan95:rgba(217,130,43,.15);--threshold:#c0392b;--ok:#2e9e5b;--warn:#c77d00;--bad:#c0392b;--info:#2f6fdb;--nodata:#8a9099}
@media (prefers-color-scheme:dark){:root{--bg:#16181c;--fg:#e3e6ea;--muted:#9aa1ab;--line:#343941;--card:#1f2227;--s0:#6fa1ff;--s1:#f0a45c;--s2:#5cc98a;--s3:#e07cc9;--s4:#a68cf0;--s5:#4fc5d4;--band:rgba(111,161,255,.18);--fan80:rgba(240,164,92,.35);--fan95:rgba(240,164,92,.16);--threshold:#ff6b5b;--ok:#5cc98a;--warn:#f0b429;--bad:#ff6b5b;--info:#6fa1ff;--nodata:#7d848e}.badge{color:#111}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1560px;padding:20px 28px 60px;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}h3{font-size:15px;margin:20px 0 8px}h4{font-size:13px;margin:12px 0 6px}
.meta,.muted{color:var(--muted)}code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;overflow-wrap:anywhere}
nav{display:flex;flex-wrap:wrap;gap:4px 14px;margin-top:8px}nav a{color:var(--s0);text-decoration:none}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(190px,1fr));gap:10px}
.card{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:10px 12px}.card .label{color:var(--muted);font-size:12px}.card .value{font-size:22px;font-weight:600}.card .detail{font-size:12px;color:var(--muted)}
.attention{margin:12px 0 0;padding-left:18px}
table{border-collapse:collapse;width:100%;margin:8px 0 12px;font-size:13px}th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}th{color:var(--muted);font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.badge{display:inline-block;border-radius:9px;padding:0 7px;font-size:11px;font-weight:600;color:#fff;background:var(--nodata);white-space:nowrap}
.st-ok,.st-better{background:var(--ok)}.st-warning,.st-worse{background:var(--warn)}.st-critical,.st-rolled-back{background:var(--bad)}.st-info{background:var(--info)}
.bad{color:var(--bad);font-weight:600}.warn{color:var(--warn);font-weight:600}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(460px,1fr));gap:12px 18px}
figure.chart{margin:0;break-inside:avoid}figure.chart figcaption{font-weight:600;font-size:13px;margin-bottom:2px}figure.chart svg{width:100%;height:auto;display:block}
.grid svg .grid,svg .grid{stroke:var(--line);stroke-width:1}svg .frame{fill:none;stroke:var(--line)}svg .tick{fill:var(--muted);font-size:11px}
svg .line{fill:none;stroke-width:1.6;stroke-linejoin:round}svg .dot{stroke:none}
${[0, 1, 2, 3, 4, 5].map((i) => `svg .line.s${i}{stroke:var(--s${i})}svg .dot.s${i},.sw.s${i}{fill:var(--s${i});background:var(--s${i})}`).join('')}
svg .future{fill:var(--card);stroke:none}svg .now{fill:var(--muted);font-size:10px}svg .band{fill:var(--band);stroke:none}svg .fan95{fill:var(--fan95)}svg .fan80{fill:var(--fan80)}svg .fc-mean{fill:none;stroke:var(--s1);stroke-width:1.6;stroke-dasharray:5 3}
svg .threshold{stroke:var(--threshold);stroke-width:1.3;stroke-dasharray:6 4}svg .th-label{fill:var(--threshold);font-size:11px}svg .crossing{stroke:var(--threshold);stroke-width:1.5;stroke-dasharray:2 3}
svg .event{stroke:var(--s4);stroke-width:1.5;stroke-dasharray:3 2}svg .mark{stroke:var(--bg);stroke-width:1.5}svg .sev-critical{fill:var(--bad)}svg .sev-warning{fill:var(--warn)}svg .sev-info{fill:var(--info)}
.legend{display:flex;flex-wrap:wrap;gap:2px 12px;font-size:11px;color:var(--muted)}.key{display:inline-flex;align-items:center;gap:4px}.sw{display:inline-block;width:14px;height:3px}
.sw.dotsw{width:6px;height:6px;border-radius:3px}.bandsw{background:var(--band);height:8px}.fansw{background:var(--fan80);height:8px}.thsw{border-top:2px dashed var(--threshold);height:0}.marksw{width:8px;height:8px;border-radius:4px;background:var(--bad)}.crossw{border-top:2px dotted var(--threshold);height:0}.eventsw{width:2px;height:10px;background:var(--s4)}
.fc-sum{font-size:12px;color:var(--muted);margin:2px 0 8px}
ul.effects{margin:0;padding-left:16px}ul.effects li.sig{font-weight:600}
article{margin-bottom:16px}
@media print{body{max-width:none;padding:0}nav{display:none}section,article{break-inside:avoid-page}.grid{grid-template-columns:1fr 1fr}}
`;
