/**
 * `npm run bench:store`: the embedded time-series store on demo-like metrics.
 *
 * - ingest: 100 series (the kinds the demo system exports: counters, histogram buckets,
 *   histogram sums, integer and float gauges, process CPU ratios), scraped every 100 ms with
 *   1–2 ms of jitter, appended with an injected clock as fast as the store takes them, through
 *   the real store (WAL, cuts, chunk files, rollups, fdatasync). Samples/s = samples / wall time
 *   of appending and flushing them.
 * - bytes per sample: size of the raw chunk files / raw samples in them (WAL, checkpoint and
 *   rollups are reported apart), plus a per-kind breakdown from the same codecs.
 * - query: 24 h at a 1-minute step over the 100 series (the 1 min tier), cold (store just
 *   reopened: indexes not read yet) and warm (median of 20), for mean and p99; plus 5 min of
 *   raw samples and 1 h at a 1 s step.
 *
 * BENCH_HOURS (default 24) and BENCH_HZ (default 10) change the amount of data generated.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seriesId, type SeriesKey } from '../engine/metrics/series';
import { encodeTimes, encodeValues, TimeSeriesStore, type Aggregation } from '../engine/store/index';

const HOURS = Number(process.env.BENCH_HOURS ?? 24);
const HZ = Number(process.env.BENCH_HZ ?? 10);
const INTERVAL = 1000 / HZ;
const T0 = Date.UTC(2026, 10, 2);

let seed = 12345;
const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
const poisson = (mean: number) => {
  // Normal approximation is enough for a benchmark (means here are >= 0.1).
  if (mean < 5) { let k = 0; let p = Math.exp(-mean); let s = p; const u = rnd(); while (u > s && k < 50) { k++; p *= mean / k; s += p; } return k; }
  return Math.max(0, Math.round(mean + Math.sqrt(mean) * (rnd() + rnd() + rnd() - 1.5) * 2));
};

type Kind = 'counter' | 'histogram bucket' | 'histogram sum' | 'integer gauge' | 'float gauge' | 'cpu ratio';
interface Gen { key: SeriesKey; kind: Kind; next: (t: number) => number }

/** 100 series shaped like the demo system's metrics (see examples/all-use/src). */
function demoSeries(): Gen[] {
  const out: Gen[] = [];
  const counter = (name: string, labels: Record<string, string>, perSec: number) => {
    let c = 0;
    out.push({ key: { name, labels }, kind: 'counter', next: () => (c += poisson(perSec / HZ)) });
  };
  const routes = ['/tick', '/account', '/positions', '/health'];
  for (const route of routes) for (const code of ['200', '500']) counter('alluse_http_requests_total', { route, code }, code === '200' ? 200 : 0.5);
  for (const kind of ['timeout', 'validation', 'io', 'rejected']) counter('alluse_errors_total', { kind }, 0.2);
  for (const outcome of ['received', 'completed', 'rejected', 'failed']) counter('alluse_engine_ticks_total', { outcome }, outcome === 'received' || outcome === 'completed' ? 500 : 1);
  for (const name of ['alluse_engine_options_priced_total', 'alluse_account_updates_total', 'alluse_account_cache_hits_total', 'alluse_account_cache_misses_total', 'alluse_account_flushes_total', 'alluse_account_flushed_accounts_total', 'alluse_learning_ticks_total', 'alluse_learning_predictions_total']) counter(name, {}, 50 + rnd() * 400);
  for (const name of ['alluse_learning_train_runs_total', 'alluse_engine_worker_timeouts_total', 'alluse_engine_worker_restarts_total', 'alluse_learning_train_timeouts_total']) counter(name, {}, 0.01);
  // Histograms: cumulative bucket counters, _count and _sum (a float that grows by every observation).
  const LE = ['0.0005', '0.001', '0.0025', '0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '+Inf'];
  const histogram = (name: string, labels: Record<string, string>, perSec: number, median: number) => {
    const counts = LE.map(() => 0);
    let sum = 0;
    let n = 0;
    let lastT = -1;
    const step = (t: number) => {
      if (t === lastT) return;
      lastT = t;
      const k = poisson(perSec / HZ);
      for (let i = 0; i < k; i++) {
        const v = median * Math.exp(0.7 * (rnd() + rnd() + rnd() - 1.5) * 2);
        sum += v;
        n++;
        LE.forEach((le, j) => { if (le === '+Inf' || v <= Number(le)) counts[j]++; });
      }
    };
    LE.forEach((le, j) => out.push({ key: { name: `${name}_bucket`, labels: { ...labels, le } }, kind: 'histogram bucket', next: (t) => { step(t); return counts[j]; } }));
    out.push({ key: { name: `${name}_count`, labels }, kind: 'counter', next: (t) => { step(t); return n; } });
    out.push({ key: { name: `${name}_sum`, labels }, kind: 'histogram sum', next: (t) => { step(t); return sum; } });
  };
  histogram('alluse_http_request_duration_seconds', { route: '/tick' }, 200, 0.002);
  histogram('alluse_engine_tick_latency_seconds', {}, 500, 0.004);
  histogram('alluse_engine_batch_duration_seconds', {}, 50, 0.01);
  // Integer gauges: queue depth, busy workers, cache entries, dirty accounts, constants.
  const intGauge = (name: string, labels: Record<string, string>, f: (prev: number) => number, init: number) => {
    let v = init;
    out.push({ key: { name, labels }, kind: 'integer gauge', next: () => (v = f(v)) });
  };
  intGauge('alluse_engine_queue_depth', {}, (p) => Math.max(0, p + Math.round((rnd() - 0.5) * 6)), 10);
  intGauge('alluse_engine_workers_busy', {}, () => Math.floor(rnd() * 5), 0);
  intGauge('alluse_account_cache_entries', {}, (p) => Math.min(5000, p + (rnd() < 0.3 ? 1 : 0)), 4000);
  intGauge('alluse_account_dirty_accounts', {}, (p) => (rnd() < 0.05 ? 0 : p + poisson(3)), 0);
  for (const [name, v] of [['alluse_engine_queue_capacity', 1000], ['alluse_engine_workers', 4], ['alluse_account_cache_capacity', 5000], ['alluse_component_info', 1], ['alluse_fault_active', 0]] as const) intGauge(name, {}, () => v, v);
  for (const component of ['market-feed', 'protocol-engine', 'account-service', 'learning-worker', 'system']) {
    intGauge('process_resident_memory_bytes', { component }, (p) => p + (rnd() < 0.1 ? Math.round((rnd() - 0.45) * 64) * 4096 : 0), 80 << 20);
    intGauge('process_heap_used_bytes', { component }, (p) => (rnd() < 0.05 ? 30_000_000 : p + Math.floor(rnd() * 20_000)), 30_000_000);
  }
  // Float gauges: ratio recomputed each second, loss updated per retraining, ages, event loop lag.
  const floatGauge = (name: string, labels: Record<string, string>, f: (t: number, prev: number) => number) => {
    let v = 0;
    out.push({ key: { name, labels }, kind: 'float gauge', next: (t) => (v = f(t, v)) });
  };
  floatGauge('alluse_account_cache_hit_ratio', {}, (t, p) => (t % 1000 < INTERVAL ? 0.9 + rnd() * 0.05 : p));
  floatGauge('alluse_learning_validation_loss', {}, (t, p) => (t % 60_000 < INTERVAL || p === 0 ? 0.01 + rnd() * 0.002 : p));
  floatGauge('alluse_engine_prediction_age_seconds', {}, (t) => ((t % 30_000) / 1000));
  floatGauge('alluse_learning_last_train_timestamp_seconds', {}, (t) => Math.floor(t / 60_000) * 60);
  for (const component of ['market-feed', 'protocol-engine', 'account-service']) {
    floatGauge('nodejs_eventloop_lag_seconds', { component }, (t, p) => (t % 1000 < INTERVAL ? 0.0005 + rnd() * 0.002 : p));
  }
  // Process CPU from the collector: a fresh full-precision ratio at every sample (the worst case).
  for (const component of ['market-feed', 'protocol-engine', 'account-service', 'learning-worker']) {
    out.push({ key: { name: 'process_cpu_ratio', labels: { component } }, kind: 'cpu ratio', next: () => (Math.round(rnd() * 40_000) / 1e6) / (INTERVAL / 1000) });
  }
  return out; // 31 counters, 36 histogram buckets, 3 histogram sums, 19 integer gauges, 7 float gauges, 4 CPU ratios
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n: number, d = 1) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'alluse-store-bench-'));
  const gens = demoSeries();
  const ids = gens.map((g) => seriesId(g.key));
  let now = T0;
  const store = await TimeSeriesStore.open({ dir, now: () => now, manualFlush: true });

  // Per-kind breakdown: the first 3,000 samples (one 5-minute block at 10 Hz) of each series, through the same codecs.
  const sampleBlock = new Map<number, { t: number[]; v: number[] }>();
  const ticks = Math.round((HOURS * 3_600_000) / INTERVAL);
  let samples = 0;
  const batch = gens.map((g) => ({ series: g.key, t: 0, v: 0 }));
  const t0 = performance.now();
  let lastFlush = now;
  let appendMs = 0;
  for (let k = 0; k < ticks; k++) {
    const tick = T0 + Math.round(k * INTERVAL);
    now = tick + (rnd() < 0.7 ? 0 : 1 + Math.floor(rnd() * 2)); // scrape time: 0–2 ms late
    for (let i = 0; i < gens.length; i++) {
      batch[i].t = now;
      batch[i].v = gens[i].next(tick);
      if (k < 3000) {
        let b = sampleBlock.get(i);
        if (!b) sampleBlock.set(i, (b = { t: [], v: [] }));
        b.t.push(now);
        b.v.push(batch[i].v);
      }
    }
    const a = performance.now();
    store.append(batch);
    appendMs += performance.now() - a;
    samples += batch.length;
    // The real store flushes its WAL every 500 ms of wall time; here once per simulated minute (more often, per sample).
    if (now - lastFlush >= 60_000) { lastFlush = now; await store.flush(); }
    if (k % Math.round(3_600_000 / INTERVAL) === 0 && k) process.stderr.write(`  ${k / Math.round(3_600_000 / INTERVAL)} h generated\n`);
  }
  await store.flush();
  const ingestMs = performance.now() - t0;
  const c0 = performance.now();
  await store.close();
  const closeMs = performance.now() - c0;

  const reopened = await TimeSeriesStore.open({ dir, now: () => now, manualFlush: true });
  const u = reopened.diskUsage();
  const time = (f: () => unknown) => { const a = performance.now(); f(); return performance.now() - a; };
  const q24 = (agg: Aggregation) => () => reopened.query({ series: ids, from: now - 24 * 3_600_000, to: now, stepMs: 60_000, agg });
  const coldMean = time(q24('mean'));
  const warmMean = median(Array.from({ length: 20 }, () => time(q24('mean'))));
  const warmP99 = median(Array.from({ length: 10 }, () => time(q24('p99'))));
  const r = q24('mean')() as ReturnType<TimeSeriesStore['query']>;
  const points = r.reduce((n, x) => n + x.points.length, 0);
  const raw5 = median(Array.from({ length: 10 }, () => time(() => reopened.query({ series: ids, from: now - 300_000, to: now }))));
  const sec1h = median(Array.from({ length: 10 }, () => time(() => reopened.query({ series: ids, from: now - 3_600_000, to: now, stepMs: 1000, agg: 'max' }))));

  const kinds = new Map<Kind, { bytes: number; n: number; series: number }>();
  for (const [i, b] of sampleBlock) {
    const e = kinds.get(gens[i].kind) ?? { bytes: 0, n: 0, series: 0 };
    e.bytes += encodeTimes(b.t).length + encodeValues(b.v).length;
    e.n += b.t.length;
    e.series++;
    kinds.set(gens[i].kind, e);
  }

  const mb = (n: number) => `${fmt(n / 1048576, 1)} MiB`;
  console.log(`Time-series store benchmark (Node ${process.version}, ${process.platform}/${process.arch})`);
  console.log(`method: ${gens.length} demo-like series, one sample every ${INTERVAL} ms (0–2 ms jitter), ${HOURS} h with an injected clock;`);
  console.log(`        real store in a temp folder (WAL fdatasync'ed once per simulated minute, 5-minute cuts, rollups 1 s/1 min/1 h).`);
  console.log('');
  console.log(`ingest:           ${fmt(samples, 0)} samples in ${fmt(ingestMs / 1000, 2)} s = ${fmt(samples / (ingestMs / 1000), 0)} samples/s (append() alone: ${fmt(samples / (appendMs / 1000), 0)} samples/s; close ${fmt(closeMs, 0)} ms)`);
  console.log(`disk:             raw ${mb(u.rawBytes)} for ${fmt(u.samples, 0)} samples = ${fmt(u.bytesPerSample, 3)} bytes/sample`);
  console.log(`                  rollups ${mb(u.rollupBytes)} (1 s ${mb(u.tiers['1s'])}, 1 min ${mb(u.tiers['1m'])}, 1 h ${mb(u.tiers['1h'])}), WAL ${mb(u.walBytes)}, checkpoint ${mb(u.checkpointBytes)}`);
  console.log(`                  all files: ${fmt((u.rawBytes + u.rollupBytes + u.checkpointBytes) / u.samples, 3)} bytes per raw sample`);
  console.log('by kind (first 3,000 samples of each series, same codecs, without block headers):');
  for (const [k, e] of [...kinds].sort((a, b) => a[1].bytes / a[1].n - b[1].bytes / b[1].n)) console.log(`  ${k.padEnd(17)} ${String(e.series).padStart(3)} series  ${fmt(e.bytes / e.n, 3)} bytes/sample`);
  console.log('');
  console.log(`query 24 h, 1 min step, ${ids.length} series (${fmt(points, 0)} points, tier ${r[0]?.resolution}):`);
  console.log(`  mean, cold (just reopened): ${fmt(coldMean, 1)} ms`);
  console.log(`  mean, warm (median of 20):  ${fmt(warmMean, 1)} ms`);
  console.log(`  p99 from sketches (median of 10): ${fmt(warmP99, 1)} ms`);
  console.log(`query 5 min raw, ${ids.length} series (median of 10): ${fmt(raw5, 1)} ms`);
  console.log(`query 1 h at 1 s step (max), ${ids.length} series (median of 10): ${fmt(sec1h, 1)} ms`);
  if (reopened.problems.length) console.log('problems:', reopened.problems);
  await reopened.close();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
