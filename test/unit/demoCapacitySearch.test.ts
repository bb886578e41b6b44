/**
 * The demo bench's capacity search (examples/all-use/src/capacity.ts) against a simulated
 * system with a known capacity: pure logic, so the probes are a model here. Real probes of the
 * demo are exercised by the bench in test/integration/optimizeDemo.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judge, searchCapacity, type CapacityOptions, type ProbeResult } from '../../examples/all-use/src/capacity';

const opts: CapacityOptions = { sloP95Ms: 100, maxErrorRate: 0.01, fromRate: 1000, growth: 1.25, resolution: 0.05, maxProbes: 20, minRate: 100, confirmFailures: false };

/** A system that meets the SLO up to `capacity` ticks/s; `flaky` rates fail their first probe only. */
function model(capacity: number, flaky: number[] = []) {
  const calls: string[] = [];
  const seen = new Set<number>();
  return {
    calls,
    async probe(rate: number): Promise<ProbeResult> {
      calls.push(`probe ${rate}`);
      const hiccup = flaky.includes(rate) && !seen.has(rate);
      seen.add(rate);
      const ok = rate <= capacity && !hiccup;
      const done = Math.min(rate, capacity) * 5;
      return { rate, offered_tps: rate, throughput_tps: done / 5, p50_ms: 10, p95_ms: ok ? 40 : 900, p99_ms: ok ? 60 : 1500, error_rate: 0, completed: done, generated: rate * 5, errors: 0, duration_s: 5, cpu_s: 8 };
    },
    async drain() { calls.push('drain'); },
  };
}

describe('demo bench capacity search', () => {
  it('judges a probe by p95, errors and completion', () => {
    const p = { rate: 1, offered_tps: 1, throughput_tps: 1, p50_ms: 1, p95_ms: 50, p99_ms: 60, error_rate: 0, completed: 5, generated: 5, errors: 0, duration_s: 5, cpu_s: 1 };
    assert.equal(judge(p, opts).pass, true);
    assert.equal(judge({ ...p, p95_ms: 101 }, opts).pass, false);
    assert.equal(judge({ ...p, error_rate: 0.02 }, opts).pass, false);
    assert.equal(judge({ ...p, completed: 0, p95_ms: null }, opts).pass, false);
  });

  it('grows, then bisects to within the resolution of the true capacity', async () => {
    for (const capacity of [1100, 2345, 4000]) {
      const m = model(capacity);
      const r = await searchCapacity(m, opts);
      assert.ok(r.best && r.firstFail, JSON.stringify(r.probes.map((p) => p.rate)));
      assert.ok(r.best.rate <= capacity && r.firstFail.rate > capacity, `${capacity}: ${r.best.rate}..${r.firstFail.rate}`);
      assert.ok(r.firstFail.rate <= r.best.rate * 1.05 + 1, `${capacity}: interval ${r.best.rate}..${r.firstFail.rate}`);
      // A failed probe leaves a backlog: the next probe starts from an idle system.
      const probeCalls = m.calls.map((c, i) => [c, i] as const).filter(([c]) => c.startsWith('probe'));
      r.probes.forEach((p, k) => { if (!p.pass && k + 1 < probeCalls.length) assert.equal(m.calls[probeCalls[k + 1][1] - 1], 'drain', `no drain after failed probe ${k}`); });
    }
  });

  it('goes down when the first rate already fails, and reports no capacity when nothing passes', async () => {
    const r = await searchCapacity(model(700), opts);
    assert.ok(r.best!.rate <= 700 && r.best!.rate >= 700 / 1.05 - 1, String(r.best!.rate));
    const none = await searchCapacity(model(10), { ...opts, maxProbes: 30 });
    assert.equal(none.best, undefined);
    assert.ok(none.probes.every((p) => !p.pass && p.rate >= opts.minRate / opts.growth));
  });

  it('with confirmFailures, a one-off failing probe does not end the search low', async () => {
    const flaky = [1250];
    const plain = await searchCapacity(model(3000, flaky), opts);
    assert.ok(plain.best!.rate < 1250, 'without confirmation the hiccup caps the result');
    const confirmed = await searchCapacity(model(3000, flaky), { ...opts, confirmFailures: true });
    assert.ok(confirmed.best!.rate > 2800, String(confirmed.best!.rate));
    assert.equal(confirmed.probes.filter((p) => p.rate === 1250).length, 2);
  });

  it('stops at maxProbes', async () => {
    const r = await searchCapacity(model(1e9), { ...opts, maxProbes: 4 });
    assert.equal(r.probes.length, 4);
    assert.equal(r.firstFail, undefined);
  });
});
