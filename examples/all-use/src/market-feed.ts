// market-feed: simulates market data for `symbols` instruments (geometric Brownian motion
// with stochastic volatility, seeded) at `rate_per_s` ticks per second with periodic
// bursts, and pushes them to the protocol engine (and a sample to the learning worker)
// every `send_interval_ms`. Ticks carry their scheduled creation time, so latency is
// measured from when a tick should have existed, not from when we got round to sending it.
import { runComponent, type ComponentContext } from './shared/component.js';
import type { Schema } from './shared/config.js';
import { client, LATENCY_BUCKETS } from './shared/metrics.js';
import { requestJson } from './shared/http.js';
import { nowMs } from './shared/clock.js';
import { normal, rng } from './shared/rng.js';
import type { Tick } from './engine/types.js';

const schema = {
  rate_per_s: { type: 'float', min: 0, max: 1_000_000, default: 1800 },
  symbols: { type: 'int', min: 1, max: 10_000, default: 24 },
  send_interval_ms: { type: 'int', min: 1, max: 10_000, default: 10 },
  max_in_flight: { type: 'int', min: 1, max: 10_000, default: 16 },
  burst_every_s: { type: 'float', min: 0, max: 3600, default: 5 },
  burst_length_s: { type: 'float', min: 0, max: 3600, default: 1 },
  burst_factor: { type: 'float', min: 1, max: 100, default: 1.5 },
  learning_sample_every: { type: 'int', min: 0, max: 1_000_000, default: 4 },
  seed: { type: 'int', min: 0, max: 2 ** 31, default: 42 },
  request_timeout_ms: { type: 'int', min: 10, max: 600_000, default: 5000 },
  engine_url: { type: 'string', default: 'http://127.0.0.1:9462' },
  learning_url: { type: 'string', default: 'http://127.0.0.1:9464' },
} satisfies Schema;

/** Deterministic price paths: symbol i has its own drift-free GBM with mean-reverting vol. */
class Market {
  private readonly u: () => number;
  private readonly price: number[] = [];
  private readonly vol: number[] = [];
  private seq = 0;
  constructor(readonly n: number, seed: number) {
    this.u = rng(seed);
    for (let i = 0; i < n; i++) { this.price.push(50 + 200 * this.u()); this.vol.push(0.15 + 0.3 * this.u()); }
  }
  next(ts: number): Tick {
    const i = Math.floor(this.u() * this.n);
    const dt = 1 / (252 * 6.5 * 3600); // one second of a trading year
    this.vol[i] = Math.max(0.05, this.vol[i] + 0.05 * (0.3 - this.vol[i]) * 0.01 + 0.01 * normal(this.u));
    this.price[i] *= Math.exp(this.vol[i] * Math.sqrt(dt) * 40 * normal(this.u));
    return { seq: this.seq++, symbol: `SYM${String(i).padStart(3, '0')}`, price: this.price[i], vol: this.vol[i], ts };
  }
}

async function start(ctx: ComponentContext<typeof schema>) {
  const c = ctx.config;
  const engineUrl = ctx.peer('protocol-engine', c.engine_url);
  const learningUrl = ctx.peer('learning-worker', c.learning_url);
  const reg = [ctx.metrics.registry];
  const ticks = new client.Counter({ name: 'alluse_feed_ticks_total', help: 'Ticks by outcome: generated, sent (accepted), rejected (engine queue full), failed (send error), dropped (too many requests in flight)', labelNames: ['outcome'], registers: reg });
  for (const o of ['generated', 'sent', 'rejected', 'failed', 'dropped']) ticks.inc({ outcome: o }, 0);
  const sendDuration = new client.Histogram({ name: 'alluse_feed_send_duration_seconds', help: 'Round trip of one tick batch to the engine', buckets: LATENCY_BUCKETS, registers: reg });
  const inFlightG = new client.Gauge({ name: 'alluse_feed_in_flight_requests', help: 'Tick batches awaiting the engine', registers: reg });
  const rateG = new client.Gauge({ name: 'alluse_feed_target_rate', help: 'Current target tick rate (bursts included)', registers: reg });

  const counts = { generated: 0, sent: 0, rejected: 0, failed: 0, dropped: 0 };
  let market = new Market(c.symbols, c.seed);
  let running = false;
  let startedAt = 0;
  let emitted = 0;
  let lastLoop = 0;
  let inFlight = 0;
  let timer: NodeJS.Timeout | undefined;

  /** Ticks due by `t` seconds after start: the integral of the (bursty) rate. */
  function dueBy(t: number): number {
    if (!(c.burst_every_s > 0 && c.burst_length_s > 0)) return Math.floor(t * c.rate_per_s);
    const period = c.burst_every_s, len = Math.min(c.burst_length_s, period);
    const full = Math.floor(t / period), rem = t - full * period;
    // The burst occupies the last `len` seconds of each period.
    const burstRem = Math.max(0, rem - (period - len));
    const extra = (full * len + burstRem) * (c.burst_factor - 1);
    return Math.floor((t + extra) * c.rate_per_s);
  }

  function tickLoop(): void {
    if (!running) return;
    const now = nowMs();
    const t = (now - startedAt) / 1000;
    const due = dueBy(t);
    const batch: Tick[] = [];
    const n = due - emitted;
    for (let i = 1; i <= n; i++) {
      // Scheduled time: spread the due ticks evenly over the time since the last loop.
      batch.push(market.next(lastLoop + (i / n) * (now - lastLoop)));
    }
    emitted = due;
    lastLoop = now;
    const inBurst = c.burst_every_s > 0 && (t % c.burst_every_s) >= c.burst_every_s - c.burst_length_s;
    rateG.set(c.rate_per_s * (inBurst ? c.burst_factor : 1));
    if (batch.length) {
      counts.generated += batch.length;
      ticks.inc({ outcome: 'generated' }, batch.length);
      void send(batch);
    }
    timer = setTimeout(tickLoop, c.send_interval_ms);
  }

  async function send(batch: Tick[]): Promise<void> {
    if (c.learning_sample_every > 0) {
      const sample = batch.filter((tk) => tk.seq % c.learning_sample_every === 0);
      if (sample.length) requestJson(`${learningUrl}/ticks`, sample, c.request_timeout_ms).catch(() => ctx.metrics.errors.inc({ kind: 'learning_send' }));
    }
    if (inFlight >= c.max_in_flight) {
      // Back-pressure: the engine is not keeping up; a real feed handler drops stale data.
      counts.dropped += batch.length;
      ticks.inc({ outcome: 'dropped' }, batch.length);
      ctx.metrics.errors.inc({ kind: 'dropped' }, batch.length);
      return;
    }
    inFlight++;
    inFlightG.set(inFlight);
    const t0 = performance.now();
    try {
      const spike = ctx.faults.extraDelayMs();
      if (spike > 0) await new Promise((r) => setTimeout(r, spike));
      if (ctx.faults.shouldFail()) throw new Error('injected send error (error-burst fault)');
      const res = await requestJson(`${engineUrl}/ticks`, batch, c.request_timeout_ms);
      const b = res.body as { accepted?: number; rejected?: number };
      if (res.status === 200 || res.status === 429) {
        const rejected = b?.rejected ?? 0;
        counts.sent += batch.length - rejected; counts.rejected += rejected;
        ticks.inc({ outcome: 'sent' }, batch.length - rejected);
        if (rejected) { ticks.inc({ outcome: 'rejected' }, rejected); ctx.metrics.errors.inc({ kind: 'rejected' }, rejected); }
      } else {
        counts.failed += batch.length;
        ticks.inc({ outcome: 'failed' }, batch.length);
        ctx.metrics.errors.inc({ kind: 'engine_status' }, batch.length);
      }
    } catch {
      counts.failed += batch.length;
      ticks.inc({ outcome: 'failed' }, batch.length);
      ctx.metrics.errors.inc({ kind: 'engine_unreachable' }, batch.length);
    } finally {
      inFlight--;
      inFlightG.set(inFlight);
      sendDuration.observe((performance.now() - t0) / 1000);
    }
  }

  function begin(seed: number): void {
    if (timer) clearTimeout(timer);
    market = new Market(c.symbols, seed);
    emitted = 0;
    startedAt = nowMs();
    lastLoop = startedAt;
    running = true;
    tickLoop();
  }

  // The bench starts the workload explicitly (--paused + this endpoint) so that every run
  // replays the same seeded sequence from its beginning.
  ctx.route('POST', '/admin/workload', (req) => {
    const b = (req.body ?? {}) as { action?: string; seed?: number; rate?: number };
    if (b.action === 'start') {
      // The bench may offer a different load than the config file (to measure capacity).
      if (b.rate !== undefined) {
        if (typeof b.rate !== 'number' || !(b.rate > 0) || b.rate > 1_000_000) return { status: 400, json: { error: 'rate must be a number of ticks per second in (0, 1000000]' } };
        c.rate_per_s = b.rate;
      }
      begin(typeof b.seed === 'number' ? b.seed : c.seed);
      return { json: { ok: true, running, rate_per_s: c.rate_per_s } };
    }
    if (b.action === 'stop') { running = false; if (timer) clearTimeout(timer); return { json: { ok: true, running } }; }
    return { status: 400, json: { error: 'action must be "start" or "stop"' } };
  }, { admin: true });

  if (!ctx.args.paused) setImmediate(() => begin(c.seed));

  return {
    stats: () => ({ ticks: { ...counts }, running, in_flight: inFlight }),
    async stop() { running = false; if (timer) clearTimeout(timer); },
  };
}

void runComponent({
  name: 'market-feed',
  defaultPort: 9461,
  schema,
  faults: ['memory-leak', 'cpu-hog', 'latency-spike', 'error-burst'],
  ownsLatencySpike: true,
  start,
});
