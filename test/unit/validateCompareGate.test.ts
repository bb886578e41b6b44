/**
 * The A/B runner and the regression gate on synthetic, seeded runners: a real 20% latency
 * shift is "worse" with an interval that excludes 0; identical distributions give "no
 * detectable difference" in at least 95% of 200 seeded comparisons; the gate passes noise
 * and fails a real regression beyond its budget; the JUnit XML is well-formed.
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { armOrder, compareMetric, guessDirection, runComparison, type Arm, type RunOnce } from '../../engine/validate/compare';
import { gateJunit, GateUsageError, parseBudget, parseResultFile, runGate, type SampleSet } from '../../engine/validate/gate';
import { Rng } from '../../engine/util/rng';
import { xmlProblems } from '../helpers/xmlWellFormed';

/** A benchmark whose latency is lognormal around `latency[arm]` and throughput normal around `tps[arm]`. */
function syntheticRunner(seed: number, latency: Record<Arm, number>, tps: Record<Arm, number>, calls: Arm[] = []): RunOnce {
  const rng = new Rng(seed);
  return async (arm) => {
    calls.push(arm);
    return { ok: true, metrics: { p95_latency_ms: latency[arm] * Math.exp(0.1 * rng.normal()), throughput_tps: tps[arm] * (1 + 0.03 * rng.normal()) } };
  };
}

describe('A/B comparison', () => {
  it('interleaves A B A B and discards the warm-up rounds', async () => {
    const calls: Arm[] = [];
    const r = await runComparison(syntheticRunner(1, { a: 10, b: 10 }, { a: 100, b: 100 }, calls), { repeats: 4, warmup: 1 });
    assert.deepEqual(calls, ['a', 'b', 'a', 'b', 'a', 'b', 'a', 'b', 'a', 'b']);
    assert.equal(r.runs.filter((x) => x.warmup).length, 2);
    assert.equal(r.samples.a.p95_latency_ms.length, 4);
    assert.equal(r.samples.b.throughput_tps.length, 4);
  });

  it('randomized blocks hold one A and one B each, in a seeded order', () => {
    const o = armOrder(40, 'random', 5);
    assert.ok(o.every((blk) => blk.length === 2 && blk.includes('a') && blk.includes('b')));
    const ba = o.filter((blk) => blk[0] === 'b').length;
    assert.ok(ba > 8 && ba < 32, `${ba} of 40 blocks start with B`);
    assert.deepEqual(armOrder(40, 'random', 5), o);
    assert.notDeepEqual(armOrder(40, 'random', 6), o);
  });

  it('finds a real 20% latency increase: worse, interval excluding 0', async () => {
    const r = await runComparison(syntheticRunner(2, { a: 10, b: 12 }, { a: 100, b: 100 }), { repeats: 12, seed: 2 });
    const lat = r.metrics.find((m) => m.metric === 'p95_latency_ms')!;
    assert.equal(lat.direction, 'minimize');
    assert.equal(lat.verdict, 'worse');
    assert.ok(lat.relativeCi.lo > 0, JSON.stringify(lat.relativeCi));
    assert.ok(lat.relativeCi.lo < 0.2 && lat.relativeCi.hi > 0.2, `the interval ${JSON.stringify(lat.relativeCi)} should hold the true +20%`);
    assert.ok(lat.p < 0.05);
    assert.ok(lat.shift.ci.lo > 0);
    // Throughput did not change.
    assert.equal(r.metrics.find((m) => m.metric === 'throughput_tps')!.verdict, 'no detectable difference');
  });

  it('calls a higher throughput better and a lower one worse', () => {
    const rng = new Rng(9);
    const a = Array.from({ length: 10 }, () => 100 + rng.normal());
    const b = a.map((x) => x * 1.2);
    assert.equal(compareMetric('throughput_tps', a, b, 'maximize').verdict, 'better');
    assert.equal(compareMetric('throughput_tps', b, a, 'maximize').verdict, 'worse');
    assert.equal(compareMetric('p95_latency_ms', a, b, 'minimize').verdict, 'worse');
  });

  it('says "no detectable difference" for identical distributions in at least 95% of 200 seeded runs', async () => {
    let none = 0;
    for (let seed = 0; seed < 200; seed++) {
      const r = await runComparison(syntheticRunner(1000 + seed, { a: 10, b: 10 }, { a: 100, b: 100 }), { repeats: 10, seed, resamples: 1000 });
      if (r.metrics.find((m) => m.metric === 'p95_latency_ms')!.verdict === 'no detectable difference') none++;
    }
    assert.ok(none >= 190, `no detectable difference in ${none} of 200`);
  });

  it('keeps going past a failed run, reports it, and stops when too many fail', async () => {
    let n = 0;
    const flaky: RunOnce = async (arm) => (++n === 3 ? { ok: false, reason: 'exit code 1' } : { ok: true, metrics: { x_ms: arm === 'a' ? 1 + n / 1000 : 2 + n / 1000 } });
    const r = await runComparison(flaky, { repeats: 5, warmup: 0 });
    assert.match(r.problem ?? '', /1 run\(s\) failed; A run 2 failed: exit code 1/);
    assert.equal(r.samples.a.x_ms.length, 4);
    const broken: RunOnce = async () => ({ ok: false, reason: 'no JSON' });
    const r2 = await runComparison(broken, { repeats: 8 });
    assert.match(r2.problem ?? '', /too many: the comparison stopped/);
    assert.ok(r2.runs.length < 18);
    assert.equal(r2.metrics.length, 0);
  });

  it('stops when cancelled', async () => {
    const stop = new AbortController();
    let n = 0;
    const r = await runComparison(async () => {
      if (++n === 4) stop.abort();
      return { ok: true, metrics: { v: n } };
    }, { repeats: 10, signal: stop.signal });
    assert.equal(r.cancelled, true);
    assert.equal(r.runs.length, 4);
  });

  it('guesses directions from metric names', () => {
    assert.equal(guessDirection('p95_latency_ms'), 'minimize');
    assert.equal(guessDirection('error_rate'), 'minimize');
    assert.equal(guessDirection('cpu_seconds.total'), 'minimize');
    assert.equal(guessDirection('throughput_tps'), 'maximize');
    assert.equal(guessDirection('requests_per_second'), 'maximize');
  });
});

function sampleSet(seed: number, latency: number, tps: number, n = 10): SampleSet {
  const rng = new Rng(seed);
  return {
    samples: {
      p95_latency_ms: Array.from({ length: n }, () => latency * Math.exp(0.08 * rng.normal())),
      throughput_tps: Array.from({ length: n }, () => tps * (1 + 0.03 * rng.normal())),
    },
    directions: {},
    source: `set-${seed}`,
  };
}

describe('regression gate', () => {
  const budgets = { p95_latency_ms: parseBudget('p95_latency_ms=+10%'), throughput_tps: parseBudget('throughput_tps=-5%') };

  it('parses budgets and refuses malformed or contradictory ones', () => {
    assert.deepEqual(parseBudget('p95_latency_ms=+10%').budget, { amount: 0.1, relative: true, text: '+10%' });
    assert.deepEqual(parseBudget('rss_bytes=1000000').budget, { amount: 1e6, relative: false, text: '1000000' });
    assert.throws(() => parseBudget('p95=ten'), GateUsageError);
    assert.throws(() => runGate(sampleSet(1, 10, 100), sampleSet(2, 10, 100), { budgets: { throughput_tps: parseBudget('throughput_tps=+5%') } }), /better higher, so its budget is a decrease/);
    assert.throws(() => runGate(sampleSet(1, 10, 100), sampleSet(2, 10, 100), { budgets: { nope: parseBudget('nope=5%') } }), /not a metric of both files/);
  });

  it('passes on noise: 200 seeded baseline/current pairs from the same distribution all pass', () => {
    let failed = 0;
    for (let s = 0; s < 200; s++) if (!runGate(sampleSet(2 * s, 10, 100), sampleSet(2 * s + 1, 10, 100), { budgets, resamples: 1000, seed: s }).passed) failed++;
    assert.ok(failed <= 2, `${failed} of 200 noise comparisons failed the gate`);
  });

  it('passes a real change within its budget', () => {
    const r = runGate(sampleSet(1, 10, 100), sampleSet(2, 10.5, 98), { budgets });
    assert.equal(r.passed, true, r.metrics.map((m) => m.message).join('\n'));
  });

  it('fails a real regression beyond its budget, and says which metric', () => {
    const r = runGate(sampleSet(1, 10, 100), sampleSet(2, 13, 100), { budgets });
    assert.equal(r.passed, false);
    const lat = r.metrics.find((m) => m.metric === 'p95_latency_ms')!;
    assert.equal(lat.status, 'fail');
    assert.ok(lat.worseningLowerBound > 0.1, String(lat.worseningLowerBound));
    assert.match(lat.message, /FAIL/);
    assert.equal(r.metrics.find((m) => m.metric === 'throughput_tps')!.status, 'pass');
    // A throughput drop of 20% fails its -5% budget.
    const r2 = runGate(sampleSet(1, 10, 100), sampleSet(2, 10, 80), { budgets });
    assert.equal(r2.metrics.find((m) => m.metric === 'throughput_tps')!.status, 'fail');
  });

  it('does not fail an over-budget change it cannot tell from noise (too few runs)', () => {
    const r = runGate(sampleSet(1, 10, 100, 2), sampleSet(2, 11.5, 100, 2), { budgets });
    assert.equal(r.passed, true);
  });

  it('reads compare results, samples files and JSON lines of bench runs', () => {
    const cmp = JSON.stringify({ arms: { a: { samples: { x_ms: [1, 2] } }, b: { samples: { x_ms: [3, 4] } } }, directions: { x_ms: 'minimize' } });
    assert.deepEqual(parseResultFile(cmp, 'r.json', 'baseline').samples, { x_ms: [1, 2] });
    assert.deepEqual(parseResultFile(cmp, 'r.json', 'current').samples, { x_ms: [3, 4] });
    assert.deepEqual(parseResultFile('{"samples": {"y": [1, 2, 3]}}', 's.json', 'current').samples, { y: [1, 2, 3] });
    const lines = '[bench] warming up\n{"throughput_tps": 10, "lat": {"p95_ms": 3}}\n{"throughput_tps": 12, "lat": {"p95_ms": 4}}\n';
    assert.deepEqual(parseResultFile(lines, 'b.jsonl', 'baseline').samples, { throughput_tps: [10, 12], 'lat.p95_ms': [3, 4] });
    const opt = '{"trial":0,"params":{},"values":{"t":5},"state":"complete"}\n{"trial":1,"values":null,"state":"failed"}\n{"best":{"trial":0}}';
    assert.deepEqual(parseResultFile(opt, 'o.jsonl', 'baseline').samples, { t: [5] });
    assert.throws(() => parseResultFile('', 'e.json', 'baseline'), /empty/);
    assert.throws(() => parseResultFile('{"samples": {"y": [1, "x"]}}', 's.json', 'baseline'), /array of numbers/);
  });

  it('writes well-formed JUnit XML with a failure per regression', () => {
    const r = runGate(sampleSet(1, 10, 100), sampleSet(2, 13, 100), { budgets });
    r.metrics[0].message += ' <&> "quoted" \u0001';
    const xml = gateJunit(r);
    assert.deepEqual(xmlProblems(xml), []);
    // The checker itself catches what a broken writer would produce.
    assert.notDeepEqual(xmlProblems(xml.replace('&lt;&amp;&gt;', '<&>')), []);
    assert.notDeepEqual(xmlProblems(xml.replace('</testsuite>', '')), []);
    assert.equal((xml.match(/<testcase /g) ?? []).length, 2);
    assert.equal((xml.match(/<failure /g) ?? []).length, 1);
    assert.match(xml, /<testsuites [^>]*tests="2" failures="1"/);
  });
});
