/**
 * `alluse-perf coordinate conflicts` (the built CLI) with the monitor's store on disk: 50
 * minutes of synthetic history where CPU is 0.052 cores per request/s and the queue depth
 * grows 300 → 700 towards its capacity of 1000. With `workers` declared as cpu-cores and
 * `queueSize` as what sets limits.queueCapacity, the capacity plan at 100/s recommends 6
 * workers and the bottleneck prediction a larger queue; without declarations, nothing.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { TimeSeriesStore } from '../../engine/store/index';
import { Rng } from '../../engine/util/rng';
import type { Recommendation } from '../../engine/coordinate/types';
import { ROOT } from '../helpers/lspClient';

const run = promisify(execFile);
const CLI = join(ROOT, 'dist/cli.js');

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [CLI, ...args], { maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

const workspace = (declare: boolean) => `version: 1
components:
  - name: engine
    kind: node
    process: { commandMatch: "never-running-engine.js" }
    metrics: { url: "http://127.0.0.1:1/metrics", throughput: ticks_total, queueDepth: queue_depth }
    limits: { queueCapacity: 1000 }
    configFiles: [config/engine.yaml]
${declare ? 'coordination:\n  resources:\n    engine:\n      workers: { resource: cpu-cores, per: 1 }\n      queueSize: { controls: limits.queueCapacity }\n  totals: { cpu-cores: 8 }\n' : ''}`;

describe('alluse-perf coordinate conflicts with the store on disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alluse-cli-coord-sources-'));

  before(async () => {
    mkdirSync(join(dir, 'config'));
    writeFileSync(join(dir, 'config/engine.yaml'), 'workers: 2\nqueueSize: 1000\n');
    const store = await TimeSeriesStore.open({ dir: join(dir, '.alluse-perf/store') });
    const rng = new Rng(5);
    const labels = { component: 'engine' };
    const now = Date.now();
    const from = now - 50 * 60_000;
    for (let t = from; t <= now - 1000; t += 10_000) {
      const load = 100 + 30 * Math.sin(t / 300_000) + 3 * rng.normal();
      store.append([
        { series: { name: 'ticks_total_rate', labels }, t, v: load },
        { series: { name: 'process_cpu_ratio', labels }, t, v: 0.052 * load + 0.01 * rng.normal() },
        { series: { name: 'process_resident_memory_bytes', labels }, t, v: 200 * 2 ** 20 + 2 ** 20 * rng.normal() },
        { series: { name: 'queue_depth', labels }, t, v: 300 + (400 * (t - from)) / (50 * 60_000) + 5 * rng.normal() },
      ]);
    }
    await store.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('adds the capacity and bottleneck recommendations of the declared keys, each with its source', async () => {
    writeFileSync(join(dir, 'alluse-perf.yaml'), workspace(true));
    const res = await cli(['coordinate', 'conflicts', '--workspace', dir, '--load', '100', '--json']);
    assert.equal(res.code, 0, res.stderr);
    const recs = (JSON.parse(res.stdout) as { recommendations: Recommendation[] }).recommendations;
    const capacity = recs.find((r) => r.source === 'capacity');
    assert.ok(capacity, JSON.stringify(recs));
    assert.deepEqual([capacity.key, capacity.from, capacity.to], ['workers', 2, 6]);
    const bottleneck = recs.find((r) => r.source === 'bottleneck');
    assert.ok(bottleneck, JSON.stringify(recs));
    assert.equal(bottleneck.key, 'queueSize');
    assert.ok(Number(bottleneck.to) > 1000, `a larger queue: ${bottleneck.to}`);
    assert.match(bottleneck.reason!, /queue depth reaches its capacity of 1000 in .+; queueSize \d+ covers the trend for 24 h/);
    const text = await cli(['coordinate', 'conflicts', '--workspace', dir, '--load', '100']);
    assert.match(text.stdout, /0 recommendation\(s\) from 0 studies, 1 from the capacity plan, 1 from the bottleneck predictions/);
    assert.match(text.stdout, /engine config\/engine\.yaml workers: 2 -> 6 \(capacity capacity plan\)/);
  });

  it('recommends nothing for keys the workspace does not declare, and checks --load', async () => {
    writeFileSync(join(dir, 'alluse-perf.yaml'), workspace(false));
    const res = await cli(['coordinate', 'conflicts', '--workspace', dir, '--load', '100', '--json']);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(JSON.parse(res.stdout).recommendations, []);
    const bad = await cli(['coordinate', 'conflicts', '--workspace', dir, '--load', 'lots']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--load must be a positive number \(got "lots"\)/);
  });
});
