import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { TimeSeriesStore } from '../../engine/store/index';

const root = join(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'alluse-store-crash-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the writer child until it has made cuts and WAL flushes, then kills it with SIGKILL at an arbitrary moment. */
function runAndKill(minRunMs: number, encodeWorker: 'auto' | 'always'): Promise<{ t0: number; lastReported: number }> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, ALLUSE_STORE_ENCODE_WORKER: encodeWorker };
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'test/fixtures/storeWriter.ts'), dir], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let t0 = NaN;
    let lastReported = NaN;
    let killed = false;
    let out = '';
    let err = '';
    const timeout = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`writer made no progress: ${out.slice(-500)} ${err}`)); }, 120_000);
    child.stderr.on('data', (d) => { err += d; });
    child.stdout.on('data', (d) => {
      out += d;
      const lines = out.split('\n');
      out = lines.pop()!;
      for (const line of lines) {
        const [kind, a, b, c] = line.split(' ');
        if (kind === 'start') t0 = Number(a);
        if (kind !== 'progress' || killed) continue;
        lastReported = Number(a);
        // Condition: chunk files written (at least one cut), a WAL in use, and enough samples.
        if (Number(b) > 0 && Number(c) > 0 && lastReported - t0 >= minRunMs) {
          killed = true;
          child.kill('SIGKILL');
        }
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timeout);
      if (signal === 'SIGKILL' && killed) resolve({ t0, lastReported });
      else reject(new Error(`writer exited (${code ?? signal}) before it was killed: ${err}`));
    });
  });
}

describe('time-series store: kill -9', () => {
  // Rounds 4 and 5 encode every cut on the worker thread (killed with the process, often mid-cut).
  for (const round of [1, 2, 3, 4, 5]) {
    const encodeWorker = round > 3 ? 'always' : 'auto';
    it(`round ${round}: a killed writer loses at most the last second and duplicates nothing (cuts encoded ${encodeWorker === 'always' ? 'on the worker' : 'in its thread'})`, async (t) => {
      // At least 2 s of samples before the kill: with the last second allowed to be lost, more
      // than a second's worth (100 per series) must come back (asserted below). The 700 ms steps
      // put the kill at different moments of the 1 s cut interval.
      const { t0, lastReported } = await runAndKill(2000 + (round % 3) * 700, encodeWorker);
      const store = await TimeSeriesStore.open({ dir, manualFlush: true });
      try {
        assert.equal(store.readOnly, false, 'the dead writer\'s lock is taken over');
        assert.ok(!store.problems.some((p) => p.kind === 'corrupt'), JSON.stringify(store.problems));
        const results = store.query({ name: 'crash_test_value', from: t0, to: Infinity });
        assert.equal(results.length, 20);
        let total = 0;
        let worst = 0;
        for (const r of results) {
          const pts = r.points;
          // Contiguous from the round's start, in 10 ms steps, values = index: nothing missing before the tail, nothing repeated.
          pts.forEach((p, i) => { assert.equal(p.t, t0 + i * 10, `${r.id} sample ${i}`); assert.equal(p.v, i); });
          const lastT = pts[pts.length - 1].t;
          assert.ok(lastT >= lastReported - 1000, `${r.id}: recovered up to ${lastReported - lastT} ms before the last reported sample`);
          total += pts.length;
          worst = Math.max(worst, lastReported - lastT);
          // Rollups agree with the raw samples: no sample counted twice in the 1 s tier (whole buckets from the round's first).
          const from = Math.floor(t0 / 1000) * 1000;
          const counted = store.query({ series: [r.id], from, to: Infinity, stepMs: 1000, agg: 'count' })[0].points.reduce((a, p) => a + p.v, 0);
          assert.equal(counted, store.query({ series: [r.id], from, to: Infinity })[0].points.length, `${r.id}: 1 s rollup counts`);
        }
        // After recovery every sample is in the chunk files exactly once (the query itself would hide repeats).
        const all = store.query({ name: 'crash_test_value', from: 0, to: Infinity }).reduce((n, r) => n + r.points.length, 0);
        assert.equal(store.diskUsage().samples, all);
        assert.ok(total > 20 * 100, `${total} samples recovered of a ${lastReported - t0} ms run of 20 series`);
        t.diagnostic(`${total} samples recovered; the last one ${worst} ms before the last sample the writer reported (the writer may have appended a little more after it)`);
      } finally {
        await store.close();
      }
    });
  }
});
