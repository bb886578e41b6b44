// protocol-engine: receives ticks from the market feed, evaluates the trading-protocol
// rules for each, prices the touched option positions in a pool of worker threads
// (bounded queue + batching), and books the results with the account service.
// A tick's latency runs from its creation in the feed to the account service's ack.
import { join } from 'node:path';
import { runComponent, type ComponentContext } from './shared/component.js';
import type { Schema } from './shared/config.js';
import { client, LATENCY_BUCKETS } from './shared/metrics.js';
import { requestJson } from './shared/http.js';
import { nowMs } from './shared/clock.js';
import { SampleWindow } from './shared/quantiles.js';
import { BoundedQueue } from './engine/queue.js';
import { WorkerPool } from './engine/pool.js';
import { Rules } from './engine/rules.js';
import { Booker } from './engine/booker.js';
import type { Job, PositionUpdate, Tick } from './engine/types.js';

/** The pool, for the stuck-worker fault hook (hooks are wired before start() runs). */
let poolRef: WorkerPool | undefined;

const schema = {
  workers: { type: 'int', min: 1, max: 32, default: 4 },
  batch_size: { type: 'int', min: 1, max: 1024, default: 8 },
  batch_timeout_ms: { type: 'float', min: 0.1, max: 1000, default: 20 },
  queue_capacity: { type: 'int', min: 1, max: 1_000_000, default: 5000 },
  worker_timeout_ms: { type: 'int', min: 50, max: 600_000, default: 2000 },
  prediction_refresh_ms: { type: 'int', min: 20, max: 600_000, default: 500 },
  risk_free_rate: { type: 'float', min: -0.05, max: 0.5, default: 0.03 },
  accounts: { type: 'int', min: 1, max: 10_000_000, default: 5000 },
  accounts_per_tick: { type: 'int', min: 1, max: 64, default: 2 },
  strikes: { type: 'int', min: 1, max: 64, default: 6 },
  expiries_days: { type: 'any', default: [7, 30, 90] },
  tail_strikes: { type: 'int', min: 0, max: 64, default: 4 },
  scenario_spot_shocks: { type: 'int', min: 1, max: 41, default: 5 },
  scenario_vol_shocks: { type: 'int', min: 1, max: 11, default: 3 },
  surface_strikes: { type: 'int', min: 2, max: 201, default: 11 },
  surface_expiries: { type: 'int', min: 2, max: 50, default: 4 },
  account_url: { type: 'string', default: 'http://127.0.0.1:9463' },
  learning_url: { type: 'string', default: 'http://127.0.0.1:9464' },
} satisfies Schema;

async function start(ctx: ComponentContext<typeof schema>) {
  const c = ctx.config;
  const expiries = Array.isArray(c.expiries_days) && c.expiries_days.every((d) => typeof d === 'number' && d > 0) ? (c.expiries_days as number[]) : null;
  if (!expiries || !expiries.length) throw new Error('expiries_days must be a non-empty list of positive numbers');
  const accountUrl = ctx.peer('account-service', c.account_url);
  const learningUrl = ctx.peer('learning-worker', c.learning_url);
  const reg = [ctx.metrics.registry];

  const ticks = new client.Counter({ name: 'alluse_engine_ticks_total', help: 'Ticks by outcome: received, completed, rejected (queue full), failed', labelNames: ['outcome'], registers: reg });
  for (const o of ['received', 'completed', 'rejected', 'failed']) ticks.inc({ outcome: o }, 0);
  const latency = new client.Histogram({ name: 'alluse_engine_tick_latency_seconds', help: 'Tick latency from creation in the feed to booking by the account service', buckets: LATENCY_BUCKETS, registers: reg });
  const queueDepth = new client.Gauge({ name: 'alluse_engine_queue_depth', help: 'Jobs waiting for a pricing worker', registers: reg });
  new client.Gauge({ name: 'alluse_engine_queue_capacity', help: 'Configured queue capacity', registers: reg }).set(c.queue_capacity);
  const batchSize = new client.Histogram({ name: 'alluse_engine_batch_size', help: 'Jobs per dispatched batch', buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024], registers: reg });
  const batchDuration = new client.Histogram({ name: 'alluse_engine_batch_duration_seconds', help: 'Time a worker spends on one batch', buckets: LATENCY_BUCKETS, registers: reg });
  const options = new client.Counter({ name: 'alluse_engine_options_priced_total', help: 'Option legs priced', registers: reg });
  const busy = new client.Gauge({ name: 'alluse_engine_workers_busy', help: 'Workers currently pricing a batch', registers: reg });
  new client.Gauge({ name: 'alluse_engine_workers', help: 'Configured worker threads', registers: reg }).set(c.workers);
  const timeouts = new client.Counter({ name: 'alluse_engine_worker_timeouts_total', help: 'Batches failed by the watchdog (stuck worker)', registers: reg });
  const restarts = new client.Counter({ name: 'alluse_engine_worker_restarts_total', help: 'Worker threads replaced', registers: reg });
  const predictionAge = new client.Gauge({ name: 'alluse_engine_prediction_age_seconds', help: 'Age of the volatility forecasts in use', registers: reg });

  const rules = new Rules({ accounts: c.accounts, accounts_per_tick: c.accounts_per_tick, strikes: c.strikes, expiries_days: expiries, tail_strikes: c.tail_strikes });
  // The queue holds raw ticks; rules are evaluated when a batch is dispatched, so a full
  // queue costs little memory (eager legs made a backlog thrash the GC).
  const queue = new BoundedQueue<Tick>(c.queue_capacity);
  const window = new SampleWindow();
  const counts = { received: 0, completed: 0, rejected: 0, failed: 0 };
  let predictions: Record<string, number> = {};
  let predictionsAt = 0;

  const pool = new WorkerPool({
    size: c.workers,
    script: join(__dirname, 'pricing-worker.js'),
    timeoutMs: c.worker_timeout_ms,
    workerData: { spotShocks: c.scenario_spot_shocks, volShocks: c.scenario_vol_shocks, surfaceStrikes: c.surface_strikes, surfaceExpiries: c.surface_expiries },
    onTimeout: () => { timeouts.inc(); ctx.metrics.errors.inc({ kind: 'worker_timeout' }); },
    onRestart: () => restarts.inc(),
  });
  poolRef = pool;

  // At most two booking requests open; more priced results wait and are booked together.
  const booker = new Booker(async (updates) => (await requestJson(`${accountUrl}/positions`, updates, 5000)).status === 200);

  function fail(jobs: Job[], kind: string): void {
    counts.failed += jobs.length;
    ticks.inc({ outcome: 'failed' }, jobs.length);
    ctx.metrics.errors.inc({ kind }, jobs.length);
  }

  async function runBatch(jobs: Job[]): Promise<void> {
    const t0 = performance.now();
    batchSize.observe(jobs.length);
    let results;
    try {
      results = await pool.run({ jobs, predictions, rate: c.risk_free_rate });
    } catch {
      fail(jobs, 'pricing');
      return;
    } finally {
      batchDuration.observe((performance.now() - t0) / 1000);
      busy.set(pool.busyCount);
      schedule();
    }
    const updates: PositionUpdate[] = [];
    let legs = 0;
    for (const r of results) { legs += r.options; for (const u of r.updates) updates.push(u); }
    options.inc(legs);
    const spike = ctx.faults.extraDelayMs();
    if (spike > 0) await new Promise((r) => setTimeout(r, spike));
    const booked = await booker.book(updates, jobs.length);
    schedule(); // a booking slot or backlog room may have opened for the next batch
    if (!booked) { fail(jobs, 'account_service'); return; }
    const now = nowMs();
    for (const j of jobs) {
      const ms = Math.max(0, now - j.tick.ts);
      latency.observe(ms / 1000);
      window.add(ms);
    }
    counts.completed += jobs.length;
    ticks.inc({ outcome: 'completed' }, jobs.length);
  }

  // Dispatch: a batch leaves when it is full or its oldest job has waited batch_timeout_ms,
  // and only to an idle worker (otherwise jobs keep accumulating into bigger batches).
  let timer: NodeJS.Timeout | undefined;
  let stopping = false;
  // Back-pressure: while more than a queue's worth of priced ticks waits for the account
  // service, pricing more would only grow memory; ticks wait in the bounded queue instead.
  const canPrice = () => pool.hasIdle() && booker.backlog < c.queue_capacity;
  function schedule(): void {
    if (stopping) return;
    const now = performance.now();
    while (queue.length > 0 && canPrice()) {
      const oldest = queue.oldest()!;
      if (queue.length < c.batch_size && now - oldest < c.batch_timeout_ms) break;
      void runBatch(queue.take(c.batch_size).map((t) => rules.evaluate(t)));
    }
    busy.set(pool.busyCount);
    queueDepth.set(queue.length);
    if (timer) { clearTimeout(timer); timer = undefined; }
    if (queue.length > 0 && canPrice()) {
      timer = setTimeout(() => { timer = undefined; schedule(); }, Math.max(0, queue.oldest()! + c.batch_timeout_ms - now));
    }
  }

  ctx.route('POST', '/ticks', (req) => {
    const list = req.body as Tick[];
    if (!Array.isArray(list)) return { status: 400, json: { error: 'expected an array of ticks' } };
    const now = performance.now();
    let accepted = 0, rejected = 0;
    for (const t of list) {
      if (queue.push(t, now)) accepted++; else rejected++;
    }
    counts.received += list.length;
    counts.rejected += rejected;
    ticks.inc({ outcome: 'received' }, list.length);
    if (rejected) { ticks.inc({ outcome: 'rejected' }, rejected); ctx.metrics.errors.inc({ kind: 'queue_full' }, rejected); }
    schedule();
    return { status: rejected && !accepted ? 429 : 200, json: { accepted, rejected } };
  });

  ctx.route('POST', '/admin/window', () => { window.reset(); return { json: { ok: true } }; }, { admin: true });

  async function refreshPredictions(): Promise<void> {
    try {
      const res = await requestJson(`${learningUrl}/predict`, undefined, 2000);
      const body = res.body as { predictions?: Record<string, number> };
      if (res.status === 200 && body?.predictions) { predictions = body.predictions; predictionsAt = Date.now(); }
      else ctx.metrics.errors.inc({ kind: 'prediction' });
    } catch {
      ctx.metrics.errors.inc({ kind: 'prediction' });
    }
    predictionAge.set(predictionsAt ? (Date.now() - predictionsAt) / 1000 : -1);
  }
  const predTimer = setInterval(() => void refreshPredictions(), c.prediction_refresh_ms);
  void refreshPredictions();

  return {
    stats() {
      const [p50, p95, p99] = window.quantiles([0.5, 0.95, 0.99]);
      return {
        ticks: { ...counts }, queue_depth: queue.length, workers_busy: pool.busyCount, booking_backlog: booker.backlog, bookings_in_flight: booker.inFlight,
        window: { since: window.since, count: window.count, p50_ms: p50, p95_ms: p95, p99_ms: p99, mean_ms: window.mean() },
      };
    },
    async stop() {
      stopping = true;
      clearInterval(predTimer);
      if (timer) clearTimeout(timer);
      queue.drain();
      await pool.close();
    },
  };
}

void runComponent({
  name: 'protocol-engine',
  defaultPort: 9462,
  schema,
  faults: ['memory-leak', 'cpu-hog', 'latency-spike', 'error-burst', 'stuck-worker'],
  ownsLatencySpike: true,
  faultHooks: () => ({ 'stuck-worker': (on, p) => poolRef?.setStuck(on, typeof p.workers === 'number' ? p.workers : 1) }),
  start,
});
