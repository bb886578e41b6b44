/**
 * `objectiveSource: monitor` end to end: the built CLI reads a study's objective from a real
 * store that another process writes (this test plays the monitor: it samples the
 * "deployed" configuration of a fake component every 25 ms, with a warm-up spike after each
 * change). The trial command only deploys the trial's configuration and waits. The measured
 * value must be the component's steady value for the trial's parameters, the spike left out
 * by `warmup` (2 s: room for a slow start of the trial command on a loaded machine).
 * Without a running monitor the CLI refuses to start and says what to do.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { TimeSeriesStore } from '../../engine/store/index';
import { ROOT } from '../helpers/lspClient';

const CLI = join(ROOT, 'dist/cli.js');
const ws = mkdtempSync(join(tmpdir(), 'optimize-monitor-'));
after(() => rmSync(ws, { recursive: true, force: true }));

writeFileSync(join(ws, 'svc.yaml'), '# the fake component\ndelay: 10   # ms per request\n');
writeFileSync(
  join(ws, 'apply.js'),
  `// Deploys the trial's configuration (copies it where the component reads it), then lets it run.
const fs = require('node:fs');
fs.copyFileSync(process.argv[2], ${JSON.stringify(join(ws, 'current.yaml'))});
setTimeout(() => {}, 3000);
`,
);
writeFileSync(
  join(ws, 'alluse-perf.yaml'),
  `version: 1
components:
  - name: svc
    process: { pidFile: svc.pid }
    configFiles: [svc.yaml]
monitor:
  storePath: store
tuning:
  studies:
    - name: mon
      component: svc
      configFile: svc.yaml
      parameters:
        delay: { type: int, min: 1, max: 50 }
      objectives: [{ metric: svc_latency_ms, direction: minimize }]
      trial: { command: node, args: [apply.js, "\${trialConfigFile}"], timeout: 30s }
      objectiveSource: monitor
      warmup: 2s
      budget: { trials: 3 }
      algorithm: random
      seed: 4
`,
);

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, 'optimize', '--workspace', ws, ...args], { maxBuffer: 16 << 20 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

describe('alluse-perf optimize with objectiveSource: monitor', () => {
  it('refuses to start without a running monitor, and says how to start one', async () => {
    const r = await cli(['--json']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /no monitor is writing to .*store\. Start one \(alluse-perf monitor --workspace/);
  });

  it('measures each trial from the monitor over its run after the warm-up', { timeout: 120_000 }, async () => {
    const store = await TimeSeriesStore.open({ dir: join(ws, 'store'), flushIntervalMs: 20 });
    assert.ok(!store.readOnly, 'this test is the writer');
    // The fake component: latency 2 * delay ms, but 1000 ms for 200 ms after each deployment.
    let deployed = '';
    let changedAt = 0;
    const current = join(ws, 'current.yaml');
    const timer = setInterval(() => {
      const text = existsSync(current) ? readFileSync(current, 'utf8') : '';
      const now = Date.now();
      if (text !== deployed) {
        deployed = text;
        changedAt = now;
      }
      const m = /^delay: (\d+)/m.exec(deployed);
      if (!m) return;
      store.append([{ series: { name: 'svc_latency_ms', labels: { component: 'svc' } }, t: now, v: now - changedAt < 200 ? 1000 : 2 * Number(m[1]) }]);
    }, 25);
    try {
      const r = await cli(['--json']);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
      assert.equal(lines.length, 4);
      const delays = new Set<number>();
      for (const t of lines.slice(0, 3)) {
        assert.equal(t.state, 'complete', t.reason);
        delays.add(t.params.delay);
        // The steady value exactly: no sample of the spike, and none of the previous trial, is in the window.
        assert.equal(t.values.svc_latency_ms, 2 * t.params.delay, JSON.stringify(t));
      }
      assert.ok(delays.size >= 2, 'different configurations were measured');
      const best = lines.slice(0, 3).reduce((a, b) => (b.values.svc_latency_ms < a.values.svc_latency_ms ? b : a));
      assert.equal(lines[3].best.trial, best.trial);
    } finally {
      clearInterval(timer);
      await store.close();
    }
  });
});
