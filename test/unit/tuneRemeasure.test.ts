/**
 * Re-measurement: the paired bootstrap CI of the relative median improvement on synthetic
 * samples with a known difference, "no detectable difference" on identical distributions,
 * and the interleaved A B A B order with a fake single-run executor.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareSamples, quantileSorted, remeasure } from '../../engine/tune/remeasure';
import type { StudyDefinition } from '../../engine/tune/studyConfig';
import type { TrialOutcome } from '../../engine/tune/trialRunner';
import { Rng } from '../../engine/util/rng';

const rng = new Rng(42);
const noisy = (center: number, sd: number, n: number) => Array.from({ length: n }, () => center + sd * rng.normal());

describe('compareSamples', () => {
  it('quantiles interpolate like numpy', () => {
    assert.equal(quantileSorted([1, 2, 3, 4], 0.5), 2.5);
    assert.equal(quantileSorted([1, 2, 3, 4], 0), 1);
    assert.equal(quantileSorted([1, 2, 3, 4], 1), 4);
  });

  it('finds a known 30% throughput gain and its interval covers it', () => {
    const a = noisy(1000, 50, 12);
    const b = noisy(1300, 50, 12);
    const e = compareSamples('throughput_tps', a, b, { direction: 'maximize', seed: 7 });
    assert.equal(e.verdict, 'better');
    assert.ok(e.ci95[0] > 0.15 && e.ci95[1] < 0.45, `CI ${e.ci95}`);
    assert.ok(e.ci95[0] <= 0.3 && 0.3 <= e.ci95[1], `CI ${e.ci95} should cover the true +30%`);
    assert.ok(Math.abs(e.improvement - 0.3) < 0.1);
    assert.equal(e.n, 12);
  });

  it('a lower latency is an improvement for a minimized metric; a higher one is worse', () => {
    const a = noisy(100, 3, 10);
    const b = noisy(80, 3, 10);
    const better = compareSamples('p95', a, b, { direction: 'minimize' });
    assert.equal(better.verdict, 'better');
    assert.ok(Math.abs(better.improvement - 0.2) < 0.06);
    const worse = compareSamples('p95', b, a, { direction: 'minimize' });
    assert.equal(worse.verdict, 'worse');
    assert.ok(worse.ci95[1] < 0);
  });

  it('says "no detectable difference" for samples of the same distribution', () => {
    let covered = 0;
    for (let k = 0; k < 20; k++) {
      const e = compareSamples('x', noisy(500, 40, 8), noisy(500, 40, 8), { direction: 'maximize', seed: k });
      if (e.verdict === 'no detectable difference') covered++;
      assert.ok(e.ci95[0] <= e.improvement + 1e-12 || e.ci95[1] >= e.improvement - 1e-12);
    }
    // A 95% interval covers 0 in most of 20 null comparisons (percentile bootstrap with n=8 is a bit narrow).
    assert.ok(covered >= 15, `covered ${covered} of 20`);
  });

  it('identical samples give a zero-width interval at 0 and no detectable difference', () => {
    const e = compareSamples('x', [5, 6, 7], [5, 6, 7], { direction: 'maximize' });
    assert.equal(e.improvement, 0);
    assert.equal(e.verdict, 'no detectable difference');
  });

  it('one pair is too few for an interval', () => {
    const e = compareSamples('x', [5], [9], { direction: 'maximize' });
    assert.ok(Number.isNaN(e.ci95[0]));
    assert.equal(e.verdict, 'no detectable difference');
  });
});

const def: StudyDefinition = {
  name: 's',
  space: { workers: { type: 'int', low: 1, high: 8 } },
  keys: {},
  objectives: [{ name: 'tps', direction: 'maximize' }],
  constraints: [{ metric: 'p95', op: '<=', bound: 100 }],
  trial: { command: 'node', args: [], cwd: '.', env: {}, timeoutMs: 1000 },
  budget: { trials: 1 },
  repeats: 3,
  concurrency: 1,
  algorithm: 'random',
  seed: 3,
};

describe('remeasure', () => {
  it('runs A B A B with the current file for A and the recommendation for B, and compares the medians', async () => {
    const order: string[] = [];
    const r2 = new Rng(9);
    const r = await remeasure(def, { workers: 2 }, {
      pairs: 6,
      runOnce: async (arm, params): Promise<TrialOutcome> => {
        order.push(`${arm}:${JSON.stringify(params)}`);
        const tps = (arm === 'current' ? 1000 : 1500) + 20 * r2.normal();
        return { state: 'complete', values: [tps], metrics: { tps, p95: arm === 'current' ? 90 : 60 }, repeats: 1, durationMs: 1 };
      },
    });
    assert.deepEqual(order.slice(0, 4), ['current:{}', 'recommended:{"workers":2}', 'current:{}', 'recommended:{"workers":2}']);
    assert.equal(order.length, 12);
    assert.equal(r.pairs, 6);
    assert.equal(r.effects[0].metric, 'tps');
    assert.equal(r.effects[0].verdict, 'better');
    assert.ok(Math.abs(r.effects[0].improvement - 0.5) < 0.05);
    assert.equal(r.effects[1].metric, 'p95');
    assert.equal(r.effects[1].verdict, 'better'); // 90 -> 60 ms every time: a sure improvement of a third
    assert.ok(Math.abs(r.effects[1].improvement - 1 / 3) < 1e-9);
    assert.equal(r.feasible, true);
  });

  it('a failed run loses its pair; too many failures stop', async () => {
    let i = 0;
    const order: string[] = [];
    const r = await remeasure(def, { workers: 2 }, {
      pairs: 4,
      maxFailures: 1,
      runOnce: async (arm): Promise<TrialOutcome> => {
        order.push(arm);
        return i++ === 3 ? { state: 'failed', reason: 'boom', repeats: 1, durationMs: 1 } : { state: 'complete', values: [1], metrics: { tps: arm === 'current' ? 1 : 2, p95: 1 }, repeats: 1, durationMs: 1 };
      },
    });
    // Pair 2 lost its B run; pairs 1, 3 and 4 are complete.
    assert.equal(order.length, 8);
    assert.equal(r.pairs, 3);
    assert.match(r.problem ?? '', /1 run\(s\) failed \(their pairs are left out\); the recommended configuration's run 2 failed: boom/);
    let k = 0;
    const stopped = await remeasure(def, { workers: 2 }, { pairs: 5, maxFailures: 1, runOnce: async (): Promise<TrialOutcome> => (k++, { state: 'failed', reason: 'down', repeats: 1, durationMs: 1 }) });
    assert.equal(k, 2);
    assert.equal(stopped.pairs, 0);
    assert.match(stopped.problem ?? '', /too many: stopped/);
  });

  it('stops when cancelled', async () => {
    const ac = new AbortController();
    let runs = 0;
    const r = await remeasure(def, { workers: 2 }, {
      pairs: 5,
      signal: ac.signal,
      runOnce: async (): Promise<TrialOutcome> => {
        if (++runs === 3) ac.abort();
        return { state: 'complete', values: [1], metrics: { tps: 1, p95: 1 }, repeats: 1, durationMs: 1 };
      },
    });
    assert.equal(runs, 3);
    assert.equal(r.cancelled, true);
    assert.equal(r.pairs, 1);
  });
});
