/**
 * `alluse/compare/run` through the built server over LSP: the trust gate, a comparison of
 * two versions of the fixture's config/engine.yaml with the study's trial command (progress
 * notifications with the request's id, verdicts in each objective's direction, the samples),
 * a file no study edits, and cancellation (the running trial command is stopped).
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { CancellationTokenSource } from 'vscode-languageserver-protocol';
import { CompareProgressNotification, CompareRunRequest } from '../../protocol/index';
import { ROOT, TestLspClient } from '../helpers/lspClient';

describe('alluse/compare/run over LSP (dist/server.js --stdio)', () => {
  let client: TestLspClient;
  let folder: string;
  let uri: string;
  let cfgUri: string;
  let before0: string;
  const progress: CompareProgressNotification.Params[] = [];

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'alluse-compare-'));
    cpSync(join(ROOT, 'test/fixtures/tune-workspace'), folder, { recursive: true });
    uri = pathToFileURL(join(folder, 'alluse-perf.yaml')).href;
    cfgUri = pathToFileURL(join(folder, 'config/engine.yaml')).href;
    before0 = readFileSync(join(folder, 'config/engine.yaml'), 'utf8');
    client = await TestLspClient.start();
    client.on(CompareProgressNotification.method, (p: CompareProgressNotification.Params) => progress.push(p));
    await client.open(uri, readFileSync(join(folder, 'alluse-perf.yaml'), 'utf8'), 1);
    assert.deepEqual(await client.diagnosticsFor(uri, 1), []);
  });
  after(async () => {
    await client.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  const params = (o: Partial<CompareRunRequest.Params> = {}): CompareRunRequest.Params => ({ uri, configUri: cfgUri, before: before0, after: before0.replace('batch_size: 4 ', 'batch_size: 32'), labels: { a: 'before', b: 'after' }, repeats: 4, warmup: 1, trusted: true, id: 'cmp-1', ...o });

  it('runs nothing in an untrusted workspace', async () => {
    const r = await client.connection.sendRequest<CompareRunRequest.Result>(CompareRunRequest.method, params({ trusted: false }));
    assert.equal(r.ok, false);
    assert.match((r as { message: string }).message, /not trusted/);
  });

  it('compares two versions with the study trial command, with progress', { timeout: 60_000 }, async () => {
    const r = await client.connection.sendRequest<CompareRunRequest.Result>(CompareRunRequest.method, params());
    assert.ok(r.ok, JSON.stringify(r));
    const d = r.data;
    assert.equal(d.study, 'fast-engine');
    assert.equal(d.component, 'engine');
    assert.deepEqual(d.metrics.map((m) => m.metric).sort(), ['p95_latency_ms', 'throughput_tps']);
    // batch_size 4 -> 32: p95 = 10 + 2·batch + 30/workers rises from 33 to 89 ms (worse);
    // throughput ∝ 1 − |log2(batch) − 4| / 8 rises from 0.75 to 0.875 of its peak (better).
    const p95 = d.metrics.find((m) => m.metric === 'p95_latency_ms')!;
    assert.equal(p95.direction, 'minimize');
    assert.equal(p95.verdict, 'worse');
    assert.ok(p95.median.a > 30 && p95.median.a < 36 && p95.median.b > 85 && p95.median.b < 93, JSON.stringify(p95.median));
    assert.equal(d.samples.a.p95_latency_ms.length, 4);
    const tps = d.metrics.find((m) => m.metric === 'throughput_tps')!;
    assert.equal(tps.direction, 'maximize');
    assert.equal(tps.verdict, 'better');
    assert.ok(tps.relativeCi.lo > 0.1 && tps.relativeCi.hi < 0.22, JSON.stringify(tps.relativeCi)); // +16.7% with ±1% jitter
    const mine = progress.filter((p) => p.id === 'cmp-1');
    assert.equal(mine.at(-1)!.done, 10);
    assert.equal(mine.at(-1)!.total, 10);
    assert.match(mine[1].message, /run 1\/10: before \(warm-up\)/);
  });

  it('says which study is missing for a file no study edits', async () => {
    const r = await client.connection.sendRequest<CompareRunRequest.Result>(CompareRunRequest.method, params({ configUri: pathToFileURL(join(folder, 'trial.js')).href }));
    assert.equal(r.ok, false);
    assert.match((r as { message: string }).message, /No tuning study in alluse-perf.yaml edits trial\.js/);
  });

  it('stops the running trial command when cancelled', { timeout: 60_000 }, async () => {
    const slow = readFileSync(join(folder, 'alluse-perf.yaml'), 'utf8').replace('trial: { command: node, args: [trial.js, "${trialConfigFile}"] }', 'trial: { command: node, args: [trial.js, "${trialConfigFile}"], env: { TRIAL_SLEEP_MS: "20000" } }');
    await client.change(uri, 2, slow);
    await client.diagnosticsFor(uri, 2);
    const source = new CancellationTokenSource();
    const t0 = Date.now();
    const pending = client.connection.sendRequest<CompareRunRequest.Result>(CompareRunRequest.method, params({ id: 'cmp-2' }), source.token);
    await client.waitFor(() => progress.find((p) => p.id === 'cmp-2'), 20_000, 'the comparison to start');
    source.cancel();
    const r = await pending.then(
      (x) => x,
      (e: Error) => e,
    );
    // Either the request is answered as cancelled or the answer says so; the trial did not run its 20 s.
    if (!(r instanceof Error)) assert.ok(!r.ok || r.data.cancelled, JSON.stringify(r));
    assert.ok(Date.now() - t0 < 15_000, `took ${Date.now() - t0} ms`);
  });
});
