/**
 * Tuning studies through the built server over LSP: the trust gate, a short study run with
 * progress, the study view's data, the recommendation diagnostics on the component's
 * configuration file and their quick fix (comments kept), re-measurement, cancel, and the
 * "Apply all" edits. The trial command is the fixture's tiny deterministic node script.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import {
  StudyCancelRequest,
  StudyCodeActionsRequest,
  StudyEditsRequest,
  StudyListRequest,
  StudyProgressNotification,
  StudyRemeasureRequest,
  StudyResultRequest,
  StudyRunRequest,
  TUNING_RECOMMENDATION_CODE,
} from '../../protocol/index';
import { applyEdits } from '../../engine/tune/recommendation';
import { ROOT, TestLspClient } from '../helpers/lspClient';

describe('tuning studies over LSP (dist/server.js --stdio)', () => {
  let client: TestLspClient;
  let folder: string;
  let uri: string;
  let cfgUri: string;
  const progress: StudyProgressNotification.Params[] = [];
  const ended = (study: string, after: number) => client.waitFor(() => progress.slice(after).find((p) => p.study === study && p.phase === 'idle'), 60_000, `the end of ${study}`);

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'alluse-study-'));
    cpSync(join(ROOT, 'test/fixtures/tune-workspace'), folder, { recursive: true });
    uri = pathToFileURL(join(folder, 'alluse-perf.yaml')).href;
    cfgUri = pathToFileURL(join(folder, 'config/engine.yaml')).href;
    client = await TestLspClient.start();
    client.on(StudyProgressNotification.method, (p: StudyProgressNotification.Params) => progress.push(p));
    await client.open(uri, readFileSync(join(folder, 'alluse-perf.yaml'), 'utf8'), 1);
    assert.deepEqual(await client.diagnosticsFor(uri, 1), []);
  });
  after(async () => {
    await client.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('lists the study', async () => {
    const r = await client.connection.sendRequest<StudyListRequest.Result>(StudyListRequest.method, { uri });
    assert.equal(r.studies.length, 1);
    assert.deepEqual({ ...r.studies[0], configFile: undefined }, { name: 'fast-engine', component: 'engine', configFile: undefined, parameters: ['workers', 'batch_size'], objectives: [{ name: 'throughput_tps', direction: 'maximize' }, { name: 'p95_latency_ms', direction: 'minimize' }], constraints: ['p95_latency_ms <= 120'], budget: 3, finished: 0, running: false });
  });

  it('runs nothing in an untrusted workspace', async () => {
    const r = await client.connection.sendRequest<StudyRunRequest.Result>(StudyRunRequest.method, { uri, study: 'fast-engine', trusted: false });
    assert.equal(r.started, false);
    assert.match(r.message, /not trusted/);
    const m = await client.connection.sendRequest<StudyRemeasureRequest.Result>(StudyRemeasureRequest.method, { uri, study: 'fast-engine', trusted: false });
    assert.equal(m.started, false);
  });

  it('runs a short study with progress, and builds the study view from its log', async () => {
    const n = progress.length;
    const r = await client.connection.sendRequest<StudyRunRequest.Result>(StudyRunRequest.method, { uri, study: 'fast-engine', trusted: true, budget: 6 });
    assert.equal(r.started, true, r.message);
    const end = await ended('fast-engine', n);
    assert.equal(end.ended, 'finished', end.message);
    assert.ok(progress.slice(n).some((p) => p.phase === 'running' && /Trial #\d+ (running|complete)/.test(p.message)));
    const d = (await client.connection.sendRequest<StudyResultRequest.Result>(StudyResultRequest.method, { uri, study: 'fast-engine' }))!;
    assert.equal(d.trials.length, 6);
    assert.equal(d.phase, 'idle');
    assert.ok(d.trials.every((t) => t.state === 'complete' && t.values?.length === 2));
    // Best so far never gets worse for a maximized objective.
    for (let i = 1; i < d.bestSoFar.length; i++) assert.ok(d.bestSoFar[i].value >= d.bestSoFar[i - 1].value);
    assert.equal(d.importance.length, 2);
    assert.ok(Math.abs(d.importance.reduce((a, x) => a + x.importance, 0) - 1) < 1e-9 || d.importance.every((x) => x.importance === 0));
    assert.ok(d.pareto.length >= 1);
    assert.ok(d.recommendation, 'a feasible trial is recommended');
    const best = d.trials.find((t) => t.trial === d.recommendation!.trial)!;
    assert.ok(d.pareto.includes(best.trial));
    const feasibleFront = d.trials.filter((t) => d.pareto.includes(t.trial));
    assert.equal(best.values![0], Math.max(...feasibleFront.map((t) => t.values![0])));
  });

  it('shows each changed key as a diagnostic on the configuration file, with a quick fix that keeps comments', async () => {
    const d = (await client.connection.sendRequest<StudyResultRequest.Result>(StudyResultRequest.method, { uri, study: 'fast-engine' }))!;
    const changed = d.recommendation!.changes.map((c) => c.key).sort();
    assert.ok(changed.length >= 1);
    const diags = await client.waitFor(() => client.published.get(cfgUri)?.diagnostics, 10_000, 'config diagnostics');
    assert.deepEqual(diags.map((x) => (x.data as { key: string }).key).sort(), changed);
    for (const x of diags) {
      assert.equal(x.code, TUNING_RECOMMENDATION_CODE);
      assert.equal(x.severity, 3);
      assert.match(String(x.message), /Tuning study "fast-engine" recommends \w+: \d+ -> \d+\. In the study: throughput_tps=/);
    }
    const text = readFileSync(join(folder, 'config/engine.yaml'), 'utf8');
    const actions = await client.connection.sendRequest<{ title: string; edit: { changes: Record<string, { range: never; newText: string }[]> } }[]>(StudyCodeActionsRequest.method, { uri: cfgUri, diagnostics: diags.slice(0, 1).map((x) => ({ ...x, message: String(x.message) })) } satisfies StudyCodeActionsRequest.Params);
    assert.match(actions[0].title, /^Set \w+ to \d+ \(tuning study "fast-engine"\)$/);
    const fixed = applyEdits(text, actions[0].edit.changes[cfgUri]);
    const key = (diags[0].data as { key: string }).key;
    const change = d.recommendation!.changes.find((c) => c.key === key)!;
    assert.equal(parse(fixed)[key], change.newValue);
    assert.match(fixed, /# engine: the knobs a study tunes\. Keep this comment\./);
    assert.match(fixed, new RegExp(`^${key}: ${change.newValue} +# `, 'm'));
    assert.equal(fixed.split('\n').length, text.split('\n').length);
  });

  it('gives every edit for "Apply all"; once written, the diagnostics go away', async () => {
    const e = await client.connection.sendRequest<StudyEditsRequest.Result>(StudyEditsRequest.method, { uri, study: 'fast-engine' });
    assert.equal(e.configUri, cfgUri);
    const path = join(folder, 'config/engine.yaml');
    const before = readFileSync(path, 'utf8');
    const after = applyEdits(before, e.edits);
    assert.match(after, /queue_capacity: 5000  # not tuned/);
    // Re-measure first (against the current file), then apply.
    const n = progress.length;
    const m = await client.connection.sendRequest<StudyRemeasureRequest.Result>(StudyRemeasureRequest.method, { uri, study: 'fast-engine', trusted: true, pairs: 3 });
    assert.equal(m.started, true, m.message);
    const end = await ended('fast-engine', n);
    assert.equal(end.ended, 'finished', end.message);
    assert.match(end.message, /Re-measured \(3 pairs\): throughput_tps/);
    const d = (await client.connection.sendRequest<StudyResultRequest.Result>(StudyResultRequest.method, { uri, study: 'fast-engine' }))!;
    assert.equal(d.remeasure?.pairs, 3);
    assert.equal(d.remeasure?.effects[0].metric, 'throughput_tps');
    const diags = await client.waitFor(() => client.published.get(cfgUri)?.diagnostics.filter((x) => /Re-measured against the current file/.test(String(x.message))).length ? client.published.get(cfgUri)!.diagnostics : undefined, 10_000, 'diagnostics with the measured effect');
    assert.match(String(diags[0].message), /throughput_tps up [+-]\d+\.\d% \(95% CI/);
    writeFileSync(path, after);
    await client.connection.sendRequest(StudyListRequest.method, { uri });
    await client.waitFor(() => client.published.get(cfgUri)?.diagnostics.length === 0, 10_000, 'cleared diagnostics');
  });

  it('cancels a running study; its running trials are not counted', async () => {
    const slowText = readFileSync(join(folder, 'alluse-perf.yaml'), 'utf8').replace('trial: { command: node, args: [trial.js, "${trialConfigFile}"] }', 'trial: { command: node, args: [trial.js, "${trialConfigFile}"], env: { TRIAL_SLEEP_MS: "20000" } }');
    await client.change(uri, 2, slowText);
    await client.diagnosticsFor(uri, 2);
    const n = progress.length;
    const r = await client.connection.sendRequest<StudyRunRequest.Result>(StudyRunRequest.method, { uri, study: 'fast-engine', trusted: true });
    assert.equal(r.started, true, r.message);
    await client.waitFor(() => progress.slice(n).find((p) => p.phase === 'running' && /running/.test(p.message)), 10_000, 'a running trial');
    const t0 = Date.now();
    const c = await client.connection.sendRequest<StudyCancelRequest.Result>(StudyCancelRequest.method, { uri, study: 'fast-engine' });
    assert.equal(c.cancelled, true);
    const end = await ended('fast-engine', n);
    assert.equal(end.ended, 'cancelled');
    assert.ok(Date.now() - t0 < 10_000, 'the sleeping trial was stopped, not waited for');
  });
});
