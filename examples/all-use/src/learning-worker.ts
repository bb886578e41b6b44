// learning-worker: keeps a window of recent ticks, retrains a small volatility model
// on a schedule (data-parallel SGD over `threads` worker threads, weights averaged),
// checkpoints it to disk, and serves per-symbol volatility forecasts to the engine.
import { Worker } from 'node:worker_threads';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { runComponent, type ComponentContext } from './shared/component.js';
import type { Schema } from './shared/config.js';
import { client, LATENCY_BUCKETS } from './shared/metrics.js';
import { rng } from './shared/rng.js';
import { evaluate, initWeights, predict, type Shape } from './learning/model.js';
import type { TrainReply, TrainRequest } from './learning/train-worker.js';
import type { Tick } from './engine/types.js';

const schema = {
  batch_size: { type: 'int', min: 1, max: 65536, default: 8 },
  epochs: { type: 'int', min: 1, max: 1000, default: 6 },
  threads: { type: 'int', min: 1, max: 32, default: 3 },
  retrain_interval_ms: { type: 'int', min: 10, max: 3_600_000, default: 1000 },
  window_samples: { type: 'int', min: 64, max: 10_000_000, default: 8000 },
  hidden_units: { type: 'int', min: 1, max: 1024, default: 16 },
  learning_rate: { type: 'float', min: 1e-6, max: 10, default: 0.05 },
  train_timeout_ms: { type: 'int', min: 100, max: 3_600_000, default: 10000 },
  seed: { type: 'int', min: 0, max: 2 ** 31, default: 7 },
} satisfies Schema;

const VOL_LAGS = 6, RET_LAGS = 2;
const shape0 = (hidden: number): Shape => ({ inputs: VOL_LAGS + RET_LAGS, hidden });

/** Recent history of one symbol, from which a feature vector is built. */
interface History { vols: number[]; rets: number[]; last: number }

async function start(ctx: ComponentContext<typeof schema>) {
  const c = ctx.config;
  const shape = shape0(c.hidden_units);
  const reg = [ctx.metrics.registry];
  const samplesC = new client.Counter({ name: 'alluse_learning_ticks_total', help: 'Ticks received for training', registers: reg });
  const windowG = new client.Gauge({ name: 'alluse_learning_window_samples', help: 'Training samples in the window', registers: reg });
  const runs = new client.Counter({ name: 'alluse_learning_train_runs_total', help: 'Completed retraining runs', registers: reg });
  const trainDuration = new client.Histogram({ name: 'alluse_learning_train_duration_seconds', help: 'Wall time of one retraining run', buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: reg });
  const timeouts = new client.Counter({ name: 'alluse_learning_train_timeouts_total', help: 'Retraining runs abandoned because a thread did not answer (stuck worker)', registers: reg });
  const loss = new client.Gauge({ name: 'alluse_learning_validation_loss', help: 'Mean squared error of the current model on held-out recent samples', registers: reg });
  const lastTrain = new client.Gauge({ name: 'alluse_learning_last_train_timestamp_seconds', help: 'When the model was last retrained (unix seconds)', registers: reg });
  const predictions = new client.Counter({ name: 'alluse_learning_predictions_total', help: 'Forecasts served', registers: reg });
  const checkpointDuration = new client.Histogram({ name: 'alluse_learning_checkpoint_duration_seconds', help: 'Time to write a model checkpoint', buckets: LATENCY_BUCKETS, registers: reg });

  // Ring buffer of samples: X row-major (inputs per sample), y the next observed volatility.
  const cap = c.window_samples;
  const X = new Float64Array(cap * shape.inputs);
  const Y = new Float64Array(cap);
  let written = 0;
  const hist = new Map<string, History>();
  const features = (h: History, out: Float64Array, o: number) => {
    for (let i = 0; i < VOL_LAGS; i++) out[o + i] = h.vols[h.vols.length - 1 - i];
    for (let i = 0; i < RET_LAGS; i++) out[o + VOL_LAGS + i] = 100 * h.rets[h.rets.length - 1 - i];
  };

  ctx.route('POST', '/ticks', (req) => {
    const list = req.body as Tick[];
    if (!Array.isArray(list)) return { status: 400, json: { error: 'expected an array of ticks' } };
    for (const t of list) {
      let h = hist.get(t.symbol);
      if (!h) { h = { vols: [], rets: [], last: t.price }; hist.set(t.symbol, h); }
      if (h.vols.length >= VOL_LAGS && h.rets.length >= RET_LAGS) {
        const slot = written % cap;
        features(h, X, slot * shape.inputs);
        Y[slot] = t.vol;
        written++;
      }
      h.rets.push(Math.abs(Math.log(t.price / h.last)));
      h.vols.push(t.vol);
      h.last = t.price;
      if (h.vols.length > VOL_LAGS) h.vols.shift();
      if (h.rets.length > RET_LAGS) h.rets.shift();
    }
    samplesC.inc(list.length);
    windowG.set(Math.min(written, cap));
    return { json: { ok: true } };
  });

  let weights = initWeights(shape, rng(c.seed));
  let version = 0;
  let trainedAt = 0;
  const hbuf = new Float64Array(shape.hidden);
  const fbuf = new Float64Array(shape.inputs);
  ctx.route('GET', '/predict', () => {
    const out: Record<string, number> = {};
    for (const [sym, h] of hist) {
      if (h.vols.length < VOL_LAGS || h.rets.length < RET_LAGS) continue;
      features(h, fbuf, 0);
      out[sym] = Math.min(2, Math.max(0.05, predict(shape, weights, fbuf, 0, hbuf)));
    }
    predictions.inc(Object.keys(out).length);
    return { json: { predictions: out, model_version: version, trained_at: trainedAt } };
  });

  // Training threads, each with a flag the stuck-worker fault can set.
  interface Slot { worker: Worker; stuck: Int32Array }
  const slots: Slot[] = [];
  const spawn = (stuck: Int32Array): Slot => ({ worker: new Worker(join(__dirname, 'train-worker.js'), { workerData: { stuckFlag: stuck } }), stuck });
  for (let i = 0; i < c.threads; i++) slots.push(spawn(new Int32Array(new SharedArrayBuffer(4))));
  stuckHook = (on, count) => slots.forEach((s, i) => { Atomics.store(s.stuck, 0, on && i < count ? 1 : 0); Atomics.notify(s.stuck, 0); });

  let nextId = 1;
  function trainOn(slot: Slot, req: Omit<TrainRequest, 'id' | 'type'>): Promise<TrainReply> {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { cleanup(); reject(new Error('timeout')); }, c.train_timeout_ms);
      const onMsg = (m: TrainReply) => { if (m.id === id) { cleanup(); resolve(m); } };
      const onErr = (e: Error) => { cleanup(); reject(e); };
      const cleanup = () => { clearTimeout(timer); slot.worker.off('message', onMsg); slot.worker.off('error', onErr); };
      slot.worker.on('message', onMsg);
      slot.worker.on('error', onErr);
      slot.worker.postMessage({ type: 'train', id, ...req } satisfies TrainRequest);
    });
  }

  // Asynchronous, so a slow disk delays the checkpoint but never blocks /predict.
  async function checkpoint(): Promise<void> {
    const t0 = performance.now();
    const fh = await open(join(ctx.dataDir, 'model.json'), 'w');
    try {
      await fh.writeFile(JSON.stringify({ version, shape, weights: Array.from(weights) }));
      await fh.sync();
      const delay = ctx.faults.diskDelayMs(); // slow-disk fault: the device takes longer to acknowledge
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    } finally { await fh.close(); }
    checkpointDuration.observe((performance.now() - t0) / 1000);
  }

  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let round = 0;
  async function retrain(): Promise<void> {
    const n = Math.min(written, cap);
    if (n >= 64) {
      const t0 = performance.now();
      // Chronological order; the newest 10% is held out for validation.
      const order = Array.from({ length: n }, (_, i) => (written - n + i) % cap);
      const nVal = Math.max(1, Math.floor(n * 0.1)), nTrain = n - nVal;
      const pick = (from: number, to: number) => {
        const x = new Float64Array((to - from) * shape.inputs), y = new Float64Array(to - from);
        for (let k = from; k < to; k++) {
          const s = order[k];
          x.set(X.subarray(s * shape.inputs, (s + 1) * shape.inputs), (k - from) * shape.inputs);
          y[k - from] = Y[s];
        }
        return { x, y };
      };
      const shards = slots.map((_, i) => pick(Math.floor((i * nTrain) / slots.length), Math.floor(((i + 1) * nTrain) / slots.length)));
      round++;
      try {
        const replies = await Promise.all(slots.map((s, i) => trainOn(s, {
          shape, weights, X: shards[i].x, y: shards[i].y, epochs: c.epochs, batchSize: c.batch_size, lr: c.learning_rate, seed: c.seed + round * 31 + i,
        })));
        // Model averaging weighted by shard size.
        const avg = new Float64Array(weights.length);
        replies.forEach((r, i) => { const f = shards[i].y.length / nTrain; for (let p = 0; p < avg.length; p++) avg[p] += f * r.weights[p]; });
        weights = avg;
        version++;
        trainedAt = Date.now();
        const v = pick(nTrain, n);
        loss.set(evaluate(shape, weights, v.x, v.y));
        runs.inc();
        lastTrain.set(trainedAt / 1000);
        trainDuration.observe((performance.now() - t0) / 1000);
        await checkpoint();
      } catch (e) {
        if ((e as Error).message === 'timeout') {
          timeouts.inc();
          ctx.metrics.errors.inc({ kind: 'train_timeout' });
          // Replace threads that did not answer so the next run can proceed.
          for (let i = 0; i < slots.length; i++) if (Atomics.load(slots[i].stuck, 0) === 1 && !stopping) { void slots[i].worker.terminate(); slots[i] = spawn(slots[i].stuck); }
        } else ctx.metrics.errors.inc({ kind: 'train' });
      }
    }
    if (!stopping) timer = setTimeout(() => void retrain(), c.retrain_interval_ms);
  }
  timer = setTimeout(() => void retrain(), c.retrain_interval_ms);

  return {
    stats: () => ({ samples: Math.min(written, cap), model_version: version, trained_at: trainedAt }),
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      await Promise.all(slots.map((s) => { Atomics.store(s.stuck, 0, 0); Atomics.notify(s.stuck, 0); return s.worker.terminate(); }));
    },
  };
}

let stuckHook: ((on: boolean, count: number) => void) | undefined;

void runComponent({
  name: 'learning-worker',
  defaultPort: 9464,
  schema,
  faults: ['memory-leak', 'cpu-hog', 'latency-spike', 'error-burst', 'slow-disk', 'stuck-worker'],
  faultHooks: () => ({ 'stuck-worker': (on, p) => stuckHook?.(on, typeof p.workers === 'number' ? p.workers : 1) }),
  start,
});
