/**
 * `alluse-perf optimize` on a workspace study: the demo workspace's `engine-throughput`
 * study against the demo system's real bench (examples/all-use/bench) in its capacity mode,
 * shortened to 1 s probes (at most 3 per run) and 2 trials. The bench starts its own system on free ports, so this
 * test can run beside a demo system on the fixed ports.
 * The workspace is a copy of the demo's alluse-perf.yaml whose paths point back at the demo.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseDocument } from 'yaml';
import { ROOT } from '../helpers/lspClient';

const CLI = join(ROOT, 'dist/cli.js');
const DEMO = join(ROOT, 'examples/all-use');
const dir = mkdtempSync(join(tmpdir(), 'optimize-demo-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('alluse-perf optimize (workspace study on the demo system)', () => {
  it('runs engine-throughput against the bench: measured objectives, repeats with spread, constraints, Pareto front', { timeout: 600_000 }, async () => {
    const doc = parseDocument(readFileSync(join(DEMO, 'alluse-perf.yaml'), 'utf8'));
    const study = ['tuning', 'studies', 0];
    assert.equal(doc.getIn([...study, 'name']), 'engine-throughput');
    doc.setIn([...study, 'configFile'], join(DEMO, 'config/protocol-engine.yaml'));
    doc.setIn([...study, 'trial', 'cwd'], DEMO);
    // The study's own capacity search, shortened: 1 s probes, at most 3 of them.
    const args = (doc.getIn([...study, 'trial', 'args']) as { toJSON(): string[] }).toJSON();
    assert.ok(args.includes('--capacity'), 'the demo study measures capacity under the p95 bound');
    const set = (flag: string, v: string) => { const i = args.indexOf(flag); if (i >= 0) args[i + 1] = v; else args.push(flag, v); };
    set('--probe', '1s'); set('--max-probes', '3'); set('--warmup', '500ms');
    doc.setIn([...study, 'trial', 'args'], args);
    writeFileSync(join(dir, 'alluse-perf.yaml'), doc.toString());
    const original = readFileSync(join(DEMO, 'config/protocol-engine.yaml'), 'utf8');

    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [CLI, 'optimize', '--workspace', dir, '--study', 'engine-throughput', '--budget', '2', '--algorithm', 'random', '--seed', '3', '--json'], { maxBuffer: 16 << 20 }, (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
      );
    });
    // 0: a feasible front; 1: no trial met the p95 bound at any rate on this (loaded) machine. Both are results.
    assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 3, r.stdout);
    for (const t of lines.slice(0, 2)) {
      assert.equal(t.state, 'complete', t.reason);
      assert.ok(Number.isInteger(t.params.workers) && t.params.workers >= 1 && t.params.workers <= 8);
      assert.ok(Number.isInteger(t.params.batch_size) && t.params.batch_size >= 1 && t.params.batch_size <= 256);
      assert.ok(t.params.batch_timeout_ms >= 0.5 && t.params.batch_timeout_ms <= 50);
      // Capacity: the throughput of the highest rate that met the bound, 0 when none did.
      assert.ok(t.values.throughput_tps >= 0, JSON.stringify(t.values));
      assert.equal(typeof t.values['capacity.ticks_per_cpu_s'], 'number');
      // repeats: 2 in the study: the spread of objectives and constraint metrics is recorded around the median.
      for (const m of ['throughput_tps', 'capacity.ticks_per_cpu_s']) {
        const s = t.spread[m];
        assert.ok(s.min <= t.values[m] && t.values[m] <= s.max, `${m}: ${JSON.stringify(s)} vs ${t.values[m]}`);
      }
      // The p95 bound is the study's and the bench's (docs/tuning.md says why it is what it is).
      const bound = Number(/p95_latency_ms <= (\d+)/.exec(String(doc.getIn([...study, 'constraints', 0])))![1]);
      assert.equal(args[args.indexOf('--slo-p95') + 1], String(bound));
      const c95 = t.constraints[`p95_latency_ms <= ${bound}`];
      assert.ok(t.spread.p95_latency_ms.min - bound <= c95 && c95 <= t.spread.p95_latency_ms.max - bound);
      // Every repeat found a passing rate, so every repeat's p95 (that rate's) is within the bound.
      if (t.spread.throughput_tps.min > 0) assert.ok(c95 <= 0, `p95 over the bound at a passing rate: ${c95}`);
      assert.equal(t.feasible, Object.values(t.constraints).every((c) => (c as number) <= 0));
    }
    const last = lines[2];
    assert.equal(last.study, 'engine-throughput');
    assert.equal(last.trials, 2);
    assert.ok(Array.isArray(last.pareto));
    assert.equal(r.code, last.pareto.length ? 0 : 1);
    for (const p of last.pareto) assert.ok(lines.slice(0, 2).some((t) => t.trial === p.trial && t.feasible));
    assert.equal(readFileSync(join(DEMO, 'config/protocol-engine.yaml'), 'utf8'), original, 'the component’s own file is never edited');
    assert.match(readFileSync(join(dir, '.alluse-perf/studies/engine-throughput.jsonl'), 'utf8'), /"type":"header"/);
  });
});
