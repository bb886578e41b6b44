// `alluse-perf capacity --months` and `alluse-perf impact` (the built CLI) on a real store
// filled with three days of a known synthetic history: load growing 20% a month with a
// daily cycle, CPU and memory linear in the load, and a step of +0.05 cores 30 minutes ago.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { TimeSeriesStore } from '../../engine/store/index';
import { Rng } from '../../engine/util/rng';
import { ROOT } from '../helpers/lspClient';

const run = promisify(execFile);
const CLI = join(ROOT, 'dist/cli.js');
const DAY = 86_400_000;

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [CLI, ...args], { maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

describe('alluse-perf capacity --months and impact', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alluse-cli-planning-'));
  const now = Date.now();
  const changeAt = now - 30 * 60_000;

  before(async () => {
    writeFileSync(
      join(dir, 'alluse-perf.yaml'),
      'version: 1\ncomponents:\n  - name: a\n    process: { pidFile: a.pid }\n    metrics: { url: "http://127.0.0.1:1/metrics", throughput: ticks_total }\n    limits: { cpuCores: 1, memory: 600MiB }\n',
    );
    const store = await TimeSeriesStore.open({ dir: join(dir, '.alluse-perf/store') });
    const r = new Rng(7);
    const labels = { component: 'a' };
    const keys = { load: { name: 'ticks_total_rate', labels }, cpu: { name: 'process_cpu_ratio', labels }, mem: { name: 'process_resident_memory_bytes', labels } };
    for (let t = now - 3 * DAY; t <= now; t += 30_000) {
      const load = 100 * 1.2 ** ((t - now) / (30 * DAY)) * (1 + 0.3 * Math.sin((2 * Math.PI * t) / DAY)) * (1 + 0.05 * r.normal());
      const cpu = 0.05 + 0.002 * load + 0.01 * r.normal() + (t >= changeAt ? 0.05 : 0);
      store.append([
        { series: keys.load, t, v: load },
        { series: keys.cpu, t, v: cpu },
        { series: keys.mem, t, v: 100 * 2 ** 20 + 2 ** 20 * load + 2 ** 20 * r.normal() },
      ]);
    }
    await store.close();
  });

  it('plans 6 months ahead at the measured growth and names what runs out first', async () => {
    const res = await cli(['capacity', '--workspace', dir, '--months', '6', '--window', '1d', '--json']);
    assert.equal(res.code, 0, res.stderr);
    const [p] = res.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(p.component, 'a');
    assert.ok(p.growth.ok, p.growth.reason);
    // Three days tell 20% a month only roughly (the unit tests check the interval's calibration).
    assert.ok(p.growth.perMonth > 1.05 && p.growth.perMonth < 1.4, `growth ${p.growth.perMonth}`);
    assert.ok(p.growth.perMonthLo80 < p.growth.perMonth && p.growth.perMonth < p.growth.perMonthHi80);
    assert.ok(p.load > p.loadNow * 1.5, `6 months of ~20%: ${p.load} vs ${p.loadNow}`);
    // Memory: 100 MiB + 1 MiB per 1/s reaches 600 MiB at 500/s; CPU its core at 475/s (after the step).
    assert.ok(['cpu', 'memory'].includes(p.runsOutFirst.resource));
    const text = await cli(['capacity', '--workspace', dir, '--months', '6', '--window', '1d']);
    assert.match(text.stdout, /a: at \d+\/s after 6 months of \+\d+(\.\d)?%\/month \(80%: .+\)/);
    assert.match(text.stdout, /runs out first: (CPU|memory) at \d+\/s, in about \d+\.\d months at this growth/);
  });

  it('says when the history is too short to plan months ahead', async () => {
    const res = await cli(['capacity', '--workspace', dir, '--months', '6', '--window', '1d']);
    assert.doesNotMatch(res.stdout, /too short/);
    const short = mkdtempSync(join(tmpdir(), 'alluse-cli-planning-short-'));
    writeFileSync(join(short, 'alluse-perf.yaml'), 'version: 1\ncomponents:\n  - name: a\n    process: { pidFile: a.pid }\n    metrics: { url: "http://127.0.0.1:1/metrics", throughput: ticks_total }\n');
    const store = await TimeSeriesStore.open({ dir: join(short, '.alluse-perf/store') });
    const labels = { component: 'a' };
    for (let i = 0; i < 200; i++) {
      const t = now - (200 - i) * 10_000;
      store.append([
        { series: { name: 'ticks_total_rate', labels }, t, v: 100 + (i % 7) },
        { series: { name: 'process_cpu_ratio', labels }, t, v: 0.2 + (i % 5) / 100 },
        { series: { name: 'process_resident_memory_bytes', labels }, t, v: 1e8 + i },
      ]);
    }
    await store.close();
    const out = await cli(['capacity', '--workspace', short, '--months', '3']);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /a: no answer for 3 months: the history is too short to estimate growth: only \d+ min( \d+ s)? of load history, at least 2 d needed/);
  });

  it('measures the effect of the change on CPU with its 95% interval', async () => {
    const res = await cli(['impact', '--workspace', dir, '--series', 'process_cpu_ratio', '--component', 'a', '--at', new Date(changeAt).toISOString(), '--json']);
    assert.equal(res.code, 0, res.stderr);
    const r = JSON.parse(res.stdout);
    assert.equal(r.significant, true, r.message);
    assert.ok(r.effectLo95 <= 0.05 && 0.05 <= r.effectHi95, `${r.effectLo95}..${r.effectHi95}`);
    const text = await cli(['impact', '--workspace', dir, '--series', 'process_cpu_ratio', '--component', 'a', '--at', '30m']);
    assert.match(text.stdout, /^process_cpu_ratio: \+\d\.\d\d pp after the change/);
    const bad = await cli(['impact', '--workspace', dir, '--series', 'nope', '--at', '30m']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /cannot assess the impact: no series nope in the store/);
  });
});
