/**
 * `metrics.sampleLimit` in alluse-perf.yaml reaches the component's scrape: a real loopback
 * endpoint with three samples is dropped under a limit of 2 and kept without one.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { parseDocument } from 'yaml';
import { createCollectors } from '../../engine/collect/factory';
import { workspaceConfigFrom } from '../../engine/workspace/config';

describe('metrics.sampleLimit from the workspace file', () => {
  let server: http.Server;
  let url = '';
  before(async () => {
    server = http.createServer((_req, res) => res.end('a 1\nb 2\nc 3\n'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  });
  after(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));

  const scrapeOf = (limitLine: string) => {
    const text = ['version: 1', 'components:', '  - name: api', '    process: { commandMatch: nothing-matches-this }', '    metrics:', `      url: ${url}`, ...(limitLine ? [`      ${limitLine}`] : []), ''].join('\n');
    const config = workspaceConfigFrom(parseDocument(text));
    const scrape = createCollectors(config.components, '/tmp', { system: false }).find((c) => c.id === 'scrape:api');
    assert.ok(scrape, 'a scrape collector for api');
    return { config, scrape };
  };

  it('is read as a number and drops a scrape over it', async () => {
    const { config, scrape } = scrapeOf('sampleLimit: 2');
    assert.equal(config.components[0].metrics?.sampleLimit, 2);
    const r = await scrape.collect(0);
    assert.deepEqual(r.problems.map((p) => p.kind), ['too-many-samples']);
    assert.equal(r.samples.find((s) => s.series.name === 'up')?.v, 0);
    scrape.dispose?.();
  });

  it('defaults to 20,000: the same endpoint is kept without it', async () => {
    const { config, scrape } = scrapeOf('');
    assert.equal(config.components[0].metrics?.sampleLimit, undefined);
    const r = await scrape.collect(0);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.samples.filter((s) => ['a', 'b', 'c'].includes(s.series.name)).map((s) => s.v), [1, 2, 3]);
    scrape.dispose?.();
  });
});
