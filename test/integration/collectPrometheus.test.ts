/**
 * PrometheusApiSource against a REAL Prometheus server (Debian package `prometheus`): the test
 * starts /usr/bin/prometheus on a free loopback port with its own config and data folder,
 * scraping a prom-client fixture (test/fixtures/collect/busyChild.cjs) every second, waits
 * until the target's samples appear, and reads them back under the local collection names.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PrometheusApiSource } from '../../engine/collect/index';
import { freePort, startPrometheus, type PrometheusServer } from '../helpers/prometheusServer';

const FIXTURE = join(__dirname, '..', 'fixtures', 'collect', 'busyChild.cjs');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, f: () => Promise<T | undefined>, deadlineMs: number, log: () => string = () => ''): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${log()}`);
    await sleep(250);
  }
}

function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => {
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(t);
      r();
    });
    child.kill('SIGTERM');
  });
}

describe('PrometheusApiSource against a real Prometheus server', () => {
  let prom: PrometheusServer | undefined;
  let target: ChildProcess | undefined;
  let base = '';
  const promLog = () => prom?.log() ?? '';

  before(async () => {
    const targetPort = await freePort();
    target = spawn(process.execPath, [FIXTURE, '--tag', 'prom-target', '--port', String(targetPort), '--busy-ms', '5'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await until('the fixture to listen', async () => (target!.stdout!.read()?.toString().includes('listening') ? true : undefined), 15_000);
    prom = await startPrometheus({ 'fixture-component': `127.0.0.1:${targetPort}` });
    base = prom.url;
  });

  after(async () => {
    await prom?.stop();
    await stop(target);
  });

  it('reads the scraped series back through query_range and series, under the local names', async () => {
    const src = new PrometheusApiSource({ baseUrl: base, scrapeIntervalMs: 1000, timeoutMs: 10_000 });
    // Wait until at least three scrapes are stored (rates need two samples in their window).
    await until(
      'three scrapes of the fixture',
      async () => {
        const r = await src.queryRange('count_over_time(up{job="fixture-component"}[1m])', { startMs: Date.now(), endMs: Date.now(), stepMs: 1000 }, { name: 'n' });
        return r.samples.some((s) => s.v >= 3) ? true : undefined;
      },
      60_000,
      promLog,
    );
    const now = Date.now();
    const range = { startMs: now - 30_000, endMs: now, stepMs: 1000 };

    const series = await src.series(['{job="fixture-component"}'], range);
    assert.deepEqual(series.problems, []);
    const names = new Set(series.series.map((s) => s.name));
    for (const n of ['up', 'fixture_requests_total', 'fixture_latency_seconds_bucket', 'fixture_queue_depth', 'process_resident_memory_bytes']) assert.ok(names.has(n), n);

    const r = await src.readComponent('fixture-component', range, { metrics: ['up', 'fixture_requests_total', 'fixture_latency_seconds_bucket', 'fixture_latency_seconds_count', 'fixture_queue_depth', 'process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds'] });
    assert.deepEqual(r.problems, []);
    const last = new Map<string, { v: number; labels: Record<string, string> }>();
    for (const s of r.samples) last.set(s.series.name, { v: s.v, labels: { ...s.series.labels } });
    assert.equal(last.get('up')?.v, 1);
    assert.deepEqual(last.get('fixture_queue_depth'), { v: 7, labels: { component: 'fixture-component' } });
    assert.deepEqual(last.get('fixture_requests_total_rate')?.labels, { component: 'fixture-component', route: '/a' });
    const rate = last.get('fixture_requests_total_rate')!.v;
    assert.ok(rate > 20 && rate < 200, `request rate ${rate} (the fixture adds 10 every 100 ms)`);
    // observations 0.05 and 0.5 alternate: the median lies in (0.01, 0.1] or (0.1, 1]; p99 in (0.1, 1]
    const p99 = last.get('fixture_latency_seconds_p99')!.v;
    assert.ok(p99 > 0.1 && p99 <= 1, `p99 ${p99}`);
    assert.ok(last.get('fixture_latency_seconds_p50')!.v > 0.01);
    assert.ok(last.get('fixture_latency_seconds_rate')!.v > 5);
    assert.ok(last.get('process_cpu_ratio')!.v >= 0);
    assert.ok(last.get('process_resident_memory_bytes')!.v > 10 * 1024 * 1024);
    assert.ok(last.get('nodejs_eventloop_lag_seconds')!.v >= 0);
    assert.ok(r.samples.every((s) => s.t >= range.startMs && s.t <= range.endMs + 1));
    // without a metric list it discovers the series itself
    const all = await src.readComponent('fixture-component', range);
    assert.deepEqual(all.problems, []);
    assert.ok(all.samples.some((s) => s.series.name === 'fixture_latency_seconds_p95'));
  });

  it('reports server errors and unreachable servers as problems, with the server message', async () => {
    const src = new PrometheusApiSource({ baseUrl: base, timeoutMs: 5000 });
    const bad = await src.queryRange('rate(up[', { startMs: Date.now() - 10_000, endMs: Date.now(), stepMs: 1000 });
    assert.equal(bad.samples.length, 0);
    assert.equal(bad.problems[0].kind, 'bad-response');
    assert.match(bad.problems[0].message, /bad_data: .*parse error/);
    const down = new PrometheusApiSource({ baseUrl: 'http://127.0.0.1:1', timeoutMs: 2000 });
    const r = await down.queryRange('up', { startMs: Date.now() - 10_000, endMs: Date.now(), stepMs: 1000 });
    assert.equal(r.problems[0].kind, 'unavailable');
    assert.match(r.problems[0].message, /refused the connection.*\(query: up\)/);
  });
});
