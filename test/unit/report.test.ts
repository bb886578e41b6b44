// The report's model and HTML: escaping of every untrusted text, a self-contained file (no
// script, nothing fetched), every section, charts with their points, and the pieces of the
// model (range, replayed anomalies, studies, applied changes) against known inputs.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AuditLog } from '../../engine/coordinate/audit';
import { readChanges } from '../../engine/report/changes';
import { esc } from '../../engine/report/escape';
import { replaySeries } from '../../engine/report/findings';
import { downsample } from '../../engine/report/forecasts';
import { gatherReport, isEmptyReport } from '../../engine/report/gather';
import { REPORT_SECTIONS, renderReportHtml } from '../../engine/report/html';
import { reportRange } from '../../engine/report/range';
import { studyFromLog } from '../../engine/report/studies';
import { byteTicks, niceTicks, renderChart, timeTicks } from '../../engine/report/svgChart';
import type { ReportModel } from '../../engine/report/types';
import { TimeSeriesStore } from '../../engine/store/index';
import { Rng } from '../../engine/util/rng';
import type { ComponentConfig } from '../../engine/workspace/config';
import { workspaceConfigFrom } from '../../engine/workspace/config';
import { analyzeWorkspace } from '../../engine/index';
import { HOSTILE, makeReportWorkspace, REPORT_YAML } from '../helpers/reportWorkspace';

const H = 3_600_000;
const EVIL = `${HOSTILE}"'&`;

/** A model with the hostile text in every string a user's workspace can put there. */
function hostileModel(): ReportModel {
  const t0 = Date.UTC(2026, 10, 27, 0, 0);
  const pts = (f: (i: number) => number): [number, number][] => Array.from({ length: 120 }, (_, i) => [t0 + i * 60_000, f(i)]);
  const chart = { id: EVIL, title: EVIL, unit: 'bytes' as const, series: [{ label: EVIL, points: pts((i) => 1e8 + i * 1e6) }], threshold: { value: 3e8, label: EVIL }, marks: [{ t: t0 + 60 * 60_000, v: 1.6e8, severity: 'critical' as const, label: EVIL }], events: [{ t: t0 + 30 * 60_000, label: EVIL }], crossing: { from: [t0 + 119 * 60_000, 2.2e8] as [number, number], to: [t0 + 200 * 60_000, 3e8] as [number, number], label: EVIL }, band: { lower: pts((i) => 0.9e8 + i * 1e6), upper: pts((i) => 1.1e8 + i * 1e6) } };
  const times = Array.from({ length: 30 }, (_, i) => t0 + (120 + i) * 60_000);
  const fc = { times, mean: times.map(() => 2.2e8), lo80: times.map(() => 2e8), hi80: times.map(() => 2.4e8), lo95: times.map(() => 1.9e8), hi95: times.map(() => 2.5e8), model: EVIL };
  return {
    title: EVIL,
    workspace: EVIL,
    generatedAt: t0 + 120 * 60_000,
    from: t0,
    to: t0 + 120 * 60_000,
    rangeLabel: EVIL,
    stepMs: 60_000,
    system: { figures: [{ label: EVIL, mean: 1, peak: 2, last: 1, unit: 'ratio' }], charts: [chart] },
    components: [{ name: EVIL, state: 'critical', reasons: [EVIL], lastSeen: t0, figures: [{ label: EVIL, mean: 1, peak: 2, last: 1, unit: 'bytes', limit: 2, usage: 1 }], charts: [chart] }],
    findingsSource: 'replay',
    findings: [{ at: t0, component: EVIL, series: EVIL, metric: EVIL, score: 0.9, severity: 'critical', message: EVIL }],
    alerts: [{ name: EVIL, severity: 'warning', component: EVIL, series: EVIL, value: 1, threshold: 2, op: EVIL, since: t0, firedAt: t0, description: EVIL }],
    predictions: [{ component: EVIL, resource: 'memory', series: EVIL, mount: EVIL, limitKey: EVIL, limit: 3e8, unit: 'bytes', current: 2e8, level: 2e8, slopePerS: 1, at: t0, etaMs: H, etaLowMs: H / 2, etaHighMs: Infinity, message: EVIL }],
    forecasts: [{ component: EVIL, label: EVIL, series: EVIL, unit: 'bytes', chart: { ...chart, forecast: fc }, summary: EVIL }],
    studies: [{ name: EVIL, objectives: [{ name: EVIL, direction: 'maximize' }], trials: 2, complete: 2, failed: 0, feasible: 2, best: { trial: 1, params: { [EVIL]: EVIL }, values: [3] }, chart: { id: EVIL, x: 'trial', title: EVIL, unit: 'count', series: [{ label: EVIL, points: [[0, 1], [1, 3]] }, { label: EVIL, points: [[0, 1], [1, 3]], style: 'dots' }] }, remeasure: { at: '2026-11-27T01:00:00Z', pairs: 5, effects: [{ metric: EVIL, direction: 'maximize', medianCurrent: 1, medianRecommended: 2, improvement: 1, ci95: [0.5, 1.5], verdict: 'better', n: 5 }], problem: EVIL }, lastActivity: EVIL }],
    changes: [{ at: t0, file: EVIL, study: EVIL, component: EVIL, source: 'audit', actor: EVIL, status: EVIL, watch: { state: EVIL, reason: EVIL }, keys: { [EVIL]: [EVIL, EVIL] }, effects: [{ metric: EVIL, unit: 'ratio', message: EVIL, significant: true }], note: EVIL }],
    notes: [EVIL],
  };
}

describe('report HTML', () => {
  it('escapes the five characters that could break out of text or an attribute', () => {
    assert.equal(esc(`<a href="x" title='y'>&</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    assert.equal(esc(undefined), '');
  });

  it('never lets untrusted text through as markup, and is self-contained', () => {
    const html = renderReportHtml(hostileModel());
    assert.ok(!html.includes('<script'), 'no script element, not even from the data');
    assert.ok(!html.includes('<img'), 'no element from the data');
    assert.ok(!html.includes(`"'&`), 'no raw quote or ampersand from the data');
    assert.doesNotMatch(html, /\s(src|href|xlink:href)\s*=\s*["']?\s*(https?:)?\/\//i, 'nothing to fetch');
    assert.doesNotMatch(html, /<link\b|@import|url\(\s*["']?https?:/i, 'no stylesheet or font from elsewhere');
    // The escaped text is there (it is shown, as text).
    assert.ok(html.includes(esc(HOSTILE)));
    // Every href is an in-page anchor.
    for (const m of html.matchAll(/href="([^"]*)"/g)) assert.match(m[1], /^#[A-Za-z0-9_-]+$/);
  });

  it('has every section, in order, with its heading', () => {
    const html = renderReportHtml(hostileModel());
    let pos = 0;
    for (const [id, title] of REPORT_SECTIONS) {
      const at = html.indexOf(`<section id="${id}"><h2>${title}</h2>`);
      assert.ok(at > pos, `section ${id} after the previous one`);
      pos = at;
    }
  });

  it('draws a chart with its line, band, threshold, marks, forecast fan, crossing and events', () => {
    const m = hostileModel();
    const svg = renderChart(m.forecasts[0].chart, { xMin: m.from, xMax: m.to });
    const d = svg.match(/class="line s0" d="([^"]*)"/)![1];
    assert.equal(d.match(/[ML]/g)!.length, 120, 'one vertex per point');
    assert.equal(d.match(/M/g)!.length, 1, 'no gap in a regular series');
    for (const cls of ['band', 'threshold', 'mark sev-critical', 'fan80', 'fan95', 'fc-mean', 'crossing', 'event']) assert.ok(svg.includes(`class="${cls}"`), cls);
    // Every coordinate is a finite number.
    for (const n of svg.matchAll(/(?:x1|x2|y1|y2|cx|cy)="([^"]*)"/g)) assert.ok(Number.isFinite(Number(n[1])), n[0]);
  });

  it('breaks a line at a gap in the data', () => {
    const pts: [number, number][] = [];
    for (let i = 0; i < 50; i++) if (i < 20 || i >= 30) pts.push([i * 1000, i]);
    const svg = renderChart({ id: 'g', title: 'g', unit: 'count', series: [{ label: 'g', points: pts }] });
    assert.equal(svg.match(/class="line s0" d="([^"]*)"/)![1].match(/M/g)!.length, 2);
  });

  it('says so when a chart has no data', () => {
    assert.match(renderChart({ id: 'e', title: 'e', unit: 'count', series: [] }), /No data in the range/);
  });

  it('ticks at round values: decimal, binary for bytes, round UTC times', () => {
    assert.deepEqual(niceTicks(0, 0.93, 5), [0, 0.2, 0.4, 0.6000000000000001, 0.8, 1].map((x) => Math.round(x / 0.2) * 0.2));
    assert.deepEqual(byteTicks(0, 600 * 2 ** 20, 5).map((b) => b / 2 ** 20), [0, 200, 400, 600]);
    const t = timeTicks(Date.UTC(2026, 0, 1, 0, 7), Date.UTC(2026, 0, 1, 6, 0));
    assert.ok(t.every((x) => x % 3_600_000 === 0) && t.length >= 5 && t.length <= 8, String(t));
  });
});

describe('report model', () => {
  it('turns a range into a span and a step with at most 600 points', () => {
    assert.deepEqual(reportRange('24h'), { spanMs: 24 * H, stepMs: 300_000, label: 'the last 1 d (5 min steps)' });
    assert.equal(reportRange('5m')!.stepMs, 1000);
    assert.equal(reportRange('30d')!.stepMs, 6 * H);
    assert.equal(reportRange('soon'), undefined);
    assert.equal(reportRange('10s'), undefined, 'shorter than a minute');
  });

  it('finds a spike again when re-scoring a series, once per episode, with a band', () => {
    const r = new Rng(3);
    const pts: [number, number][] = [];
    for (let i = 0; i < 600; i++) pts.push([i * 60_000, 10 + r.normal() * 0.5 + (i >= 400 && i < 403 ? 15 : 0)]);
    const out = replaySeries(pts, { series: 's', metric: 'cpu' }, { threshold: 0.2, quietMs: 60_000 });
    assert.equal(out.findings.length, 1, JSON.stringify(out.findings));
    // The detector may need the spike's second point to be sure: at most 2 steps late.
    assert.ok(out.findings[0].at >= 400 * 60_000 && out.findings[0].at <= 402 * 60_000, String(out.findings[0].at));
    assert.notEqual(out.findings[0].severity, 'info');
    assert.ok(out.band.lower.length > 300 && out.band.lower.every(([, v], i) => v <= out.band.upper[i][1]));
  });

  it('downsamples by averaging consecutive points', () => {
    const pts: [number, number][] = Array.from({ length: 10 }, (_, i) => [i, i]);
    assert.deepEqual(downsample(pts, 5), [[1, 0.5], [3, 2.5], [5, 4.5], [7, 6.5], [9, 8.5]]);
    assert.equal(downsample(pts, 20).length, 10);
  });

  it('reads a study log: counts, the best feasible trial and the best-so-far curve in the objective\'s direction', () => {
    const lines = [
      { type: 'header', version: 1, study: 'x', hash: 'h', definition: { objectives: [{ name: 'lat', direction: 'minimize' }] }, createdAt: '2026-11-27T00:00:00Z' },
      ...[50, 40, 45, 30].flatMap((v, i) => [
        { type: 'trial-started', trial: i, params: { w: i }, at: '2026-11-27T00:00:00Z' },
        { type: 'trial-finished', trial: i, state: 'complete', values: [v], feasible: i !== 3, repeats: 1, durationMs: 1, at: `2026-11-27T00:0${i}:00Z` },
      ]),
      { type: 'trial-started', trial: 4, params: { w: 4 }, at: '2026-11-27T00:05:00Z' },
    ];
    const s = studyFromLog(lines.map((l) => JSON.stringify(l)).join('\n') + '\n', 'fallback')!;
    assert.equal(s.name, 'x');
    assert.deepEqual([s.trials, s.complete, s.feasible, s.failed], [4, 4, 3, 0]);
    assert.deepEqual(s.best, { trial: 1, params: { w: 1 }, values: [40] }, 'trial 3 is better but infeasible');
    assert.deepEqual(s.chart!.series[0].points, [[0, 50], [1, 40], [2, 40]]);
    assert.equal(studyFromLog('{"type":"session"}\n', 'f'), undefined);
  });

  it('lists applied changes from the audit log and the older history notes, once each, newest first', () => {
    const dir = mkdtempSync(join(tmpdir(), 'alluse-report-changes-'));
    const now = Date.UTC(2026, 10, 27, 12);
    new AuditLog(dir).append({ actor: 'apply-all', source: 'study "s"', file: 'config/a.json', edits: [{ keyPath: 'pool.workers', before: 2, after: 4 }], time: new Date(now - H).toISOString() });
    mkdirSync(join(dir, '.alluse-perf/history'), { recursive: true });
    // The same change as the audit entry (20 s apart), and an older one only in the notes.
    writeFileSync(join(dir, '.alluse-perf/history/a.json'), JSON.stringify({ file: `file://${join(dir, 'config/a.json')}`, copy: 'x', study: 's', at: new Date(now - H + 20_000).toISOString() }));
    writeFileSync(join(dir, '.alluse-perf/history/b.json'), JSON.stringify({ file: `file://${join(dir, 'config/b.json')}`, copy: 'x', study: 't', at: new Date(now - 2 * H).toISOString() }));
    writeFileSync(join(dir, '.alluse-perf/history/c.json'), '{not json');
    const components = [{ name: 'a', configFiles: ['config/a.json'] }, { name: 'b', configFiles: ['./config/b.json'] }] as ComponentConfig[];
    const notes: string[] = [];
    const list = readChanges(dir, components, { from: now - 24 * H, to: now }, notes);
    assert.deepEqual(list.map((c) => [c.file, c.component, c.source]), [['config/a.json', 'a', 'audit'], ['config/b.json', 'b', 'history']]);
    assert.deepEqual(list[0].keys, { 'pool.workers': [2, 4] });
    assert.equal(notes.length, 1);
    assert.match(notes[0], /c\.json could not be read/);
    assert.equal(readChanges(dir, components, { from: now - 10 * 60_000, to: now }, []).length, 0, 'outside the range');
  });

  it('gathers a model from a store: health, a predicted limit, the measured effect of a change; empty when there are no samples', async () => {
    const ws = await makeReportWorkspace({ hours: 8 });
    const config = workspaceConfigFrom(analyzeWorkspace(REPORT_YAML, { fileExists: () => true }).doc!);
    const store = await TimeSeriesStore.open({ dir: join(ws.dir, '.alluse-perf/store') });
    try {
      const m = await gatherReport({ store, config, workspaceDir: ws.dir, now: ws.now, range: reportRange('8h')!, forecasts: false });
      assert.ok(!isEmptyReport(m));
      const api = m.components.find((c) => c.name === 'api')!;
      assert.equal(api.figures.find((f) => f.label === 'memory')!.limit, 600 * 2 ** 20);
      assert.ok(m.predictions.some((p) => p.component === 'api' && p.resource === 'memory'));
      assert.notEqual(api.state, 'ok');
      assert.equal(m.findingsSource, 'replay');
      const cpu = m.changes[0].effects.find((e) => e.metric === 'CPU')!;
      assert.ok(cpu.significant && cpu.relative! > 0.3, JSON.stringify(cpu));
      assert.ok(api.charts.find((c) => c.id === 'cpu')!.events!.length === 1, 'the change is marked on the charts');
      // From the editor: the running monitor's findings, marked on the chart of their series.
      const live = await gatherReport({
        store, config, workspaceDir: ws.dir, now: ws.now, range: reportRange('8h')!, forecasts: false,
        live: { findings: [{ id: 'a1', at: ws.changeAt + 60_000, component: 'api', series: 'process_cpu_ratio{component="api"}', metric: 'process_cpu_ratio', score: 0.9, severity: 'critical', explanation: { detector: 'x', observed: 0.7, message: 'CPU jumped' } }], alerts: [], predictions: [] },
      });
      assert.equal(live.findingsSource, 'monitor');
      assert.deepEqual(live.findings.map((f) => f.message), ['CPU jumped']);
      const liveApi = live.components.find((c) => c.name === 'api')!;
      assert.equal(liveApi.charts.find((c) => c.id === 'cpu')!.marks?.length, 1);
      assert.equal(liveApi.charts.find((c) => c.id === 'memory')!.marks, undefined);
      assert.equal(liveApi.state, 'critical', liveApi.reasons.join('; '));
      const later = await gatherReport({ store, config, workspaceDir: ws.dir, now: ws.now + 48 * H, range: reportRange('1h')!, forecasts: false });
      assert.ok(isEmptyReport(later));
    } finally {
      await store.close();
    }
  });
});
