// The ALL-USE demo system, for real: start the four processes, scrape every /metrics,
// run a short benchmark, switch each fault on and watch the expected metric move, then
// stop and check that no process, pid file or port is left behind. No mocks.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDemo } from '../../examples/all-use/build.mjs';
import { COMPONENT_NAMES, DEMO_ROOT, httpGet, startSystem, type ComponentName, type RunningSystem } from '../../examples/all-use/src/system.ts';

let sys: RunningSystem | undefined;
let runDir: string;

/** Parses the Prometheus text format into name{labels} -> value. */
function parseMetrics(text: string): { samples: Map<string, number>; types: Map<string, string> } {
  const samples = new Map<string, number>();
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) { const [, , name, type] = line.split(' '); types.set(name, type); continue; }
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    assert.ok(m, `malformed metrics line: ${line}`);
    // Drop the constant component label so keys stay short.
    const labels = (m[2] ?? '').replace(/,?component="[^"]*"/, '').replace('{,', '{').replace('{}', '');
    samples.set(m[1] + labels, Number(m[3]));
  }
  return { samples, types };
}

async function scrape(name: ComponentName) {
  const r = await httpGet(sys!.components[name].metricsUrl, 5000);
  assert.equal(r.status, 200, `${name} /metrics status`);
  return parseMetrics(r.body);
}

/** Sum of every sample of a metric whose key starts with `prefix` (e.g. a label set). */
async function value(name: ComponentName, key: string): Promise<number> {
  const { samples } = await scrape(name);
  let sum = 0, found = false;
  for (const [k, v] of samples) if (k === key || k.startsWith(key + '{')) { sum += v; found = true; }
  return found ? sum : NaN;
}

/** Polls `cond` until it is true or the deadline passes. */
async function waitFor(what: string, cond: () => Promise<boolean>, timeoutMs = 20000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) assert.fail(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function fault(name: ComponentName, body: Record<string, unknown>): Promise<void> {
  const r = await fetch(`${sys!.components[name].url}/admin/fault`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(r.status, 200, `${name} fault ${JSON.stringify(body)}: ${await r.text()}`);
}

before(async () => {
  await buildDemo({ quiet: true });
  runDir = mkdtempSync(join(tmpdir(), 'alluse-demo-test-'));
  sys = await startSystem({ ports: 'ephemeral', runDir, logs: 'file' });
});

after(async () => {
  await sys?.stop();
  rmSync(runDir, { recursive: true, force: true });
});

test('every component serves Prometheus metrics with its expected series', async () => {
  await waitFor('the engine completes ticks', async () => (await value('protocol-engine', 'alluse_engine_ticks_total{outcome="completed"}')) > 100);
  const common = ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_gc_duration_seconds', 'alluse_http_requests_total', 'alluse_http_request_duration_seconds', 'alluse_errors_total', 'alluse_fault_active'];
  const own: Record<ComponentName, string[]> = {
    'market-feed': ['alluse_feed_ticks_total', 'alluse_feed_send_duration_seconds', 'alluse_feed_in_flight_requests'],
    'protocol-engine': ['alluse_engine_ticks_total', 'alluse_engine_tick_latency_seconds', 'alluse_engine_queue_depth', 'alluse_engine_batch_size', 'alluse_engine_workers_busy', 'alluse_engine_worker_timeouts_total'],
    'account-service': ['alluse_account_updates_total', 'alluse_account_cache_hit_ratio', 'alluse_account_cache_evictions_total', 'alluse_account_flush_duration_seconds'],
    'learning-worker': ['alluse_learning_train_runs_total', 'alluse_learning_validation_loss', 'alluse_learning_predictions_total'],
  };
  for (const name of COMPONENT_NAMES) {
    const { types, samples } = await scrape(name);
    for (const m of [...common, ...own[name]]) assert.ok(types.has(m), `${name} exposes ${m}`);
    assert.equal(types.get('alluse_engine_tick_latency_seconds') ?? 'histogram', 'histogram');
    assert.ok((samples.get('process_resident_memory_bytes') ?? 0) > 10e6, `${name} reports its RSS`);
  }
  await waitFor('the account cache reports a hit ratio', async () => (await value('account-service', 'alluse_account_cache_hit_ratio')) > 0);
  await waitFor('the learning worker retrains', async () => (await value('learning-worker', 'alluse_learning_train_runs_total')) >= 1);
  const h = await httpGet(`${sys!.components['protocol-engine'].url}/healthz`);
  assert.equal(h.status, 200);
});

test('bad config fails fast with a clear message', async () => {
  const bad = join(runDir, 'bad.yaml');
  writeFileSync(bad, 'workers: 0\n');
  const r = await new Promise<{ code: number | null; stderr: string }>((res) => {
    const c = execFile(process.execPath, [join(DEMO_ROOT, 'dist/protocol-engine.js'), '--config', bad, '--port', '0'], (_e, _o, stderr) => res({ code: c.exitCode, stderr }));
  });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /workers: must be within \[1, 32\]/);
});

test('faults move the expected metrics', async (t) => {
  await t.test('memory-leak grows the heap', async () => {
    const heap0 = await value('learning-worker', 'nodejs_heap_size_used_bytes');
    await fault('learning-worker', { fault: 'memory-leak', on: true, mb_per_s: 80 });
    await waitFor('heap +60 MB', async () => (await value('learning-worker', 'nodejs_heap_size_used_bytes')) > heap0 + 60e6);
    assert.equal(await value('learning-worker', 'alluse_fault_active{fault="memory-leak"}'), 1);
    await fault('learning-worker', { fault: 'memory-leak', on: false });
  });

  await t.test('cpu-hog burns CPU and stalls the event loop', async () => {
    // CPU rate relative to the component's own baseline: the machine may be shared and
    // busy, so an absolute share of a core is not guaranteed, the increase is.
    const rate = async (ms: number) => {
      const c0 = await value('market-feed', 'process_cpu_seconds_total'), t0 = Date.now();
      await new Promise((r) => setTimeout(r, ms));
      return ((await value('market-feed', 'process_cpu_seconds_total')) - c0) / ((Date.now() - t0) / 1000);
    };
    const base = await rate(1000);
    await fault('market-feed', { fault: 'cpu-hog', on: true, duty: 0.8, period_ms: 200 });
    await waitFor('event-loop lag above 100 ms', async () => (await value('market-feed', 'nodejs_eventloop_lag_max_seconds')) > 0.1);
    await waitFor(`CPU use well above the baseline of ${base.toFixed(2)} core`, async () => (await rate(1000)) > base + 0.2);
    await fault('market-feed', { fault: 'cpu-hog', on: false });
  });

  await t.test('latency-spike fattens the tick latency tail', async () => {
    const slow = async () => (await value('protocol-engine', 'alluse_engine_tick_latency_seconds_count')) - (await value('protocol-engine', 'alluse_engine_tick_latency_seconds_bucket{le="0.25"}'));
    const slow0 = await slow();
    await fault('protocol-engine', { fault: 'latency-spike', on: true, probability: 0.5, delay_ms: 300 });
    await waitFor('100 more ticks slower than 250 ms', async () => (await slow()) > slow0 + 100);
    await fault('protocol-engine', { fault: 'latency-spike', on: false });
  });

  await t.test('error-burst makes requests fail', async () => {
    const failed0 = await value('protocol-engine', 'alluse_engine_ticks_total{outcome="failed"}');
    await fault('account-service', { fault: 'error-burst', on: true, rate: 0.8 });
    await waitFor('engine ticks fail', async () => (await value('protocol-engine', 'alluse_engine_ticks_total{outcome="failed"}')) > failed0 + 50);
    await waitFor('injected 500s counted', async () => (await value('account-service', 'alluse_http_requests_total{route="/positions",code="500"}')) > 0);
    await fault('account-service', { fault: 'error-burst', on: false });
  });

  await t.test('slow-disk lengthens flushes', async () => {
    const slow = async () => (await value('account-service', 'alluse_account_flush_duration_seconds_count')) - (await value('account-service', 'alluse_account_flush_duration_seconds_bucket{le="0.075"}'));
    const slow0 = await slow();
    await fault('account-service', { fault: 'slow-disk', on: true, delay_ms: 100 });
    await waitFor('5 more flushes slower than 75 ms', async () => (await slow()) >= slow0 + 5);
    await fault('account-service', { fault: 'slow-disk', on: false });
  });

  await t.test('stuck-worker trips the watchdog', async () => {
    const t0 = await value('protocol-engine', 'alluse_engine_worker_timeouts_total');
    await fault('protocol-engine', { fault: 'stuck-worker', on: true, workers: 1 });
    await waitFor('a worker timeout and restart', async () => (await value('protocol-engine', 'alluse_engine_worker_timeouts_total')) > t0
      && (await value('protocol-engine', 'alluse_engine_worker_restarts_total')) > 0);
    await fault('protocol-engine', { fault: 'stuck-worker', on: false });
  });

  await t.test('unknown fault and unsupported fault are refused', async () => {
    const r1 = await fetch(`${sys!.components['market-feed'].url}/admin/fault`, { method: 'POST', body: JSON.stringify({ fault: 'meteor', on: true }) });
    assert.equal(r1.status, 400);
    const r2 = await fetch(`${sys!.components['market-feed'].url}/admin/fault`, { method: 'POST', body: JSON.stringify({ fault: 'slow-disk', on: true }) });
    assert.equal(r2.status, 400);
  });
});

test('bench prints one JSON line with the expected fields', async () => {
  // Pause the system under test meanwhile: two full systems on 2 cores would starve the bench's.
  const feed = `${sys!.components['market-feed'].url}/admin/workload`;
  assert.equal((await fetch(feed, { method: 'POST', body: JSON.stringify({ action: 'stop' }) })).status, 200);
  const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((res) => {
    const c = execFile(process.execPath, [join(DEMO_ROOT, 'bench'), '--duration', '3s', '--warmup', '500ms'], { timeout: 60000 }, (_e, stdout, stderr) => res({ code: c.exitCode, stdout, stderr }));
  });
  assert.equal(out.code, 0, out.stderr);
  const lines = out.stdout.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stdout, got: ${out.stdout}`);
  const r = JSON.parse(lines[0]);
  for (const k of ['throughput_tps', 'p50_latency_ms', 'p95_latency_ms', 'p99_latency_ms', 'error_rate', 'duration_s']) assert.equal(typeof r[k], 'number', `${k} is a number`);
  assert.ok(r.throughput_tps > 0 && r.completed > 0, `throughput ${r.throughput_tps}`);
  assert.ok(r.p50_latency_ms <= r.p95_latency_ms && r.p95_latency_ms <= r.p99_latency_ms);
  assert.ok(r.error_rate >= 0 && r.error_rate <= 1);
  assert.ok(Math.abs(r.duration_s - 3) < 1, `duration_s ${r.duration_s}`);
  for (const n of COMPONENT_NAMES) {
    assert.equal(typeof r.cpu_seconds[n], 'number', `cpu_seconds.${n}`);
    assert.ok(r.peak_rss_mb[n] > 10, `peak_rss_mb.${n}`);
  }
  assert.match(out.stderr, /\[bench\]/); // progress goes to stderr
  assert.equal((await fetch(feed, { method: 'POST', body: JSON.stringify({ action: 'start' }) })).status, 200);
});

test('stop leaves no process, pid file or port behind', async () => {
  const comps = Object.values(sys!.components);
  for (const c of comps) assert.ok(existsSync(c.pidFile), `${c.name} wrote its pid file`);
  await sys!.stop();
  sys = undefined;
  for (const c of comps) {
    assert.throws(() => process.kill(c.pid, 0), { code: 'ESRCH' }, `${c.name} (pid ${c.pid}) is gone`);
    assert.ok(!existsSync(c.pidFile), `${c.name} pid file removed`);
    await new Promise<void>((res, rej) => {
      const s = net.createServer();
      s.once('error', (e) => rej(new Error(`port ${c.port} of ${c.name} still in use: ${e.message}`)));
      s.listen(c.port, '127.0.0.1', () => s.close(() => res()));
    });
  }
});
