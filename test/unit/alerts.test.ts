import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AlertEvaluator } from '../../engine/alerts/evaluator';
import type { AlertRule } from '../../engine/alerts/rules';
import { alertRulesFrom, workspaceConfigFrom } from '../../engine/workspace/config';
import { analyzeWorkspace } from '../../engine/index';
import type { SeriesSample } from '../../engine/metrics/series';
import { VALID_WORKSPACE } from '../helpers/text';

const rule: AlertRule = { name: 'p95', component: 'engine', metric: 'lat_p95', op: '>', threshold: 50, forMs: 1000, clearForMs: 1000, hysteresis: 0.1, severity: 'critical', origin: 'rule' };
const at = (t: number, v: number, component = 'engine'): SeriesSample => ({ series: { name: 'lat_p95', labels: { component } }, t, v });

/** Feeds one sample every 100 ms; returns the events with their times. */
function run(values: number[], r = rule) {
  const ev = new AlertEvaluator([r]);
  return values.flatMap((v, i) => ev.observe([at(i * 100, v)]).map((e) => `${e.type}@${i * 100}`));
}

describe('alert evaluation', () => {
  it('fires only after the condition held for `for`', () => {
    assert.deepEqual(run([60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60]), ['firing@1000']);
    assert.deepEqual(run([60, 60, 60, 60, 60, 40, 60, 60, 60, 60, 60]), []);
  });

  it('resolves only past the hysteresis margin for `clearFor`, so it does not flap', () => {
    const hover = Array.from({ length: 40 }, (_, i) => (i < 11 ? 60 : i % 2 ? 49 : 51));
    assert.deepEqual(run(hover), ['firing@1000']); // 49 is not below 45 (50 − 10%)
    const clear = [...Array(11).fill(60), ...Array(12).fill(40)];
    assert.deepEqual(run(clear), ['firing@1000', 'resolved@2100']);
  });

  it('keeps separate states per series and ignores other components and non-finite values', () => {
    const ev = new AlertEvaluator([{ ...rule, forMs: 0 }]);
    assert.equal(ev.observe([at(0, 60, 'other')]).length, 0);
    assert.equal(ev.observe([at(0, NaN)]).length, 0);
    const e = ev.observe([at(0, 60)]);
    assert.equal(e.length, 1);
    assert.equal(ev.active()[0].series, 'lat_p95{component="engine"}');
    const rules = [{ ...rule, forMs: 0, component: undefined }];
    const ev2 = new AlertEvaluator(rules);
    assert.equal(ev2.observe([at(0, 60, 'a'), at(0, 60, 'b')]).length, 2);
    assert.equal(ev2.active().length, 2);
  });

  it('supports every comparison', () => {
    for (const [op, v, fires] of [['<', 10, true], ['<=', 50, true], ['>=', 50, true], ['==', 50, true], ['!=', 50, false], ['<', 60, false]] as const) {
      const ev = new AlertEvaluator([{ ...rule, op, forMs: 0 }]);
      assert.equal(ev.observe([at(0, v)]).length, fires ? 1 : 0, `${op} ${v}`);
    }
  });
});

describe('workspace config', () => {
  it('reads typed config with defaults and units converted', () => {
    const a = analyzeWorkspace(VALID_WORKSPACE);
    const c = workspaceConfigFrom(a.doc!);
    assert.equal(c.monitor.intervalMs, 100);
    assert.equal(c.monitor.retentionMs, 86_400_000); // the file says 24h
    assert.equal(c.monitor.sources.filesystemMs, 10_000);
    assert.equal(c.monitor.sources.scrapeMs, 1000);
    const e = c.components[0];
    assert.equal(e.limits.memoryBytes, 512 * 1024 * 1024);
    assert.equal(e.slos.latency?.p95Ms, 50);
    assert.deepEqual(e.process.start, { command: 'node', args: ['dist/protocol-engine.js', '--port', '9462'], cwd: '.', env: {} });
    assert.equal(c.monitor.alerts[0].forMs, 30_000);
    assert.equal(c.tuning.studies[0].name, 'engine-throughput');
  });

  it('turns alert rules and SLOs with metrics into alert rules', () => {
    const text = VALID_WORKSPACE.replace('latency: { p95: 50ms, p99: 120ms }', 'latency: { p95: 50ms }').replace('      interval: 100ms\n', '      interval: 100ms\n      latency: tick_latency_seconds\n      throughput: ticks_total\n      errors: errors_total\n');
    assert.deepEqual(analyzeWorkspace(text).findings, []);
    const rules = alertRulesFrom(workspaceConfigFrom(analyzeWorkspace(text).doc!));
    assert.deepEqual(rules.map((r) => [r.name, r.metric, r.op, r.threshold, r.severity]), [
      ['engine-p95', 'latency_p95_ms', '>', 50, 'warning'],
      ['slo:protocol-engine:latency-p95', 'tick_latency_seconds_p95', '>', 0.05, 'critical'],
      ['slo:protocol-engine:throughput', 'ticks_total_rate', '<', 500, 'critical'],
      ['slo:protocol-engine:error-rate', 'slo_error_ratio', '>', 0.01, 'critical'],
    ]);
  });
});

describe('the derived error ratio of error-rate SLOs', () => {
  it('divides the summed error rate by the summed throughput rate, per component', async () => {
    const { Monitor } = await import('../../engine/monitor/monitor');
    const appended: SeriesSample[] = [];
    const store = { append: (s: readonly SeriesSample[]) => appended.push(...s), readOnly: false, memoryOnly: false, problems: [], diskUsage: () => ({ rawBytes: 0, rollupBytes: 0, walBytes: 0, bytesPerSample: 0 }) };
    const text = VALID_WORKSPACE.replace('      interval: 100ms\n', '      interval: 100ms\n      throughput: ticks_total\n      errors: errors_total\n');
    const config = workspaceConfigFrom(analyzeWorkspace(text).doc!);
    const m = new Monitor({ collectors: [], store: store as never, storePath: '', rules: alertRulesFrom(config), components: config.components });
    const s = (name: string, v: number, labels: Record<string, string> = {}): SeriesSample => ({ series: { name, labels: { component: 'protocol-engine', ...labels } }, t: 5, v });
    m.ingest([s('ticks_total_rate', 300, { outcome: 'ok' }), s('ticks_total_rate', 100, { outcome: 'failed' }), s('errors_total_rate', 2, { kind: 'a' }), s('errors_total_rate', 6, { kind: 'b' })]);
    const ratio = appended.find((x) => x.series.name === 'slo_error_ratio');
    assert.deepEqual(ratio && [ratio.series.labels, ratio.t, ratio.v], [{ component: 'protocol-engine' }, 5, 8 / 400]);
  });
});
