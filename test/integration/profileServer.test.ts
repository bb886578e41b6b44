// The built language server's profiling requests, without a running system: config keys of
// the demo's protocol-engine.yaml are linked to the code that reads them
// (`alluse/configKeyUsages`, through the lazily loaded dist/profileEngine.js), and a profile
// of a component whose inspector does not answer fails with a message that says what to do.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { buildDemo } from '../../examples/all-use/build.mjs';
import { ConfigKeyUsagesRequest, ProfileListRequest, ProfileStartRequest, type ConfigKeyUsage } from '../../protocol/index';
import { ROOT, TestLspClient } from '../helpers/lspClient';

const DEMO = join(ROOT, 'examples/all-use');

describe('profiling requests of the language server', () => {
  let client: TestLspClient;
  const wsUri = pathToFileURL(join(DEMO, 'alluse-perf.yaml')).href;

  before(async () => {
    await buildDemo({ quiet: true }); // the source maps of dist/ name the component's sources
    client = await TestLspClient.start();
    const text = readFileSync(join(DEMO, 'alluse-perf.yaml'), 'utf8');
    await client.open(wsUri, text, 1);
    await client.diagnosticsFor(wsUri, 1);
  });
  after(async () => client?.stop());

  it('links each key of protocol-engine.yaml to the code that reads it', async () => {
    const configUri = pathToFileURL(join(DEMO, 'config/protocol-engine.yaml')).href;
    const text = readFileSync(join(DEMO, 'config/protocol-engine.yaml'), 'utf8');
    const t0 = Date.now();
    const usages = await client.connection.sendRequest<ConfigKeyUsage[]>(ConfigKeyUsagesRequest.method, { uri: wsUri, configUri, text } satisfies ConfigKeyUsagesRequest.Params);
    console.log(`# configKeyUsages answered in ${Date.now() - t0} ms (first use loads the profiling bundle)`);
    const workers = usages.find((u) => u.key === 'workers')!;
    assert.equal(workers.line, text.split('\n').findIndex((l) => l.startsWith('workers:')));
    const reads = workers.usages.filter((u) => u.kind === 'read').map((u) => `${u.file.replace(DEMO + '/', '')}:${u.text}`);
    assert.ok(reads.some((r) => r.startsWith('src/protocol-engine.ts:') && r.includes('size: c.workers')), reads.join('\n'));
    assert.ok(workers.usages.some((u) => u.kind === 'declared'));
    const batch = usages.find((u) => u.key === 'batch_size')!;
    assert.ok(batch.usages.filter((u) => u.kind === 'read').length >= 2);
  });

  it('says what to do when the inspector does not answer', async () => {
    const r = await client.connection.sendRequest<ProfileStartRequest.Result>(ProfileStartRequest.method, { uri: wsUri, component: 'protocol-engine', durationMs: 500 } satisfies ProfileStartRequest.Params);
    // The demo is not running here (or runs elsewhere): either way no capture on 9465 may succeed silently.
    if ('error' in r) assert.match(r.error, /no Node inspector answers on 127\.0\.0\.1:9465.*--inspect=127\.0\.0\.1:9465/);
    else assert.ok('result' in r && r.result.threads.length >= 1, 'a demo running on the default ports was profiled');
    const r2 = await client.connection.sendRequest<ProfileStartRequest.Result>(ProfileStartRequest.method, { uri: wsUri, component: 'nope', durationMs: 500 } satisfies ProfileStartRequest.Params);
    assert.ok('error' in r2 && /no component "nope"/.test(r2.error));
    assert.ok(Array.isArray(await client.connection.sendRequest(ProfileListRequest.method, { uri: wsUri } satisfies ProfileListRequest.Params)));
  });
});
