import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bucketDeltas, ClockJumpDetector, counterIncrease, histogramQuantile, parsePrometheusText, PrometheusConverter, RateTracker, seriesIdOf } from './collectHelpers';
import fc from 'fast-check';
import { formatPrometheusText as formatFamilies, type MetricFamily } from '../../engine/collect/promParse';

const close = (a: number, b: number, msg?: string) => assert.ok(Math.abs(a - b) < 1e-9, `${msg ?? ''} ${a} != ${b}`);

describe('histogram quantiles (histogram_quantile semantics)', () => {
  const b = [
    { le: 0.1, count: 10 },
    { le: 0.5, count: 30 },
    { le: 1, count: 40 },
    { le: Infinity, count: 40 },
  ];
  it('interpolates linearly inside the bucket of the rank (hand-computed)', () => {
    close(histogramQuantile(0.5, b), 0.3); // rank 20 in (0.1, 0.5]: 0.1 + 0.4 × 10/20
    close(histogramQuantile(0.9, b), 0.8); // rank 36 in (0.5, 1]: 0.5 + 0.5 × 6/10
    close(histogramQuantile(0.95, b), 0.9);
    close(histogramQuantile(0.99, b), 0.98);
    close(histogramQuantile(0.1, b), 0.04); // first bucket starts at 0
  });
  it('a rank in the +Inf bucket gives the largest finite bound; edge cases', () => {
    close(histogramQuantile(0.9, [{ le: 0.1, count: 10 }, { le: Infinity, count: 20 }]), 0.1);
    assert.ok(Number.isNaN(histogramQuantile(0.5, [{ le: 1, count: 0 }, { le: Infinity, count: 0 }]))); // no observations
    close(histogramQuantile(0.5, [{ le: 1, count: 3 }, { le: Infinity, count: 0 }]), 0.5); // counts clamped to be monotonic, as Prometheus does
    assert.ok(Number.isNaN(histogramQuantile(0.5, [{ le: 1, count: 3 }, { le: 2, count: 4 }]))); // no +Inf
    assert.equal(histogramQuantile(-1, b), -Infinity);
    assert.equal(histogramQuantile(2, b), Infinity);
    // unsorted input and non-monotonic counts (a scrape racing an observation) are tolerated
    close(histogramQuantile(0.5, [...b].reverse()), 0.3);
  });
  it('bucket increases between scrapes, with resets', () => {
    const prev = [{ le: 1, count: 5 }, { le: Infinity, count: 8 }];
    assert.deepEqual(bucketDeltas(prev, [{ le: 1, count: 7 }, { le: Infinity, count: 12 }]), [{ le: 1, count: 2 }, { le: Infinity, count: 4 }]);
    assert.deepEqual(bucketDeltas(prev, [{ le: 1, count: 1 }, { le: Infinity, count: 2 }]), [{ le: 1, count: 1 }, { le: Infinity, count: 2 }]); // reset
    assert.equal(bucketDeltas(prev, [{ le: 2, count: 7 }, { le: Infinity, count: 12 }]), undefined); // other bounds
  });
});

describe('counter rates', () => {
  it('per second of monotonic time; a decrease is a reset; first value gives none', () => {
    const r = new RateTracker();
    assert.equal(r.update('a', 100, 0), undefined);
    assert.equal(r.update('a', 150, 500), 100);
    assert.equal(r.update('a', 20, 1500), 20); // reset: counted from 0
    assert.equal(r.update('a', 20, 1500), undefined); // no time passed
    assert.equal(r.update('a', NaN, 1600), undefined);
    assert.equal(r.update('a', 5, 1700), undefined); // NaN forgot the previous value
    assert.equal(counterIncrease(10, 4), 4);
  });
  it('detects wall-clock jumps against the monotonic clock', () => {
    let mono = 0;
    const d = new ClockJumpDetector({ monoMs: () => mono }, 1000);
    assert.equal(d.check(1_000_000), undefined);
    mono = 100;
    assert.equal(d.check(1_000_100), undefined);
    mono = 200;
    assert.equal(d.check(1_000_100 - 3_600_000 + 100), -3_600_000); // an hour back
    mono = 300;
    assert.equal(d.check(1_000_100 - 3_600_000 + 200), undefined);
  });
});

describe('scrape conversion', () => {
  const scrape = (ticks: number, buckets: [number, number, number, number], gauge = 3) =>
    parsePrometheusText(`# TYPE ticks_total counter
ticks_total{outcome="ok"} ${ticks}
# TYPE latency_seconds histogram
latency_seconds_bucket{le="0.1"} ${buckets[0]}
latency_seconds_bucket{le="0.5"} ${buckets[1]}
latency_seconds_bucket{le="1"} ${buckets[2]}
latency_seconds_bucket{le="+Inf"} ${buckets[3]}
latency_seconds_sum 12
latency_seconds_count ${buckets[3]}
# TYPE queue_depth gauge
queue_depth{component="other"} ${gauge}
# TYPE rpc summary
rpc{quantile="0.5"} 0.2
rpc_sum 3
rpc_count 30
`).families;

  it('counters → _rate, histograms → quantiles of the interval and _rate, gauges kept, summaries keep quantiles', () => {
    const c = new PrometheusConverter('engine');
    const first = c.convert(scrape(100, [5, 10, 10, 10]), 1_000, 0);
    assert.deepEqual(first.map(seriesIdOf).sort(), ['queue_depth{component="engine",exported_component="other"}', 'rpc{component="engine",quantile="0.5"}']);
    const second = c.convert(scrape(300, [15, 40, 50, 50], 4), 3_000, 2_000);
    const got = Object.fromEntries(second.map((s) => [seriesIdOf(s), s.v]));
    assert.equal(got['ticks_total_rate{component="engine",outcome="ok"}'], 100); // 200 over 2 s
    assert.equal(got['latency_seconds_rate{component="engine"}'], 20); // 40 observations over 2 s
    // bucket increases 10, 30, 40, 40: the hand-computed example above
    close(got['latency_seconds_p50{component="engine"}'], 0.3);
    close(got['latency_seconds_p90{component="engine"}'], 0.8);
    close(got['latency_seconds_p95{component="engine"}'], 0.9);
    close(got['latency_seconds_p99{component="engine"}'], 0.98);
    assert.equal(got['queue_depth{component="engine",exported_component="other"}'], 4);
    assert.equal(got['rpc_rate{component="engine"}'], 0);
    assert.ok(second.every((s) => s.t === 3_000));
  });

  it('a counter reset (component restart) gives the new value as increase, not a negative rate', () => {
    const c = new PrometheusConverter('engine');
    c.convert(scrape(1000, [5, 10, 10, 10]), 0, 0);
    const after = c.convert(scrape(50, [1, 2, 4, 4]), 1000, 1000);
    const got = Object.fromEntries(after.map((s) => [seriesIdOf(s), s.v]));
    assert.equal(got['ticks_total_rate{component="engine",outcome="ok"}'], 50);
    assert.equal(got['latency_seconds_rate{component="engine"}'], 4);
    close(got['latency_seconds_p50{component="engine"}'], 0.5); // increases 1, 2, 4, 4: rank 2 ends bucket (0.1, 0.5]
  });

  it('no observations in the interval gives no quantiles; vanished series are forgotten', () => {
    const c = new PrometheusConverter('engine');
    c.convert(scrape(1, [5, 10, 10, 10]), 0, 0);
    const same = c.convert(scrape(1, [5, 10, 10, 10]), 100, 100);
    assert.ok(!same.some((s) => /_p\d\d$/.test(s.series.name)));
    assert.ok(c.stateSize > 0);
    c.convert([], 200, 200);
    assert.equal(c.stateSize, 0);
  });

  it('remembering ids per repeated labels object (the scrape collector: a parser with a series cache) changes nothing', () => {
    // Scrapes whose series come and go, with counters, histograms and gauges.
    // Several label sets per name (ids must not mix them up), and a gauge that comes and goes.
    const text = (n: number, k: number) =>
      parsePrometheusText(`# TYPE ticks_total counter
ticks_total{outcome="ok"} ${100 * n}
ticks_total{outcome="error"} ${3 * n}
# TYPE latency_seconds histogram
${['0.1', '0.5', '+Inf'].map((le, i) => `latency_seconds_bucket{route="a",le="${le}"} ${(i + 1) * 5 * n}\nlatency_seconds_bucket{route="b",le="${le}"} ${(i + 2) * n}`).join('\n')}
latency_seconds_count{route="a"} ${15 * n}
latency_seconds_count{route="b"} ${4 * n}
# TYPE queue_depth gauge
queue_depth{q="in"} ${n}
${k % 3 ? `queue_depth{q="out"} ${2 * n}` : ''}
`).families;
    const plain = new PrometheusConverter('engine');
    const memo = new PrometheusConverter('engine', { labelsRepeat: true });
    const seriesCache = new Map();
    for (let k = 1; k < 12; k++) {
      const families = text(k, k);
      // The same text parsed with the cache: the labels objects repeat from the second scrape.
      const cached = parsePrometheusText(formatFamilies(families), { seriesCache }).families;
      const a = plain.convert(families, k * 1000, k * 1000);
      const b = memo.convert(cached, k * 1000, k * 1000);
      assert.deepEqual(b.map((s) => [seriesIdOf(s), s.t, s.v]), a.map((s) => [seriesIdOf(s), s.t, s.v]), `scrape ${k}`);
      assert.equal(memo.stateSize, plain.stateSize);
    }
    // The same key object for the same series in every scrape.
    const x = memo.convert(parsePrometheusText(formatFamilies(text(20, 1)), { seriesCache }).families, 20_000, 20_000);
    const y = memo.convert(parsePrometheusText(formatFamilies(text(21, 1)), { seriesCache }).families, 21_000, 21_000);
    const keyOf = (l: typeof x, id: string) => l.find((s) => seriesIdOf(s) === id)?.series;
    assert.ok(keyOf(y, 'queue_depth{component="engine",q="in"}'));
    assert.equal(keyOf(y, 'queue_depth{component="engine",q="in"}'), keyOf(x, 'queue_depth{component="engine",q="in"}'));
  });
  it('histogram quantiles without bucket objects: the same as bucketDeltas + histogramQuantile on every scrape (seeded property)', () => {
    // Scrapes of one histogram with two label sets that come and go, bounds out of order,
    // changed, NaN or missing +Inf, counts that reset or decrease with le.
    const les = ['0.1', '0.5', '1', '2.5', '+Inf', 'NaN', '-1', '0'];
    const group = fc.record({ route: fc.constantFrom('a', 'b'), bounds: fc.uniqueArray(fc.constantFrom(...les), { minLength: 0, maxLength: 6 }), counts: fc.array(fc.nat(50), { minLength: 6, maxLength: 6 }) });
    const scrapes = fc.array(fc.array(group, { maxLength: 2 }), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(scrapes, (seq) => {
        const conv = new PrometheusConverter('engine', { labelsRepeat: true });
        const prev = new Map<string, { le: number; count: number }[]>();
        const seriesCache = new Map();
        seq.forEach((groups, k) => {
          const samples: MetricFamily['samples'] = [];
          const seen = new Set<string>();
          for (const g of groups) {
            if (seen.has(g.route)) continue;
            seen.add(g.route);
            g.bounds.forEach((le, i) => samples.push({ name: 'lat_bucket', labels: { route: g.route, le }, value: g.counts[i] }));
          }
          const text = formatFamilies([{ name: 'lat', type: 'histogram', samples }]);
          const got = conv.convert(parsePrometheusText(text, { seriesCache }).families, k * 1000, k * 1000).map((s) => [seriesIdOf(s), s.v]);
          // The reference: what the converter computed with bucket objects.
          const want: [string, number][] = [];
          const next = new Map<string, { le: number; count: number }[]>();
          for (const route of seen) {
            const cur = samples.filter((s) => s.labels.route === route).map((s) => ({ le: Number(s.labels.le.replace('+Inf', 'Infinity')), count: s.value }));
            cur.sort((a, b) => a.le - b.le);
            next.set(route, cur);
            const p = prev.get(route);
            if (!p) continue;
            const d = bucketDeltas(p, cur);
            if (!d || !(d[d.length - 1]?.count > 0)) continue;
            for (const [suffix, q] of [['_p50', 0.5], ['_p90', 0.9], ['_p95', 0.95], ['_p99', 0.99]] as const) {
              const v = histogramQuantile(q, d);
              if (!Number.isNaN(v)) want.push([`lat${suffix}{component="engine",route="${route}"}`, v]);
            }
          }
          prev.clear();
          for (const [r, b] of next) prev.set(r, b);
          assert.deepEqual(got, want, `scrape ${k}`);
        });
      }),
      { seed: 4711, numRuns: 2000 },
    );
  });
});
