import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { seriesId, type SeriesKey } from '../../engine/metrics/series';
import { exactQuantile, TimeSeriesStore, type Aggregation, type StoreOptions } from '../../engine/store/index';

const T0 = Date.UTC(2026, 10, 1); // a Sunday, midnight UTC
const dirs: string[] = [];
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'alluse-store-'));
  dirs.push(d);
  return d;
}

/** A deterministic pseudo-random generator (Park–Miller). */
function rng(seed: number): () => number {
  let x = seed;
  return () => (x = (x * 48271) % 2147483647) / 2147483647;
}

class Clock {
  constructor(public t = T0) {}
  now = () => this.t;
}

async function openStore(dir: string, clock: Clock, extra: Partial<StoreOptions> = {}): Promise<TimeSeriesStore> {
  return TimeSeriesStore.open({ dir, now: clock.now, manualFlush: true, ...extra });
}

/** Appends `seconds` of samples every `intervalMs` to each series, flushing every simulated second. */
async function fill(store: TimeSeriesStore, clock: Clock, keys: SeriesKey[], seconds: number, intervalMs: number, value: (k: number, t: number) => number): Promise<Map<string, { t: number; v: number }[]>> {
  const all = new Map<string, { t: number; v: number }[]>(keys.map((k) => [seriesId(k), []]));
  const end = clock.t + seconds * 1000;
  while (clock.t < end) {
    clock.t += intervalMs;
    const t = clock.t;
    store.append(keys.map((series, k) => {
      const v = value(k, t);
      all.get(seriesId(series))!.push({ t, v });
      return { series, t, v };
    }));
    if (t % 1000 === 0) await store.flush();
  }
  await store.flush();
  return all;
}

function exactAgg(vs: number[], agg: Aggregation): number {
  switch (agg) {
    case 'mean': return vs.reduce((a, b) => a + b, 0) / vs.length;
    case 'sum': return vs.reduce((a, b) => a + b, 0);
    case 'min': return Math.min(...vs);
    case 'max': return Math.max(...vs);
    case 'count': return vs.length;
    case 'last': return vs[vs.length - 1];
    default: return exactQuantile(vs, Number(agg.slice(1)) / 100);
  }
}

function exactSteps(samples: { t: number; v: number }[], from: number, to: number, step: number, agg: Aggregation): { t: number; v: number }[] {
  const groups = new Map<number, number[]>();
  for (const s of samples) {
    if (s.t < from || s.t > to) continue;
    const k = Math.floor(s.t / step) * step;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(s.v);
  }
  return [...groups].map(([t, vs]) => ({ t, v: exactAgg(vs, agg) }));
}

function close(actual: number, expected: number, rel: number): boolean {
  return Math.abs(actual - expected) <= rel * Math.max(1, Math.abs(expected));
}

const m = (route: string): SeriesKey => ({ name: 'http_latency_seconds', labels: { route, service: 'api' } });

describe('time-series store: queries and rollups', () => {
  it('stores samples and answers by series, name, labels and time range', async () => {
    const clock = new Clock();
    const store = await openStore(tempDir(), clock);
    const keys = [m('/a'), m('/b'), { name: 'queue_depth', labels: {} }];
    const all = await fill(store, clock, keys, 600, 100, (k, t) => k * 1000 + (t % 7));
    assert.equal(store.listSeries().length, 3);
    assert.deepEqual(store.listSeries({ labels: { route: '/b' } }), [m('/b')]);
    assert.equal(store.listSeries({ name: 'http_latency_seconds' }).length, 2);

    const from = T0 + 120_000;
    const to = T0 + 180_000;
    const r = store.query({ name: 'http_latency_seconds', labels: { route: '/a' }, from, to });
    assert.equal(r.length, 1);
    assert.equal(r[0].resolution, 'raw');
    assert.deepEqual(r[0].points, all.get(seriesId(m('/a')))!.filter((s) => s.t >= from && s.t <= to));

    const byId = store.query({ series: ['queue_depth'], from: 0, to: Infinity });
    assert.equal(byId[0].points.length, 6000);
    assert.deepEqual(byId[0].series, { name: 'queue_depth', labels: {} });
    assert.deepEqual(store.problems, []);
    await store.close();
  });

  it('rollups at 1 s, 1 min and 1 h equal an exact computation (quantiles within 1%), before and after reopening', async () => {
    const dir = tempDir();
    const clock = new Clock(T0 + 1234);
    let store = await openStore(dir, clock);
    const r = rng(7);
    const keys = [m('/p')];
    const all = (await fill(store, clock, keys, 3 * 3600 + 125, 250, () => Math.round(Math.exp(r() * 5) * 1000) / 1e6)).get(seriesId(keys[0]))!;
    const from = T0;
    const to = clock.t;
    const check = (s: TimeSeriesStore) => {
      const cases: [number, Aggregation[], string][] = [
        [500, ['mean', 'p99'], 'raw'],
        [1000, ['mean', 'min', 'max', 'sum', 'count', 'last'], '1s'],
        [10_000, ['p90'], 'raw'],
        [60_000, ['mean', 'min', 'max', 'count', 'last', 'p50', 'p99'], '1m'],
        [300_000, ['mean', 'max', 'p95'], '1m'],
        [3_600_000, ['mean', 'count', 'p50', 'p99'], '1h'],
      ];
      for (const [step, aggs, res] of cases) {
        for (const agg of aggs) {
          const got = s.query({ series: [seriesId(keys[0])], from, to, stepMs: step, agg })[0];
          assert.equal(got.resolution, res, `step ${step} ${agg}`);
          const want = exactSteps(all, from, to, step, agg);
          assert.equal(got.points.length, want.length, `step ${step} ${agg}: point count`);
          const rel = agg.startsWith('p') && res !== 'raw' ? 0.01 + 1e-9 : 1e-9;
          got.points.forEach((p, i) => {
            assert.equal(p.t, want[i].t);
            assert.ok(close(p.v, want[i].v, rel), `step ${step} ${agg} at ${i}: ${p.v} vs exact ${want[i].v}`);
          });
        }
      }
    };
    check(store);
    await store.close();
    store = await openStore(dir, clock);
    check(store);
    assert.deepEqual(store.problems, []);
    await store.close();
  });

  it('drops out-of-order and repeated samples and says so', async () => {
    const clock = new Clock();
    const store = await openStore(tempDir(), clock);
    const k = m('/x');
    store.append([{ series: k, t: T0 + 10, v: 1 }, { series: k, t: T0 + 10, v: 2 }, { series: k, t: T0 + 5, v: 3 }, { series: k, t: NaN, v: 4 }, { series: k, t: T0 + 20, v: 5 }]);
    assert.deepEqual(store.query({ series: [seriesId(k)], from: 0, to: Infinity })[0].points, [{ t: T0 + 10, v: 1 }, { t: T0 + 20, v: 5 }]);
    assert.equal(store.dropped, 3);
    assert.ok(store.problems.some((p) => p.kind === 'dropped'));
    await store.close();
  });

  it('keeps raw data for the raw retention and rollups for the rollup retention, dropping whole files', async () => {
    const dir = tempDir();
    const clock = new Clock();
    const store = await openStore(dir, clock, { rawRetentionMs: 3_600_000, rollupRetentionMs: 30 * 86_400_000 });
    const keys = [m('/r')];
    await fill(store, clock, keys, 6 * 3600, 1000, (_, t) => t / 1000);
    const rawFiles = readdirSync(join(dir, 'raw'));
    // Raw files hold 2 h each: with 1 h of retention only the current file and the previous one remain.
    assert.ok(rawFiles.length <= 2, `raw files: ${rawFiles}`);
    const raw = store.query({ series: [seriesId(keys[0])], from: 0, to: Infinity })[0].points;
    assert.ok(raw[0].t >= clock.t - 3 * 3_600_000 && raw[0].t < clock.t - 3_600_000, `oldest raw sample ${(clock.t - raw[0].t) / 3.6e6} h old`);
    const minutes = store.query({ series: [seriesId(keys[0])], from: 0, to: Infinity, stepMs: 60_000 })[0];
    assert.equal(minutes.resolution, '1m');
    assert.equal(minutes.points[0].t, T0, 'the 1 min tier still has the first minute');
    const u = store.diskUsage();
    assert.ok(u.rawBytes > 0 && u.rollupBytes > 0 && u.samples > 0 && u.bytesPerSample > 0);
    await store.close();
  });
});
